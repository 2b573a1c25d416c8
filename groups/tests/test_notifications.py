"""What members are told about their groups: a mail for each thing, a daily digest, or nothing; always through the
outbox, always with a one-click stop for that group."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coalition.models import Delivery, Mailing
from groups import services, tasks
from groups.models import Group, Membership, Notice

from .factories import GroupFactory, MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _member(group, notifications=Membership.Notifications.EACH, **kwargs):
    return MembershipFactory(group=group, notifications=notifications, **kwargs).profile


def _tell(profiles, group, kind=Notice.Kind.DOCUMENT, text="Nieuw document: verslag.", url="/groups/x/"):
    return services.notify(profiles, group=group, kind=kind, text=text, url=url)


def test_each_sends_a_mail_now_with_a_stop_link_for_that_group(django_capture_on_commit_callbacks):
    group = GroupFactory(name="Vroegsignalering")
    profile = _member(group)
    with django_capture_on_commit_callbacks(execute=True):
        _tell([profile], group)
    notice = Notice.objects.get(profile=profile)
    assert notice.mailed_at is not None
    assert Mailing.objects.get().kind == Mailing.Kind.GROUP_NOTICE
    [message] = mail.outbox
    assert message.to == [f"{profile.full_name} <{profile.user.email}>"]
    assert "Nieuw document: verslag." in message.body
    assert "Vroegsignalering" in message.subject
    stop = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/groups/mail/stop/" in stop
    # The text says how to stop it, and where to choose a digest instead.
    assert stop in message.body
    assert reverse("groups:group_detail", args=[group.slug]) + "#notifications" in message.body


def test_digest_stores_a_notice_and_mails_nothing_now(django_capture_on_commit_callbacks):
    group = GroupFactory()
    profile = _member(group, Membership.Notifications.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        _tell([profile], group)
    assert Notice.objects.get(profile=profile).mailed_at is None
    assert not mail.outbox and not Mailing.objects.exists()


def test_off_stores_nothing_and_mails_nothing(django_capture_on_commit_callbacks):
    group = GroupFactory()
    profile = _member(group, Membership.Notifications.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        assert _tell([profile], group) == []
    assert not Notice.objects.exists() and not mail.outbox


def test_someone_outside_the_group_hears_only_what_concerns_them(django_capture_on_commit_callbacks):
    group = GroupFactory()
    outsider = MembershipFactory().profile  # a member of another group
    asked = _member(group, state=Membership.State.REQUESTED)
    with django_capture_on_commit_callbacks(execute=True):
        _tell([outsider, asked], group, kind=Notice.Kind.DOCUMENT)
        assert not Notice.objects.exists()
        _tell([asked], group, kind=Notice.Kind.ACCEPTED, text="Je bent nu lid.")
    assert Notice.objects.get().profile == asked
    assert len(mail.outbox) == 1


def test_the_daily_digest_gathers_every_group_in_one_mail_and_runs_safely_twice(django_capture_on_commit_callbacks):
    first, second = GroupFactory(name="Aanbod"), GroupFactory(name="Signalering")
    profile = _member(first, Membership.Notifications.DIGEST)
    MembershipFactory(group=second, profile=profile, notifications=Membership.Notifications.DIGEST)
    other = _member(second, Membership.Notifications.DIGEST)
    each = _member(second)
    with django_capture_on_commit_callbacks(execute=True):
        _tell([profile], first, text="Document A gedeeld.")
        _tell([profile, other, each], second, text="Document B gedeeld.")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_digests() == 2
        assert tasks.send_digests() == 0
    assert not Notice.objects.filter(mailed_at__isnull=True).exists()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    mine = next(m for address, m in by_address.items() if profile.user.email in address)
    assert "Document A gedeeld." in mine.body and "Document B gedeeld." in mine.body
    assert "Aanbod" in mine.body and "Signalering" in mine.body
    assert mine.extra_headers["List-Unsubscribe"]
    # Each delivery went through the outbox as one mailing of group notices.
    assert set(Delivery.objects.filter(mailing__template="groups/digest").values_list("state", flat=True)) == {
        Delivery.State.SENT
    }


def test_the_digest_leaves_out_what_was_switched_off_or_left_since(django_capture_on_commit_callbacks):
    group = GroupFactory()
    stopped = _member(group, Membership.Notifications.DIGEST)
    gone = _member(group, Membership.Notifications.DIGEST)
    _tell([stopped, gone], group)
    Membership.objects.filter(profile=stopped).update(notifications=Membership.Notifications.OFF)
    Membership.objects.filter(profile=gone).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests() == 0
    assert not mail.outbox
    assert not Notice.objects.filter(mailed_at__isnull=True).exists()


def test_the_digest_waits_for_notices_made_after_its_moment():
    group = GroupFactory()
    profile = _member(group, Membership.Notifications.DIGEST)
    _tell([profile], group)
    assert services.send_digests(now=timezone.now() - timedelta(hours=1)) == 0
    assert Notice.objects.filter(mailed_at__isnull=True).count() == 1


def test_the_beat_sends_the_digest_daily():
    from coalition.celery import app  # noqa: PLC0415 — the schedule is read from the Celery app

    entries = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert "groups.tasks.send_digests" in entries


# --- The one-click stop ---------------------------------------------------------------------------------------


def _stop_link(profile, group):
    return services.stop_url(profile.pk, [group.pk]).removeprefix("http://testserver")


def test_the_stop_link_asks_on_get_and_stops_that_group_only_on_post(client, settings):
    settings.SITE_URL = "http://testserver"
    group, other = GroupFactory(name="Vroegsignalering"), GroupFactory()
    profile = _member(group)
    MembershipFactory(group=other, profile=profile)
    link = _stop_link(profile, group)
    asked = client.get(link)
    assert asked.status_code == 200
    assert "Vroegsignalering" in asked.content.decode()
    assert Membership.objects.get(group=group, profile=profile).notifications == Membership.Notifications.EACH
    # RFC 8058: the mail program posts without a session or a CSRF token.
    client.logout()
    strict = type(client)(enforce_csrf_checks=True)
    done = strict.post(link, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert Membership.objects.get(group=group, profile=profile).notifications == Membership.Notifications.OFF
    assert Membership.objects.get(group=other, profile=profile).notifications == Membership.Notifications.EACH
    assert strict.post(link).status_code == 200  # twice changes nothing


def test_a_forged_stop_link_is_refused(client):
    response = client.post(reverse("groups:stop_notifications", args=["not-a-token"]))
    assert response.status_code == 400
    assert "alert-danger" in response.content.decode()


def test_after_the_stop_no_more_mails_come(django_capture_on_commit_callbacks, client, settings):
    settings.SITE_URL = "http://testserver"
    group = GroupFactory()
    profile = _member(group)
    client.post(_stop_link(profile, group))
    with django_capture_on_commit_callbacks(execute=True):
        _tell([profile], group)
    assert not mail.outbox


def test_the_group_page_setting_chooses_each_digest_or_off(client, group, group_member):
    client.force_login(group_member)
    url = reverse("groups:choose_notifications", args=[group.slug])
    response = client.post(url, {"notifications": "digest"})
    assert response.status_code == 302 and response.url.endswith("#notifications")
    assert Membership.objects.get(profile__user=group_member).notifications == Membership.Notifications.DIGEST
    page = client.get(reverse("groups:group_detail", args=[group.slug])).content.decode()
    radios = {
        value: "checked" in tag
        for tag, value in re.findall(r'(<input[^>]*name="notifications"[^>]*value="(\w+)"[^>]*>)', page)
    }
    assert radios == {"each": False, "digest": True, "off": False}


def test_a_join_request_reaches_the_group_coordinators_by_mail(
    django_capture_on_commit_callbacks, group, group_coordinator, member
):
    Group.objects.filter(pk=group.pk).update(joining=Group.Joining.ON_REQUEST)
    with django_capture_on_commit_callbacks(execute=True):
        services.join(group, by=member)
    [message] = mail.outbox
    assert group_coordinator.email in message.to[0]
    assert reverse("groups:manage_members", args=[group.slug]) in message.body
