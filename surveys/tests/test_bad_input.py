"""Bad input on a survey's form: a clear message at the field and in the summary, and everything typed is kept."""

import pytest
from django.test import Client
from django.urls import reverse

from coalition.tests.form_errors import assert_error_page

from ..models import Participant, Response, SurveyQuestion
from .factories import ParticipantFactory, SectionFactory, SurveyFactory, SurveyQuestionFactory

pytestmark = pytest.mark.django_db

Kind = SurveyQuestion.Kind


@pytest.fixture
def survey():
    survey = SurveyFactory(open_on_site=True)
    section = SectionFactory(survey=survey, title="Over je werk")
    questions = {
        "role": SurveyQuestionFactory(section=section, kind=Kind.TEXT, label="Je functie", required=True),
        "story": SurveyQuestionFactory(section=section, kind=Kind.LONG_TEXT, label="Wat is er veranderd?"),
        "phase": SurveyQuestionFactory(section=section, kind=Kind.ONE_CHOICE, label="Welke fase?", required=True),
        "topics": SurveyQuestionFactory(section=section, kind=Kind.SEVERAL_CHOICES, label="Welke onderwerpen?"),
        "again": SurveyQuestionFactory(section=section, kind=Kind.YES_NO, label="Kom je weer?", required=True),
        "score": SurveyQuestionFactory(section=section, kind=Kind.NUMBER, label="Welk cijfer?"),
    }
    survey.q = questions
    return survey


def _name(question):
    return f"question_{question.pk}"


def _typed(survey, **changes):
    q = survey.q
    data = {
        _name(q["role"]): "Kraamverzorgende",
        _name(q["story"]): "Ik bel de verloskundige nu veel eerder.",
        _name(q["phase"]): "Kraamzorg",
        _name(q["topics"]): ["Verloskunde", "Sociaal werk"],
        _name(q["again"]): "yes",
        _name(q["score"]): "8",
    }
    for key, value in changes.items():
        if value is None:
            data.pop(_name(q[key]))
        else:
            data[_name(q[key])] = value
    return data


@pytest.fixture
def by_link(survey):
    participant = ParticipantFactory(survey=survey)
    url = reverse("surveys:answer_by_link", kwargs={"token": participant.token})
    return lambda data: Client(HTTP_ACCEPT_LANGUAGE="en").post(url, data)


def _kept(data, *, but=()):
    """What the page must still hold: everything typed, as lists (a radio or box group sends its values)."""
    return {name: value if isinstance(value, list) else [value] for name, value in data.items() if name not in but}


def _field_error(response, question):
    """The error under the field itself (crispy's invalid-feedback block with the field's id)."""
    page = response.content.decode()
    start = page.index(f'id="id_{_name(question)}_error"')
    return page[start : page.index("</div>", start)]


def test_a_missing_required_answer(survey, by_link):
    data = _typed(survey, role="", again=None)
    response = by_link(data)
    q = survey.q
    assert_error_page(
        response,
        fields=[f"id_{_name(q['role'])}", f"id_{_name(q['again'])}_0"],
        kept=_kept(data, but={_name(q["role"])}),
        title="Error:",
    )
    assert "This field is required." in _field_error(response, q["role"])
    assert "This field is required." in _field_error(response, q["again"])
    assert not Response.objects.exists()
    assert Participant.objects.get().answered_at is None


@pytest.mark.parametrize(
    ("key", "forged"),
    [("phase", "Tandarts"), ("topics", ["Verloskunde", "Tandarts"]), ("again", "misschien")],
)
def test_a_choice_that_is_not_offered(survey, by_link, key, forged):
    """A forged POST: the value is named in the message, and the other answers stay."""
    data = _typed(survey, **{key: forged})
    response = by_link(data)
    question = survey.q[key]
    assert_error_page(
        response, fields=[f"id_{_name(question)}_0"], kept=_kept(data, but={_name(question)}), title="Error:"
    )
    message = _field_error(response, question)
    assert "Select a valid choice." in message
    assert "is not one of the available choices" in message
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [("11", "less than or equal to 10"), ("-1", "greater than or equal to 0"), ("acht", "Enter a number.")],
)
def test_a_number_out_of_range_or_not_a_number(survey, by_link, typed, message):
    data = _typed(survey, score=typed)
    response = by_link(data)
    question = survey.q["score"]
    assert_error_page(response, fields=[f"id_{_name(question)}"], kept=_kept(data), title="Error:")
    assert message in _field_error(response, question)


def test_a_text_too_long_is_kept_to_shorten(survey, by_link):
    data = _typed(survey, role="x" * 501)
    response = by_link(data)
    question = survey.q["role"]
    assert_error_page(response, fields=[f"id_{_name(question)}"], kept=_kept(data), title="Error:")
    assert "at most 500 characters" in _field_error(response, question)


def test_on_the_site_the_same_messages_and_nothing_stored(survey, member):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(member)
    data = _typed(survey, phase="Tandarts", role="")
    response = client.post(survey.get_absolute_url(), data)
    q = survey.q
    assert_error_page(
        response,
        fields=[f"id_{_name(q['role'])}", f"id_{_name(q['phase'])}_0"],
        kept=_kept(data, but={_name(q["role"]), _name(q["phase"])}),
        title="Error:",
    )
    assert not Response.objects.exists()
    assert not Participant.objects.filter(answered_at__isnull=False).exists()


def test_a_named_answer_with_an_error_keeps_the_new_typing_not_the_stored_answers(survey, by_link):
    assert by_link(_typed(survey)).status_code == 302
    data = _typed(survey, role="", story="Een nieuw verhaal")
    response = by_link(data)
    assert_error_page(response, fields=[f"id_{_name(survey.q['role'])}"], kept=_kept(data, but=()), title="Error:")
    assert Response.objects.get().answers[str(survey.q["story"].pk)] == "Ik bel de verloskundige nu veel eerder."


def test_the_error_page_title_is_dutch_by_default(survey):
    participant = ParticipantFactory(survey=survey)
    response = Client().post(reverse("surveys:answer_by_link", kwargs={"token": participant.token}), {})
    assert_error_page(response, fields=[f"id_{_name(survey.q['role'])}"], title="Fout:")
