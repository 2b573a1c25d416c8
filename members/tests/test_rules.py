"""The members rules and the querysets that list the same decisions agree, for every role and every kind of row."""

import pytest
from django.contrib.auth.models import AnonymousUser

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
