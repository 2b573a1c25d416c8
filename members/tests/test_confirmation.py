"""Keeping details current: the periodic request, the one-click link and the outdated mark."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coalition.celery import app
from members import services, tasks
from members.models import Profile

from .factories import ProfileFactory


def _ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def stale(db):
    return ProfileFactory(details_confirmed_at=_ago(200), user__email="stale@example.org")


def test_members_unconfirmed_for_six_months_are_asked_once(stale, django_capture_on_commit_callbacks):
    ProfileFactory(details_confirmed_at=_ago(100))
    ProfileFactory(details_confirmed_at=_ago(400), status=Profile.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.request_confirmations() == 1
        assert tasks.request_confirmations() == 0  # running twice asks nobody twice
    assert [m.to for m in mail.outbox] == [[f"Anna {stale.last_name} <stale@example.org>"]]
    assert "/members/confirm/" in mail.outbox[0].body
    stale.refresh_from_db()
    assert stale.confirmation_requested_at is not None


def test_member_is_asked_again_after_another_period(stale, django_capture_on_commit_callbacks):
    services.request_confirmations()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_confirmations(now=timezone.now() + timedelta(days=100)) == 0
        assert services.request_confirmations(now=timezone.now() + timedelta(days=190)) == 1


def test_link_confirms_with_one_click_without_logging_in(client, stale):
    url = reverse("members:confirm_details", args=[services.confirmation_token(stale)])
    response = client.get(url)
    assert response.status_code == 200
    assert stale.full_name in response.content.decode()
    stale.refresh_from_db()
    assert stale.details_confirmed_at < _ago(150)  # a link scanner's GET changes nothing
    assert client.post(url).status_code == 200
    stale.refresh_from_db()
    assert not stale.is_possibly_outdated
    assert stale.details_confirmed_at > _ago(1)


def test_forged_link_is_refused(client, stale):
    token = services.confirmation_token(stale)[:-2] + "xx"
    assert client.post(reverse("members:confirm_details", args=[token])).status_code == 400
    stale.refresh_from_db()
    assert stale.details_confirmed_at < _ago(150)


def test_after_nine_months_details_are_possibly_outdated(db):
    assert ProfileFactory(details_confirmed_at=_ago(280)).is_possibly_outdated
    assert not ProfileFactory(details_confirmed_at=_ago(200)).is_possibly_outdated


def test_request_task_is_in_the_beat_schedule():
    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "members.tasks.request_confirmations" in tasks_scheduled
