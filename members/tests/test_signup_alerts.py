"""Coordinators hear of new sign-ups: a mail at each, a daily digest or nothing, as each chooses; once per sign-up,
to exactly those who may approve it (regional coordinators, and the coordinators of the coalitions where the person
works, who become known when the person saves their municipalities)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coalition.celery import app
from coalition.roles import COORDINATOR
from members import services, tasks
from members.forms import ProfileForm
from members.models import Profile, SignupAlert, User
from network.tests.factories import CoalitionFactory, coalition_coordinator_of

from .factories import MunicipalityFactory, ProfileFactory, UserFactory


def _regional(email, alerts=Profile.SignupAlerts.EACH):
    profile = ProfileFactory(user__email=email, signup_alerts=alerts)
    profile.user.groups.add(Group.objects.get(name=COORDINATOR))
    return profile.user


@pytest.fixture
def region(db):
    here, there = MunicipalityFactory(name="Hierdorp"), MunicipalityFactory(name="Daarstad")
    return {
        "here": here,
        "there": there,
        "regional": _regional("regio@example.org"),
        "ours": coalition_coordinator_of(CoalitionFactory(municipalities=[here]), user__email="hier@example.org"),
        "theirs": coalition_coordinator_of(CoalitionFactory(municipalities=[there]), user__email="daar@example.org"),
    }


def _sign_up(capture, email="nieuw@example.org"):
    with capture(execute=True):
        return services.create_pending_profile(UserFactory(email=email), first_name="Nina", last_name="Nieuw")


def _addresses():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_sign_up_mails_the_regional_coordinators_with_a_link_to_the_cockpit(
    region, django_capture_on_commit_callbacks
):
    _sign_up(django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == [[f"Anna {region['regional'].last_name} <regio@example.org>"]]
    message = mail.outbox[0]
    assert "Nina Nieuw" in message.subject
    assert reverse("cockpit:todo") in message.body and reverse("cockpit:todo") in message.alternatives[0][0]


def test_the_coordinators_of_the_persons_coalitions_hear_when_their_municipalities_are_saved_once(
    region, django_capture_on_commit_callbacks
):
    profile = _sign_up(django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_profile(profile, by=profile.user, municipalities=[region["here"]])
    assert _addresses() == [f"Anna {region['ours'].last_name} <hier@example.org>"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_profile(profile, by=profile.user, municipalities=[region["here"]])
        services.save_profile(profile, by=profile.user, municipalities=[region["here"], region["there"]])
    # Saved again: only the newly concerned coordinator hears of it; nobody twice.
    assert _addresses() == [f"Anna {region['theirs'].last_name} <daar@example.org>"]
    assert SignupAlert.objects.filter(profile=profile).count() == 3


def test_an_approved_members_save_tells_nobody(region, django_capture_on_commit_callbacks):
    profile = ProfileFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.save_profile(profile, by=profile.user, municipalities=[region["here"]])
    assert mail.outbox == []


def test_a_coordinator_who_chose_no_mail_gets_none(region, django_capture_on_commit_callbacks):
    Profile.objects.filter(user=region["regional"]).update(signup_alerts=Profile.SignupAlerts.OFF)
    _sign_up(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_signup_digests() == 0
    assert mail.outbox == []


def test_the_digest_mails_the_days_sign_ups_once(region, django_capture_on_commit_callbacks):
    digest = _regional("ochtend@example.org", alerts=Profile.SignupAlerts.DIGEST)
    first = _sign_up(django_capture_on_commit_callbacks, "een@example.org")
    _sign_up(django_capture_on_commit_callbacks, "twee@example.org")
    handled = _sign_up(django_capture_on_commit_callbacks, "drie@example.org")
    services.approve(handled, by=region["regional"])
    assert "<ochtend@example.org>" not in " ".join(_addresses())  # nothing at once for the digest's reader
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_signup_digests(now=timezone.now() + timedelta(minutes=1)) == 1
    assert [message.to for message in mail.outbox] == [[f"Anna {digest.last_name} <ochtend@example.org>"]]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject.startswith("2 ")
    assert body.count("Nina Nieuw") == 2  # the two still waiting; the approved one is left out
    assert first.user.email not in body  # no addresses in the mail, only names
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_signup_digests(now=timezone.now() + timedelta(minutes=2)) == 0
    assert mail.outbox == []


def test_the_coordinator_chooses_in_their_profile_form(region):
    form = ProfileForm(instance=region["ours"].profile)
    assert form.fields["signup_alerts"].initial == Profile.SignupAlerts.EACH
    assert "signup_alerts" not in ProfileForm(instance=ProfileFactory()).fields


def test_the_choice_is_saved_from_my_profile(region, client, django_capture_on_commit_callbacks):
    user = region["ours"]
    client.force_login(user)
    profile = user.profile
    data = {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "phone_visibility": profile.phone_visibility,
        "email_visibility": profile.email_visibility,
        "is_listed": "on",
        "signup_alerts": Profile.SignupAlerts.DIGEST,
    }
    response = client.post(reverse("members:me"), data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.signup_alerts == Profile.SignupAlerts.DIGEST


def test_the_digest_goes_out_every_morning_through_its_task(region, django_capture_on_commit_callbacks):
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    assert schedule["members.tasks.send_signup_digests"].hour == {7}
    _regional("ochtend@example.org", alerts=Profile.SignupAlerts.DIGEST)
    _sign_up(django_capture_on_commit_callbacks)
    mail.outbox.clear()
    SignupAlert.objects.update(created_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_signup_digests.delay().get() == 1
    assert _addresses() == [f"Anna {User.objects.get(email='ochtend@example.org').last_name} <ochtend@example.org>"]


def test_signing_up_on_the_site_alerts_the_coordinators(region, client, django_capture_on_commit_callbacks):
    data = {
        "first_name": "Fenna",
        "last_name": "de Vries",
        "discipline": "midwifery",
        "email": "fenna@example.org",
        "password1": "a-long-and-unusual-passphrase",
        "password2": "a-long-and-unusual-passphrase",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("account_signup"), data).status_code == 302
    alerts = [message for message in mail.outbox if "Fenna de Vries" in message.subject]
    assert [message.to for message in alerts] == [[f"Anna {region['regional'].last_name} <regio@example.org>"]]
    # allauth's own mail to the new person still goes out.
    assert any(message.to == ["fenna@example.org"] for message in mail.outbox)
