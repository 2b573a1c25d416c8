"""The surveys' demo data: a needs inventory answered across coalitions and phases, two years of the pulse."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from members import demo as members_demo
from network import demo as network_demo
from surveys import demo, services
from surveys.models import MIN_GROUP, Participant, Response, Section, Survey, SurveyQuestion, clean_answers

pytestmark = pytest.mark.django_db


def _counts():
    return [model.objects.count() for model in (Survey, Section, SurveyQuestion, Participant, Response)] + [
        Response.objects.filter(participant__isnull=False).count()
    ]


def test_seed_demo_twice_leaves_the_same_surveys_and_answers(capsys):
    call_command("seed_demo")
    counts = _counts()
    assert "survey answers" in capsys.readouterr().out
    call_command("seed_demo")
    assert _counts() == counts
    # The pulse template, the needs inventory, two pulses; and the events' demo feedback, each its event's survey.
    assert Survey.objects.exclude(kind=Survey.Kind.FEEDBACK).count() == 4
    feedback = Survey.objects.filter(kind=Survey.Kind.FEEDBACK)
    assert feedback.exists() and not feedback.filter(feedback_event__isnull=True).exists()


@pytest.fixture
def seeded():
    members_demo.seed()
    network_demo.seed()
    demo.seed()


def test_every_demo_answer_is_one_the_form_would_take(seeded):
    responses = Response.objects.select_related("survey").prefetch_related("survey__questions")
    assert responses.count() > 60
    for response in responses:
        assert clean_answers(response.survey.questions.all(), response.answers) == response.answers


def test_the_needs_inventory_is_anonymous_open_and_answered_by_every_phase_in_groups_that_show(seeded):
    survey = Survey.objects.get(slug=demo.NEEDS_SLUG)
    assert survey.title == "Wat wil je leren op de regionale bijeenkomst?"
    assert survey.kind == Survey.Kind.NEEDS and survey.is_anonymous and survey.is_open()
    responses = Response.objects.filter(survey=survey)
    phases = Counter(responses.values_list("coalition_phase", flat=True))
    coalitions = Counter(responses.values_list("coalition", flat=True))
    assert len(phases) >= 4 and len(coalitions) >= 5
    assert sum(count >= MIN_GROUP for count in phases.values()) >= 3  # the breakdown by phase shows
    assert sum(count >= MIN_GROUP for count in coalitions.values()) >= 3
    assert responses.count() == survey.participants.filter(answered_at__isnull=False).count()
    assert survey.participants.filter(answered_at__isnull=True, profile__user__email=demo.DEMO_MEMBER).exists()
    # Anonymous as answering makes it: no participant, and no moment to match one by.
    assert not responses.filter(participant__isnull=False).exists()
    answered = set(survey.participants.values_list("answered_at", flat=True))
    assert not answered & set(responses.values_list("submitted_at", flat=True))


def test_two_years_of_the_pulse_show_a_trend(seeded):
    this_year = timezone.localdate().year
    last, this = services.pulses().order_by("opens_at")
    assert (last.title, this.title) == (f"Netwerkpeiling {this_year - 1}", f"Netwerkpeiling {this_year}")
    assert last.has_closed() and this.is_open() and not (last.is_anonymous or this.is_anonymous)
    assert this.responses.filter(participant__isnull=False).count() == this.responses.count() > MIN_GROUP
    assert this.participants.filter(answered_at__isnull=True, profile__user__email=demo.DEMO_MEMBER).exists()
    trend = services.pulse_trend()
    assert trend.years == [this_year - 1, this_year]
    satisfied = next(line for line in trend.questions if "tevreden" in line.label)
    before, now = satisfied.points
    assert not (before.is_hidden or now.is_hidden)
    assert now.average > before.average


def test_the_demo_is_what_the_retention_task_leaves(seeded):
    """A pulse that closed longer ago than the retention period is already detached, as the nightly task does."""
    assert services.detach_responses() == 0
    cutoff = services.retention_cutoff()
    for survey in Survey.objects.filter(closes_at__lt=cutoff):
        assert not survey.responses.filter(participant__isnull=False).exists()
