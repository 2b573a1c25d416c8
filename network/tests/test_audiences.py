"""The one audience rule (network.audiences): within a criterion the choices add up, between criteria they narrow
down; a coalition's people; circles; only approved members, each address once, in name order; the groups other
apps add; and the form a coordinator chooses with (SegmentForm)."""

import json

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _

from members.models import Discipline, Level, Profile
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory, ThemeFactory
from network.audiences import SOURCES, Person, Segment, Source, add_source, member_profiles, people_of
from network.forms import SegmentForm
from network.models import Circle, Coalition

from .factories import CoalitionFactory, PartnershipFactory, coalition_coordinator_of

pytestmark = pytest.mark.django_db


def person(name, **fields):
    """An approved member whose address is <name>@example.org and surname `name`."""
    return ProfileFactory(
        user__email=f"{name.lower().replace(' ', '')}@example.org", user__last_name=name, last_name=name, **fields
    )


class World:
    """Two coalitions and their people.

    Walcheren: Ark (inner partner; also an outer partner of Zuid), Baken (outer partner), and Dorp, who works in
    Walcheren's municipality for an organisation that is no partner. Zuid: Cirkel (outer partner) and Eiland, who
    works in Zuid's municipality. Vrij belongs to no coalition.
    """

    def __init__(self):
        self.place_w, self.place_z, self.place_free = (MunicipalityFactory() for _n in range(3))
        self.walcheren = CoalitionFactory(name="Walcheren", municipalities=[self.place_w])
        self.zuid = CoalitionFactory(name="Zuid", municipalities=[self.place_z])
        self.ark, self.baken, self.cirkel, self.none = (OrganisationFactory() for _n in range(4))
        PartnershipFactory(coalition=self.walcheren, organisation=self.ark, circle=Circle.INNER)
        PartnershipFactory(coalition=self.zuid, organisation=self.ark, circle=Circle.OUTER)
        PartnershipFactory(coalition=self.walcheren, organisation=self.baken, circle=Circle.OUTER)
        PartnershipFactory(coalition=self.zuid, organisation=self.cirkel, circle=Circle.OUTER)
        self.theme_a, self.theme_b = ThemeFactory(), ThemeFactory()
        self.a = person(
            "Ark",
            organisation=self.ark,
            discipline=Discipline.MIDWIFERY,
            level=Level.PRACTICE,
            themes=[self.theme_a, self.theme_b],
        )
        self.b = person("Baken", organisation=self.baken, discipline=Discipline.YOUTH_HEALTH_CARE, level=Level.POLICY)
        self.c = person("Cirkel", organisation=self.cirkel, discipline=Discipline.MIDWIFERY, level=Level.BOARD)
        self.d = person(
            "Dorp",
            organisation=self.none,
            discipline=Discipline.SOCIAL_WORK,
            level=Level.PRACTICE,
            municipalities=[self.place_w],
            themes=[self.theme_b],
        )
        self.e = person(
            "Eiland", organisation=self.none, discipline=Discipline.SOCIAL_WORK, municipalities=[self.place_z]
        )
        self.v = person("Vrij", discipline=Discipline.CHILDCARE, level=Level.BOARD, municipalities=[self.place_free])


@pytest.fixture
def world():
    return World()


def names(segment):
    people, _left_out = people_of(segment)
    return [p.name.split()[-1] for p in people]


def chosen(segment):
    return set(names(segment))


# --- The rule ----------------------------------------------------------------------------------------------------


def test_a_coalitions_people_are_its_partners_people_and_those_working_in_its_municipalities(world):
    assert chosen(Segment(coalitions=(world.walcheren.pk,))) == {"Ark", "Baken", "Dorp"}
    assert chosen(Segment(coalitions=(world.zuid.pk,))) == {"Ark", "Cirkel", "Eiland"}


def test_within_a_criterion_the_choices_add_up(world):
    assert chosen(Segment(coalitions=(world.walcheren.pk, world.zuid.pk))) == {
        "Ark",
        "Baken",
        "Cirkel",
        "Dorp",
        "Eiland",
    }
    assert chosen(Segment(disciplines=(Discipline.MIDWIFERY, Discipline.YOUTH_HEALTH_CARE))) == {
        "Ark",
        "Baken",
        "Cirkel",
    }
    assert chosen(Segment(levels=(Level.PRACTICE, Level.BOARD))) == {"Ark", "Cirkel", "Dorp", "Vrij"}
    assert chosen(Segment(municipalities=(world.place_w.pk, world.place_free.pk))) == {"Dorp", "Vrij"}
    assert chosen(Segment(organisations=(world.ark.pk, world.baken.pk))) == {"Ark", "Baken"}
    assert chosen(Segment(themes=(world.theme_a.pk, world.theme_b.pk))) == {"Ark", "Dorp"}


def test_between_criteria_the_choices_narrow_down(world):
    midwives_or_jgz = (Discipline.MIDWIFERY, Discipline.YOUTH_HEALTH_CARE)
    assert chosen(Segment(coalitions=(world.walcheren.pk,), disciplines=midwives_or_jgz)) == {"Ark", "Baken"}
    assert chosen(Segment(disciplines=(Discipline.MIDWIFERY,), levels=(Level.BOARD,))) == {"Cirkel"}
    assert chosen(Segment(coalitions=(world.walcheren.pk,), levels=(Level.PRACTICE,), themes=(world.theme_b.pk,))) == {
        "Ark",
        "Dorp",
    }
    assert chosen(Segment(municipalities=(world.place_w.pk,), disciplines=(Discipline.MIDWIFERY,))) == set()


def test_a_circle_narrows_a_coalition_to_its_partners_in_that_circle(world):
    # Ark is in Zuid's outer circle but Walcheren's inner one: the outer circle of Walcheren is Baken only.
    assert chosen(Segment(coalitions=(world.walcheren.pk,), circle=Circle.OUTER)) == {"Baken"}
    assert chosen(Segment(coalitions=(world.walcheren.pk,), circle=Circle.INNER)) == {"Ark"}
    assert chosen(Segment(coalitions=(world.zuid.pk,), circle=Circle.OUTER)) == {"Ark", "Cirkel"}
    # Without a coalition, a circle is that circle of every coalition.
    assert chosen(Segment(circle=Circle.OUTER)) == {"Ark", "Baken", "Cirkel"}


def test_all_members_are_every_approved_member(world):
    assert chosen(Segment(all_members=True)) == {"Ark", "Baken", "Cirkel", "Dorp", "Eiland", "Vrij"}


def test_an_empty_segment_reaches_nobody(world):
    assert Segment().is_empty
    assert people_of(Segment()) == ([], {})
    assert not member_profiles(Segment()).exists()


def test_pending_declined_and_deactivated_people_are_never_included(world):
    for status in (Profile.Status.PENDING, Profile.Status.DECLINED):
        person(f"Status {status}", organisation=world.ark, status=status, municipalities=[world.place_w])
    gone = person("Weg", organisation=world.ark, municipalities=[world.place_w])
    gone.user.is_active = False
    gone.user.save()

    for segment in (
        Segment(all_members=True),
        Segment(coalitions=(world.walcheren.pk,)),
        Segment(organisations=(world.ark.pk,)),
        Segment(municipalities=(world.place_w.pk,)),
        Segment(disciplines=(Discipline.MIDWIFERY,)),
    ):
        assert chosen(segment) & {"Weg", "pending", "declined"} == set()
        assert "Weg" not in {p.last_name for p in member_profiles(segment)}
        assert not member_profiles(segment).exclude(status=Profile.Status.APPROVED).exists()


def test_each_address_once_though_a_person_matches_several_ways(world):
    world.walcheren.municipalities.add(world.place_free)
    world.v.municipalities.add(world.place_w)  # Vrij now works in two of Walcheren's municipalities
    segment = Segment(
        coalitions=(world.walcheren.pk,),
        themes=(world.theme_a.pk, world.theme_b.pk),
    )
    assert sorted(names(segment)) == ["Ark", "Dorp"]
    everyone = names(Segment(coalitions=(world.walcheren.pk, world.zuid.pk)))
    assert len(everyone) == len(set(everyone))
    assert names(Segment(coalitions=(world.walcheren.pk,))).count("Vrij") == 1
    assert member_profiles(segment).count() == 2


def test_members_come_in_name_order_by_surname_without_tussenvoegsel(world):
    place = MunicipalityFactory()
    for name in ("de Vries", "Aalders", "van der Meer", "Zwart"):
        person(name, municipalities=[place])
    people, _left_out = people_of(Segment(municipalities=(place.pk,)))
    assert [p.name for p in people] == ["Anna Aalders", "Anna van der Meer", "Anna de Vries", "Anna Zwart"]
    assert all(p.profile_id for p in people)


def test_a_member_without_an_address_is_counted_as_left_out(world):
    place = MunicipalityFactory()
    ProfileFactory(user__email="", municipalities=[place])
    person("Adres", municipalities=[place])
    people, left_out = people_of(Segment(municipalities=(place.pk,)))
    assert [p.email for p in people] == ["adres@example.org"]
    assert left_out == {"no_address": 1}


def test_addresses_come_in_lower_case(world):
    place = MunicipalityFactory()
    ProfileFactory(user__email="Mixed.Case@Example.ORG", municipalities=[place])
    assert [p.email for p in people_of(Segment(municipalities=(place.pk,)))[0]] == ["mixed.case@example.org"]


# --- Groups other apps add ------------------------------------------------------------------------------------


@pytest.fixture
def subscribers():
    """A group of outsiders with links of their own, added for one test (as the journal adds its subscribers)."""
    people = [
        Person("outsider@example.org", "Olga Buiten", unsubscribe_url="https://portal.example/journal/stop/o"),
        Person("ARK@example.org", "Ark as subscriber", unsubscribe_url="https://portal.example/journal/stop/a"),
        Person("Outsider@Example.org", "Olga again", unsubscribe_url="https://portal.example/journal/stop/o2"),
    ]
    add_source(
        Source(
            key="tests_subscribers",
            field=lambda: forms.BooleanField(label="Test subscribers", required=False),
            people=lambda value: people if value else [],
        )
    )
    yield "tests_subscribers"
    SOURCES.pop("tests_subscribers", None)


def test_an_added_group_comes_on_top_and_a_member_in_it_keeps_its_unsubscribe_link(world, subscribers):
    people, _left_out = people_of(Segment(coalitions=(world.walcheren.pk,), sources={subscribers: True}))

    assert [(p.email, p.name) for p in people] == [
        ("ark@example.org", "Anna Ark"),
        ("baken@example.org", "Anna Baken"),
        ("dorp@example.org", "Anna Dorp"),
        ("outsider@example.org", "Olga Buiten"),
    ]
    by_address = {p.email: p for p in people}
    assert by_address["ark@example.org"].profile_id == world.a.pk
    assert by_address["ark@example.org"].unsubscribe_url == "https://portal.example/journal/stop/a"
    assert by_address["baken@example.org"].unsubscribe_url == ""
    assert by_address["outsider@example.org"].unsubscribe_url == "https://portal.example/journal/stop/o"


def test_an_added_group_alone_is_a_segment(world, subscribers):
    segment = Segment(sources={subscribers: True})
    assert not segment.is_empty
    assert [p.email for p in people_of(segment)[0]] == ["outsider@example.org", "ark@example.org"]


# --- Stored and read back ---------------------------------------------------------------------------------------


def test_a_segment_survives_its_params(world, subscribers):
    segment = Segment(
        coalitions=(world.walcheren.pk, world.zuid.pk),
        circle=Circle.OUTER,
        levels=(Level.BOARD, Level.PRACTICE),
        disciplines=(Discipline.MIDWIFERY,),
        municipalities=(world.place_w.pk,),
        organisations=(world.ark.pk,),
        themes=(world.theme_a.pk,),
        all_members=False,
        sources={subscribers: True},
    )
    stored = json.loads(json.dumps(segment.to_params()))  # as a JSONField gives it back
    assert Segment.from_params(stored) == segment
    assert Segment.from_params(Segment(all_members=True).to_params()) == Segment(all_members=True)
    assert Segment.from_params({}) == Segment()


def test_params_of_a_group_no_longer_offered_are_dropped(world):
    assert Segment.from_params({"sources": {"gone": [1, 2]}}).sources == {}


# --- The form ----------------------------------------------------------------------------------------------------


def test_an_empty_choice_is_refused_with_its_own_message(world):
    form = SegmentForm(data={})
    assert not form.is_valid()
    assert form.has_error(NON_FIELD_ERRORS, "empty_segment")
    with translation.override("nl"):
        expected = _("Choose at least one group of people: a coalition, a discipline, all members, …")
        assert form.non_field_errors() == [expected]


def test_a_regional_coordinators_form_offers_every_coalition_and_all_members(world):
    form = SegmentForm(data={"segment-all_members": "on"})
    assert form.is_valid(), form.errors
    assert set(form.fields["coalitions"].queryset) == {world.walcheren, world.zuid}
    assert form.segment() == Segment(all_members=True)


def test_all_members_with_other_criteria_is_refused_at_the_field_not_silently_widened(world):
    form = SegmentForm(data={"segment-all_members": "on", "segment-disciplines": [Discipline.MIDWIFERY]})
    assert not form.is_valid()
    assert list(form.errors) == ["all_members"]
    # What was ticked is kept for the person to untick one of them.
    assert form["disciplines"].value() == [Discipline.MIDWIFERY]


def test_all_members_with_an_added_group_is_fine_the_group_comes_on_top(world):
    form = SegmentForm(data={"segment-all_members": "on", "segment-source_subscribers": "on"})
    assert form.is_valid(), form.errors
    assert form.segment().all_members


def test_the_choice_the_form_makes_is_the_segment(world):
    form = SegmentForm(
        data={
            "segment-coalitions": [world.zuid.pk, world.walcheren.pk],
            "segment-circle": Circle.OUTER,
            "segment-levels": [Level.PRACTICE, Level.BOARD],
        }
    )
    assert form.is_valid(), form.errors
    assert form.segment() == Segment(
        coalitions=tuple(sorted((world.walcheren.pk, world.zuid.pk))),
        circle=Circle.OUTER,
        levels=(Level.BOARD, Level.PRACTICE),
    )
    again = SegmentForm(initial=form.segment().initial())
    assert again["circle"].value() == Circle.OUTER


def test_a_coalition_coordinator_chooses_among_their_own_coalitions_only(world):
    user = coalition_coordinator_of(world.walcheren)
    own = Coalition.objects.filter(coordinators__user=user)

    form = SegmentForm(data={"segment-coalitions": [world.walcheren.pk], "segment-circle": "outer"}, coalitions=own)
    assert form.is_valid(), form.errors
    assert list(form.fields["coalitions"].queryset) == [world.walcheren]
    assert "all_members" not in form.fields

    others = SegmentForm(data={"segment-coalitions": [world.zuid.pk]}, coalitions=own)
    assert not others.is_valid()
    assert others.has_error("coalitions", "invalid_choice")

    none = SegmentForm(data={"segment-levels": [Level.PRACTICE]}, coalitions=own)
    assert not none.is_valid()
    assert none.has_error("coalitions", "required")
    with translation.override("nl"):
        assert none.errors["coalitions"] == [_("Choose at least one of your coalitions.")]
    # All members is no way round it: the field is not there, so it is not read.
    sneaky = SegmentForm(data={"segment-all_members": "on"}, coalitions=own)
    assert not sneaky.is_valid()


def test_what_was_chosen_is_kept_when_the_form_is_refused(world):
    user = coalition_coordinator_of(world.walcheren)
    form = SegmentForm(
        data={
            "segment-levels": [Level.PRACTICE],
            "segment-disciplines": [Discipline.MIDWIFERY],
            "segment-circle": Circle.OUTER,
        },
        coalitions=Coalition.objects.filter(coordinators__user=user),
    )
    assert not form.is_valid()
    html = form.as_div()
    assert form["levels"].value() == [Level.PRACTICE]
    assert f'value="{Level.PRACTICE}"' in html
    assert 'value="practice"' in html and "checked" in html.split('value="practice"')[1].split(">")[0]
    assert 'value="midwifery"' in html and "checked" in html.split('value="midwifery"')[1].split(">")[0]
    assert '<option value="outer" selected>' in html


def test_the_form_offers_the_added_groups_it_is_told_to(world, subscribers):
    assert f"source_{subscribers}" in SegmentForm().fields
    assert f"source_{subscribers}" not in SegmentForm(sources=[]).fields
    form = SegmentForm(data={f"segment-source_{subscribers}": "on"})
    assert form.is_valid(), form.errors
    assert form.segment() == Segment(sources={subscribers: True})


# --- Speed ------------------------------------------------------------------------------------------------------


def test_people_of_asks_the_database_as_often_for_five_times_the_people(world):
    def measure():
        with CaptureQueriesContext(connection) as captured:
            people, _left_out = people_of(
                Segment(coalitions=(world.walcheren.pk,), disciplines=(Discipline.MIDWIFERY, Discipline.SOCIAL_WORK))
            )
        return len(captured), len(people)

    def grow(count):
        for _n in range(count):
            ProfileFactory(organisation=world.ark, discipline=Discipline.MIDWIFERY)
            ProfileFactory(municipalities=[world.place_w], discipline=Discipline.SOCIAL_WORK)

    grow(2)
    few, few_people = measure()
    grow(8)
    many, many_people = measure()
    assert many_people == few_people + 16
    assert many == few == 1
