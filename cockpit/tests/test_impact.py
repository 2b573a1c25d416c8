"""The impact figures against a small world whose numbers were counted by hand (written out below, never
recomputed), the minimum group size, what each scope shows, the cache and the number of queries."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import F, Value
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cockpit.figures import HIDDEN as H
from cockpit.impact import JSONNumber, Report, report
from cockpit.scope import Period, Scope
from events import services as event_services
from events.models import Event, Registration
from events.tests.factories import EventFactory, GuestRegistrationFactory, RegistrationFactory
from journal.models import State, Story, Subscriber, Tip
from journal.tests.factories import EditionFactory, StoryFactory, SubscriberFactory, TipFactory
from members.models import Discipline, Domain, Organisation, Profile
from members.tests.factories import OrganisationFactory, ProfileFactory, UserFactory
from network.models import Circle, Phase, PhaseChange
from network.tests.factories import (
    CoalitionFactory,
    DeclarationFactory,
    PartnershipFactory,
    SignatureFactory,
    coalition_coordinator_of,
)
from surveys.models import Response, Survey, SurveyQuestion
from surveys.tests.factories import SurveyFactory, SurveyQuestionFactory

pytestmark = pytest.mark.django_db

# January to March 2026: three months, one bucket each.
PERIOD = Period(start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 31))
MONTHS = ["januari 2026", "februari 2026", "maart 2026"]
# Labels by their English msgid: the tests speak Dutch, and the catalogue gets these strings later.
MEDICAL, SOCIAL, EDUCATION, MUNICIPALITY = (str(domain.label) for domain in Domain)


def pair(first, second):
    return pgettext("two domains", "%(first)s × %(second)s") % {"first": first, "second": second}


def at(year, month, day, hour=12):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def members(count, *, discipline, approved, municipality=None, **fields):
    return [
        ProfileFactory(
            discipline=discipline,
            status_changed_at=approved,
            municipalities=[municipality] if municipality else [],
            **fields,
        )
        for _n in range(count)
    ]


def attend(event, profiles, *, checked_in=True, **fields):
    return [
        RegistrationFactory(
            event=event,
            profile=profile,
            discipline=profile.discipline,
            checked_in=checked_in,
            checked_in_at=event.starts_at if checked_in else None,
            **fields,
        )
        for profile in profiles
    ]


def feedback(event, scores):
    survey = event_services.ensure_feedback_survey(event)
    score = survey.questions.get(kind=SurveyQuestion.Kind.SCALE)
    for value in scores:
        Response.objects.create(survey=survey, answers={str(score.pk): value})


@pytest.fixture
def world():
    """The hand-counted world: three coalitions A, B, C, each of one municipality."""
    a = CoalitionFactory(name="Aa-coalitie", started_on=datetime.date(2025, 5, 1))
    b = CoalitionFactory(name="Bb-coalitie", started_on=datetime.date(2026, 1, 15))
    c = CoalitionFactory(name="Cc-coalitie", started_on=None)
    place_a, place_b = a.municipalities.get(), b.municipalities.get()

    # Members. A: 5 midwives (December), 3 social workers (January), 5 teachers (February); B: 4 in youth health
    # care, 1 of the municipality, 6 social workers (March). One of partner O1 (A), discipline "other" (January).
    midwives = members(5, discipline=Discipline.MIDWIFERY, approved=at(2025, 12, 10), municipality=place_a)
    social_a = members(3, discipline=Discipline.SOCIAL_WORK, approved=at(2026, 1, 15), municipality=place_a)
    teachers = members(5, discipline=Discipline.EDUCATION, approved=at(2026, 2, 20), municipality=place_a)
    youth_health = members(4, discipline=Discipline.YOUTH_HEALTH_CARE, approved=at(2026, 3, 5), municipality=place_b)
    [civil_servant] = members(1, discipline=Discipline.MUNICIPALITY, approved=at(2026, 3, 6), municipality=place_b)
    social_b = members(6, discipline=Discipline.SOCIAL_WORK, approved=at(2026, 3, 10), municipality=place_b)
    o1, o2, o3, o4 = (OrganisationFactory(name=f"Organisatie O{n}") for n in range(1, 5))
    members(1, discipline=Discipline.OTHER, approved=at(2026, 1, 20), organisation=o1)
    # Not counted: pending, approved after the period, an inactive account.
    members(1, discipline=Discipline.MIDWIFERY, approved=at(2026, 1, 5), municipality=place_a, status="pending")
    members(1, discipline=Discipline.MIDWIFERY, approved=at(2026, 4, 10), municipality=place_a)
    members(1, discipline=Discipline.MIDWIFERY, approved=at(2026, 1, 5), user=UserFactory(is_active=False))

    # Partners: O1 (A inner, 2025), O2 (A outer in February, B inner in February), O3 (B outer, March), O4 (C, May).
    p1 = PartnershipFactory(coalition=a, organisation=o1, circle=Circle.INNER, since=datetime.date(2025, 6, 1))
    p2 = PartnershipFactory(coalition=a, organisation=o2, circle=Circle.OUTER, since=datetime.date(2026, 2, 1))
    p2b = PartnershipFactory(coalition=b, organisation=o2, circle=Circle.INNER, since=datetime.date(2026, 2, 15))
    PartnershipFactory(coalition=b, organisation=o3, circle=Circle.OUTER, since=datetime.date(2026, 3, 20))
    PartnershipFactory(coalition=c, organisation=o4, circle=Circle.INNER, since=datetime.date(2026, 5, 1))
    declaration_a, declaration_b = DeclarationFactory(coalition=a), DeclarationFactory(coalition=b)
    SignatureFactory(declaration=declaration_a, partnership=p1, signed_on=datetime.date(2026, 1, 10))
    SignatureFactory(declaration=declaration_a, partnership=p2, signed_on=datetime.date(2026, 2, 5))
    SignatureFactory(declaration=declaration_b, partnership=p2b, signed_on=datetime.date(2026, 3, 1))

    # Events. E1 (A, workshop, January): checked in 3 midwives, 2 social workers, a guest and an anonymised
    # registration of a midwife; one confirmed not checked in. E2 (B, serious game, February): nobody checked in, 6
    # confirmed (4 youth health care, 2 social workers), 1 waiting. E3 (regional, online, March): checked in the same
    # 2 midwives, 1 teacher, the civil servant. Not held: cancelled, draft, after the period.
    e1 = EventFactory(coalition=a, kind=Event.Kind.WORKSHOP, starts_at=at(2026, 1, 20))
    attend(e1, midwives[:3] + social_a[:2])
    GuestRegistrationFactory(event=e1, checked_in=True)
    RegistrationFactory(
        event=e1,
        profile=None,
        name="",
        organisation=None,
        organisation_name="",
        discipline=Discipline.MIDWIFERY,
        checked_in=True,
        anonymised_at=at(2026, 3, 1),
    )
    attend(e1, social_a[2:], checked_in=False)
    e2 = EventFactory(coalition=b, kind=Event.Kind.SERIOUS_GAME, starts_at=at(2026, 2, 10))
    attend(e2, youth_health + social_b[:2], checked_in=False)
    attend(e2, social_b[2:3], checked_in=False, state=Registration.State.WAITING)
    e3 = EventFactory(coalition=None, kind=Event.Kind.ONLINE_MEETING, starts_at=at(2026, 3, 12))
    attend(e3, [*midwives[:2], teachers[0], civil_servant])
    cancelled = EventFactory(coalition=a, state=Event.State.CANCELLED, starts_at=at(2026, 2, 3))
    draft = EventFactory(coalition=a, state=Event.State.DRAFT, starts_at=at(2026, 2, 4))
    later = EventFactory(coalition=a, starts_at=at(2026, 4, 2))
    for event in (cancelled, draft, later):
        attend(event, midwives)

    # Feedback: E1 4, 5, 3, 4, 5 (4.2); E2 5, 5, 4 (three answers: not shown); E3 none; the cancelled one 1 × 5.
    feedback(e1, [4, 5, 3, 4, 5])
    feedback(e2, [5, 5, 4])
    feedback(cancelled, [1, 1, 1, 1, 1])

    # The pulse: 2024 three answers (not shown), 2025 five (average 4.0; all five name midwifery).
    for year, scores in ((2024, [2, 3, 4]), (2025, [4, 4, 3, 5, 4])):
        pulse = SurveyFactory(
            kind=Survey.Kind.PULSE, slug=f"netwerkpeiling-{year}", opens_at=at(year, 10, 1), closes_at=at(year, 10, 28)
        )
        reach = SurveyQuestionFactory(
            survey=pulse, label="Hoe makkelijk bereik je het sociale domein?", kind="number", min_value=1, max_value=5
        )
        contacts = SurveyQuestionFactory(
            survey=pulse, label="Nieuwe contacten", kind="several_choices", choices=["Verloskunde", "Geen"]
        )
        for score in scores:
            Response.objects.create(survey=pulse, answers={str(reach.pk): score, str(contacts.pk): ["Verloskunde"]})

    # The journal: editions in January (about A) and March; a draft and one of December don't count.
    january = EditionFactory(state=State.PUBLISHED, published_at=at(2026, 1, 15))
    january.coalitions.set([a])
    march = EditionFactory(state=State.PUBLISHED, published_at=at(2026, 3, 1))
    EditionFactory(state=State.DRAFT)
    EditionFactory(state=State.PUBLISHED, published_at=at(2025, 12, 1))
    about_a = StoryFactory(edition=january, kind=Story.Kind.ARTICLE, state=State.PUBLISHED)
    about_a.coalitions.set([a])
    StoryFactory(edition=january, kind=Story.Kind.FILM, state=State.PUBLISHED)
    StoryFactory(edition=march, kind=Story.Kind.ARTICLE, state=State.PUBLISHED)
    StoryFactory(edition=march, kind=Story.Kind.INTERVIEW, state=State.DRAFT)
    # Tips: January 2 (1 used), March 1 (used), December 1.
    for received, state in (
        (at(2026, 1, 3), Tip.State.USED),
        (at(2026, 1, 9), Tip.State.NEW),
        (at(2026, 3, 9), Tip.State.USED),
        (at(2025, 12, 9), Tip.State.USED),
    ):
        tip = TipFactory(state=state, story=about_a if state == Tip.State.USED else None)
        Tip.objects.filter(pk=tip.pk).update(created_at=received)
    # Subscribers: 5 of the region since November, S2 (A) since January, S3 (A) February until it stopped the
    # journal mid-March, S5 (B) since March; one never confirmed.
    for _n in range(5):
        SubscriberFactory(confirmed_at=at(2025, 11, 1))
    SubscriberFactory(confirmed_at=at(2026, 1, 10)).coalitions.set([a])
    s3 = SubscriberFactory(confirmed_at=at(2026, 2, 10), wants_journal=False)
    s3.coalitions.set([a])
    Subscriber.objects.filter(pk=s3.pk).update(changed_at=at(2026, 3, 15))
    SubscriberFactory(confirmed_at=at(2026, 3, 5)).coalitions.set([b])
    SubscriberFactory(confirmed_at=None)

    # Phases: A exploring (2025), forming from 10 February; B started 15 January, no phase recorded; C planning on
    # 31 March, without a start date.
    for coalition, phase, day in (
        (a, Phase.EXPLORING, datetime.date(2025, 6, 1)),
        (a, Phase.FORMING, datetime.date(2026, 2, 10)),
        (c, Phase.PLANNING, datetime.date(2026, 3, 31)),
    ):
        PhaseChange.objects.create(coalition=coalition, phase=phase, changed_on=day)
    return SimpleNamespace(a=a, b=b, c=c, e1=e1)


def region(world):
    return Scope(coalition=None, detailed=(world.a, world.b, world.c), regional=True)


def figures(scope, period=PERIOD):
    return {figure.key: figure for section in Report(scope, period).sections() for figure in section.figures}


def rows(figure):
    return [tuple(row) for row in figure.rows]


# --- The network ------------------------------------------------------------------------------------------------


def test_members_and_partner_organisations_over_time(world):
    shown = figures(region(world))
    assert rows(shown["members_over_time"]) == [(MONTHS[0], 9), (MONTHS[1], 14), (MONTHS[2], 25)]
    # O2 is a partner of two coalitions: one organisation.
    assert rows(shown["partners_over_time"]) == [(MONTHS[0], 1), (MONTHS[1], 2), (MONTHS[2], 3)]
    only_a = figures(Scope(coalition=world.a, detailed=(world.a,), regional=True))
    assert rows(only_a["members_over_time"]) == [(MONTHS[0], 9), (MONTHS[1], 14), (MONTHS[2], 14)]
    assert rows(only_a["partners_over_time"]) == [(MONTHS[0], 1), (MONTHS[1], 2), (MONTHS[2], 2)]


def test_partner_organisations_by_domain_count_each_organisation_once(world):
    # O1 midwifery (A, June 2025), O2 social work (A and B, February), O3 the municipality (B, 20 March), O4 from May.
    Organisation.objects.filter(name="Organisatie O2").update(discipline=Discipline.SOCIAL_WORK)
    Organisation.objects.filter(name="Organisatie O3").update(discipline=Discipline.MUNICIPALITY)
    Organisation.objects.filter(name="Organisatie O4").update(discipline=Discipline.EDUCATION)
    shown = figures(region(world))["partners_by_domain"]
    assert [count for _label, count in rows(shown)] == [
        1,
        1,
        0,
        1,
        0,
    ]  # medical, social, education, municipality, other
    assert rows(shown)[0][0] == MEDICAL
    only_b = figures(Scope(coalition=world.b, detailed=(world.b,), regional=True))["partners_by_domain"]
    assert [count for _label, count in rows(only_b)] == [0, 1, 0, 1, 0]


def test_members_by_domain_and_discipline_hide_what_the_total_minus_the_shown_would_give_away(world):
    shown = figures(region(world))
    # Medical 9, social 9, education 5, municipality 1, other 1: the two small ones add up to 2, so the smallest
    # shown (education, 5) is hidden too.
    assert rows(shown["members_by_domain"]) == [
        (MEDICAL, 9),
        (SOCIAL, 9),
        (EDUCATION, H),
        (MUNICIPALITY, H),
        (_("Other or not given"), H),
    ]
    by_discipline = dict(rows(shown["members_by_discipline"]))
    # Midwifery 5 beside youth health care 4 in the medical 9: both hidden. A hidden domain hides its disciplines.
    assert by_discipline[Discipline.MIDWIFERY.label] == H
    assert by_discipline[Discipline.YOUTH_HEALTH_CARE.label] == H
    assert by_discipline[Discipline.SOCIAL_WORK.label] == 9
    assert by_discipline[Discipline.EDUCATION.label] == H
    assert by_discipline[Discipline.MUNICIPALITY.label] == H
    assert by_discipline[Discipline.OTHER.label] == H
    assert by_discipline[Discipline.CHILDCARE.label] == 0
    assert by_discipline[_("Not given")] == 0


def test_members_by_domain_of_one_coalition(world):
    shown = figures(Scope(coalition=world.a, detailed=(world.a,), regional=True))
    # A: midwifery 5, social work 3, education 5, other 1 (its partner's person).
    assert rows(shown["members_by_domain"]) == [
        (MEDICAL, 5),
        (SOCIAL, H),
        (EDUCATION, H),
        (MUNICIPALITY, 0),
        (_("Other or not given"), H),
    ]
    by_discipline = dict(rows(shown["members_by_discipline"]))
    assert by_discipline[Discipline.MIDWIFERY.label] == 5
    assert by_discipline[Discipline.SOCIAL_WORK.label] == H


def test_partners_per_circle_per_coalition_and_declarations_signed(world):
    shown = figures(region(world))
    assert rows(shown["partners_per_circle"]) == [("Aa-coalitie", 1, 1), ("Bb-coalitie", 1, 1), ("Cc-coalitie", 0, 0)]
    assert rows(shown["declarations_signed"]) == [(MONTHS[0], 1), (MONTHS[1], 1), (MONTHS[2], 1)]
    only_a = figures(Scope(coalition=world.a, detailed=(world.a,), regional=True))
    assert rows(only_a["partners_per_circle"]) == [("Aa-coalitie", 1, 1)]
    assert rows(only_a["declarations_signed"]) == [(MONTHS[0], 1), (MONTHS[1], 1), (MONTHS[2], 0)]


def test_a_coalition_coordinator_looking_at_the_region_sees_the_other_coalitions_together(world):
    scope = Scope.for_user(coalition_coordinator_of(world.a))
    assert (scope.detailed, scope.regional) == ((world.a,), False)
    shown = figures(scope)
    assert rows(shown["partners_per_circle"]) == [("Aa-coalitie", 1, 1), (_("Other coalitions"), 1, 1)]
    assert rows(shown["events_by_coalition"]) == [
        ("Aa-coalitie", 1, 7),
        (_("Other coalitions"), 1, 6),
        (_("Regional events"), 1, H),
    ]
    # The region's totals stay the region's.
    assert rows(shown["members_over_time"])[-1] == (MONTHS[2], 25)
    text = repr([rows(figure) for figure in shown.values()])
    assert "Bb-coalitie" not in text and "Cc-coalitie" not in text


# --- Meeting each other -----------------------------------------------------------------------------------------


def test_events_held_and_people_reached(world):
    shown = figures(region(world))
    # January: 5 members, a guest and an anonymised registration; February: nobody checked in, so the 6
    # confirmed; March: 4 people, hidden.
    assert rows(shown["events_held"]) == [(MONTHS[0], 1, 7), (MONTHS[1], 1, 6), (MONTHS[2], 1, H)]
    by_kind = {label: (held, reached) for label, held, reached in rows(shown["events_by_kind"])}
    assert by_kind[Event.Kind.WORKSHOP.label] == (1, 7)
    assert by_kind[Event.Kind.SERIOUS_GAME.label] == (1, 6)
    assert by_kind[Event.Kind.ONLINE_MEETING.label] == (1, H)
    assert by_kind[Event.Kind.PRESENTATION.label] == (0, 0)
    assert rows(shown["events_by_coalition"]) == [
        ("Aa-coalitie", 1, 7),
        ("Bb-coalitie", 1, 6),
        ("Cc-coalitie", 0, 0),
        (_("Regional events"), 1, H),
    ]


def test_events_of_one_coalition_leave_out_the_regional_ones(world):
    shown = figures(Scope(coalition=world.a, detailed=(world.a,), regional=True))
    assert rows(shown["events_held"]) == [(MONTHS[0], 1, 7), (MONTHS[1], 0, 0), (MONTHS[2], 0, 0)]
    assert rows(shown["events_by_coalition"]) == [("Aa-coalitie", 1, 7)]


def test_domain_pairs_count_events_and_people_from_check_ins_only(world):
    shown = figures(region(world))
    # E1: medical (3 midwives + the anonymised midwife) and social (2) checked in; E2 nobody checked in; E3 medical
    # (2 midwives), education (1) and the municipality (1).
    assert rows(shown["domain_pairs"]) == [
        (pair(MEDICAL, SOCIAL), 1, 6),
        (pair(MEDICAL, EDUCATION), 1, H),
        (pair(MEDICAL, MUNICIPALITY), 1, H),
        (pair(SOCIAL, EDUCATION), 0, 0),
        (pair(SOCIAL, MUNICIPALITY), 0, 0),
        (pair(EDUCATION, MUNICIPALITY), 1, H),
    ]


# --- Satisfaction -----------------------------------------------------------------------------------------------


def test_event_feedback_averages_hide_fewer_than_five_answers(world):
    shown = figures(region(world))
    assert rows(shown["feedback_over_time"]) == [(MONTHS[0], 4.2), (MONTHS[1], H), (MONTHS[2], None)]
    by_kind = dict(rows(shown["feedback_by_kind"]))
    assert by_kind[Event.Kind.WORKSHOP.label] == 4.2
    assert by_kind[Event.Kind.SERIOUS_GAME.label] == H
    assert by_kind[Event.Kind.ONLINE_MEETING.label] is None


def test_a_score_is_read_from_a_number_or_decimal_text_and_nothing_else():
    survey = SurveyFactory()
    Response.objects.create(survey=survey, answers={"7": 4, "8": "2.5", "9": "veel", "10": True, "11": None})
    scores = Response.objects.filter(survey=survey).annotate(
        **{f"score_{key}": JSONNumber(F("answers"), Value(key)) for key in (7, 8, 9, 10, 11, 12)}
    )
    assert scores.values_list("score_7", "score_8", "score_9", "score_10", "score_11", "score_12").get() == (
        4,
        2.5,
        None,
        None,
        None,
        None,
    )


def test_the_network_pulse_year_over_year(world):
    shown = figures(region(world))
    assert shown["pulse_scores"].columns[1:] == ["Hoe makkelijk bereik je het sociale domein?"]
    assert rows(shown["pulse_scores"]) == [("2024", H), ("2025", 4.0)]
    assert rows(shown["pulse_choices_1"]) == [("Verloskunde", H, 5), ("Geen", H, 0)]


# --- The journal ------------------------------------------------------------------------------------------------


def test_the_journal(world):
    shown = figures(region(world))
    assert rows(shown["editions_published"]) == [(MONTHS[0], 1), (MONTHS[1], 0), (MONTHS[2], 1)]
    by_kind = dict(rows(shown["stories_by_kind"]))
    assert (by_kind["Artikel"], by_kind["Film"], by_kind["Interview"]) == (2, 1, 0)
    assert rows(shown["tips"]) == [(MONTHS[0], 2, 1), (MONTHS[1], 0, 0), (MONTHS[2], 1, 1)]
    # 5 + S2 in January; + S3 in February; S3 stopped, S5 came in March.
    assert rows(shown["subscribers_over_time"]) == [(MONTHS[0], 6), (MONTHS[1], 7), (MONTHS[2], 7)]
    only_a = figures(Scope(coalition=world.a, detailed=(world.a,), regional=True))
    assert rows(only_a["editions_published"]) == [(MONTHS[0], 1), (MONTHS[1], 0), (MONTHS[2], 0)]
    assert dict(rows(only_a["stories_by_kind"]))["Artikel"] == 1
    assert rows(only_a["subscribers_over_time"]) == [(MONTHS[0], H), (MONTHS[1], H), (MONTHS[2], H)]


# --- Coalitions -------------------------------------------------------------------------------------------------


def test_coalitions_by_phase_from_the_phase_histories(world):
    shown = figures(region(world))
    # Columns: exploring, forming, planning, carrying out, embedding, not recorded.
    assert rows(shown["coalitions_by_phase"]) == [
        (MONTHS[0], 1, 0, 0, 0, 0, 1),
        (MONTHS[1], 0, 1, 0, 0, 0, 1),
        (MONTHS[2], 0, 1, 1, 0, 0, 1),
    ]


# --- The minimum group, quarters --------------------------------------------------------------------------------


def test_four_people_are_hidden_and_five_are_shown():
    members(4, discipline=Discipline.MIDWIFERY, approved=at(2026, 1, 10))
    scope = Scope(coalition=None, detailed=(), regional=True)
    assert rows(figures(scope)["members_over_time"])[0] == (MONTHS[0], H)
    members(1, discipline=Discipline.MIDWIFERY, approved=at(2026, 1, 11))
    assert rows(figures(scope)["members_over_time"])[0] == (MONTHS[0], 5)


def test_a_long_period_counts_per_quarter():
    members(5, discipline=Discipline.MIDWIFERY, approved=at(2025, 2, 10))
    members(5, discipline=Discipline.MIDWIFERY, approved=at(2025, 11, 10))
    period = Period(start=datetime.date(2025, 1, 1), end=datetime.date(2026, 3, 31))
    scope = Scope(coalition=None, detailed=(), regional=True)
    shown = figures(scope, period)["members_over_time"]
    assert shown.columns[0] == _("Quarter")
    assert [count for _label, count in rows(shown)] == [5, 5, 5, 10, 10]
    assert [label for label, _count in rows(shown)] == [str(bucket.label) for bucket in period.buckets]


def test_every_discipline_has_a_domain_but_other():
    assert {discipline for discipline in Discipline if discipline.domain is None} == {Discipline.OTHER}
    assert Discipline.MENTAL_HEALTH.domain == Domain.MEDICAL
    assert Discipline.YOUTH_CARE.domain == Domain.SOCIAL
    assert Discipline.CHILDCARE.domain == Domain.EDUCATION


# --- The cache --------------------------------------------------------------------------------------------------


def test_the_report_is_cached_until_data_it_reads_changes(django_capture_on_commit_callbacks):
    members(5, discipline=Discipline.MIDWIFERY, approved=at(2026, 1, 10))
    scope = Scope(coalition=None, detailed=(), regional=True)
    first = report(scope, PERIOD)
    with CaptureQueriesContext(connection) as captured:
        again = report(scope, PERIOD)
    # Without Redis the cache is a table (portal_cache): reading it is all a cached report costs.
    assert all("portal_cache" in query["sql"] for query in captured.captured_queries)
    assert again == first
    with django_capture_on_commit_callbacks(execute=True):
        [newcomer] = members(1, discipline=Discipline.MIDWIFERY, approved=at(2026, 2, 10))
    assert rows(report(scope, PERIOD)[0].figures[0])[1] == (MONTHS[1], 6)
    with django_capture_on_commit_callbacks(execute=True):
        Profile.objects.get(pk=newcomer.pk).delete()
    assert rows(report(scope, PERIOD)[0].figures[0])[1] == (MONTHS[1], 5)


def test_a_login_leaves_the_cached_report_as_it_is(django_capture_on_commit_callbacks):
    [member] = members(5, discipline=Discipline.MIDWIFERY, approved=at(2026, 1, 10))[:1]
    scope = Scope(coalition=None, detailed=(), regional=True)
    report(scope, PERIOD)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        member.user.last_login = timezone.now()
        member.user.save(update_fields=["last_login"])
    assert callbacks == []


def test_a_change_not_yet_committed_leaves_the_cached_report_as_it_is(django_capture_on_commit_callbacks):
    members(5, discipline=Discipline.MIDWIFERY, approved=at(2026, 1, 10))
    scope = Scope(coalition=None, detailed=(), regional=True)
    before = report(scope, PERIOD)
    with django_capture_on_commit_callbacks(execute=False):
        members(1, discipline=Discipline.MIDWIFERY, approved=at(2026, 2, 10))
    assert report(scope, PERIOD) == before


def test_the_cached_report_is_per_language():
    scope = Scope(coalition=None, detailed=(), regional=True)
    dutch = report(scope, PERIOD)[0].figures[0].columns[0]
    with translation.override("en"):
        assert report(scope, PERIOD)[0].figures[0].columns[0] == "Month"
    assert report(scope, PERIOD)[0].figures[0].columns[0] == dutch == _("Month")


# --- Queries ----------------------------------------------------------------------------------------------------


def grow(size, *, coalition):
    """`size` of everything the figures count, in `coalition`."""
    place = coalition.municipalities.get()
    for n in range(size):
        people = members(2, discipline=Discipline.SOCIAL_WORK, approved=at(2026, 1, 5 + n), municipality=place)
        organisation = OrganisationFactory()
        partnership = PartnershipFactory(coalition=coalition, organisation=organisation)
        SignatureFactory(partnership=partnership, signed_on=datetime.date(2026, 2, 1 + n))
        event = EventFactory(coalition=coalition, starts_at=at(2026, 1, 10 + n))
        attend(event, people)
        feedback(event, [4])
        edition = EditionFactory(state=State.PUBLISHED, published_at=at(2026, 3, 1 + n))
        StoryFactory(edition=edition, state=State.PUBLISHED).coalitions.set([coalition])
        TipFactory()
        SubscriberFactory(confirmed_at=at(2026, 1, 1 + n)).coalitions.set([coalition])
        PhaseChange.objects.create(coalition=coalition, phase=Phase.FORMING, changed_on=datetime.date(2026, 1, 1 + n))


def test_the_report_takes_the_same_number_of_queries_for_five_times_the_data():
    coalition = CoalitionFactory()
    scope = Scope(coalition=None, detailed=(coalition,), regional=False)

    def count():
        with CaptureQueriesContext(connection) as captured:
            Report(scope, PERIOD).sections()
        return len(captured)

    grow(2, coalition=coalition)
    few = count()
    grow(8, coalition=coalition)
    assert count() == few
    assert rows(figures(scope)["events_held"])[0][1] == 10
