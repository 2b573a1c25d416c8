"""Demo data of the surveys: a needs inventory before the regional meeting, and two years of the network pulse.

Runs after the members and network demos (it asks their approved members, counted for their coalitions). The needs
inventory is anonymous and open, with answers from every coalition and phase, enough per group that the breakdowns
show (and a small group that stays hidden); the pulse of last year is closed and this year's is open, both named,
with answers that improve a little so the trend shows. The demo login (member@example.org) has not answered the open
ones, to try them. Idempotent: a survey that exists is left alone. Rows are made with bulk_create.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from members.models import Profile
from network.audiences import Segment
from network.models import coalition_of

from . import services
from .models import Participant, Response, Section, Survey, SurveyQuestion, clean_answers

REGIONAL_COORDINATOR = "coordinator@example.org"
DEMO_MEMBER = "member@example.org"

NEEDS_SLUG = "wat-wil-je-leren-regionale-bijeenkomst"
TOPICS = [
    "Vroegsignalering in de zwangerschap",
    "Armoede en schulden bespreekbaar maken",
    "Mentale gezondheid van ouders",
    "Samenwerken met kinderopvang en school",
    "Een coalitie opzetten en gaande houden",
    "Impact meten en laten zien",
]
FORMS = ["Workshop met oefeningen", "Presentatie met vragen", "Werkbezoek", "Online kennissessie"]
# What a coalition in a phase asks for first: a coalition that is starting wants to know how to start.
PHASE_TOPICS = {
    "exploring": [4, 0],
    "forming": [4, 3],
    "planning": [1, 0],
    "carrying_out": [1, 2],
    "embedding": [5, 2],
}
WISHES = [
    "Graag voorbeelden uit andere gemeenten.",
    "Niet te veel presentaties, liever in gesprek.",
    "Een bijeenkomst aan het eind van de middag past mij het best.",
    "Kunnen we ook de huisartsen uitnodigen?",
    "",
]
IMPROVEMENTS = [
    "Vaste contactpersonen per organisatie.",
    "Vaker een korte overlegtafel met de kraamzorg.",
    "Een actuele sociale kaart.",
    "Meer tijd om elkaar te leren kennen.",
    "Terugkoppeling na een verwijzing.",
]


# Rows per bulk UPDATE of the demo's participants: one UPDATE's CASE has an arm per row, tried in turn for every row
# it updates, so a single statement grows with the square of its rows (a 50,000-member seed spent most of an hour
# in one).
UPDATE_BATCH = 500


def _aware(year, month, day, hour=9):
    return timezone.make_aware(datetime(year, month, day, hour))


def _respondents():
    """The approved members with the coalition they count for, by name; the coalition is looked up once each."""
    profiles = list(Profile.objects.approved().select_related("user").order_by("pk"))
    return [(profile, coalition_of(profile)) for profile in profiles]


def _spread(rng, start, end, count):
    """`count` moments between start and end, sorted."""
    seconds = max(int((end - start).total_seconds()), 1)
    return sorted(start + timedelta(seconds=rng.randrange(seconds)) for _ in range(count))


def _fill(survey, people, answer_for, *, rng, answering, until, named):
    """Invite `people` (participants), let `answering` of them answer (responses) between the opening and `until`.

    In the anonymous survey the responses are made in another order and at other moments than the participants'
    `answered_at`, as answering anonymously does: neither the row order nor the time ties an answer to a person.
    """
    invited_at = survey.sent_at
    participants = Participant.objects.bulk_create(
        Participant(
            survey=survey,
            profile=profile,
            email=profile.user.email,
            name=profile.full_name,
            invited_at=invited_at,
        )
        for profile, _coalition in people
    )
    questions = list(survey.questions.all())
    answered = [i for i, (profile, _c) in enumerate(people) if answering(profile)]
    moments = _spread(rng, survey.opens_at, until, len(answered))
    for i, moment in zip(answered, moments, strict=True):
        participants[i].answered_at = moment
    Participant.objects.bulk_update([participants[i] for i in answered], ["answered_at"], batch_size=UPDATE_BATCH)
    order = list(answered) if named else rng.sample(answered, len(answered))
    submitted = moments if named else _spread(rng, survey.opens_at, until, len(answered))
    Response.objects.bulk_create(
        Response(
            survey=survey,
            participant=participants[i] if named else None,
            answers=clean_answers(questions, answer_for(*people[i])),  # as the form would take them
            coalition=people[i][1],
            coalition_phase=people[i][1].phase if people[i][1] else "",
            discipline=people[i][0].discipline,
            submitted_at=moment,
        )
        for i, moment in zip(order, submitted, strict=True)
    )
    if survey.reminded_at:
        Participant.objects.filter(survey=survey, answered_at__isnull=True).update(reminded_at=survey.reminded_at)
    return len(answered)


def _needs_inventory(people, by, now):
    if Survey.objects.filter(slug=NEEDS_SLUG).exists():
        return 0
    survey = Survey.objects.create(
        title="Wat wil je leren op de regionale bijeenkomst?",
        slug=NEEDS_SLUG,
        kind=Survey.Kind.NEEDS,
        introduction=(
            "In het voorjaar komen alle coalities samen. Wat wil jij daar leren, en hoe? Het invullen duurt twee "
            "minuten. Je antwoorden zijn anoniem."
        ),
        state=Survey.State.PUBLISHED,
        opens_at=now - timedelta(days=9),
        closes_at=now + timedelta(days=12),
        is_anonymous=True,
        results_for=Survey.ResultsFor.COALITION,
        open_on_site=True,
        segment=Segment(all_members=True).to_params(),
        sent_at=now - timedelta(days=9),
        created_by=by,
    )
    topics = Section.objects.create(survey=survey, title="Onderwerpen", position=0)
    taking_part = Section.objects.create(survey=survey, title="Meedoen", position=1)
    kinds = SurveyQuestion.Kind
    what, how, show, wish = SurveyQuestion.objects.bulk_create(
        [
            SurveyQuestion(
                survey=survey,
                section=topics,
                position=0,
                label="Over welke onderwerpen wil je meer leren?",
                help_text="Kies er hoogstens drie.",
                kind=kinds.SEVERAL_CHOICES,
                required=True,
                choices=TOPICS,
            ),
            SurveyQuestion(
                survey=survey,
                section=topics,
                position=1,
                label="Welke vorm heeft je voorkeur?",
                kind=kinds.ONE_CHOICE,
                required=True,
                choices=FORMS,
            ),
            SurveyQuestion(
                survey=survey,
                section=taking_part,
                position=2,
                label="Wil je zelf iets laten zien of vertellen over je coalitie?",
                kind=kinds.YES_NO,
            ),
            SurveyQuestion(
                survey=survey,
                section=taking_part,
                position=3,
                label="Wat wil je de organisatie nog meegeven?",
                help_text="Je mag dit leeg laten.",
                kind=kinds.LONG_TEXT,
            ),
        ]
    )
    rng = random.Random(NEEDS_SLUG)  # noqa: S311 (the same demo data on every run)

    def answer_for(profile, coalition):
        favourites = [TOPICS[i] for i in PHASE_TOPICS.get(coalition.phase if coalition else "", [0])]
        chosen = set(favourites[: rng.randint(1, 2)]) | set(rng.sample(TOPICS, rng.randint(0, 1)))
        answers = {
            str(what.pk): [topic for topic in TOPICS if topic in chosen],
            str(how.pk): rng.choice(FORMS[:2] if coalition and coalition.phase == "exploring" else FORMS),
            str(show.pk): rng.random() < 0.3,
        }
        text = rng.choice(WISHES)
        if text:
            answers[str(wish.pk)] = text
        return answers

    # Nearly everyone answered; the demo login has not, to try it.
    return _fill(
        survey,
        people,
        answer_for,
        rng=rng,
        answering=lambda profile: profile.user.email != DEMO_MEMBER and profile.pk % 9 != 4,
        until=now - timedelta(hours=1),
        named=False,
    )


def _pulse(year, people, by, now, *, opens_at, closes_at, better):
    """The pulse of `year` as start_pulse makes it, sent and answered; `better` lifts the scores (a trend)."""
    if services.pulses().filter(opens_at__year=year).exists() or services.pulse_template() is None:
        return 0
    survey = services.start_pulse(year, by=by, opens_at=opens_at, closes_at=closes_at, now=now)
    closed = closes_at <= now
    survey.state = Survey.State.PUBLISHED
    survey.sent_at = opens_at
    survey.reminded_at = closes_at - timedelta(days=7) if closed else None
    survey.save(update_fields=["state", "sent_at", "reminded_at", "updated_at"])
    questions = list(survey.questions.order_by("position", "pk"))
    rng = random.Random(f"netwerkpeiling-{year}")  # noqa: S311 (the same demo data on every run)

    def answer_for(profile, coalition):
        answers = {}
        for question in questions:
            key = str(question.pk)
            if question.kind == SurveyQuestion.Kind.SEVERAL_CHOICES:
                others = [choice for choice in question.choices if choice != "Geen"]
                count = rng.choices([0, 1, 2, 3], weights=[3 - better, 4, 3, 1 + better])[0]
                chosen = set(rng.sample(others, count))
                answers[key] = [choice for choice in others if choice in chosen] or ["Geen"]
            elif question.kind in (SurveyQuestion.Kind.SCALE, SurveyQuestion.Kind.NUMBER):
                low, high = int(question.min_value or 1), int(question.max_value or 5)
                mean = 3 + better * 0.5 + (0.4 if coalition and coalition.phase in ("carrying_out", "embedding") else 0)
                answers[key] = max(low, min(high, round(rng.gauss(mean, 0.9))))
            elif question.kind == SurveyQuestion.Kind.LONG_TEXT and rng.random() < 0.35:
                answers[key] = rng.choice(IMPROVEMENTS)
        return answers

    def answering(profile):
        if profile.user.email == DEMO_MEMBER:
            return closed  # last year's they answered; this year's waits for them
        return rng.random() < (0.75 if closed else 0.6)

    return _fill(
        survey,
        people,
        answer_for,
        rng=rng,
        answering=answering,
        until=min(closes_at, now) - timedelta(hours=1),
        named=True,
    )


def seed(*, stdout=None):
    """Create the demo surveys once, then detach what the retention period says, as the nightly task would."""
    by = get_user_model().objects.filter(email=REGIONAL_COORDINATOR).first()
    if by is None:
        return
    now = timezone.now()
    this_year = timezone.localdate().year
    people = _respondents()
    answers = _needs_inventory(people, by, now)
    opens_at = max(now - timedelta(days=10), _aware(this_year, 1, 1, 0))
    answers += _pulse(
        this_year - 1,
        people,
        by,
        now,
        opens_at=_aware(this_year - 1, 10, 5),
        closes_at=_aware(this_year - 1, 11, 2),
        better=0,
    )
    answers += _pulse(this_year, people, by, now, opens_at=opens_at, closes_at=now + timedelta(days=18), better=1)
    services.detach_responses(now=now)
    if stdout is not None and answers:
        stdout.write(f"Created {answers} survey answers.")
