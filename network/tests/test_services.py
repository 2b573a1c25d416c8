"""The network's services: phases with history, trekkers and their continuity, partners and circles, signatures,
joining requests and coalition coordinators; every refusal a translated message at its field."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from coalition.rules import NotAllowed
from members.models import Discipline, Organisation, Profile
from members.services import export_data
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory
from network import services
from network.models import (
    Circle,
    CircleChange,
    Coalition,
    CoalitionMunicipality,
    JoinRequest,
    Partnership,
    Phase,
    Trekker,
)
from network.services import NetworkError

from .factories import (
    CoalitionFactory,
    DeclarationFactory,
    JoinRequestFactory,
    PartnershipFactory,
    TrekkerFactory,
    coalition_coordinator_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The messages are asserted by their msgid: the Dutch catalogue is filled in one pass later.
    with translation.override("en"):
        yield


def _refusal(callable_, **kwargs):
    with pytest.raises(NetworkError) as caught:
        callable_(**kwargs)
    return caught.value


# --- Phases -------------------------------------------------------------------------------------------


def test_a_phase_change_is_recorded_and_the_latest_by_date_is_the_current_phase(coordinator):
    coalition = CoalitionFactory()
    services.change_phase(coalition, phase=Phase.EXPLORING, on=date(2020, 9, 1), by=coordinator)
    services.change_phase(coalition, phase=Phase.PLANNING, on=date(2022, 6, 1), note="Plan klaar", by=coordinator)
    # A step added to the history afterwards does not move the coalition back.
    services.change_phase(coalition, phase=Phase.FORMING, on=date(2021, 2, 4), by=coordinator)
    coalition.refresh_from_db()
    assert (coalition.phase, coalition.phase_since) == (Phase.PLANNING, date(2022, 6, 1))
    history = list(coalition.phase_changes.values_list("phase", "changed_on", "changed_by"))
    assert history == [
        (Phase.PLANNING, date(2022, 6, 1), coordinator.pk),
        (Phase.FORMING, date(2021, 2, 4), coordinator.pk),
        (Phase.EXPLORING, date(2020, 9, 1), coordinator.pk),
    ]


def test_the_phases_come_in_one_order_with_a_next_one():
    assert [phase.value for phase in Phase] == ["exploring", "forming", "planning", "carrying_out", "embedding"]
    assert Phase.FORMING.next == Phase.PLANNING
    assert Phase.EMBEDDING.next is None


def test_a_phase_change_in_the_future_or_to_the_same_phase_is_refused_at_its_field(coordinator):
    coalition = CoalitionFactory()
    services.change_phase(coalition, phase=Phase.FORMING, on=date(2024, 1, 1), by=coordinator)
    future = _refusal(
        services.change_phase,
        coalition=coalition,
        phase=Phase.PLANNING,
        on=timezone.localdate() + timedelta(days=1),
        by=coordinator,
    )
    assert future.field == "changed_on" and "future" in str(future)
    same = _refusal(services.change_phase, coalition=coalition, phase=Phase.FORMING, by=coordinator)
    assert same.field == "phase" and "already in the phase" in str(same)


def test_a_coalition_coordinator_changes_their_own_phase_but_not_another_coalitions(coalition_coordinator):
    own = coalition_coordinator.coalition_roles.get().coalition
    services.change_phase(own, phase=Phase.FORMING, by=coalition_coordinator)
    other = CoalitionFactory()
    with pytest.raises(NotAllowed):
        services.change_phase(other, phase=Phase.FORMING, by=coalition_coordinator)
    assert not other.phase_changes.exists()


def test_a_member_cannot_change_a_phase(member):
    with pytest.raises(NotAllowed):
        services.change_phase(CoalitionFactory(), phase=Phase.FORMING, by=member)


# --- Municipalities --------------------------------------------------------------------------------------


def test_a_municipality_already_in_another_coalition_is_refused_naming_that_coalition(coordinator):
    vlissingen = MunicipalityFactory(name="Vlissingen")
    CoalitionFactory(name="Kansrijk Walcheren", municipalities=[vlissingen])
    newcomer = CoalitionFactory()
    error = _refusal(services.set_municipalities, coalition=newcomer, municipalities=[vlissingen], by=coordinator)
    assert error.field == "municipalities"
    assert "Vlissingen" in str(error) and "Kansrijk Walcheren" in str(error)


def test_the_database_keeps_a_municipality_in_one_coalition():
    vlissingen = MunicipalityFactory(name="Vlissingen")
    CoalitionFactory(municipalities=[vlissingen])
    with pytest.raises(IntegrityError), transaction.atomic():
        CoalitionMunicipality.objects.create(coalition=CoalitionFactory(), municipality=vlissingen)


def test_only_regional_coordinators_draw_a_coalitions_municipalities(coalition_coordinator):
    own = coalition_coordinator.coalition_roles.get().coalition
    with pytest.raises(NotAllowed):
        services.set_municipalities(own, municipalities=[MunicipalityFactory()], by=coalition_coordinator)


# --- Trekkers ----------------------------------------------------------------------------------------


def test_a_trekker_must_be_an_approved_member(coordinator):
    pending = ProfileFactory(status=Profile.Status.PENDING)
    error = _refusal(
        services.appoint_trekker,
        coalition=CoalitionFactory(),
        profile=pending,
        role=Trekker.Role.CONTENT,
        by=coordinator,
    )
    assert error.field == "profile" and "approved members" in str(error)


def test_a_trekkers_end_date_cannot_precede_the_start(coordinator):
    error = _refusal(
        services.appoint_trekker,
        coalition=CoalitionFactory(),
        profile=ProfileFactory(),
        role=Trekker.Role.POLICY,
        starts_on=date(2024, 5, 1),
        ends_on=date(2024, 4, 30),
        by=coordinator,
    )
    assert error.field == "ends_on" and "end date" in str(error)
    trekker = TrekkerFactory(starts_on=date(2024, 5, 1))
    assert _refusal(services.end_trekker, trekker=trekker, on=date(2024, 4, 1), by=coordinator).field == "ends_on"


def test_the_database_refuses_an_end_before_the_start():
    trekker = TrekkerFactory(starts_on=date(2024, 5, 1))
    trekker.ends_on = date(2024, 4, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        trekker.save()


def test_ending_a_trekker_mails_the_coalition_coordinator_and_the_remaining_trekkers(
    coordinator, django_capture_on_commit_callbacks
):
    coalition = CoalitionFactory(name="Kansrijke Start Borsele")
    leaving = TrekkerFactory(coalition=coalition, profile__user__email="ilse@example.org", profile__first_name="Ilse")
    staying = TrekkerFactory(coalition=coalition, role=Trekker.Role.POLICY, profile__user__email="liza@example.org")
    TrekkerFactory(coalition=coalition, profile__user__email="oud@example.org", ends_on=date(2023, 1, 1))
    coalition_coordinator_of(coalition, user__email="kees@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.end_trekker(leaving, on=date(2030, 1, 31), by=coordinator)
    leaving.refresh_from_db()
    assert leaving.ends_on == date(2030, 1, 31)
    assert _addresses() == ["kees@example.org", "liza@example.org"]
    body = mail.outbox[0].body
    assert "Kansrijke Start Borsele" in body and "31 jan. 2030" in body and str(staying.profile) in body


def _addresses():
    """The address of every mail sent, sorted (each delivery is a message of its own)."""
    return sorted(message.to[0].rsplit("<", 1)[-1].rstrip(">") for message in mail.outbox)


def test_ending_the_last_trekker_without_coordinators_tells_the_regional_coordinators(
    coordinator, django_capture_on_commit_callbacks
):
    trekker = TrekkerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.end_trekker(trekker, on=date(2030, 1, 31), by=coordinator)
    assert _addresses() == ["coordinator@example.org"]
    # The mail is in the portal's language, Dutch.
    assert "geen andere trekker" in mail.outbox[0].body


def test_setting_the_same_end_date_again_mails_nobody(coordinator, django_capture_on_commit_callbacks):
    trekker = TrekkerFactory(ends_on=date(2030, 1, 31))
    with django_capture_on_commit_callbacks(execute=True):
        services.end_trekker(trekker, on=date(2030, 1, 31), by=coordinator)
    assert mail.outbox == []


# --- Partners and circles -------------------------------------------------------------------------------


def test_a_partner_joins_in_the_outer_circle_with_its_circle_history(coordinator):
    coalition, organisation = CoalitionFactory(), OrganisationFactory()
    partnership = services.add_partner(coalition, organisation=organisation, since=date(2021, 2, 4), by=coordinator)
    assert partnership.circle == Circle.OUTER
    services.change_circle(partnership, circle=Circle.INNER, on=date(2023, 5, 1), by=coordinator)
    partnership.refresh_from_db()
    assert partnership.circle == Circle.INNER
    assert list(partnership.circle_changes.values_list("circle", "changed_on")) == [
        (Circle.INNER, date(2023, 5, 1)),
        (Circle.OUTER, date(2021, 2, 4)),
    ]


def test_a_partnership_twice_is_refused_at_the_organisation(coordinator):
    partnership = PartnershipFactory()
    error = _refusal(
        services.add_partner, coalition=partnership.coalition, organisation=partnership.organisation, by=coordinator
    )
    assert error.field == "organisation" and "already a partner" in str(error)


def test_moving_to_the_circle_a_partner_is_in_is_refused(coordinator):
    partnership = PartnershipFactory(circle=Circle.INNER)
    assert _refusal(services.change_circle, partnership=partnership, circle=Circle.INNER, by=coordinator).field == (
        "circle"
    )
    assert not CircleChange.objects.exists()


def test_contact_persons_work_at_the_partner_organisation(coordinator):
    organisation = OrganisationFactory()
    stranger = ProfileFactory(organisation=OrganisationFactory(), first_name="Vreemde")
    error = _refusal(
        services.add_partner,
        coalition=CoalitionFactory(),
        organisation=organisation,
        contact_persons=[stranger],
        by=coordinator,
    )
    assert error.field == "contact_persons" and "Vreemde" in str(error)


def test_the_same_organisation_is_inner_circle_in_one_coalition_and_outer_in_another(coordinator):
    ggd = OrganisationFactory(name="GGD Zeeland")
    services.add_partner(CoalitionFactory(), organisation=ggd, circle=Circle.INNER, by=coordinator)
    services.add_partner(CoalitionFactory(), organisation=ggd, circle=Circle.OUTER, by=coordinator)
    assert sorted(ggd.partnerships.values_list("circle", flat=True)) == [Circle.INNER, Circle.OUTER]


# --- The declaration of intent ----------------------------------------------------------------------------


def test_a_signature_for_an_organisation_that_is_not_a_partner_is_refused(coordinator):
    declaration = DeclarationFactory()
    elsewhere = PartnershipFactory()  # a partner of another coalition
    error = _refusal(
        services.sign_declaration,
        declaration=declaration,
        partnership=elsewhere,
        name="drs. J. Visser",
        function="directeur",
        by=coordinator,
    )
    assert error.field == "partnership" and "partners of this coalition" in str(error)


def test_a_new_version_asks_for_new_signatures(coordinator):
    first = DeclarationFactory()
    partnership = PartnershipFactory(coalition=first.coalition)
    services.sign_declaration(first, partnership=partnership, name="A. Koster", function="wethouder", by=coordinator)
    second = DeclarationFactory(coalition=first.coalition, version=2)
    assert not second.signatures.exists()
    services.sign_declaration(second, partnership=partnership, name="A. Koster", function="wethouder", by=coordinator)
    again = _refusal(
        services.sign_declaration, declaration=second, partnership=partnership, name="X", function="", by=coordinator
    )
    assert again.field == "partnership" and "already signed" in str(again)


def test_a_signature_names_who_signed(coordinator):
    declaration = DeclarationFactory()
    partnership = PartnershipFactory(coalition=declaration.coalition)
    error = _refusal(
        services.sign_declaration,
        declaration=declaration,
        partnership=partnership,
        name=" ",
        function="",
        by=coordinator,
    )
    assert error.field == "signed_by_name"


# --- Joining requests ------------------------------------------------------------------------------------


def test_a_visitor_asks_to_join_and_the_coordinators_and_trekkers_are_mailed(django_capture_on_commit_callbacks):
    coalition = CoalitionFactory(name="Kansrijk Walcheren")
    trekker = TrekkerFactory(coalition=coalition, profile__user__email="trekker@example.org")
    coalition_coordinator_of(coalition, user__email="kees@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_to_join(
            coalition,
            organisation_name="Peuterspeelzaal De Zandloper",
            name="Fatima El Amrani",
            email="f.elamrani@example.org",
            message="Wij doen graag mee.",
        )
    assert request.state == JoinRequest.State.OPEN and request.organisation is None
    assert _addresses() == ["kees@example.org", trekker.profile.user.email]
    assert "Peuterspeelzaal De Zandloper" in mail.outbox[0].subject
    assert f"/coalitions/{coalition.slug}/requests/{request.pk}/" in mail.outbox[0].body


def test_a_typed_name_of_a_known_organisation_counts_as_that_organisation():
    organisation = OrganisationFactory(name="Kraamzorg Zeeuwse Kust")
    request = services.request_to_join(
        CoalitionFactory(), organisation_name="kraamzorg zeeuwse kust", name="Els", email="els@example.org"
    )
    assert request.organisation == organisation and request.organisation_name == ""


def test_a_partner_or_an_open_request_cannot_ask_again():
    partnership = PartnershipFactory()
    error = _refusal(
        services.request_to_join,
        coalition=partnership.coalition,
        organisation=partnership.organisation,
        name="Els",
        email="els@example.org",
    )
    assert error.field == "organisation" and "already a partner" in str(error)
    open_request = JoinRequestFactory()
    again = _refusal(
        services.request_to_join,
        coalition=open_request.coalition,
        organisation=open_request.organisation,
        name="Els",
        email="els@example.org",
    )
    assert again.field == "organisation" and "already asked" in str(again)


def test_asking_without_an_organisation_is_refused_at_the_organisation():
    error = _refusal(services.request_to_join, coalition=CoalitionFactory(), name="Els", email="els@example.org")
    assert error.field == "organisation"


def test_one_client_asking_too_often_is_told_to_wait():
    coalition = CoalitionFactory()
    for number in range(services.JOIN_REQUESTS_PER_HOUR):
        services.request_to_join(
            coalition, organisation_name=f"Praktijk {number}", name="Els", email="els@example.org", client="10.0.0.1"
        )
    with pytest.raises(services.TooManyRequests):
        services.request_to_join(
            coalition, organisation_name="Praktijk X", name="Els", email="els@example.org", client="10.0.0.1"
        )


def test_accepting_a_typed_organisation_adds_it_in_the_outer_circle_and_tells_the_requester(
    coordinator, django_capture_on_commit_callbacks
):
    request = JoinRequestFactory(organisation=None, organisation_name="Peuterspeelzaal De Zandloper")
    refused = _refusal(services.accept_join_request, join_request=request, by=coordinator)
    assert refused.field == "organisation"
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_join_request(request, discipline=Discipline.CHILDCARE, by=coordinator)
    request.refresh_from_db()
    organisation = Organisation.objects.get(name="Peuterspeelzaal De Zandloper")
    assert request.state == JoinRequest.State.ACCEPTED and request.decided_by == coordinator
    assert request.partnership == Partnership.objects.get(coalition=request.coalition, organisation=organisation)
    assert request.partnership.circle == Circle.OUTER
    assert _addresses() == [request.email]
    assert "buitenkring" in mail.outbox[0].body
    assert _refusal(services.accept_join_request, join_request=request, by=coordinator).field is None


def test_a_member_who_asked_becomes_contact_person_of_their_organisation(coordinator):
    profile = ProfileFactory(organisation=OrganisationFactory())
    request = JoinRequestFactory(organisation=profile.organisation, requester=profile.user)
    services.accept_join_request(request, circle=Circle.INNER, by=coordinator)
    partnership = Partnership.objects.get(organisation=profile.organisation)
    assert partnership.circle == Circle.INNER
    assert list(partnership.contact_persons.all()) == [profile]


def test_declining_needs_a_reason_and_mails_it(coordinator, django_capture_on_commit_callbacks):
    request = JoinRequestFactory()
    assert _refusal(services.decline_join_request, join_request=request, reason="  ", by=coordinator).field == (
        "reason"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_join_request(request, reason="Wij richten ons op zorg & ondersteuning.", by=coordinator)
    request.refresh_from_db()
    assert request.state == JoinRequest.State.DECLINED
    assert "Wij richten ons op zorg & ondersteuning." in mail.outbox[0].body


def test_a_trekker_decides_on_requests_of_their_coalition_only():
    trekker = TrekkerFactory()
    own = JoinRequestFactory(coalition=trekker.coalition)
    services.decline_join_request(own, reason="Nog niet", by=trekker.profile.user)
    with pytest.raises(NotAllowed):
        services.decline_join_request(JoinRequestFactory(), reason="Nee", by=trekker.profile.user)


def test_a_former_trekker_decides_nothing():
    trekker = TrekkerFactory(ends_on=date(2023, 1, 1))
    with pytest.raises(NotAllowed):
        services.decline_join_request(
            JoinRequestFactory(coalition=trekker.coalition), reason="Nee", by=trekker.profile.user
        )


# --- Coalition coordinators --------------------------------------------------------------------------------


def test_appointing_a_coalition_coordinator_gives_admin_access_and_removing_takes_it(coordinator):
    coalition = CoalitionFactory()
    profile = ProfileFactory()
    role = services.appoint_coalition_coordinator(coalition, user=profile.user, by=coordinator)
    profile.user.refresh_from_db()
    assert profile.user.is_staff
    assert profile.user.has_perm("network.change_coalition", coalition)
    again = _refusal(services.appoint_coalition_coordinator, coalition=coalition, user=profile.user, by=coordinator)
    assert again.field == "user"
    services.remove_coalition_coordinator(role, by=coordinator)
    profile.user.refresh_from_db()
    assert not profile.user.is_staff
    assert not profile.user.has_perm("network.change_coalition", coalition)


def test_only_approved_members_coordinate_a_coalition_and_only_regional_coordinators_appoint(
    coordinator, coalition_coordinator
):
    pending = ProfileFactory(status=Profile.Status.PENDING)
    error = _refusal(
        services.appoint_coalition_coordinator, coalition=CoalitionFactory(), user=pending.user, by=coordinator
    )
    assert error.field == "user"
    own = coalition_coordinator.coalition_roles.get().coalition
    with pytest.raises(NotAllowed):
        services.appoint_coalition_coordinator(own, user=ProfileFactory().user, by=coalition_coordinator)


def test_a_coalition_coordinator_who_is_no_longer_approved_manages_nothing(coalition_coordinator):
    own = coalition_coordinator.coalition_roles.get().coalition
    Profile.objects.filter(user=coalition_coordinator).update(status=Profile.Status.DECLINED)
    declined = type(coalition_coordinator).objects.get(pk=coalition_coordinator.pk)  # as the next request sees them
    assert not declined.has_perm("network.change_coalition", own)


# --- A person's data -------------------------------------------------------------------------------------


def test_download_my_data_holds_trekker_terms_coordination_and_requests(coalition_coordinator):
    own = coalition_coordinator.coalition_roles.get().coalition
    TrekkerFactory(coalition=own, profile=coalition_coordinator.profile)
    JoinRequestFactory(coalition=CoalitionFactory(), requester=coalition_coordinator, email="x@example.org")
    data = export_data(coalition_coordinator)["coalitions"]
    assert data["coordinates"] == [own.name]
    assert data["trekker_terms"][0]["coalition"] == own.name
    assert data["joining_requests"][0]["email"] == "x@example.org"


def test_a_deleted_account_leaves_its_requests_without_name_and_address(member):
    request = JoinRequestFactory(requester=member, name="Mirjam", email="member@example.org")
    services.forget_account(member)
    request.refresh_from_db()
    assert (request.name, request.email) == ("", "")
    assert Coalition.objects.exists()
