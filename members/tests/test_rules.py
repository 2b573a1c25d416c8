"""The members rules and the querysets that list the same decisions agree, for every role and every kind of row."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone

from coalition.rules import DomainError, NotAllowed
from members import services
from members.models import Organisation, Profile

from .factories import OfferingFactory, OrganisationFactory, ProfileFactory

ROLES = ["anonymous", "pending_member", "declined_member", "member", "editor", "coalition_coordinator", "coordinator"]


def _persona(request, role):
    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


@pytest.fixture
def people(db):
    """One profile of each kind the directory has to decide about."""
    inactive = ProfileFactory(user__last_name="Vertrokken")
    inactive.user.is_active = False
    inactive.user.save(update_fields=["is_active"])
    return [
        ProfileFactory(user__last_name="Vindbaar"),
        ProfileFactory(user__last_name="Onvindbaar", is_listed=False),
        ProfileFactory(user__last_name="Wachtend", status=Profile.Status.PENDING),
        ProfileFactory(user__last_name="Afgewezen", status=Profile.Status.DECLINED),
        inactive,
    ]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_a_member_is_what_visible_to_lists(request, people, role):
    user = _persona(request, role)
    own = [user.profile] if user.is_authenticated else []
    unlisted_self = getattr(user, "profile", None)
    if unlisted_self is not None:  # an unlisted person still sees their own page
        Profile.objects.filter(pk=unlisted_self.pk).update(is_listed=False)
    visible = set(Profile.objects.visible_to(user).values_list("pk", flat=True))
    for profile in Profile.objects.select_related("user").filter(pk__in=[p.pk for p in people + own]):
        assert user.has_perm("members.view_member", profile) == (profile.pk in visible), (role, profile.last_name)


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_the_directory_shows_members_something_and_pending_people_nothing(request, people, role, pending_member):
    assert Profile.objects.visible_to(request.getfixturevalue(role)).filter(last_name="Vindbaar").exists()
    assert not Profile.objects.visible_to(pending_member).exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_edit_an_organisation_is_what_editable_by_lists(request, db, role):
    user = _persona(request, role)
    kept, other = OrganisationFactory(), OrganisationFactory()
    if user.is_authenticated:
        kept.contacts.add(user.profile)
    editable = set(Organisation.objects.editable_by(user).values_list("pk", flat=True))
    for organisation in (kept, other):
        assert user.has_perm("members.edit_organisation", organisation) == (organisation.pk in editable), role
        offering = OfferingFactory(organisation=organisation)
        assert user.has_perm("members.edit_offering", offering) == (organisation.pk in editable), role


def test_a_contact_who_is_not_approved_edits_nothing(pending_member):
    organisation = OrganisationFactory()
    organisation.contacts.add(pending_member.profile)
    assert not pending_member.has_perm("members.edit_organisation", organisation)
    assert not Organisation.objects.editable_by(pending_member).exists()


# --- The services ask the same rules of the person acting (by=) ---------------------------------------


@pytest.mark.parametrize("role", ["member", "editor", "coalition_coordinator", "pending_member"])
def test_only_coordinators_approve_or_decline_through_the_services(request, db, role):
    applicant = ProfileFactory(status=Profile.Status.PENDING)
    by = request.getfixturevalue(role)
    for decide in (services.approve, services.decline):
        with pytest.raises(NotAllowed) as refused:
            decide(applicant, by=by)
        assert str(refused.value)
    applicant.refresh_from_db()
    assert applicant.status == Profile.Status.PENDING
    assert not mail.outbox


def test_a_refusal_of_the_members_rules_is_a_domain_error_with_its_message(coordinator):
    applicant = ProfileFactory(status=Profile.Status.APPROVED, user__first_name="Nina", user__last_name="Rust")
    with pytest.raises(DomainError, match=r"^Nina Rust "):
        services.approve(applicant, by=coordinator)


def test_only_contacts_and_coordinators_save_an_organisation_or_offering(member, coordinator):
    organisation = OrganisationFactory(name="Kraamzorg Zeeuwse Kust")
    offering = OfferingFactory(organisation=organisation)
    organisation.name = "Gekaapt"
    offering.title = "Gekaapt"
    with pytest.raises(NotAllowed):
        services.save_organisation(organisation, by=member)
    with pytest.raises(NotAllowed):
        services.save_offering(offering, by=member)
    assert Organisation.objects.get(pk=organisation.pk).name == "Kraamzorg Zeeuwse Kust"
    organisation.contacts.add(member.profile)
    assert services.save_organisation(organisation, by=member).name == "Gekaapt"
    assert services.save_offering(offering, by=member).title == "Gekaapt"
    services.save_organisation(organisation, by=coordinator, contacts=[])
    assert not organisation.contacts.exists()


def test_a_profile_is_saved_by_its_owner_or_a_coordinator_and_only_the_owner_confirms_it(member, coordinator):
    colleague = ProfileFactory(details_confirmed_at=timezone.now() - timedelta(days=300))
    colleague.job_title = "Gekaapt"
    with pytest.raises(NotAllowed):
        services.save_profile(colleague, by=member)
    colleague.job_title = "Jeugdarts"
    services.save_profile(colleague, by=coordinator)
    colleague.refresh_from_db()
    assert colleague.job_title == "Jeugdarts"
    assert colleague.is_possibly_outdated  # a coordinator's correction is not the person confirming
    services.save_profile(colleague, by=colleague.user)
    colleague.refresh_from_db()
    assert not colleague.is_possibly_outdated
