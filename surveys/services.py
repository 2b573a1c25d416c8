"""Surveys' operations: answering (by the personal link or on the site), sending and reminding, and the results."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coalition.rules import DomainError, ensure_permitted
from network.models import coalition_of

from .models import Participant, Response, Survey, clean_answers


class SurveyError(DomainError):
    """A rule of the surveys said no; `str()` is the translated message for the person."""


# --- Answering -----------------------------------------------------------------------------------------------------


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
