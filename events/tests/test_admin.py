"""The event admin goes through the locked services: no overbooking, no silent changes, mails as due."""

from datetime import timedelta

import icalendar
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from events import services
from events.models import Event, Invitation, Registration

from .checks import check_of, confirm_on_page
from .factories import EventFactory, InvitationFactory, RegistrationFactory, approved_member

pytestmark = pytest.mark.django_db

DATETIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "cancellation_deadline")


def _form_data(response):
    """What the admin change page would post back unchanged: the main form and every inline's forms."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or name in DATETIME_FIELDS:
                continue  # the date-times are split into a date and a time below
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = value
    return data


def _split(data, name, value):
    local = value.astimezone()
    data.pop(name, None)
    data[f"{name}_0"] = local.strftime("%Y-%m-%d")
    data[f"{name}_1"] = local.strftime("%H:%M:%S")


def _change_page(client, event):
    url = reverse("admin:events_event_change", args=[event.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = _form_data(response)
    for name in DATETIME_FIELDS:
        value = getattr(event, name)
        if value is None:
            data[f"{name}_0"] = data[f"{name}_1"] = ""
        else:
            _split(data, name, value)
    return url, data


def test_raising_capacity_in_the_admin_promotes_from_the_waiting_list(
    coordinator_client, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    services.register(event, approved_member())
    waiting = services.register(event, approved_member())
    assert waiting.is_waiting
    url, data = _change_page(coordinator_client, event)
    data["capacity"] = "2"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    waiting.refresh_from_db()
    assert waiting.is_confirmed
    assert len(mail.outbox) == 1 and mail.outbox[0].attachments


def test_moving_the_start_in_the_admin_mails_an_updated_ics(coordinator_client, django_capture_on_commit_callbacks):
    event = EventFactory()
    services.register(event, approved_member())
    url, data = _change_page(coordinator_client, event)
    _split(data, "starts_at", event.starts_at + timedelta(days=1))
    _split(data, "ends_at", event.ends_at + timedelta(days=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert len(mail.outbox) == 1
    ics = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1])
    vevent = next(iter(ics.walk("VEVENT")))
    assert vevent["SEQUENCE"] == 1
    assert Event.objects.get(pk=event.pk).sequence == 1


def test_registration_admin_cannot_move_a_registration_to_a_full_event(coordinator_client):
    full = EventFactory(capacity=1)
    services.register(full, approved_member())
    other = EventFactory()
    registration = services.register(other, approved_member())
    url = reverse("admin:events_registration_change", args=[registration.pk])
    response = coordinator_client.get(url)
    assert response.status_code == 200
    assert "event" not in response.context["adminform"].form.fields
    assert "state" not in response.context["adminform"].form.fields
    coordinator_client.post(url, {"event": full.pk, "name": registration.name, "state": "confirmed"})
    registration.refresh_from_db()
    assert registration.event_id == other.pk
    assert Registration.objects.confirmed().filter(event=full).count() == 1


def test_registrations_cannot_be_deleted_in_the_admin_only_cancelled(coordinator_client):
    event = EventFactory(capacity=1)
    registration = services.register(event, approved_member())
    waiting = services.register(event, approved_member())
    response = coordinator_client.post(
        reverse("admin:events_registration_delete", args=[registration.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    changelist = coordinator_client.get(reverse("admin:events_registration_changelist"))
    assert "delete_selected" not in changelist.text
    assert Registration.objects.filter(pk=registration.pk).exists()
    coordinator_client.post(
        reverse("admin:events_registration_changelist"),
        {"action": "cancel_registrations", "_selected_action": [registration.pk]},
    )
    waiting.refresh_from_db()
    assert waiting.is_confirmed


def test_an_event_with_registrations_is_cancelled_not_deleted(coordinator_client):
    event = EventFactory(capacity=3)
    services.register(event, approved_member())
    assert coordinator_client.get(reverse("admin:events_event_delete", args=[event.pk])).status_code == 403
    changelist = coordinator_client.get(reverse("admin:events_event_changelist"))
    assert "delete_selected" not in changelist.context["action_form"].fields["action"].choices.__repr__()
    assert Event.objects.filter(pk=event.pk).exists()

    empty = EventFactory(title="Niemand kwam")
    confirm = coordinator_client.get(reverse("admin:events_event_delete", args=[empty.pk]))
    assert confirm.status_code == 200 and "Niemand kwam" in confirm.text
    coordinator_client.post(reverse("admin:events_event_delete", args=[empty.pk]), {"post": "yes"})
    assert not Event.objects.filter(pk=empty.pk).exists()


def test_the_reminder_action_leads_to_the_check_step_and_reminds_once_per_invitation(
    coordinator_client, django_capture_on_commit_callbacks
):
    event = EventFactory()
    InvitationFactory.create_batch(2, event=event)
    InvitationFactory(event=event, answer=Invitation.Answer.COMING)
    changelist = reverse("admin:events_event_changelist")
    action = {"action": "remind_invitations", "_selected_action": [event.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(changelist, action, HTTP_ACCEPT_LANGUAGE="en")
        assert check_of(response).recipient_count == 2 and mail.outbox == []
        done = confirm_on_page(coordinator_client, response, follow=True, HTTP_ACCEPT_LANGUAGE="en")
        again = coordinator_client.post(changelist, action, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "2 reminders are on their way." in done.text
    assert "Nobody would receive this mail" in again.text
    assert len(mail.outbox) == 2
    assert Invitation.objects.filter(reminded_at__isnull=False).count() == 2


def test_the_mail_actions_take_one_event_at_a_time(coordinator_client):
    events = EventFactory.create_batch(2)
    response = coordinator_client.post(
        reverse("admin:events_event_changelist"),
        {"action": "send_materials_to_all", "_selected_action": [e.pk for e in events]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Choose one event: each mailing is checked before it goes out." in response.text


def test_setting_the_state_to_cancelled_in_the_admin_is_refused_while_people_are_registered(coordinator, rf):
    event = EventFactory()
    RegistrationFactory(event=event)
    request = rf.get("/")
    request.user = coordinator
    form_class = admin.site._registry[Event].get_form(request, event)
    form = form_class(instance=event)
    form.cleaned_data = {"state": Event.State.CANCELLED}
    with pytest.raises(ValidationError, match="moeten het horen"), translation.override("en"):
        form.clean_state()
    form.cleaned_data = {"state": Event.State.PUBLISHED}
    assert form.clean_state() == Event.State.PUBLISHED


def test_the_event_actions_are_offered_by_the_rules_they_need(coordinator_client):
    choices = dict(
        coordinator_client.get(reverse("admin:events_event_changelist")).context["action_form"].fields["action"].choices
    )
    assert {"cancel_events", "send_materials_to_all", "remind_invitations"} <= set(choices)


def test_the_rules_and_the_admin_agree_that_registrations_are_never_added_or_deleted_by_hand(client, coordinator):
    event = EventFactory()
    registration = services.register(event, approved_member())
    superuser = get_user_model().objects.create_superuser(email="root@example.org", password="not-used-here")
    # The rules say it for coordinators; the admin holds it for superusers too, whom Django never asks the rules.
    assert not coordinator.has_perm("events.delete_event", event)
    assert coordinator.has_perm("events.delete_event", EventFactory())
    assert not coordinator.has_perm("events.add_registration")
    assert not coordinator.has_perm("events.delete_registration", registration)
    client.force_login(superuser)
    assert client.get(reverse("admin:events_event_delete", args=[event.pk])).status_code == 403
    assert client.get(reverse("admin:events_registration_add")).status_code == 403
    assert client.get(reverse("admin:events_registration_delete", args=[registration.pk])).status_code == 403
    assert Registration.objects.filter(pk=registration.pk).exists()


def test_a_cancelled_event_cannot_be_switched_back_on_in_the_admin(coordinator_client, coordinator):
    event = EventFactory()
    services.cancel_event(event, by=coordinator)
    response = coordinator_client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert "state" not in response.context["adminform"].form.fields
