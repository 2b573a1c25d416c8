"""The survey as a person meets it: by the personal link without logging in, or on the site as a member."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coalition.tests.form_errors import read

from ..models import Participant, Response, SurveyQuestion
from .factories import (
    ParticipantFactory,
    ResponseFactory,
    SectionFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    answers_to,
    questions_of_every_kind,
)

pytestmark = pytest.mark.django_db

Kind = SurveyQuestion.Kind


def _client(user=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _link(participant):
    return reverse("surveys:answer_by_link", kwargs={"token": participant.token})


def _text(response):
    """The page's visible words, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def survey():
    """A named survey: one question before the sections, two sections of which the second asks every kind."""
    survey = SurveyFactory(title="Wat wil je leren?", introduction="Drie minuten, beloofd.")
    SurveyQuestionFactory(survey=survey, kind=Kind.TEXT, label="Je functie", required=True, position=0)
    first = SectionFactory(survey=survey, title="Samenwerken", introduction="Over de coalitie.", position=1)
    SurveyQuestionFactory(section=first, kind=Kind.LONG_TEXT, label="Wie bel je nu eerder?", position=1)
    second = SectionFactory(survey=survey, title="De regiobijeenkomst", introduction="", position=2)
    questions_of_every_kind(survey, section=second)
    return survey


def _post_data(survey, **by_label):
    """Form data answering every question validly; `by_label` overrides (None leaves one out)."""
    data = {}
    for question in survey.questions.all():
        value = by_label.get(question.label, answers_to([question])[str(question.pk)])
        if value is None:
            continue
        if question.kind == Kind.YES_NO and isinstance(value, bool):
            value = "yes" if value else "no"
        data[f"question_{question.pk}"] = value
    return data


# --- By the personal link, without logging in ------------------------------------------------------------------


def test_the_link_shows_the_survey_with_its_sections_and_questions(survey):
    participant = ParticipantFactory(survey=survey)
    response = _client().get(_link(participant))
    assert response.status_code == 200
    text = _text(response)
    for words in ("Wat wil je leren?", "Drie minuten, beloofd.", "Samenwerken", "Over de coalitie.", "Je functie"):
        assert words in text
    assert "Open until" in text and "Named: your answers are stored with your name" in text
    assert "9 questions" in text
    page = response.content.decode()
    assert page.count('<fieldset class="mb-4">') == 2, "each section is a fieldset"
    assert '<legend class="h3">Samenwerken</legend>' in page
    # In the page's order: the question without a section, then the sections in theirs.
    positions = [page.index(label) for label in ("Je functie", "Samenwerken", "Wie bel je nu eerder?", "De regio")]
    assert positions == sorted(positions)
    assert "asteriskField" in page, "the required question is marked"
    assert "novalidate" in page


def test_answering_by_link_stores_the_answers_and_thanks(survey):
    participant = ParticipantFactory(survey=survey)
    client = _client()
    response = client.post(_link(participant), _post_data(survey))
    thanks = reverse("surveys:answer_thanks", kwargs={"token": participant.token})
    assert response.status_code == 302 and response["Location"] == thanks
    stored = Response.objects.get(participant=participant)
    assert stored.answers == answers_to(survey.questions.all())
    page = client.get(thanks)
    text = _text(page)
    assert "Thank you for your answers" in text
    assert "You can change your answers until" in text
    assert f'href="{_link(participant)}"' in page.content.decode()
    assert not page.context["may_see_results"], "the results need an account"


def test_the_link_of_a_named_survey_shows_the_answers_to_change(survey):
    participant = ParticipantFactory(survey=survey)
    ResponseFactory(survey=survey, participant=participant)
    response = _client().get(_link(participant))
    assert "You have answered this survey. You can change your answers until" in _text(response)
    values = read(response).values
    for question in survey.questions.all():
        expected = answers_to([question])[str(question.pk)]
        if question.kind == Kind.YES_NO:
            expected = "yes" if expected else "no"
        expected = expected if isinstance(expected, list) else [str(expected)]
        assert values[f"question_{question.pk}"] == expected, question.kind
    changed = _client().post(_link(participant), _post_data(survey, **{"Je functie": "Kraamverzorgende"}))
    assert changed.status_code == 302
    stored = Response.objects.get(participant=participant)
    assert stored.answers[str(survey.questions.get(label="Je functie").pk)] == "Kraamverzorgende"
    assert stored.updated_at is not None


def test_the_thanks_before_answering_leads_to_the_form(survey):
    participant = ParticipantFactory(survey=survey)
    response = _client().get(reverse("surveys:answer_thanks", kwargs={"token": participant.token}))
    assert response.status_code == 302 and response["Location"] == _link(participant)


def test_a_reused_link_of_an_answered_anonymous_survey_says_so():
    survey = SurveyFactory(is_anonymous=True)
    questions_of_every_kind(survey)
    participant = ParticipantFactory(survey=survey)
    client = _client()
    assert client.post(_link(participant), _post_data(survey)).status_code == 302
    thanks = client.get(reverse("surveys:answer_thanks", kwargs={"token": participant.token}))
    assert "Your answers are stored without your name." in _text(thanks)
    assert "Change my answers" not in _text(thanks)
    again = client.get(_link(participant))
    assert again.status_code == 200
    assert "You have already answered this anonymous survey; anonymous answers cannot be changed." in _text(again)
    assert "<form" not in again.content.decode().split("<main")[1]
    posted = client.post(_link(participant), _post_data(survey))
    assert "You have already answered this anonymous survey" in _text(posted)
    assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "x" * 43, "-"],
)
def test_an_unknown_or_tampered_link_is_a_clear_404(token):
    ParticipantFactory()
    response = _client().get(reverse("surveys:answer_by_link", kwargs={"token": token}))
    assert response.status_code == 404
    assert "This link is not valid" in _text(response)
    assert "Copy the whole link from the mail" in _text(response)
    thanks = _client().get(reverse("surveys:answer_thanks", kwargs={"token": token}))
    assert thanks.status_code == 404


def test_a_link_changed_by_one_character_is_not_valid(survey):
    participant = ParticipantFactory(survey=survey)
    token = participant.token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = _client().post(reverse("surveys:answer_by_link", kwargs={"token": tampered}), _post_data(survey))
    assert response.status_code == 404
    assert not Response.objects.exists()


def test_the_link_of_a_survey_taken_back_to_draft_is_not_valid():
    participant = ParticipantFactory(survey=SurveyFactory(draft=True))
    assert _client().get(_link(participant)).status_code == 404


def test_a_closed_survey_says_when_it_closed():
    closes_at = timezone.make_aware(timezone.datetime(2026, 11, 20, 17, 0))
    survey = SurveyFactory(opens_at=closes_at - timedelta(days=14), closes_at=closes_at)
    participant = ParticipantFactory(survey=survey)
    response = _client().get(_link(participant))
    assert response.status_code == 200
    assert "This survey closed on Friday 20 November 2026, 17:00." in _text(response)
    assert "<form" not in response.content.decode().split("<main")[1]


def test_a_survey_not_yet_open_says_when_it_opens():
    participant = ParticipantFactory(survey=SurveyFactory(not_yet_open=True))
    assert "This survey opens on" in _text(_client().get(_link(participant)))


def test_an_answer_sent_after_the_close_is_refused_and_says_so(survey):
    participant = ParticipantFactory(survey=survey)
    client = _client()
    assert client.get(_link(participant)).status_code == 200
    survey.opens_at = timezone.now() - timedelta(days=2)
    survey.closes_at = timezone.now() - timedelta(minutes=1)
    survey.save()
    response = client.post(_link(participant), _post_data(survey))
    assert response.status_code == 200
    assert "This survey closed on" in _text(response)
    assert not Response.objects.exists()


# --- On the site ---------------------------------------------------------------------------------------------------


@pytest.fixture
def on_site(survey):
    survey.open_on_site = True
    survey.save()
    return survey


def test_a_member_answers_on_the_site_and_can_change_it(on_site, member):
    client = _client(member)
    url = on_site.get_absolute_url()
    assert url == f"/surveys/{on_site.slug}/"
    response = client.post(url, _post_data(on_site))
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:survey_thanks", kwargs={"slug": on_site.slug})
    stored = Response.objects.get()
    assert stored.participant.profile == member.profile
    again = client.get(url)
    assert "You have answered this survey" in _text(again)
    assert read(again).values[f"question_{on_site.questions.get(label='Je functie').pk}"] == ["Vroegsignalering"]
    assert "Save my answers" in _text(again)


def test_the_thanks_on_the_site_before_answering_leads_to_the_form(on_site, member):
    response = _client(member).get(reverse("surveys:survey_thanks", kwargs={"slug": on_site.slug}))
    assert response.status_code == 302 and response["Location"] == on_site.get_absolute_url()


def test_the_thanks_offers_the_results_when_the_rules_allow(on_site, coordinator):
    client = _client(coordinator)
    client.post(on_site.get_absolute_url(), _post_data(on_site))
    response = client.get(reverse("surveys:survey_thanks", kwargs={"slug": on_site.slug}))
    assert response.context["may_see_results"] is True


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("pending_member", 403),
        ("declined_member", 403),
        ("member", 200),
        ("editor", 200),
        ("coalition_coordinator", 200),
        ("coordinator", 200),
    ],
)
def test_answering_on_the_site_is_for_approved_members(request, on_site, role, expected):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    for url in (on_site.get_absolute_url(), reverse("surveys:survey_thanks", kwargs={"slug": on_site.slug})):
        response = _client(user).get(url)
        if expected == 200 and url.endswith("thanks/"):
            assert response.status_code == 302  # not answered yet: to the form
            continue
        assert response.status_code == expected, url
        if expected == 302:
            assert reverse("account_login") in response["Location"]
    if expected == 403:
        posted = _client(user).post(on_site.get_absolute_url(), _post_data(on_site))
        assert posted.status_code == 403
        assert not Response.objects.exists()


def test_a_survey_only_mailed_is_not_answered_on_the_site(survey, member):
    response = _client(member).get(survey.get_absolute_url())
    assert response.status_code == 403
    assert "This survey is answered through the personal link in its mail." in _text(response)


def test_a_draft_is_not_found_on_the_site(member):
    survey = SurveyFactory(draft=True, open_on_site=True)
    assert _client(member).get(survey.get_absolute_url()).status_code == 404


def test_the_link_works_for_anyone_who_has_it_whatever_their_standing(survey, pending_member):
    """The mailed link is the key, not the account: a pending member (or someone else logged in) answers as the
    participant the link belongs to."""
    participant = ParticipantFactory(survey=survey)
    response = _client(pending_member).post(_link(participant), _post_data(survey))
    assert response.status_code == 302
    assert Response.objects.get().participant == participant
    assert not Participant.objects.filter(profile=pending_member.profile).exists()


# --- The list ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("pending_member", 403),
        ("declined_member", 403),
        ("member", 200),
        ("editor", 200),
        ("coalition_coordinator", 200),
        ("coordinator", 200),
    ],
)
def test_the_list_is_for_approved_members(request, role, expected):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    assert _client(user).get(reverse("surveys:survey_list")).status_code == expected


def test_the_list_shows_what_a_member_can_answer(member):
    on_site = SurveyFactory(title="Op de site", open_on_site=True)
    mailed = SurveyFactory(title="Gemaild en open")
    mailed_link = ParticipantFactory(survey=mailed, profile=member.profile)
    answered_named = SurveyFactory(title="Al beantwoord op naam")
    ResponseFactory(
        survey=answered_named, participant=ParticipantFactory(survey=answered_named, profile=member.profile)
    )
    answered_anonymous = SurveyFactory(title="Anoniem en al beantwoord", is_anonymous=True)
    ParticipantFactory(survey=answered_anonymous, profile=member.profile, answered_at=timezone.now())
    SurveyFactory(title="Gemaild aan een ander")
    ParticipantFactory(survey=SurveyFactory(title="Gesloten", closed=True), profile=member.profile)
    SurveyFactory(title="Concept", draft=True, open_on_site=True)
    SurveyFactory(title="Nog niet open", not_yet_open=True, open_on_site=True)

    response = _client(member).get(reverse("surveys:survey_list"))
    shown = [survey.title for survey in response.context["surveys"]]
    assert sorted(shown) == ["Al beantwoord op naam", "Gemaild en open", "Op de site"]
    page = response.content.decode()
    assert f'href="{on_site.get_absolute_url()}"' in page
    assert f'href="{_link(mailed_link)}"' in page, "a mailed survey opens by the member's own link"
    text = _text(response)
    assert text.count("Not answered yet") == 2
    assert text.count("Answered") == 1
    assert "Closes" in text


def test_the_list_says_when_there_is_nothing_to_answer(member):
    assert "There are no surveys for you to answer at the moment." in _text(_client(member).get("/surveys/"))


def test_the_header_links_to_the_surveys_for_approved_members_only(member, pending_member):
    assert 'href="/surveys/"' in _client(member).get("/").content.decode()
    assert 'href="/surveys/"' not in _client(pending_member).get("/").content.decode()
    assert 'href="/surveys/"' not in _client().get("/").content.decode()


def test_a_member_answers_an_anonymous_survey_on_the_site_once(member):
    survey = SurveyFactory(is_anonymous=True, open_on_site=True)
    SurveyQuestionFactory(survey=survey, kind=Kind.LONG_TEXT, label="Wat moet anders?")
    client = _client(member)
    page = client.get(survey.get_absolute_url())
    assert "Anonymous: your answers are stored without your name" in _text(page)
    data = {f"question_{survey.questions.get().pk}": "Meer tijd voor elkaar."}
    assert client.post(survey.get_absolute_url(), data).status_code == 302
    thanks = client.get(reverse("surveys:survey_thanks", kwargs={"slug": survey.slug}))
    assert "Your answers are stored without your name." in _text(thanks)
    again = client.get(survey.get_absolute_url())
    assert "You have already answered this anonymous survey" in _text(again)
    assert "Meer tijd voor elkaar." not in again.content.decode()
    assert Response.objects.get().participant is None


def test_an_account_without_a_profile_sees_the_surveys_on_the_site(django_user_model):
    """A superuser (the portal's first account) has no profile: the list and the answer page still work."""
    admin = django_user_model.objects.create_superuser(email="admin@example.org", password="x")
    survey = SurveyFactory(title="Voor iedereen", open_on_site=True)
    SurveyFactory(title="Alleen gemaild")
    client = _client(admin)
    response = client.get(reverse("surveys:survey_list"))
    assert [shown.title for shown in response.context["surveys"]] == ["Voor iedereen"]
    assert client.post(survey.get_absolute_url(), {}).status_code == 302
    participant = Participant.objects.get(survey=survey)
    assert (participant.profile, participant.email) == (None, "admin@example.org")
    assert (Response.objects.get().coalition, Response.objects.get().discipline) == (None, "")
