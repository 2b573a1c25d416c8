"""The yearly network pulse: the template from the migration, a year's copy (start_pulse), the trend over years."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from coalition.rules import NotAllowed
from network.audiences import Segment
from network.tests.factories import CoalitionFactory
from surveys import services
from surveys.models import Survey, SurveyQuestion
from surveys.services import PULSE_TEMPLATE_SLUG, SurveyError, pulse_trend, start_pulse

from .factories_pulse import QuestionFactory, SurveyFactory, answer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The refusals are read in English here (the services speak the active language)."""
    with translation.override("en"):
        yield


Kind = SurveyQuestion.Kind


def _aware(*args):
    return timezone.make_aware(datetime(*args))


def _template():
    return Survey.objects.get(slug=PULSE_TEMPLATE_SLUG)


# --- The template ---------------------------------------------------------------------------------------------------


def test_the_migration_leaves_a_named_draft_pulse_template_for_the_coalitions_coordinators():
    template = _template()
    assert template.kind == Survey.Kind.PULSE
    assert template.state == Survey.State.DRAFT
    assert not template.is_anonymous
    assert template.results_for == Survey.ResultsFor.COALITION
    assert template.opens_at is None and template.closes_at is None
    assert template.coalition is None  # regional: regional coordinators manage it


def test_the_template_asks_what_the_issue_asks_in_dutch_in_sections_and_every_question_validates():
    template = _template()
    questions = list(template.questions.select_related("section"))
    assert [section.title for section in template.sections.all()] == [
        "Je contacten",
        "Andere domeinen bereiken",
        "Je coalitie",
    ]
    assert all(question.section is not None for question in questions)
    for question in questions:
        question.full_clean()  # runs Question.clean(): choices and limits fit the type

    contacts, medical, social, education, satisfaction, better = questions
    assert contacts.kind == Kind.SEVERAL_CHOICES and contacts.required
    assert contacts.label.startswith("Met welke organisaties of disciplines heb je nu contact")
    assert {"Verloskunde", "Kraamzorg", "Sociaal werk", "Scholen en onderwijs"} <= set(contacts.choices)
    assert contacts.choices[-1] == "Geen"
    for question, domain in ((medical, "medische domein"), (social, "sociale domein"), (education, "onderwijs")):
        assert domain in question.label
    for question in (medical, social, education, satisfaction):
        # Numbers when migration 0002 made them, scales since 0003: one tap on a phone.
        assert (question.kind, question.required, question.min_value, question.max_value) == (
            Kind.SCALE,
            True,
            Decimal(1),
            Decimal(5),
        )
    assert "tevreden" in satisfaction.label and "coalitie" in satisfaction.label
    assert better.kind == Kind.LONG_TEXT and not better.required


# --- start_pulse ----------------------------------------------------------------------------------------------------


def test_start_pulse_copies_the_template_with_its_sections_and_questions_into_a_draft_for_every_member(coordinator):
    template = _template()
    now = _aware(2026, 3, 2, 10)
    survey = start_pulse(2026, by=coordinator, now=now)

    assert survey.pk != template.pk
    assert (survey.title, survey.slug, survey.kind, survey.state) == (
        "Netwerkpeiling 2026",
        "netwerkpeiling-2026",
        Survey.Kind.PULSE,
        Survey.State.DRAFT,
    )
    assert survey.opens_at == now and survey.closes_at == now + services.PULSE_OPEN_FOR
    assert Segment.from_params(survey.segment) == Segment(all_members=True)
    assert survey.created_by == coordinator
    assert (survey.introduction, survey.is_anonymous, survey.results_for, survey.open_on_site) == (
        template.introduction,
        template.is_anonymous,
        template.results_for,
        template.open_on_site,
    )

    def shape(of):
        return [
            (q.section.title, q.label, q.help_text, q.kind, q.required, q.choices, q.min_value, q.max_value, q.position)
            for q in of.questions.select_related("section")
        ]

    assert shape(survey) == shape(template)
    assert [(s.title, s.introduction, s.position) for s in survey.sections.all()] == [
        (s.title, s.introduction, s.position) for s in template.sections.all()
    ]
    # Copies, not the template's rows: the template keeps its own.
    assert not set(survey.sections.values_list("pk", flat=True)) & set(template.sections.values_list("pk", flat=True))
    assert all(q.section.survey_id == survey.pk for q in survey.questions.select_related("section"))
    assert template.questions.count() == 6 and template.state == Survey.State.DRAFT


def test_a_coordinators_edit_of_the_template_is_in_the_next_years_copy(coordinator):
    question = _template().questions.get(position=5)
    question.label = "Wat kan er beter in de samenwerking?"
    question.save()
    survey = start_pulse(2027, by=coordinator, now=_aware(2026, 12, 1))
    assert survey.questions.filter(label="Wat kan er beter in de samenwerking?").exists()
    # A coming year opens on its first day.
    assert survey.opens_at == _aware(2027, 1, 1)


def test_start_pulse_refuses_a_second_pulse_for_the_same_year_and_allows_the_next(coordinator):
    start_pulse(2026, by=coordinator, now=_aware(2026, 3, 2))
    with pytest.raises(SurveyError, match="2026 has already been started"):
        start_pulse(2026, by=coordinator, now=_aware(2026, 9, 1))
    assert services.pulses().count() == 1
    assert start_pulse(2027, by=coordinator, now=_aware(2026, 9, 1)).slug == "netwerkpeiling-2027"


def test_start_pulse_refuses_dates_outside_its_year_or_in_the_wrong_order(coordinator):
    with pytest.raises(SurveyError, match="must open in 2026"):
        start_pulse(2026, by=coordinator, opens_at=_aware(2025, 12, 20))
    with pytest.raises(SurveyError, match="closes before it opens"):
        start_pulse(2026, by=coordinator, opens_at=_aware(2026, 5, 1), closes_at=_aware(2026, 4, 1))
    assert not services.pulses().exists()


def test_only_a_regional_coordinator_starts_the_pulse(member, coalition_coordinator):
    for person in (member, coalition_coordinator):
        with pytest.raises(NotAllowed):
            start_pulse(2026, by=person)
    assert not services.pulses().exists()


def test_without_its_template_the_pulse_cannot_start(coordinator):
    _template().delete()
    with pytest.raises(SurveyError, match="template"):
        start_pulse(2026, by=coordinator)


def test_the_command_starts_the_pulse_once(coordinator, capsys):
    call_command("start_pulse", "--year", str(timezone.localdate().year + 1), "--by", coordinator.email)
    assert "Netwerkpeiling" in capsys.readouterr().out
    assert services.pulses().count() == 1
    with pytest.raises(CommandError, match="already been started"):
        call_command("start_pulse", "--year", str(timezone.localdate().year + 1), "--by", coordinator.email)
    with pytest.raises(CommandError, match="No account"):
        call_command("start_pulse", "--by", "nobody@example.org")


# --- pulse_trend ----------------------------------------------------------------------------------------------------


def _pulse(year, *, questions):
    survey = SurveyFactory(
        kind=Survey.Kind.PULSE,
        slug=f"netwerkpeiling-{year}",
        opens_at=_aware(year, 3, 1),
        closes_at=_aware(year, 3, 29),
        is_anonymous=False,
    )
    made = {}
    for position, (key, label, kind, extra) in enumerate(questions):
        made[key] = QuestionFactory(survey=survey, label=label, kind=kind, position=position, **extra)
    return survey, made


SCALE = {"min_value": 1, "max_value": 5}
CONTACTS = {"choices": ["Verloskunde", "Kraamzorg", "Geen"]}
QUESTIONS = [
    ("satisfied", "Hoe tevreden ben je?", Kind.NUMBER, SCALE),
    ("contacts", "Met wie heb je nu contact?", Kind.SEVERAL_CHOICES, CONTACTS),
    ("better", "Wat kan beter?", Kind.LONG_TEXT, {}),
]


def test_pulse_trend_gives_per_year_and_question_the_average_and_the_spread_of_the_answers():
    old, q_old = _pulse(2025, questions=QUESTIONS)
    new, q_new = _pulse(2026, questions=QUESTIONS)
    for score, contacts in [(2, ["Geen"]), (3, ["Verloskunde"]), (3, ["Geen"]), (4, ["Kraamzorg"]), (2, ["Geen"])]:
        answer(old, {q_old["satisfied"].pk: score, q_old["contacts"].pk: contacts})
    for score, contacts in [(4, ["Verloskunde", "Kraamzorg"]), (5, ["Verloskunde"]), (4, ["Geen"])] + [
        (3, ["Kraamzorg"])
    ] * 3:
        answer(new, {q_new["satisfied"].pk: score, q_new["contacts"].pk: contacts, q_new["better"].pk: "Meer overleg"})
    _template()  # the template (no opening date) is not a year of the trend

    trend = pulse_trend()

    assert trend.years == [2025, 2026]
    assert trend.responses == {2025: 5, 2026: 6}
    satisfied, contacts = trend.questions  # open answers are read on the results page, not trended
    assert satisfied.label == "Hoe tevreden ben je?"
    assert [(p.year, p.answered, p.average) for p in satisfied.points] == [
        (2025, 5, Decimal("2.80")),
        (2026, 6, Decimal("3.67")),
    ]
    # A scale shows every step, also those nobody chose.
    assert satisfied.points[0].distribution == {"1": 0, "2": 2, "3": 2, "4": 1, "5": 0}
    assert satisfied.points[1].distribution == {"1": 0, "2": 0, "3": 3, "4": 2, "5": 1}
    assert contacts.points[0].distribution == {"Verloskunde": 1, "Kraamzorg": 1, "Geen": 3}
    assert contacts.points[1].distribution == {"Verloskunde": 2, "Kraamzorg": 4, "Geen": 1}
    assert contacts.points[1].average is None
    assert [p.survey for p in contacts.points] == [old, new]


def test_pulse_trend_shows_nothing_but_the_count_of_fewer_than_five_answers():
    survey, questions = _pulse(2025, questions=QUESTIONS[:1])
    for score in (1, 5, 5, 5):
        answer(survey, {questions["satisfied"].pk: score})
    [point] = pulse_trend().questions[0].points
    assert (point.answered, point.is_hidden, point.average, point.distribution) == (4, True, None, {})


def test_pulse_trend_for_one_coalition_counts_only_its_answers():
    own, other = CoalitionFactory(), CoalitionFactory()
    survey, questions = _pulse(2025, questions=QUESTIONS[:1])
    for _ in range(5):
        answer(survey, {questions["satisfied"].pk: 5}, coalition=own)
    for _ in range(6):
        answer(survey, {questions["satisfied"].pk: 1}, coalition=other)
    [point] = pulse_trend(coalition=own).questions[0].points
    assert (point.answered, point.average) == (5, Decimal("5.00"))
    assert pulse_trend(coalition=own).responses == {2025: 5}


def test_a_reworded_question_starts_a_line_of_its_own():
    _pulse(2025, questions=QUESTIONS[:1])
    _pulse(2026, questions=[("satisfied", "Hoe tevreden ben je over je coalitie?", Kind.NUMBER, SCALE)])
    assert [(line.label, [p.year for p in line.points]) for line in pulse_trend().questions] == [
        ("Hoe tevreden ben je?", [2025]),
        ("Hoe tevreden ben je over je coalitie?", [2026]),
    ]


def test_pulse_trend_takes_the_same_queries_for_one_year_as_for_three(django_assert_num_queries):
    survey, questions = _pulse(2024, questions=QUESTIONS)
    for score in range(1, 6):
        answer(survey, {questions["satisfied"].pk: score})
    with django_assert_num_queries(3):
        pulse_trend()
    for year in (2025, 2026):
        survey, questions = _pulse(year, questions=QUESTIONS)
        for score in range(1, 7):
            answer(survey, {questions["satisfied"].pk: min(score, 5), questions["contacts"].pk: ["Geen"]})
    with django_assert_num_queries(3):
        trend = pulse_trend()
    assert trend.years == [2024, 2025, 2026]


def test_a_pulse_started_with_start_pulse_is_in_the_trend_under_its_year(coordinator):
    # Half past midnight on New Year's Day in the Netherlands is still the old year in UTC: the year is local.
    survey = start_pulse(2027, by=coordinator, now=_aware(2027, 1, 1, 0, 30))
    assert survey.opens_at.astimezone(UTC).year == 2026
    satisfied = survey.questions.get(position=4)
    for score in (3, 4, 4, 5, 5):
        answer(survey, {satisfied.pk: score})
    trend = pulse_trend()
    assert trend.years == [2027]
    with pytest.raises(SurveyError, match="already been started"):
        start_pulse(2027, by=coordinator, now=_aware(2027, 6, 1))
    line = next(line for line in trend.questions if line.label == satisfied.label)
    assert line.points[0].average == Decimal("4.20")
    assert timedelta(0) < survey.closes_at - survey.opens_at
