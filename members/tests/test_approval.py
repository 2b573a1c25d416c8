"""Approving and declining members: the services, the coordinators' page and the admin actions."""

import itertools

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalition.roles import MEMBER, is_approved_member
from members import services, signals
from members.models import Profile

from .factories import MunicipalityFactory, OfferingFactory, OrganisationFactory, ProfileFactory, ThemeFactory

NUMBERS = itertools.count()

PENDING = reverse("members:pending")


@pytest.fixture
def applicant(db):
    return ProfileFactory(status=Profile.Status.PENDING, user__email="new@example.org", user__first_name="Nina")


def test_approve_makes_a_member_mails_them_and_signals(applicant, coordinator, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, profile, **kwargs):
        received.append(profile.pk)

    signals.profile_approved.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.approve(applicant, by=coordinator)
    finally:
        signals.profile_approved.disconnect(receiver)
    applicant.refresh_from_db()
    assert applicant.status == Profile.Status.APPROVED
    assert applicant.status_changed_by == coordinator
    assert applicant.user.groups.filter(name=MEMBER).exists()
    assert received == [applicant.pk]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Nina " + applicant.user.last_name + " <new@example.org>"]
    assert "/members/" in message.body
    assert message.alternatives and "/members/" in message.alternatives[0][0]


def test_approving_twice_is_refused(applicant, coordinator):
    services.approve(applicant, by=coordinator)
    with pytest.raises(services.MembershipError):
        services.approve(applicant, by=coordinator)


def test_decline_mails_the_reason_and_removes_membership(applicant, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.decline(applicant, by=coordinator, reason="Geen professional in de regio")
    applicant.refresh_from_db()
    assert applicant.status == Profile.Status.DECLINED
    assert not applicant.user.groups.filter(name=MEMBER).exists()
    assert not is_approved_member(applicant.user)
    assert "Geen professional in de regio" in mail.outbox[0].body


def test_coordinator_cannot_decline_themself(coordinator):
    with pytest.raises(services.MembershipError):
        services.decline(coordinator.profile, by=coordinator)


@pytest.mark.parametrize("persona", ["member", "pending_member", "declined_member", "editor"])
def test_pending_page_is_refused_to_everyone_but_coordinators(client, request, persona, applicant):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(PENDING)
    assert response.status_code == 403
    assert response.context["reason"]  # the one refusal page says why
    assert "new@example.org" not in response.content.decode()
    assert client.post(reverse("members:approve", args=[applicant.pk])).status_code == 403
    applicant.refresh_from_db()
    assert applicant.status == Profile.Status.PENDING


def test_anonymous_visitor_is_sent_to_login_from_pending_page(client, db):
    response = client.get(PENDING)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_coordinator_sees_and_approves_pending_members(
    coordinator_client, applicant, django_capture_on_commit_callbacks
):
    response = coordinator_client.get(PENDING)
    assert response.status_code == 200
    assert "new@example.org" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("members:approve", args=[applicant.pk]))
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.is_approved
    assert len(mail.outbox) == 1


def test_coordinator_declines_with_reason(coordinator_client, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(reverse("members:decline", args=[applicant.pk]), {"reason": "Onbekend"})
    applicant.refresh_from_db()
    assert applicant.status == Profile.Status.DECLINED
    assert "Onbekend" in mail.outbox[0].body


def test_approval_is_a_post_only(coordinator_client, applicant):
    assert coordinator_client.get(reverse("members:approve", args=[applicant.pk])).status_code == 405


def test_pending_page_nudges_staff_without_two_factor(coordinator_client):
    assert "mfa-nudge" in coordinator_client.get(PENDING).content.decode()


def test_pending_page_does_not_nudge_staff_with_two_factor(coordinator_client, coordinator):
    Authenticator.objects.create(user=coordinator, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert "mfa-nudge" not in coordinator_client.get(PENDING).content.decode()


def test_pending_page_query_count_does_not_grow(coordinator_client, django_assert_max_num_queries):
    for _ in range(3):
        ProfileFactory(status=Profile.Status.PENDING)
    coordinator_client.get(PENDING)
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(PENDING)
    for _ in range(15):
        ProfileFactory(status=Profile.Status.PENDING)
    with django_assert_max_num_queries(len(few)):
        coordinator_client.get(PENDING)


def test_admin_actions_approve_and_decline_through_the_services(coordinator, django_capture_on_commit_callbacks):
    first, second = ProfileFactory(status="pending"), ProfileFactory(status="pending")
    client = Client()
    client.force_login(coordinator)
    url = reverse("admin:members_profile_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve_selected", "_selected_action": [first.pk]})
        assert response.status_code == 302
        client.post(url, {"action": "decline_selected", "_selected_action": [second.pk]})
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_approved and first.user.groups.filter(name=MEMBER).exists()
    assert second.status == Profile.Status.DECLINED
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("members_profile", lambda: ProfileFactory(user__first_name="Annabel")),
        ("members_organisation", lambda: OrganisationFactory(name=f"Annahoeve {next(NUMBERS)}")),
        ("members_offering", lambda: OfferingFactory(title="Annagroep")),
        ("members_municipality", lambda: MunicipalityFactory(name=f"Annaland {next(NUMBERS)}")),
        ("members_theme", lambda: ThemeFactory(name=f"Anna-thema {next(NUMBERS)}")),
    ],
)
def test_admin_changelists_find_by_search_in_as_many_queries_for_many_rows(
    coordinator_client, url_name, make, django_assert_max_num_queries
):
    url = reverse(f"admin:{url_name}_changelist")
    make()
    coordinator_client.get(url, {"q": "anna"})  # warm the session and role caches
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(url, {"q": "anna"})
    for _ in range(10):
        make()
    with django_assert_max_num_queries(len(few)):
        response = coordinator_client.get(url, {"q": "anna"})
    assert response.context["cl"].result_count == 11


def test_too_long_reason_is_refused_instead_of_declining_without_it(coordinator_client, applicant):
    url = reverse("members:decline", args=[applicant.pk])
    response = coordinator_client.post(url, {"reason": "x" * 1001}, follow=True)
    applicant.refresh_from_db()
    assert applicant.status == Profile.Status.PENDING
    assert not mail.outbox
    assert "1000" in response.content.decode()


def test_home_page_tells_a_declined_person_they_were_not_approved_rather_than_to_wait(client, declined_member):
    client.force_login(declined_member)
    body = client.get("/").content.decode()
    assert "not approved" in body or "niet goedgekeurd" in body
    assert "awaits approval" not in body and "wacht op goedkeuring" not in body


def test_home_page_tells_a_pending_person_to_wait(client, pending_member):
    client.force_login(pending_member)
    body = client.get("/").content.decode()
    assert "awaits approval" in body or "wacht op goedkeuring" in body
