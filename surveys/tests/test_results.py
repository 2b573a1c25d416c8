"""The results of a survey: exact statistics per question type, the anonymity threshold, the page and its CSV per
role, the chart's numbers equal to the table's, the formula guard, and a fixed number of queries."""

import csv
import io
import json
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from members.models import Discipline
from network.models import Phase
from network.tests.factories import CoalitionFactory

from ..models import MIN_GROUP, Question, Response, Survey
from ..results import groups_to_show, survey_results
from .factories_results import ParticipantFactory, SurveyFactory, SurveyQuestionFactory, respond

pytestmark = pytest.mark.django_db

Kind = Question.Kind


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def survey():
    return SurveyFactory(title="Behoeften", slug="behoeften")


def _question(survey, kind, **fields):
    if kind in (Kind.ONE_CHOICE, Kind.SEVERAL_CHOICES):
        fields.setdefault("choices", ["Sport", "Voeding", "Slaap"])
    return SurveyQuestionFactory(survey=survey, kind=kind, **fields)


def _only(results, question):
    return next(result for result in results.questions if result.question.pk == question.pk)


def _rows(result):
    return [(row.label, row.count, row.percent) for row in result.choices]


# --- The statistics per type -------------------------------------------------------------------------------------


def test_one_choice_counts_and_percentages_of_those_who_answered(survey):
    question = _question(survey, Kind.ONE_CHOICE)
    for answer in ["Sport", "Sport", "Voeding", None]:
        respond(survey, {question: answer})
    result = _only(survey_results(survey), question)
    assert (result.answered, result.skipped) == (3, 1)
    assert _rows(result) == [
        ("Sport", 2, Decimal("66.7")),
        ("Voeding", 1, Decimal("33.3")),
        ("Slaap", 0, Decimal("0.0")),
    ]
    assert not result.is_several


def test_several_choices_are_percentages_of_respondents_and_add_up_to_more_than_100(survey):
    question = _question(survey, Kind.SEVERAL_CHOICES)
    for answer in [["Sport", "Voeding"], ["Sport"], ["Slaap"], []]:
        respond(survey, {question: answer})
    result = _only(survey_results(survey), question)
    assert (result.answered, result.skipped) == (3, 1)
    assert _rows(result) == [
        ("Sport", 2, Decimal("66.7")),
        ("Voeding", 1, Decimal("33.3")),
        ("Slaap", 1, Decimal("33.3")),
    ]
    assert result.is_several


def test_yes_no_counts_yes_and_no(survey):
    question = _question(survey, Kind.YES_NO)
    for answer in [True, True, False, True, None]:
        respond(survey, {question: answer})
    result = _only(survey_results(survey), question)
    assert _rows(result) == [("Yes", 3, Decimal("75.0")), ("No", 1, Decimal("25.0"))]


def test_a_choice_since_taken_out_of_the_question_still_counts(survey):
    question = _question(survey, Kind.ONE_CHOICE)
    respond(survey, {question: "Sport"})
    respond(survey, {question: "Bewegen"})  # offered when this person answered
    result = _only(survey_results(survey), question)
    assert [row.label for row in result.choices] == ["Sport", "Voeding", "Slaap", "Bewegen"]
    assert sum(row.count for row in result.choices) == 2


def test_a_scale_counts_every_step_also_the_unchosen_and_gives_its_average(survey):
    question = _question(survey, Kind.SCALE, min_value=1, max_value=5)
    for answer in [5, 4, 4, 2, None]:
        respond(survey, {question: answer})
    result = _only(survey_results(survey), question)
    assert result.is_choice and not result.is_number
    assert _rows(result) == [
        ("1", 0, Decimal("0.0")),
        ("2", 1, Decimal("25.0")),
        ("3", 0, Decimal("0.0")),
        ("4", 2, Decimal("50.0")),
        ("5", 1, Decimal("25.0")),
    ]
    assert (result.numbers.count, result.numbers.average, result.numbers.median) == (4, Decimal("3.75"), 4)


def test_numbers_count_average_median_lowest_and_highest_exactly(survey):
    question = _question(survey, Kind.NUMBER)
    # Stored as the form stores them: an int, or a decimal as a string (no floating point on the way).
    for answer in [1, "2.5", 4, 10, "0.1", None]:
        respond(survey, {question: answer})
    numbers = _only(survey_results(survey), question).numbers
    assert numbers.count == 5
    assert numbers.average == Decimal("3.52")  # 17.6 / 5
    assert numbers.median == Decimal("2.5")
    assert (numbers.lowest, numbers.highest) == (Decimal("0.1"), Decimal("10"))


def test_the_average_is_rounded_half_up_from_the_exact_sum(survey):
    question = _question(survey, Kind.NUMBER)
    for answer in ["0.1", "0.2", "0.2", 1]:  # 1.5 / 4 = 0.375: a float sum would give 0.37499…
        respond(survey, {question: answer})
    numbers = _only(survey_results(survey), question).numbers
    assert numbers.average == Decimal("0.38")
    assert numbers.median == Decimal("0.2")


def test_open_answers_of_a_named_survey_newest_first(survey):
    question = _question(survey, Kind.LONG_TEXT)
    now = timezone.now()
    respond(survey, {question: "Eerste"}, submitted_at=now - timezone.timedelta(days=2), coalition=CoalitionFactory())
    respond(survey, {question: "Laatste"}, submitted_at=now)
    respond(survey, {question: "Tweede"}, submitted_at=now - timezone.timedelta(days=1))
    respond(survey, {question: ""}, submitted_at=now)
    result = _only(survey_results(survey), question)
    assert result.texts == ["Laatste", "Tweede", "Eerste"]
    assert (result.answered, result.skipped) == (3, 1)
    assert _only(survey_results(survey, by="coalition"), question).texts == ["Laatste", "Tweede", "Eerste"]


def test_open_answers_of_an_anonymous_survey_in_alphabetical_order_not_the_order_they_came_in():
    survey = SurveyFactory(is_anonymous=True)
    question = _question(survey, Kind.TEXT)
    now = timezone.now()
    for days, text in enumerate(["delta", "Bravo", "echo", "alfa", "charlie"]):
        respond(survey, {question: text}, submitted_at=now - timezone.timedelta(days=days))
    assert _only(survey_results(survey), question).texts == ["alfa", "Bravo", "charlie", "delta", "echo"]


def test_the_response_rate_is_of_the_invited_participants(survey):
    for answered in [True, True, False, False, False]:
        ParticipantFactory(survey=survey, answered_at=timezone.now() if answered else None)
    results = survey_results(survey)
    assert (results.invited, results.answered_participants, results.rate) == (5, 2, Decimal("40.0"))


# --- Anonymity ---------------------------------------------------------------------------------------------------


def _anonymous_with(count, question, answer="Sport", **snapshot):
    for _i in range(count):
        respond(question.survey, {question: answer}, **snapshot)


def test_an_anonymous_survey_under_five_responses_shows_nothing():
    survey = SurveyFactory(is_anonymous=True)
    question = _question(survey, Kind.ONE_CHOICE)
    _anonymous_with(MIN_GROUP - 1, question)
    results = survey_results(survey, by="coalition")
    assert results.too_few
    assert results.questions == [] and results.groups == []
    _anonymous_with(1, question)
    assert not survey_results(survey).too_few


def test_a_named_survey_under_five_responses_shows_them(survey):
    question = _question(survey, Kind.ONE_CHOICE)
    _anonymous_with(2, question)
    assert _rows(_only(survey_results(survey), question))[0] == ("Sport", 2, Decimal("100.0"))


def test_a_question_answered_by_fewer_than_five_in_an_anonymous_survey_is_not_summarised():
    survey = SurveyFactory(is_anonymous=True)
    asked_all, asked_few = _question(survey, Kind.YES_NO), _question(survey, Kind.NUMBER)
    for index in range(6):
        respond(survey, {asked_all: True, **({asked_few: 3} if index < 4 else {})})
    results = survey_results(survey)
    few = _only(results, asked_few)
    assert few.hidden and few.numbers is None
    assert (few.answered, few.skipped) == (4, 2)
    assert not _only(results, asked_all).hidden


def test_in_an_anonymous_survey_a_coalition_with_three_answers_is_not_shown_on_its_own():
    survey = SurveyFactory(is_anonymous=True)
    question = _question(survey, Kind.ONE_CHOICE)
    big, bigger, small, smallest = (CoalitionFactory(name=name) for name in ["Aa", "Bb", "Cc", "Dd"])
    _anonymous_with(6, question, coalition=big)
    _anonymous_with(7, question, coalition=bigger, answer="Slaap")
    _anonymous_with(3, question, coalition=small, answer="Voeding")
    _anonymous_with(2, question, coalition=smallest, answer="Voeding")
    results = survey_results(survey, by="coalition")
    assert [(group.label, group.count) for group in results.groups] == [
        ("Aa", 6),
        ("Bb", 7),
        ("Other (groups under 5 together)", 5),
    ]
    assert results.merged_labels == ["Cc", "Dd"]
    other = results.groups[-1].questions[0]
    assert _rows(other)[1] == ("Voeding", 5, Decimal("100.0"))


def test_when_the_small_groups_together_are_still_too_few_the_next_smallest_joins_them():
    """Otherwise the whole minus the groups shown would be the three people's own answers."""
    survey = SurveyFactory(is_anonymous=True)
    question = _question(survey, Kind.ONE_CHOICE)
    big, middle, small = (CoalitionFactory(name=name) for name in ["Aa", "Bb", "Cc"])
    _anonymous_with(8, question, coalition=big)
    _anonymous_with(5, question, coalition=middle)
    _anonymous_with(3, question, coalition=small, answer="Voeding")
    results = survey_results(survey, by="coalition")
    assert [(group.label, group.count) for group in results.groups] == [
        ("Aa", 8),
        ("Other (groups under 5 together)", 8),
    ]
    assert sum(group.count for group in results.groups) == results.count


def test_in_a_named_survey_every_group_is_shown(survey):
    question = _question(survey, Kind.ONE_CHOICE)
    big, small = CoalitionFactory(name="Aa"), CoalitionFactory(name="Bb")
    _anonymous_with(6, question, coalition=big)
    _anonymous_with(3, question, coalition=small)
    _anonymous_with(1, question)
    results = survey_results(survey, by="coalition")
    assert [(group.label, group.count) for group in results.groups] == [("Aa", 6), ("Bb", 3), ("No coalition", 1)]


def test_phases_and_disciplines_in_their_own_order(survey):
    question = _question(survey, Kind.YES_NO)
    respond(survey, {question: True}, coalition_phase=Phase.EMBEDDING, discipline=Discipline.SOCIAL_WORK)
    respond(survey, {question: False}, coalition_phase=Phase.EXPLORING, discipline=Discipline.MIDWIFERY)
    respond(survey, {question: False})
    by_phase = survey_results(survey, by="phase")
    assert [group.label for group in by_phase.groups] == ["Exploring", "Embedding", "Phase not known"]
    by_discipline = survey_results(survey, by="discipline")
    assert [group.label for group in by_discipline.groups] == ["Midwifery", "Social work", "Discipline not known"]
    table = by_phase.questions[0].breakdown
    assert [row[0] for row in table.rows] == ["Yes", "No", "Answered"]
    assert [cell.count for cell in table.rows[0][1]] == [0, 1, 0]


def test_a_cell_that_differencing_would_reveal_is_hidden_too():
    """Group Bb answered the number question 3 times (hidden): Aa's cell is hidden as well, or the overall average
    minus Aa's would give Bb's three answers away."""
    survey = SurveyFactory(is_anonymous=True)
    everyone, number = _question(survey, Kind.YES_NO), _question(survey, Kind.NUMBER)
    big, other = CoalitionFactory(name="Aa"), CoalitionFactory(name="Bb")
    for _i in range(6):
        respond(survey, {everyone: True, number: 4}, coalition=big)
    for index in range(5):
        respond(survey, {everyone: True, **({number: 9} if index < 3 else {})}, coalition=other)
    results = survey_results(survey, by="coalition")
    assert [group.questions[1].hidden for group in results.groups] == [True, True]
    assert [group.questions[0].hidden for group in results.groups] == [False, False]
    assert _only(results, number).numbers.count == 9  # overall: nine answers, shown


@pytest.mark.parametrize(
    ("counts", "shown", "merged"),
    [
        ({"a": 5, "b": 9}, {"a", "b"}, set()),
        ({"a": 5, "b": 9, "c": 4, "d": 1}, {"a", "b"}, {"c", "d"}),
        ({"a": 5, "b": 9, "c": 4}, {"b"}, {"a", "c"}),
        ({"a": 2, "b": 2}, set(), {"a", "b"}),
        ({None: 1, "a": 20}, set(), {None, "a"}),
    ],
)
def test_groups_to_show(counts, shown, merged):
    assert groups_to_show(counts) == (shown, merged)


# --- The page and the CSV per role -------------------------------------------------------------------------------


def _client(user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def people(pending_member, declined_member, member, editor, coalition_coordinator, coordinator):
    other = CoalitionFactory()
    from network.tests.factories import coalition_coordinator_of  # noqa: PLC0415 — only this fixture needs it

    return {
        "anonymous": None,
        "pending": pending_member,
        "declined": declined_member,
        "member": member,
        "editor": editor,
        "coalition coordinator": coalition_coordinator,
        "other coalition's coordinator": coalition_coordinator_of(other, user__email="other@example.org"),
        "regional coordinator": coordinator,
    }


def _own_coalition(people):
    return people["coalition coordinator"].coalition_roles.get().coalition


def _answered_survey(**fields):
    survey = SurveyFactory(**fields)
    question = _question(survey, Kind.ONE_CHOICE)
    _anonymous_with(5, question)
    return survey


def _status(user, url):
    response = _client(user).get(url)
    if response.status_code == 302:
        assert reverse("account_login") in response["Location"], response["Location"]
    if response.status_code == 403 and user.profile.is_approved:
        assert "The results of this survey are for its coordinators." in response.content.decode()  # the reason
    return response.status_code


PAGES = ["surveys:results", "surveys:results_csv"]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("pending", 403),
        ("declined", 403),
        ("member", 403),
        ("editor", 403),
        ("coalition coordinator", 200),
        ("other coalition's coordinator", 403),
        ("regional coordinator", 200),
    ],
)
def test_a_coalitions_survey_for_its_coordinators(people, page, role, expected):
    survey = _answered_survey(coalition=_own_coalition(people), results_for=Survey.ResultsFor.COORDINATORS)
    assert _status(people[role], reverse(page, args=[survey.slug])) == expected


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("member", 403),
        ("coalition coordinator", 200),
        ("other coalition's coordinator", 200),
        ("regional coordinator", 200),
    ],
)
def test_a_regional_survey_for_every_coalitions_coordinators(people, page, role, expected):
    survey = _answered_survey(results_for=Survey.ResultsFor.COALITION)
    assert _status(people[role], reverse(page, args=[survey.slug])) == expected


@pytest.mark.parametrize("page", PAGES)
def test_a_survey_for_its_respondents_shows_them_to_who_answered(people, page):
    survey = _answered_survey(results_for=Survey.ResultsFor.RESPONDENTS)
    ParticipantFactory(survey=survey, profile=people["member"].profile, answered_at=timezone.now())
    ParticipantFactory(survey=survey, profile=people["editor"].profile, answered_at=None)
    url = reverse(page, args=[survey.slug])
    assert _status(people["member"], url) == 200
    assert _status(people["editor"], url) == 403


def test_the_results_of_a_draft_are_for_those_who_manage_it_only(people):
    survey = _answered_survey(state=Survey.State.DRAFT, results_for=Survey.ResultsFor.COALITION)
    url = reverse("surveys:results", args=[survey.slug])
    assert _status(people["regional coordinator"], url) == 200
    assert _status(people["coalition coordinator"], url) == 403


def test_an_unknown_survey_is_404(coordinator):
    assert _client(coordinator).get(reverse("surveys:results", args=["nergens"])).status_code == 404


# --- What the page shows -----------------------------------------------------------------------------------------


class _ResultsPage(HTMLParser):
    """The tables (data-question → rows of cell texts) and the charts' JSON (id → data) of a results page."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.charts, self.canvases = {}, {}, []
        self._table = self._row = self._cell = self._script = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-question" in attrs:
            self._table = self.tables.setdefault(attrs["data-question"], [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "script" and attrs.get("type") == "application/json":
            self._script = (attrs["id"], [])
        elif tag == "canvas":
            self.canvases.append(attrs)

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = self._row = None
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "script" and self._script:
            self.charts[self._script[0]] = json.loads("".join(self._script[1]))
            self._script = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._script:
            self._script[1].append(data)


def _page(client, survey, **params):
    response = client.get(reverse("surveys:results", args=[survey.slug]), params)
    assert response.status_code == 200
    return response, _ResultsPage(response.content.decode())


def test_the_table_holds_the_same_numbers_as_the_chart(coordinator, survey):
    question = _question(survey, Kind.SEVERAL_CHOICES)
    for answer in [["Sport", "Voeding"], ["Sport"], ["Slaap"], ["Sport"], []]:
        respond(survey, {question: answer})
    response, page = _page(_client(coordinator), survey)
    chart = page.charts[f"chart-{question.pk}"]
    assert chart["labels"] == ["Sport", "Voeding", "Slaap"]
    assert chart["counts"] == [3, 1, 1]
    assert chart["percents"] == [75.0, 25.0, 25.0]
    header, *rows = page.tables[str(question.pk)]
    assert header == ["Answer", "Number", "Percentage"]
    assert [row[0] for row in rows] == chart["labels"]
    assert [int(row[1]) for row in rows] == chart["counts"]
    assert [float(row[2].rstrip("%")) for row in rows] == chart["percents"]
    # The chart is hidden from screen readers (the table is what they read) and shown only by the script.
    assert page.canvases == [{"aria-hidden": "true", "data-chart-data": f"chart-{question.pk}"}]
    assert b'<figure class="survey-chart" hidden>' in response.content
    assert b"vendor/chartjs/chart.umd.min.js" in response.content
    assert b"together they come to more than 100%" in response.content
    assert b"<script>" not in response.content  # no inline script (CSP)


def test_the_page_shows_numbers_open_answers_and_the_counts(coordinator, survey):
    number, text = _question(survey, Kind.NUMBER), _question(survey, Kind.LONG_TEXT)
    respond(survey, {number: "2.5", text: "Meer <b>tijd</b>"})
    respond(survey, {number: 4})
    ParticipantFactory.create_batch(2, survey=survey, answered_at=timezone.now())
    ParticipantFactory.create_batch(3, survey=survey)
    response, page = _page(_client(coordinator), survey)
    header, values = page.tables[str(number.pk)]
    assert header == ["Answers", "Average", "Median", "Lowest", "Highest"]
    assert values == ["2", "3.25", "3.25", "2.5", "4"]
    content = response.content.decode()
    assert "Meer &lt;b&gt;tijd&lt;/b&gt;" in content
    assert "2 of 5 invited people answered (40.0%)" in content
    assert "Answered: 1 · skipped: 1" in content
    assert "chart.umd.min.js" not in content  # nothing to draw: Chart.js is not loaded


def test_the_page_of_an_anonymous_survey_under_five_says_too_few(coordinator):
    survey = SurveyFactory(is_anonymous=True)
    question = _question(survey, Kind.ONE_CHOICE)
    _anonymous_with(4, question)
    response, page = _page(_client(coordinator), survey, by="coalition")
    assert b'id="too-few"' in response.content
    assert page.tables == {} and page.charts == {}
    assert b"Sport" not in response.content
    assert b"results.csv" not in response.content


def test_the_breakdown_on_the_page(coordinator):
    survey = SurveyFactory(is_anonymous=True)
    question = _question(survey, Kind.ONE_CHOICE)
    _anonymous_with(6, question, coalition=CoalitionFactory(name="Groot"))
    _anonymous_with(3, question, coalition=CoalitionFactory(name="Klein"))
    _anonymous_with(2, question, coalition=CoalitionFactory(name="Kleiner"))
    response, _page_content = _page(_client(coordinator), survey, by="coalition")
    content = response.content.decode()
    assert 'aria-current="page">By coalition</a>' in content
    assert "Groot" in content
    assert "Other (groups under 5 together)" in content
    assert "shown together as “Other”" in content and "Klein, Kleiner" in content


# --- The CSV -----------------------------------------------------------------------------------------------------


def _csv(client, survey):
    response = client.get(reverse("surveys:results_csv", args=[survey.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_has_a_row_per_response_and_a_column_per_question(coordinator, survey):
    choice, several, yes_no, number = (
        _question(survey, Kind.ONE_CHOICE, label="Onderwerp"),
        _question(survey, Kind.SEVERAL_CHOICES, label="Thema's"),
        _question(survey, Kind.YES_NO, label="Komt u?"),
        _question(survey, Kind.NUMBER, label="Aantal"),
    )
    coalition = CoalitionFactory(name="Coalitie Noord")
    respond(
        survey,
        {choice: "Sport", several: ["Sport", "Slaap"], yes_no: True, number: "2.5"},
        coalition=coalition,
        coalition_phase=Phase.PLANNING,
        discipline=Discipline.MIDWIFERY,
    )
    respond(survey, {yes_no: False})
    header, *rows = _csv(_client(coordinator), survey)
    assert header == [
        "Onderwerp",
        "Thema's",
        "Komt u?",
        "Aantal",
        "Coalition",
        "Phase of the coalition",
        "Discipline",
        "Submitted at",
    ]
    assert rows[0][:7] == ["Sport", "Sport, Slaap", "Yes", "2.5", "Coalitie Noord", "Planning", "Midwifery"]
    assert rows[1][:7] == ["", "", "No", "", "", "", ""]
    assert len(rows) == 2


def test_the_csv_guards_against_formulas(coordinator, survey):
    text, number = _question(survey, Kind.TEXT, label="=Vraag"), _question(survey, Kind.NUMBER)
    respond(survey, {text: '=HYPERLINK("http://x.example","klik")', number: -3})
    header, row = _csv(_client(coordinator), survey)
    assert header[0] == "'=Vraag"
    assert row[0] == '\'=HYPERLINK("http://x.example","klik")'
    assert row[1] == "'-3"


def test_the_csv_of_an_anonymous_survey_has_no_time_no_order_of_arrival_and_no_small_group(coordinator):
    survey = SurveyFactory(is_anonymous=True)
    question = _question(survey, Kind.TEXT, label="Wens")
    big, small, smaller = (CoalitionFactory(name=name) for name in ["Groot", "Klein", "Kleiner"])
    now = timezone.now()
    # Arrival order differs from the content order.
    for index, text in enumerate(["e", "b", "d", "a", "c", "f"]):
        submitted_at = now - timezone.timedelta(hours=index)
        respond(survey, {question: text}, coalition=big, discipline=Discipline.MIDWIFERY, submitted_at=submitted_at)
    for coalition, texts in [(small, "yz"), (smaller, "vwx")]:
        for text in texts:
            respond(survey, {question: text}, coalition=coalition, discipline=Discipline.SOCIAL_WORK)
    header, *rows = _csv(_client(coordinator), survey)
    assert header == ["Wens", "Coalition", "Phase of the coalition", "Discipline"]  # no "Submitted at"
    other = "Other (groups under 5 together)"
    assert rows == [
        *[[text, "Groot", "", "Midwifery"] for text in "abcdef"],
        *[[text, other, "", "Social work"] for text in "vwxyz"],  # Klein (2) and Kleiner (3) are not named
    ]


def test_the_csv_of_an_anonymous_survey_does_not_single_out_a_rare_combination(coordinator):
    """Five answers in each coalition and in each discipline, but one midwife in Bb: the disciplines go."""
    survey = SurveyFactory(is_anonymous=True)
    question = _question(survey, Kind.YES_NO)
    first, second = CoalitionFactory(name="Aa"), CoalitionFactory(name="Bb")
    for coalition, disciplines in [(first, "MMMMS"), (second, "MSSSS")]:
        for letter in disciplines:
            discipline = Discipline.MIDWIFERY if letter == "M" else Discipline.SOCIAL_WORK
            respond(survey, {question: True}, coalition=coalition, discipline=discipline)
    _header, *rows = _csv(_client(coordinator), survey)
    other = "Other (groups under 5 together)"
    assert sorted(tuple(row[1:]) for row in rows) == [("Aa", "", other)] * 5 + [("Bb", "", other)] * 5


def test_the_csv_of_an_anonymous_survey_under_five_is_not_given(coordinator):
    survey = SurveyFactory(is_anonymous=True)
    question = _question(survey, Kind.TEXT)
    _anonymous_with(4, question, answer="x")
    response = _client(coordinator).get(reverse("surveys:results_csv", args=[survey.slug]))
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:results", args=[survey.slug])


# --- A fixed number of queries -----------------------------------------------------------------------------------


def _fill(survey, questions, coalitions, count):
    """`count` responses answering every one of `questions`, spread over coalitions, phases and disciplines."""
    phases, disciplines = list(Phase), list(Discipline)
    Response.objects.bulk_create(
        Response(
            survey=survey,
            answers={
                str(question.pk): {
                    Kind.ONE_CHOICE: ["Sport", "Voeding", "Slaap"][index % 3],
                    Kind.SEVERAL_CHOICES: ["Sport", "Slaap"][: 1 + index % 2],
                    Kind.YES_NO: index % 4 != 0,
                    Kind.NUMBER: str(Decimal(index % 11) / 2),
                    Kind.TEXT: f"Antwoord {index}",
                    Kind.LONG_TEXT: f"Een langer antwoord {index}",
                }[question.kind]
                for question in questions
            },
            coalition=coalitions[index % len(coalitions)],
            coalition_phase=phases[index % len(phases)],
            discipline=disciplines[index % len(disciplines)],
        )
        for index in range(count)
    )


def _queries(client, url):
    client.get(url)  # warm-up: session, role caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.content)


@pytest.mark.parametrize("anonymous", [False, True])
@pytest.mark.parametrize("by", ["", "coalition", "phase", "discipline"])
def test_the_page_with_1000_responses_to_10_questions_costs_the_same_queries_as_with_100(coordinator, anonymous, by):
    kinds = [Kind.ONE_CHOICE, Kind.SEVERAL_CHOICES, Kind.YES_NO, Kind.NUMBER, Kind.TEXT, Kind.LONG_TEXT] * 2
    coalitions = [CoalitionFactory() for _i in range(12)]
    client = _client(coordinator)
    counts = []
    for size in (100, 1000):
        survey = SurveyFactory(is_anonymous=anonymous)
        questions = [_question(survey, kind) for kind in kinds[:10]]
        ParticipantFactory.create_batch(3, survey=survey)
        _fill(survey, questions, coalitions, size)
        url = reverse("surveys:results", args=[survey.slug]) + (f"?by={by}" if by else "")
        counts.append(_queries(client, url))
    (few, few_length), (many, many_length) = counts
    assert many == few, f"{few} queries for 100 responses, {many} for 1,000"
    assert many_length > few_length  # the open answers are listed: the page grew with the data
    assert many <= 10


def test_the_csv_with_1000_responses_costs_the_same_queries_as_with_100(coordinator):
    coalitions = [CoalitionFactory() for _i in range(12)]
    client = _client(coordinator)
    counts = []
    for size in (100, 1000):
        survey = SurveyFactory(is_anonymous=True)
        questions = [_question(survey, kind) for kind in [Kind.ONE_CHOICE, Kind.NUMBER, Kind.TEXT]]
        _fill(survey, questions, coalitions, size)
        counts.append(_queries(client, reverse("surveys:results_csv", args=[survey.slug]))[0])
    assert counts[0] == counts[1]


def test_an_unknown_breakdown_shows_all_answers(coordinator, survey):
    question = _question(survey, Kind.YES_NO)
    respond(survey, {question: True}, coalition=CoalitionFactory(name="Aa"))
    assert survey_results(survey, by="municipality").by is None
    response, page = _page(_client(coordinator), survey, by="municipality")
    assert 'aria-current="page">All answers</a>' in response.content.decode()
    assert list(page.tables) == [str(question.pk)]
    assert b"survey-breakdown" not in response.content
