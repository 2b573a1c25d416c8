"""The surveys' operations that change rows or cause mail: building, sending and reminding, answering, detaching.

Each is one transaction; the objects acted on come first, everything else keyword-only; a rule that says no raises
`SurveyError` (or `NotAllowed`) with a translated message. Mass mail goes through the check step only
(surveys.mailings registers the kinds; their `send()` calls the functions here).
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from coalition import checkstep
from coalition.mail import Recipient, absolute_url, queue_mailing
from coalition.models import MailCheck, Mailing
from coalition.rules import DomainError, NotAllowed, ensure_permitted, is_coordinator
from members.models import Discipline, Level, Municipality, Organisation, Theme
from network.audiences import SOURCES, Person, Segment
from network.models import Circle, Coalition
from network.rules import coordinated_coalition_ids

from .models import Participant, Question, Response, Survey


class SurveyError(DomainError):
    """A rule of the surveys says no; `str()` is the reason, in the reader's language."""


# --- Sending: invitations, the reminder, the response rate -------------------------------------------------------

# What a person unsubscribes from in their mail preferences (registered with the check step in surveys.mailings).
TOPIC = "surveys"

# Roughly how long a question takes on a phone, to say in the mail how long the survey takes.
SECONDS_PER_QUESTION = {
    Question.Kind.TEXT: 30,
    Question.Kind.LONG_TEXT: 60,
    Question.Kind.NUMBER: 15,
    Question.Kind.YES_NO: 10,
    Question.Kind.ONE_CHOICE: 15,
    Question.Kind.SEVERAL_CHOICES: 20,
}


def sendable_coalition_ids(user) -> set[int] | None:
    """None for a regional coordinator (any part of the network); else the coalitions the person coordinates."""
    if is_coordinator(user):
        return None
    return set(coordinated_coalition_ids(user))


def ensure_segment_allowed(segment: Segment, *, by) -> None:
    """A regional coordinator sends a survey to anyone; a coalition coordinator only to the people of their own
    coalitions: one of those is chosen, nothing outside them (no other coalition, not all members, no groups that
    reach beyond a coalition, such as the participants of an event)."""
    allowed = sendable_coalition_ids(by)
    if allowed is None:
        return
    if (
        not segment.coalitions
        or not set(segment.coalitions) <= allowed
        or segment.all_members
        or any(segment.sources.values())
    ):
        raise NotAllowed(_("You can send a survey only to the people of your own coalitions."))


def sending_problem(survey: Survey, *, now: datetime | None = None) -> str:
    """Why the survey cannot be mailed now ("" when it can): a draft, closed, or without questions."""
    if survey.state != Survey.State.PUBLISHED:
        return _("Publish the survey before sending it.")
    if survey.has_closed(now):
        return _("This survey has closed: it can no longer be sent or reminded of.")
    if not survey.questions.exists():
        return _("This survey has no questions yet.")
    return ""


def ensure_sendable(survey: Survey, *, now: datetime | None = None) -> None:
    problem = sending_problem(survey, now=now)
    if problem:
        raise SurveyError(problem)


def _lock(survey: Survey) -> Survey:
    """The survey's row, locked until the transaction ends: two sendings (or reminders) of one survey queue."""
    return Survey.objects.select_for_update().get(pk=survey.pk)


def link_maker(url_name: str, **kwargs):
    """A function token -> the absolute URL of `url_name` with that token. The URL is reversed once: for an
    audience of thousands, the resolver costs more than the rest of the sending."""
    marker = "TOKEN"
    prefix, suffix = absolute_url(reverse(url_name, kwargs={**kwargs, "token": marker})).rsplit(marker, 1)
    return lambda token: prefix + token + suffix


def answer_url(participant: Participant) -> str:
    """The person's own link: it opens their form without logging in (surveys:answer)."""
    return link_maker("surveys:answer")(participant.token)


def unsubscribe_link_maker():
    """A function address -> the one-click link that stops survey mail to it (checkstep.unsubscribe_url's)."""
    link = link_maker("mail_unsubscribe")
    return lambda address: link(checkstep.unsubscribe_token(address, TOPIC))


def minutes_to_answer(questions: Iterable[Question]) -> int:
    """How many minutes the survey takes, rounded up, at least one."""
    seconds = sum(SECONDS_PER_QUESTION.get(question.kind, 20) for question in questions)
    return max(1, math.ceil(seconds / 60))


def survey_mail_context(survey: Survey) -> dict[str, object]:
    """What every mail of a survey shows (JSON-serialisable; dates in the portal's language, as all mail)."""
    closes = ""
    if survey.closes_at:
        with translation.override(settings.LANGUAGE_CODE):
            closes = formats.date_format(timezone.localtime(survey.closes_at), "DATETIME_FORMAT")
    return {
        "survey_title": survey.title,
        "survey_introduction": survey.introduction,
        "survey_url": absolute_url(survey.get_absolute_url()),
        "coalition_name": survey.coalition.name if survey.coalition_id else "",
        "minutes": minutes_to_answer(survey.questions.only("kind")),
        "closes": closes,
        "is_anonymous": survey.is_anonymous,
    }


def invited_addresses(survey: Survey) -> tuple[set[str], set[int]]:
    """The addresses and member ids already in the survey: invited before, or answered on the site."""
    taken = Participant.objects.filter(survey=survey).filter(Q(invited_at__isnull=False) | Q(answered_at__isnull=False))
    addresses = {address.lower() for address in taken.exclude(email="").values_list("email", flat=True)}
    profiles = set(taken.exclude(profile=None).values_list("profile_id", flat=True))
    return addresses, profiles


def split_invited(survey: Survey, people: Iterable[Person]) -> tuple[list[Person], int]:
    """(those of `people` still to invite, how many of them are in the survey already)."""
    addresses, profiles = invited_addresses(survey)
    to_invite, already = [], 0
    for person in people:
        if person.email.lower() in addresses or (person.profile_id is not None and person.profile_id in profiles):
            already += 1
        else:
            to_invite.append(person)
    return to_invite, already


@transaction.atomic
def send_invitations(
    survey: Survey,
    *,
    invitees: Iterable[Person],
    segment: Segment,
    by,
    check: MailCheck,
    skipped: Iterable[Recipient] = (),
    now: datetime | None = None,
) -> Mailing:
    """Invite each of `invitees` not in the survey yet: a Participant each (a random token: their personal link)
    and one mail each with that link, through the outbox. The kind "surveys.invitation" calls this at confirm, with
    the people its check counted; `skipped` are those whose address bounced (a skipped delivery, no participant).

    A participant who is already there is kept as is: one invited before gets nothing now, and a row made without
    an invitation (none answered) is invited with the token it has. The survey keeps the audience (the last one
    sent to) and the time of its first sending."""
    now = now or timezone.now()
    survey = _lock(survey)
    ensure_permitted(by, "surveys.manage_survey", survey)
    ensure_segment_allowed(segment, by=by)
    ensure_sendable(survey, now=now)
    invitees = [person for person in invitees if person.email.strip()]
    addresses, profiles = invited_addresses(survey)
    waiting = {  # rows of the survey that were never invited nor answered: invited now, with their own token
        (participant.email.lower() if participant.email else f"profile:{participant.profile_id}"): participant
        for participant in Participant.objects.filter(survey=survey, invited_at__isnull=True, answered_at__isnull=True)
    }
    new, reused, unsubscribe = [], [], unsubscribe_link_maker()
    unsubscribe_urls = {}
    for person in invitees:
        email = person.email.strip().lower()
        if email in addresses or (person.profile_id is not None and person.profile_id in profiles):
            continue
        addresses.add(email)
        if person.profile_id is not None:
            profiles.add(person.profile_id)
        unsubscribe_urls[email] = person.unsubscribe_url or unsubscribe(email)
        existing = waiting.get(email) or waiting.get(f"profile:{person.profile_id}")
        if existing is not None:
            existing.invited_at = now
            existing.email = email
            reused.append(existing)
        else:
            new.append(
                Participant(survey=survey, profile_id=person.profile_id, email=email, name=person.name, invited_at=now)
            )
    if not new and not reused:
        raise SurveyError(_("Everyone in this audience has already been invited."))
    # One INSERT per batch, not per person: an audience can be the whole network.
    Participant.objects.bulk_create(new, batch_size=500)
    Participant.objects.bulk_update(reused, ["invited_at", "email"], batch_size=500)
    answer = link_maker("surveys:answer")
    recipients = [
        Recipient(
            email=participant.email,
            name=participant.name,
            context={
                "answer_url": answer(participant.token),
                "unsubscribe_url": unsubscribe_urls[participant.email.lower()],
            },
        )
        for participant in [*reused, *new]
    ]
    mailing = queue_mailing(
        template="surveys/invitation",
        recipients=[*recipients, *skipped],
        context=survey_mail_context(survey),
        kind=Mailing.Kind.SURVEY,
        description=invitation_description(survey),
        created_by=by,
        check=check,
    )
    survey.segment = segment.to_params()
    survey.sent_at = survey.sent_at or now
    survey.save(update_fields=["segment", "sent_at", "updated_at"])
    return mailing


def invitation_description(survey: Survey) -> str:
    """The mailing's name in lists, in the portal's language (it is stored and compared at confirm)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(title)s: survey invitation") % {"title": survey.title}


def reminder_description(survey: Survey) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(title)s: survey reminder") % {"title": survey.title}


def remindable(survey: Survey) -> QuerySet:
    """Those invited who have not answered and were never reminded (an anonymous survey keeps whether, not what)."""
    return (
        Participant.objects.filter(
            survey=survey, invited_at__isnull=False, answered_at__isnull=True, reminded_at__isnull=True
        )
        .exclude(email="")
        .order_by("name", "email", "pk")
    )


def reminding_problem(survey: Survey, *, now: datetime | None = None) -> str:
    """Why no reminder can go now ("" when it can)."""
    if not survey.sent_at:
        return _("The survey has not been sent yet.")
    problem = sending_problem(survey, now=now)
    if problem:
        return problem
    if not remindable(survey).exists():
        return _("There is nobody left to remind: everyone invited answered or was reminded once.")
    return ""


def participants_to_remind(survey: Survey) -> list[Recipient]:
    """The reminder's recipients, each with their own answer link and the survey mail's unsubscribe link."""
    answer, unsubscribe = link_maker("surveys:answer"), unsubscribe_link_maker()
    return [
        Recipient(
            email=participant.email,
            name=participant.name,
            context={"answer_url": answer(participant.token), "unsubscribe_url": unsubscribe(participant.email)},
        )
        for participant in remindable(survey).only("email", "name", "token")
    ]


@transaction.atomic
def remind(
    survey: Survey, *, recipients: Iterable[Recipient], by, check: MailCheck, now: datetime | None = None
) -> Mailing:
    """Remind those of `recipients` (the check's count of `participants_to_remind`, bounced ones included as
    skipped) who still have not answered, once each: under the survey's lock the UPDATE claims only rows never
    reminded, so a second confirm or a second check reminds nobody twice."""
    now = now or timezone.now()
    survey = _lock(survey)
    ensure_permitted(by, "surveys.manage_survey", survey)
    ensure_sendable(survey, now=now)
    recipients = list(recipients)
    claimable = remindable(survey).filter(email__in={recipient.email.lower() for recipient in recipients})
    claimed = set(claimable.values_list("email", flat=True))
    Participant.objects.filter(survey=survey, email__in=claimed).update(reminded_at=now)
    recipients = [recipient for recipient in recipients if recipient.email.lower() in claimed]
    if not recipients:
        raise SurveyError(_("There is nobody left to remind: everyone invited answered or was reminded once."))
    mailing = queue_mailing(
        template="surveys/reminder",
        recipients=recipients,
        context=survey_mail_context(survey),
        kind=Mailing.Kind.SURVEY,
        description=reminder_description(survey),
        created_by=by,
        check=check,
    )
    survey.reminded_at = now
    survey.save(update_fields=["reminded_at", "updated_at"])
    return mailing


def with_response_numbers(surveys: QuerySet) -> QuerySet:
    """`surveys` annotated, in the same query, with `invited_count`, `answered_count` (of those invited) and
    `response_count` (every completed form, also those given on the site without an invitation)."""
    responses = (
        Response.objects.filter(survey=OuterRef("pk"))
        .order_by()
        .values("survey")
        .annotate(count=Count("pk"))
        .values("count")
    )
    invited = Q(participants__invited_at__isnull=False)
    return surveys.annotate(
        invited_count=Count("participants", filter=invited),
        answered_count=Count("participants", filter=invited & Q(participants__answered_at__isnull=False)),
        response_count=Coalesce(Subquery(responses, output_field=IntegerField()), 0),
    )


def response_rate(answered: int, invited: int) -> int | None:
    """The percentage of those invited who answered, rounded down (so 99 of 100 is never shown as everyone)."""
    return answered * 100 // invited if invited else None


@dataclass(frozen=True)
class ResponseNumbers:
    """How a survey's answers come in: a count of people, never who (also for an anonymous survey)."""

    invited: int
    answered: int
    responses: int
    reminded: int
    remindable: int

    @property
    def rate(self) -> int | None:
        return response_rate(self.answered, self.invited)


def response_numbers(survey: Survey) -> ResponseNumbers:
    """The numbers of the survey's coordinator page, in two queries."""
    invited = Q(invited_at__isnull=False)
    numbers = Participant.objects.filter(survey=survey).aggregate(
        invited=Count("pk", filter=invited),
        answered=Count("pk", filter=invited & Q(answered_at__isnull=False)),
        reminded=Count("pk", filter=Q(reminded_at__isnull=False)),
        remindable=Count("pk", filter=invited & Q(answered_at__isnull=True, reminded_at__isnull=True) & ~Q(email="")),
    )
    return ResponseNumbers(responses=Response.objects.filter(survey=survey).count(), **numbers)


def segment_summary(params: dict) -> list[tuple[str, str]]:
    """A stored audience (Segment params) as a person reads it: [("Coalitions", "Borsele, Utrecht"), …]."""
    segment = Segment.from_params(params or {})
    lines = []
    if segment.all_members:
        lines.append((_("Everyone"), _("All approved members")))

    def names(model, ids):
        return ", ".join(str(obj) for obj in model.objects.filter(pk__in=ids).order_by("name"))

    if segment.coalitions:
        lines.append((_("Coalitions"), names(Coalition, segment.coalitions)))
    if segment.circle:
        lines.append((_("Circle"), str(Circle(segment.circle).label)))
    if segment.levels:
        lines.append((_("Levels"), ", ".join(str(Level(level).label) for level in segment.levels)))
    if segment.disciplines:
        lines.append(
            (_("Disciplines"), ", ".join(str(Discipline(discipline).label) for discipline in segment.disciplines))
        )
    for label, model, ids in (
        (_("Municipalities"), Municipality, segment.municipalities),
        (_("Organisations"), Organisation, segment.organisations),
        (_("Themes"), Theme, segment.themes),
    ):
        if ids:
            lines.append((label, names(model, ids)))
    for key, value in segment.sources.items():
        source = SOURCES.get(key)
        if source is None:
            continue
        field = source.field()
        chosen = source.from_params(value)
        queryset = getattr(field, "queryset", None)
        if queryset is not None and isinstance(chosen, list | tuple):
            text = ", ".join(str(obj) for obj in queryset.model.objects.filter(pk__in=chosen))
        else:
            text = _("Yes")
        lines.append((str(field.label), text))
    return lines
