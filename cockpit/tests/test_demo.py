"""seed_demo's two years of history: every impact figure has something real to count, and a second run changes
nothing."""

import io
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import override_settings
from django.utils import timezone

from cockpit import demo
from cockpit.scope import Period
from conftest import restore_rows_the_migrations_make
from events.models import Event, Registration
from journal.models import Subscriber, Tip
from members.models import Discipline, Profile
from network.models import Coalition, Partnership, Phase, PhaseChange, Signature
from surveys import services as surveys_services
from surveys.models import MIN_GROUP, Response

MEDICAL = {
    Discipline.MIDWIFERY,
    Discipline.MATERNITY_CARE,
    Discipline.OBSTETRICS,
    Discipline.YOUTH_HEALTH_CARE,
    Discipline.GENERAL_PRACTICE,
}
SOCIAL = {Discipline.SOCIAL_WORK, Discipline.DEBT_COUNSELLING, Discipline.MENTAL_HEALTH, Discipline.YOUTH_CARE}


def _quarter(moment) -> str:
    return f"{moment.year}Q{(moment.month - 1) // 3 + 1}"


def _snapshot():
    """Every history row the demo makes, with its dates: equal snapshots mean the same data."""
    history = Event.objects.filter(slug__startswith="terugblik-")
    return {
        "events": sorted(history.values_list("slug", "starts_at", "kind", "coalition_id")),
        "registrations": sorted(
            Registration.objects.filter(event__in=history).values_list(
                "event__slug", "discipline", "state", "checked_in", "checked_in_at", "registered_at"
            )
        ),
        "feedback": sorted(
            Response.objects.filter(survey__feedback_event__in=history).values_list(
                "survey__feedback_event__slug", "discipline", "submitted_at"
            )
        ),
        "approvals": sorted(Profile.objects.values_list("user__email", "status", "status_changed_at", "created_at")),
        "partners": sorted(Partnership.objects.values_list("coalition__slug", "organisation__name", "since", "circle")),
        "signatures": sorted(Signature.objects.values_list("declaration__title", "partnership_id", "signed_on")),
        "phases": sorted(PhaseChange.objects.values_list("coalition__slug", "phase", "changed_on")),
        "current": sorted(Coalition.objects.values_list("slug", "phase", "phase_since")),
        "subscribers": sorted(Subscriber.objects.values_list("email", "confirmed_at")),
        "tips": sorted(Tip.objects.values_list("what", "state", "created_at")),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data, seeded once for this module inside a transaction that is rolled back at the end."""
    media = tmp_path_factory.mktemp("demo-media")
    overrides = override_settings(
        MEDIA_ROOT=media / "media",
        PRIVATE_MEDIA_ROOT=media / "private",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
    )
    with django_db_blocker.unblock(), overrides, transaction.atomic():
        restore_rows_the_migrations_make()  # a transactional test before this one may have flushed them
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def test_seed_demo_twice_leaves_the_same_history(seeded):
    first = _snapshot()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "History:" in out.getvalue()
    assert _snapshot() == first


def test_past_events_fill_the_last_two_years_with_check_ins_and_feedback(seeded):
    period = Period.default()
    history = Event.objects.filter(slug__startswith="terugblik-", starts_at__lt=timezone.now()).annotate(
        present=Count("registrations", filter=Q(registrations__checked_in=True), distinct=True),
        answers=Count("feedback_survey__responses", distinct=True),
    )
    in_period = [event for event in history if timezone.localtime(event.starts_at).date() >= period.start]
    assert len({(e.starts_at.year, e.starts_at.month) for e in in_period}) >= 20
    assert all(event.present >= MIN_GROUP and event.answers >= MIN_GROUP for event in history)
    assert len({event.kind for event in in_period}) >= 5
    local = Counter(event.coalition_id for event in in_period if event.coalition_id)
    assert sum(1 for event in in_period if event.coalition_id is None) >= 20 and len(local) >= 6
    # Medical and social professionals check in at the same event, at most of them.
    domains = defaultdict(set)
    checked_in = Registration.objects.filter(event__in=in_period, checked_in=True)
    for event_id, discipline in checked_in.values_list("event_id", "discipline"):
        domains[event_id] |= {"medical"} if discipline in MEDICAL else {"social"} if discipline in SOCIAL else set()
    assert sum(1 for found in domains.values() if found == {"medical", "social"}) >= len(in_period) * 0.7
    # The feedback scores are valid answers to each event's scale question, and differ between kinds.
    averages = {}
    for event in history[:12]:
        question = event.feedback_survey.questions.get(kind="scale")
        scores = [
            answers[str(question.pk)] for answers in event.feedback_survey.responses.values_list("answers", flat=True)
        ]
        assert all(score in range(1, 6) for score in scores)
        averages.setdefault(event.kind, []).extend(scores)
    assert len({round(sum(s) / len(s), 1) for s in averages.values()}) > 1


def test_members_partners_and_signatures_join_over_the_whole_period(seeded):
    period = Period.default()
    start = period.start
    approved = Profile.objects.approved().exclude(user__email__startswith="bench")
    quarters = Counter(_quarter(moment) for moment in approved.values_list("status_changed_at", flat=True))
    in_period = {_quarter(bucket.start) for bucket in period.buckets}
    assert sum(1 for quarter in in_period if quarters[quarter] >= MIN_GROUP) >= len(in_period) - 2
    assert approved.filter(status_changed_at__date__lt=start).count() >= 12, "the chart starts from a network"
    assert not approved.filter(status_changed_at__gt=timezone.now()).exists()
    assert not Profile.objects.filter(created_at__gt=timezone.now()).exists()
    assert Partnership.objects.filter(since__gte=start).values("since__year", "since__month").distinct().count() >= 8
    assert Signature.objects.filter(signed_on__gte=start).count() >= 20


def test_coalitions_move_between_phases_over_two_years_and_keep_their_phase_of_today(seeded):
    start = Period.default().start
    changed = Counter(PhaseChange.objects.filter(changed_on__gte=start).values_list("coalition__slug", flat=True))
    assert len(changed) >= 6 and sum(changed.values()) >= 10
    assert set(Coalition.objects.values_list("phase", flat=True)) == set(Phase.values)
    for coalition in Coalition.objects.all():
        latest = coalition.phase_changes.order_by("-changed_on", "-pk").first()
        assert (coalition.phase, coalition.phase_since) == (latest.phase, latest.changed_on)
    assert dict(Coalition.objects.filter(slug__in=demo.PHASE_STEPS).values_list("slug", "phase")) == {
        slug: steps[-1][1] for slug, steps in demo.PHASE_STEPS.items()
    }


def test_the_journal_and_the_pulse_have_history(seeded):
    quarters = Counter(
        _quarter(moment) for moment in Subscriber.objects.confirmed().values_list("confirmed_at", flat=True)
    )
    assert len(quarters) >= 4
    tips = Tip.objects.all()
    assert len({_quarter(moment) for moment in tips.values_list("created_at", flat=True)}) >= 4
    assert tips.filter(state=Tip.State.USED, story__isnull=False).count() >= 3
    used = tips.filter(state=Tip.State.USED, story__isnull=False).select_related("story")
    assert all(tip.created_at < tip.story.published_at for tip in used if tip.what in demo.TIPS)
    # Two years of the pulse, each with enough answers in most coalitions that the coalition's own figures show.
    pulses = list(surveys_services.pulses())
    assert len({timezone.localtime(survey.opens_at).year for survey in pulses}) == len(pulses) >= 2
    for survey in pulses:
        per_coalition = Counter(Response.objects.filter(survey=survey).values_list("coalition__slug", flat=True))
        assert sum(1 for count in per_coalition.values() if count >= MIN_GROUP) >= 5, per_coalition
        assert per_coalition["borsele"] >= MIN_GROUP
