"""The events' forms after an invalid submit: title "Fout:", a summary linking each error to its field, all kept."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from coalition.tests.form_errors import assert_error_page
from events.models import Event, Registration

from .factories import EventFactory, IntakeQuestionFactory, RegistrationFactory, feedback_answers

pytestmark = pytest.mark.django_db

LONG = "Wij nodigen je graag uit. " * 80  # 2,080 characters: over the 2,000 of these fields


def test_registering_without_a_required_answer_comes_back_with_the_summary_and_the_other_answers(member_client):
    event = EventFactory()
    required = IntakeQuestionFactory(event=event, label="How far is your coalition?", required=True)
    optional = IntakeQuestionFactory(event=event, label="What would you like to learn?")
    response = member_client.post(
        reverse("events:register", args=[event.slug]),
        {
            f"question_{required.pk}": "  ",
            f"question_{optional.pk}": "Hoe we ouders eerder bereiken",
            "consent_to_list": "on",
        },
    )
    assert_error_page(
        response,
        fields=[f"id_question_{required.pk}"],
        kept={f"question_{optional.pk}": "Hoe we ouders eerder bereiken", "consent_to_list": ["on"]},
    )
    assert not Registration.objects.exists()


def test_feedback_without_a_score_comes_back_with_the_summary_at_the_score_and_the_answers_kept(client):
    registration = RegistrationFactory(event=EventFactory(starts_at=timezone.now() - timedelta(hours=3)))
    client.force_login(registration.profile.user)
    answer_page = client.get(reverse("events:feedback", args=[registration.event.slug])).url
    registration.event.refresh_from_db()
    data = feedback_answers(registration.event, score="", valuable="De casus", improve="Meer tijd")
    score, valuable, improve = (name for name in data)
    response = client.post(answer_page, data)
    # The score is a scale, a row of options: the summary links to its first.
    kept = {score: [], valuable: "De casus", improve: "Meer tijd"}
    assert_error_page(response, fields=[f"id_{score}_0"], kept=kept)


def test_an_invitation_with_a_message_over_the_limit_comes_back_with_the_summary_and_the_choices(coordinator_client):
    event = EventFactory()
    response = coordinator_client.post(
        reverse("events:invite", args=[event.slug]),
        {"segment-disciplines": ["midwifery"], "segment-source_subscribers": "on", "message": LONG},
    )
    assert_error_page(
        response,
        fields=["id_message"],
        kept={"segment-disciplines": ["midwifery"], "segment-source_subscribers": ["on"], "message": LONG},
    )


def test_an_invitation_to_nobody_comes_back_with_the_summary_saying_so(coordinator_client):
    response = coordinator_client.post(reverse("events:invite", args=[EventFactory().slug]), {"message": ""})
    page = assert_error_page(response, fields=[])
    assert page.summary_links == []  # the error belongs to no field: listed, not linked


def test_cancelling_with_a_message_over_the_limit_comes_back_with_the_summary_and_the_message(coordinator_client):
    event = EventFactory()
    RegistrationFactory(event=event)  # someone to tell: the page asks for the message
    response = coordinator_client.post(reverse("events:cancel_event", args=[event.slug]), {"reason": LONG})
    assert_error_page(response, fields=["id_reason"], kept={"reason": LONG})
    event.refresh_from_db()
    assert event.state != Event.State.CANCELLED
