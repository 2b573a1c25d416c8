"""The surveys' admin: a survey built with its sections and questions as ordered lists (choices as lines, never
JSON), readable lists with the response rate in one query, and the answers read-only, never naming anyone in an
anonymous survey."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coalition.tests.query_counts import assert_same_count_as_data_grows

from ..models import Participant, Response, Section, Survey, SurveyQuestion
from .factories_sending import (
    ParticipantFactory,
    ResponseFactory,
    SectionFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    survey_with_questions,
)

pytestmark = pytest.mark.django_db

ADD_URL = "admin:surveys_survey_add"


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _survey_fields(**fields):
    return {
        "title": "Behoeften voor de regiobijeenkomst",
        "slug": "behoeften-regiobijeenkomst",
        "kind": Survey.Kind.NEEDS,
        "coalition": "",
        "introduction": "Drie minuten.",
        "state": Survey.State.DRAFT,
        "opens_at_0": "",
        "opens_at_1": "",
        "closes_at_0": "",
        "closes_at_1": "",
        "results_for": Survey.ResultsFor.COALITION,
        **fields,
    }


def _question(prefix, index, *, label, kind, position, section="", choices="", pk="", required=False):
    data = {
        f"{prefix}-{index}-id": str(pk),
        f"{prefix}-{index}-label": label,
        f"{prefix}-{index}-kind": kind,
        f"{prefix}-{index}-position": str(position),
        f"{prefix}-{index}-section": str(section),
        f"{prefix}-{index}-help_text": "",
        f"{prefix}-{index}-choices": choices,
        f"{prefix}-{index}-min_value": "",
        f"{prefix}-{index}-max_value": "",
    }
    if required:
        data[f"{prefix}-{index}-required"] = "on"
    return data


def _section(prefix, index, *, title, position, pk=""):
    return {
        f"{prefix}-{index}-id": str(pk),
        f"{prefix}-{index}-title": title,
        f"{prefix}-{index}-position": str(position),
        f"{prefix}-{index}-introduction": "",
    }


def _errors(response):
    if response.status_code == 302:
        return None
    errors = [response.context["adminform"].form.errors]
    errors += [inline.formset.errors for inline in response.context["inline_admin_formsets"]]
    errors += [inline.formset.non_form_errors() for inline in response.context["inline_admin_formsets"]]
    return errors


def test_a_survey_is_built_with_ordered_sections_and_questions_and_choices_as_lines(coordinator_client, coordinator):
    data = {
        **_survey_fields(),
        **_management("sections", 2),
        **_section("sections", 0, title="Over jou", position=1),
        **_section("sections", 1, title="Wat je wilt leren", position=2),
        **_management("questions", 3),
        **_question(
            "questions",
            0,
            label="Welke onderwerpen?",
            kind="several_choices",
            position=2,
            choices="Sport\n\n Voeding \nSport\nSlaap",
        ),
        **_question("questions", 1, label="Je discipline?", kind="text", position=1, required=True),
        **_question("questions", 2, label="Nog iets?", kind="long_text", position=3),
    }

    response = coordinator_client.post(reverse(ADD_URL), data)

    assert response.status_code == 302, _errors(response)
    survey = Survey.objects.get(slug="behoeften-regiobijeenkomst")
    assert survey.created_by == coordinator
    assert [s.title for s in survey.sections.all()] == ["Over jou", "Wat je wilt leren"]
    assert [q.label for q in survey.questions.all()] == ["Je discipline?", "Welke onderwerpen?", "Nog iets?"]
    assert survey.questions.get(label="Welke onderwerpen?").choices == ["Sport", "Voeding", "Slaap"]

    # Once saved, the questions are placed under the survey's sections and moved in one save.
    about, learning = survey.sections.all()
    first, second, third = survey.questions.all()
    change = reverse("admin:surveys_survey_change", args=[survey.pk])
    page = coordinator_client.get(change)
    section_field = next(
        inline.formset.forms[0].fields["section"]
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is SurveyQuestion
    )
    assert set(section_field.queryset) == {about, learning}
    data = {
        **_survey_fields(slug=survey.slug),
        **_management("sections", 2, initial=2),
        **_section("sections", 0, title="Over jou", position=1, pk=about.pk),
        **_section("sections", 1, title="Wat je wilt leren", position=2, pk=learning.pk),
        **_management("questions", 3, initial=3),
        **_question("questions", 0, label=first.label, kind="text", position=3, section=about.pk, pk=first.pk),
        **_question(
            "questions",
            1,
            label=second.label,
            kind="several_choices",
            position=1,
            section=learning.pk,
            choices="Sport\nVoeding\nSlaap",
            pk=second.pk,
        ),
        **_question("questions", 2, label=third.label, kind="long_text", position=2, section=learning.pk, pk=third.pk),
    }

    response = coordinator_client.post(change, data)

    assert response.status_code == 302, _errors(response)
    assert [(q.label, q.section.title) for q in survey.questions.select_related("section")] == [
        ("Welke onderwerpen?", "Wat je wilt leren"),
        ("Nog iets?", "Wat je wilt leren"),
        ("Je discipline?", "Over jou"),
    ]


def test_a_question_cannot_be_placed_under_another_surveys_section(coordinator_client):
    survey = survey_with_questions(state=Survey.State.DRAFT)
    foreign = SectionFactory(title="Van een andere peiling")
    questions = list(survey.questions.all())
    data = {
        **_survey_fields(slug=survey.slug, title=survey.title),
        **_management("sections", 0),
        **_management("questions", 2, initial=2),
        **_question(
            "questions", 0, label=questions[0].label, kind="text", position=1, section=foreign.pk, pk=questions[0].pk
        ),
        **_question("questions", 1, label=questions[1].label, kind="long_text", position=2, pk=questions[1].pk),
    }

    response = coordinator_client.post(reverse("admin:surveys_survey_change", args=[survey.pk]), data)

    assert response.status_code == 200
    question_formset = next(
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.model is SurveyQuestion
    )
    assert "section" in question_formset.forms[0].errors
    assert SurveyQuestion.objects.get(pk=questions[0].pk).section is None


def test_a_choice_question_needs_two_choices_at_its_field(coordinator_client):
    data = {
        **_survey_fields(),
        **_management("sections", 0),
        **_management("questions", 1),
        **_question("questions", 0, label="Welke?", kind="one_choice", position=1, choices="Alleen deze"),
    }

    response = coordinator_client.post(reverse(ADD_URL), data)

    assert response.status_code == 200
    formset = next(
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.model is SurveyQuestion
    )
    assert "choices" in formset.forms[0].errors
    assert not Survey.objects.filter(slug="behoeften-regiobijeenkomst").exists()


@pytest.mark.parametrize("slug", ["manage", "answer"])
def test_a_slug_the_survey_pages_use_is_refused(coordinator_client, slug):
    data = {**_survey_fields(slug=slug), **_management("sections", 0), **_management("questions", 0)}

    response = coordinator_client.post(reverse(ADD_URL), data)

    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors


def test_the_list_shows_kind_coalition_state_dates_responses_and_rate_with_links(coordinator_client):
    survey = survey_with_questions()
    ParticipantFactory.create_batch(3, survey=survey)
    ParticipantFactory(survey=survey, answered_at=timezone.now())
    ResponseFactory.create_batch(2, survey=survey)

    page = coordinator_client.get(reverse("admin:surveys_survey_changelist"), HTTP_ACCEPT_LANGUAGE="en")

    content = page.content.decode()
    row = page.context["cl"].result_list[0]
    assert (row.invited_count, row.answered_count, row.response_count) == (4, 1, 2)
    assert "25% (1 of 4)" in content
    assert reverse("surveys:manage", kwargs={"slug": survey.slug}) in content
    assert reverse("surveys:results", kwargs={"slug": survey.slug}) in content


def test_the_list_takes_as_many_queries_for_many_surveys_and_1000_participants(coordinator_client, coordinator):
    def grow(n):
        for _ in range(n):
            survey = survey_with_questions(coalition=None)
            now = timezone.now()
            Participant.objects.bulk_create(
                Participant(
                    survey=survey,
                    email=f"{survey.slug}-{i}@example.org",
                    invited_at=now,
                    answered_at=now if i % 2 else None,
                )
                for i in range(100)
            )
            ResponseFactory.create_batch(2, survey=survey)

    assert_same_count_as_data_grows(coordinator_client, reverse("admin:surveys_survey_changelist"), grow)
    assert Participant.objects.count() == 1000


def test_the_change_page_takes_as_many_queries_for_many_questions_under_sections(coordinator_client):
    survey = survey_with_questions(state=Survey.State.DRAFT)
    sections = [SectionFactory(survey=survey), SectionFactory(survey=survey)]

    def grow(n):
        for i in range(n):
            SurveyQuestionFactory(survey=survey, section=sections[i % 2])

    assert_same_count_as_data_grows(coordinator_client, reverse("admin:surveys_survey_change", args=[survey.pk]), grow)


def test_coalition_coordinators_do_not_use_the_surveys_admin(coalition_coordinator):
    client = Client()
    client.force_login(coalition_coordinator)
    survey = SurveyFactory(coalition=coalition_coordinator.coalition_roles.get().coalition)

    assert client.get(reverse("admin:surveys_survey_changelist")).status_code == 403
    assert client.get(reverse("admin:surveys_survey_change", args=[survey.pk])).status_code == 403
    assert client.get(reverse("admin:surveys_response_changelist")).status_code == 403


# --- Answers: read only, readable, nobody named in an anonymous survey ----------------------------------------------


def _answered(survey, participant=None):
    section = SectionFactory(survey=survey, title="Over jou", position=1)
    yes_no = SurveyQuestionFactory(survey=survey, section=section, label="Werk je met ouders?", kind="yes_no")
    several = SurveyQuestionFactory(
        survey=survey, label="Onderwerpen", kind="several_choices", choices=["Sport", "Voeding", "Slaap"]
    )
    number = SurveyQuestionFactory(survey=survey, label="Hoeveel jaar?", kind="number")
    return ResponseFactory(
        survey=survey,
        participant=participant,
        answers={str(yes_no.pk): True, str(several.pk): ["Sport", "Slaap"], str(number.pk): "2.5"},
    )


def test_a_named_response_shows_who_and_the_answers_per_question(coordinator_client):
    survey = SurveyFactory()
    participant = ParticipantFactory(survey=survey, name="Fatima El Amrani", answered_at=timezone.now())
    response = _answered(survey, participant)

    page = coordinator_client.get(
        reverse("admin:surveys_response_change", args=[response.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    content = page.content.decode()
    assert "Fatima El Amrani" in content
    assert "Werk je met ouders?" in content
    assert "Sport, Slaap" in content
    assert "2,5" in content or "2.5" in content
    assert "{&quot;" not in content and '{"' not in content  # never the JSON
    listing = coordinator_client.get(reverse("admin:surveys_response_changelist")).content.decode()
    assert "Fatima El Amrani" in listing


def test_an_anonymous_response_never_shows_a_participant(coordinator_client):
    survey = SurveyFactory(is_anonymous=True)
    answered_at = timezone.now() - timedelta(hours=3, minutes=17)
    participant = ParticipantFactory(
        survey=survey,
        name="Sanne de Wit",
        invited_at=answered_at - timedelta(days=2, minutes=41),
        answered_at=answered_at,
    )
    # Even if a row were tied to someone (it never is: the answering service stores none), the admin shows nobody.
    response = _answered(survey, participant)
    Response.objects.filter(pk=response.pk).update(submitted_at=answered_at)
    response.refresh_from_db()

    page = coordinator_client.get(reverse("admin:surveys_response_change", args=[response.pk])).content.decode()
    listing = coordinator_client.get(reverse("admin:surveys_response_changelist")).content.decode()

    assert "Sanne de Wit" not in page
    assert "Sanne de Wit" not in listing
    assert "Sport, Slaap" in page
    # Not the time either (it would match the time the person answered), there nor on the participant.
    hour = timezone.localtime(response.submitted_at).strftime("%H:%M")
    assert hour not in page and hour not in listing
    participant_page = coordinator_client.get(
        reverse("admin:surveys_participant_change", args=[participant.pk])
    ).content.decode()
    assert timezone.localtime(participant.answered_at).strftime("%H:%M") not in participant_page


def test_participants_and_responses_are_read_only(coordinator_client):
    survey = SurveyFactory()
    participant = ParticipantFactory(survey=survey)
    response = ResponseFactory(survey=survey)

    assert coordinator_client.get(reverse("admin:surveys_participant_add")).status_code == 403
    assert coordinator_client.get(reverse("admin:surveys_response_add")).status_code == 403
    assert coordinator_client.get(reverse("admin:surveys_response_delete", args=[response.pk])).status_code == 403
    page = coordinator_client.get(reverse("admin:surveys_participant_change", args=[participant.pk]))
    assert page.status_code == 200
    assert b'name="email"' not in page.content
    assert Response.objects.count() == 1 and not Section.objects.filter(survey=survey).exists()
