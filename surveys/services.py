"""Every write of the surveys with side effects: answering, sending, the network pulse, retention.

Each function runs in one transaction and raises `SurveyError` (a translated message) when a rule says no.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coalition.rules import DomainError, ensure_permitted
from members.models import User
from network.audiences import Segment
from network.models import coalition_of

from .models import MIN_GROUP, NO, YES, Participant, Response, Section, Survey, SurveyQuestion, clean_answers


class SurveyError(DomainError):
    """A rule of the surveys said no; `str()` is the translated message meant for people."""


PULSE_TEMPLATE_SLUG = "netwerkpeiling-sjabloon"


# Rows are data in the portal's language, not gettext's: each year's title is Dutch, as the template's questions are.
PULSE_TITLE = "Netwerkpeiling {year}"


# How long a year's pulse takes answers when its coordinator does not say.
PULSE_OPEN_FOR = timedelta(weeks=4)


def pulse_template() -> Survey | None:
    """The draft survey each year's pulse is copied from, or None when someone deleted it."""
    return Survey.objects.filter(slug=PULSE_TEMPLATE_SLUG, kind=Survey.Kind.PULSE).first()


def pulses():
    """Every year's pulse (not the template): a pulse survey with an opening date, whose year is the pulse's."""
    return Survey.objects.filter(kind=Survey.Kind.PULSE, opens_at__isnull=False).exclude(slug=PULSE_TEMPLATE_SLUG)


def _start_of_year(year: int) -> datetime:
    return timezone.make_aware(datetime(year, 1, 1))


def _free_slug(base: str) -> str:
    slug, n = base, 2
    while Survey.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def start_pulse(
    year: int,
    *,
    by: User,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    now: datetime | None = None,
) -> Survey:
    """Copy the pulse template, with its sections and questions, into the draft survey of `year`.

    It opens now (or on 1 January, for a coming year) and closes `PULSE_OPEN_FOR` later unless told otherwise; its
    audience is every approved member. The survey stays a draft: it is sent, with the check step, as any survey is.
    One pulse a year: a second one for the same year is refused (the template's row lock keeps two coordinators who
    start it at once from both succeeding).
    """
    now = now or timezone.now()
    template = pulse_template()
    if template is None:
        raise SurveyError(_("The template of the network pulse is missing; it cannot be copied."))
    ensure_permitted(by, "surveys.manage_survey", template)
    template = Survey.objects.select_for_update().get(pk=template.pk)
    if pulses().filter(opens_at__gte=_start_of_year(year), opens_at__lt=_start_of_year(year + 1)).exists():
        raise SurveyError(_("The network pulse of %(year)d has already been started.") % {"year": year})
    if opens_at is None:
        opens_at = max(now, _start_of_year(year))
    if timezone.localtime(opens_at).year != year:
        raise SurveyError(_("The network pulse of %(year)d must open in %(year)d.") % {"year": year})
    closes_at = closes_at or opens_at + PULSE_OPEN_FOR
    if closes_at <= opens_at:
        raise SurveyError(_("The survey closes before it opens."))

    survey = Survey.objects.create(
        title=PULSE_TITLE.format(year=year),
        slug=_free_slug(f"netwerkpeiling-{year}"),
        kind=Survey.Kind.PULSE,
        introduction=template.introduction,
        coalition=None,
        state=Survey.State.DRAFT,
        opens_at=opens_at,
        closes_at=closes_at,
        is_anonymous=template.is_anonymous,
        results_for=template.results_for,
        open_on_site=template.open_on_site,
        segment=Segment(all_members=True).to_params(),
        created_by=by,
    )
    sections = {}
    for section in template.sections.all():
        sections[section.pk] = Section.objects.create(
            survey=survey, title=section.title, introduction=section.introduction, position=section.position
        )
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            survey=survey,
            section=sections.get(question.section_id),
            label=question.label,
            help_text=question.help_text,
            kind=question.kind,
            required=question.required,
            choices=list(question.choices or []),
            min_value=question.min_value,
            max_value=question.max_value,
            position=question.position,
        )
        for question in template.questions.all()
    )
    return survey


@dataclass(frozen=True)
class TrendPoint:
    """One question in one year: how many answered it, their average (numbers) and how the answers spread.

    With fewer than `MIN_GROUP` answers nothing but the count is given (`is_hidden`): no statistic about fewer
    than five people.
    """

    year: int
    survey: Survey
    answered: int
    average: Decimal | None = None
    # Answer (a choice, a number as text, "yes"/"no") -> how many gave it, in the order the question offers them.
    distribution: dict[str, int] = field(default_factory=dict)
    is_hidden: bool = False


@dataclass
class QuestionTrend:
    """A question of the pulse over the years, matched by its wording: a reworded question starts a new line."""

    label: str
    kind: str
    points: list[TrendPoint] = field(default_factory=list)


@dataclass
class PulseTrend:
    years: list[int]
    responses: dict[int, int]  # year -> number of responses
    questions: list[QuestionTrend]


# Open answers are read on the results page, not summed up over the years.
_TREND_KINDS = (
    SurveyQuestion.Kind.NUMBER,
    SurveyQuestion.Kind.ONE_CHOICE,
    SurveyQuestion.Kind.SEVERAL_CHOICES,
    SurveyQuestion.Kind.YES_NO,
)


def _as_decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _number_key(number: Decimal) -> str:
    """A number as the distribution names it: "3", "2.5" (never "3E+1", as Decimal.normalize would write 30)."""
    return str(int(number)) if number == number.to_integral_value() else str(number.normalize())


def _trend_point(year: int, survey: Survey, question: SurveyQuestion, answers: list) -> TrendPoint:
    if len(answers) < MIN_GROUP:
        return TrendPoint(year=year, survey=survey, answered=len(answers), is_hidden=True)
    counts: Counter = Counter()
    average = None
    if question.kind == SurveyQuestion.Kind.NUMBER:
        numbers = [number for number in map(_as_decimal, answers) if number is not None]
        counts.update(_number_key(number) for number in numbers)
        if numbers:
            average = (sum(numbers) / len(numbers)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        offered = []
        low, high = question.min_value, question.max_value
        if low is not None and high is not None and low == low.to_integral_value() and high - low <= 10:
            offered = [str(n) for n in range(int(low), int(high) + 1)]  # a scale: every step, also those not chosen
        order = offered + sorted(set(counts) - set(offered), key=Decimal)
    elif question.kind == SurveyQuestion.Kind.YES_NO:
        counts.update(YES if answer else NO for answer in answers)
        order = [YES, NO]
    else:
        for answer in answers:
            counts.update(answer if isinstance(answer, list) else [answer])
        offered = list(question.choices or [])
        order = offered + sorted(set(counts) - set(offered))  # choices since removed from the question stay counted
    return TrendPoint(
        year=year,
        survey=survey,
        answered=len(answers),
        average=average,
        distribution={answer: counts.get(answer, 0) for answer in order},
    )


def pulse_trend(*, coalition=None) -> PulseTrend:
    """Every year's pulse side by side, per question: averages and distributions, for the impact dashboard.

    Only the responses of `coalition` (its snapshot on the response) when given. Three queries, however many years
    and answers: the pulses, their questions, and the answers (streamed, summed here so it works on any database).
    """
    surveys = list(
        pulses()
        .order_by("opens_at", "pk")
        .prefetch_related(
            Prefetch(
                "questions",
                queryset=SurveyQuestion.objects.filter(kind__in=_TREND_KINDS).order_by("position", "pk"),
            )
        )
    )
    year_of = {survey.pk: timezone.localtime(survey.opens_at).year for survey in surveys}
    responses = Response.objects.filter(survey__in=surveys)
    if coalition is not None:
        responses = responses.filter(coalition=coalition)
    given: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))  # survey -> question id -> answers
    count: Counter = Counter()
    for survey_id, answers in responses.values_list("survey_id", "answers").iterator(chunk_size=2000):
        count[year_of[survey_id]] += 1
        for key, answer in (answers or {}).items():
            if answer not in (None, "", []):
                given[survey_id][key].append(answer)

    lines: dict[tuple[str, str], QuestionTrend] = {}
    for survey in surveys:
        year = year_of[survey.pk]
        for question in survey.questions.all():
            line = lines.setdefault(
                (question.label, question.kind), QuestionTrend(label=question.label, kind=question.kind)
            )
            line.points.append(_trend_point(year, survey, question, given[survey.pk][str(question.pk)]))
    years = sorted(set(year_of.values()))
    return PulseTrend(years=years, responses={year: count[year] for year in years}, questions=list(lines.values()))


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Surveys that closed before this moment keep no personal data any more."""
    now = now or timezone.now()
    return now - timedelta(days=round(settings.EVENT_RETENTION_MONTHS * 365.25 / 12))


def _identified(participants):
    return participants.filter(~Q(name="") | ~Q(email="") | Q(profile__isnull=False))


def _forget(participants, *, now: datetime) -> int:
    """Detach the responses of `participants` and keep of them only whether they answered; returns how many."""
    Response.objects.filter(participant__in=participants).update(participant=None, detached_at=now)
    return _identified(participants).update(profile=None, name="", email="")


@transaction.atomic
def detach_responses(*, now: datetime | None = None) -> int:
    """After the retention period since a survey closed, cut its answers loose from the people who gave them.

    Named responses lose their participant (`detached_at` records when); every participant of such a survey, also of
    an anonymous one, loses name, address and member, so only "invited, reminded, answered" stays for the counts.
    Surveys without a closing date are kept as they are. Safe to run twice: the second run finds nothing left.
    Returns the number of participants made anonymous.
    """
    now = now or timezone.now()
    old = Participant.objects.filter(survey__closes_at__lt=retention_cutoff(now))
    return _forget(old, now=now)


@transaction.atomic
def forget_account(user: User) -> None:
    """Before an account is deleted: detach its named answers and keep of its participations only the counts.

    Anonymous answers were never linked to the person and stay as they are.
    """
    _forget(Participant.objects.filter(profile__user=user), now=timezone.now())


def export_surveys(user: User) -> list[dict[str, Any]]:
    """For "download my data": the surveys the person was invited to or answered, with their named answers.

    An anonymous survey's answer cannot be found again (that is the point), so only the participation is listed.
    Two queries, however many surveys.
    """
    participants = (
        Participant.objects.filter(profile__user=user)
        .select_related("survey", "response")
        .prefetch_related(Prefetch("survey__questions", queryset=SurveyQuestion.objects.order_by("position", "pk")))
        .order_by("survey__created_at", "pk")
    )
    rows = []
    for participant in participants:
        survey = participant.survey
        response = getattr(participant, "response", None)
        answers = None
        if not survey.is_anonymous:
            given = response.answers if response is not None else {}
            answers = [
                {"question": question.label, "answer": question.display(given[str(question.pk)])}
                for question in survey.questions.all()
                if given.get(str(question.pk)) not in (None, "", [])
            ]
        rows.append(
            {
                "survey": survey.title,
                "kind": survey.kind,
                "anonymous": survey.is_anonymous,
                "name": participant.name,
                "email": participant.email,
                "invited_at": participant.invited_at.isoformat() if participant.invited_at else None,
                "reminded_at": participant.reminded_at.isoformat() if participant.reminded_at else None,
                "answered_at": participant.answered_at.isoformat() if participant.answered_at else None,
                "answers": answers,
            }
        )
    return rows


class SurveyNotOpen(SurveyError):
    """The survey takes no answers now: not published, not opened yet, or closed (the message says which)."""


class AlreadyAnswered(SurveyError):
    """The person answered this anonymous survey: an anonymous answer cannot be found back, so not changed."""


class InvalidAnswers(SurveyError):
    """The answers do not fit the questions (a form checks them first; this is for everything else).

    `error` is the ValidationError of `clean_answers`, one message per problem."""

    def __init__(self, error: ValidationError):
        self.error = error
        super().__init__(" ".join(error.messages))


def ensure_open(survey: Survey, *, now=None) -> None:
    """Raise SurveyNotOpen with the reason (and the date) unless `survey` takes answers at `now`."""
    now = now or timezone.now()
    if survey.state != Survey.State.PUBLISHED:
        raise SurveyNotOpen(_("This survey is not open for answers."))
    if survey.opens_at is not None and survey.opens_at > now:
        raise SurveyNotOpen(
            _("This survey opens on %(date)s.")
            % {"date": date_format(timezone.localtime(survey.opens_at), "DATETIME_FORMAT")}
        )
    if survey.has_closed(now):
        raise SurveyNotOpen(
            _("This survey closed on %(date)s.")
            % {"date": date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")}
        )


def participant_of(survey: Survey, user, *, create: bool = False) -> Participant | None:
    """The person's place in `survey`: by their profile, else by their address (invited before they had an
    account; the profile is then attached). With `create`, made when there is none (answering on the site)."""
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if profile is not None:
        found = Participant.objects.filter(survey=survey, profile=profile).first()
        if found is not None:
            return found
    email = user.email if user.is_authenticated else ""
    if email:
        found = Participant.objects.filter(survey=survey, email__iexact=email, profile__isnull=True).first()
        if found is not None:
            if profile is not None:
                found.profile = profile
                found.save(update_fields=["profile"])
            return found
    if not create:
        return None
    name = profile.full_name if profile is not None else user.get_full_name()
    try:
        with transaction.atomic():  # a savepoint: a second click creating the same row at the same moment
            return Participant.objects.create(survey=survey, profile=profile, email=email, name=name)
    except IntegrityError:
        return participant_of(survey, user)


def _start_of_day(moment):
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def submit_response(
    survey: Survey, *, participant: Participant | None = None, user=None, answers: dict, now=None
) -> Response:
    """Record one person's answers to `survey`: from their personal link (`participant`) or on the site (`user`).

    Named survey: one response per person; answering again before the close replaces the answers (`updated_at`).
    Anonymous survey: the response is tied to nobody and carries only the day it came in (no time that could be
    matched with `Participant.answered_at`); a second answer is refused. The participant row is locked, so a
    double click makes one response. The coalition (`coalition_of`), its phase and the discipline are recorded
    with the answers, from the person's profile (blank without one).
    """
    if (participant is None) == (user is None):
        raise TypeError("submit_response takes either a participant (the personal link) or a user (the site).")
    now = now or timezone.now()
    with transaction.atomic():
        if user is not None:
            ensure_permitted(user, "surveys.answer_on_site", survey)
            ensure_open(survey, now=now)
            participant = participant_of(survey, user, create=True)
        elif participant.survey_id != survey.pk:
            raise ValueError("The participant belongs to another survey.")
        participant = (
            Participant.objects.select_for_update(of=("self",)).select_related("profile").get(pk=participant.pk)
        )
        ensure_open(survey, now=now)
        try:
            cleaned = clean_answers(survey.questions.all(), answers)
        except ValidationError as error:
            raise InvalidAnswers(error) from None
        if survey.is_anonymous:
            return _record_anonymous(survey, participant, cleaned, now=now)
        return _record_named(survey, participant, cleaned, now=now)


def _snapshot(survey, profile) -> dict:
    """Who answered, as the results break it down: the coalition, its phase, the discipline (blank without one).

    A person of several coalitions counts for the survey's own coalition when they belong to it."""
    if profile is None:
        return {"coalition": None, "coalition_phase": "", "discipline": ""}
    coalition = coalition_of(profile, prefer=survey.coalition_id)
    return {
        "coalition": coalition,
        "coalition_phase": coalition.phase if coalition is not None else "",
        "discipline": profile.discipline,
    }


def _record_named(survey, participant, answers, *, now):
    response = Response.objects.filter(participant=participant).first()
    if response is None:
        response = Response.objects.create(
            survey=survey,
            participant=participant,
            answers=answers,
            submitted_at=now,
            **_snapshot(survey, participant.profile),
        )
    else:
        # The breakdowns count the person as they are when they last answered.
        for field, value in _snapshot(survey, participant.profile).items():
            setattr(response, field, value)
        response.answers = answers
        response.updated_at = now
        response.save(update_fields=["answers", "coalition", "coalition_phase", "discipline", "updated_at"])
    if participant.answered_at is None:
        participant.answered_at = now
        participant.save(update_fields=["answered_at"])
    return response


def _record_anonymous(survey, participant, answers, *, now):
    if participant.answered_at is not None:
        raise AlreadyAnswered(
            _("You have already answered this anonymous survey; anonymous answers cannot be changed.")
        )
    # Only the day, on both sides: an exact time on the response and on the participant would tell whose it is.
    day = _start_of_day(now)
    response = Response.objects.create(
        survey=survey, participant=None, answers=answers, submitted_at=day, **_snapshot(survey, participant.profile)
    )
    participant.answered_at = day
    participant.save(update_fields=["answered_at"])
    return response
