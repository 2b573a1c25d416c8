"""Journal operations: the publication workflow, the edition mailing, previews, tips, team, subscriptions."""

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coalition import ratelimits
from coalition.checkstep import Audience, LeftOut, screen
from coalition.mail import Recipient, absolute_url, queue_mailing, send_mail
from coalition.models import MailCheck, Mailing
from coalition.roles import COORDINATOR, EDITORIAL_TEAM
from coalition.rules import DomainError, ensure_permitted
from coalition.rules import NotAllowed as NotAllowed  # re-exported: callers and tests name services.NotAllowed
from members.models import User
from network.models import Coalition

from .models import (
    PREVIEW_DEFAULT_DAYS,
    UNSUBSCRIBE_SALT,
    Edition,
    EditorialMembership,
    PreviewLink,
    State,
    Story,
    Subscriber,
    SubscriberQuerySet,
    Tip,
)

logger = logging.getLogger(__name__)

# update_tip's "leave this field as it is", told apart from None ("empty it").
UNCHANGED = object()
CONFIRM_SALT = "journal.subscribe"
CONFIRM_MAX_AGE = timedelta(days=7)
# The public forms, per client (IP address): this many sends per hour. Shared cache, so every process counts.
SUBSCRIBE_REQUESTS_PER_HOUR = 10
TIPS_PER_HOUR = 10
# An address gets at most one confirmation mail in this many seconds, however often it is typed in.
CONFIRMATION_MAIL_INTERVAL = 24 * 60 * 60


class JournalError(DomainError):
    """A rule of the journal says no; `str()` is the message meant for the person who tried.

    A refusal because of who is acting is coalition.rules.NotAllowed (a DomainError too, also importable
    from here): callers that show either catch DomainError.
    """


class TooManyRequests(JournalError):
    """One client sent a public form too often; the message says when to try again."""


def _limit_client(scope, client, *, per_hour):
    if client is not None and not ratelimits.allow(scope, client, limit=per_hour, seconds=60 * 60):
        raise TooManyRequests(
            _(
                "You have sent this form many times in a short while. "
                "What you typed is still here: please try again in an hour."
            )
        )


# Who may do what is in journal/rules.py; each service that takes the acting person (`by=`) asks it with
# coalition.rules.ensure_permitted, which raises NotAllowed with the reason.


def _locked(obj):
    return type(obj).objects.select_for_update().get(pk=obj.pk)


# --- The workflow ----------------------------------------------------------------------------------


@transaction.atomic
def submit_for_review(obj: Edition | Story, *, by: User) -> Edition | Story:
    """Draft → ready for review, by the editorial team or a coordinator."""
    ensure_permitted(by, "journal.submit_for_review", obj)
    obj = _locked(obj)
    if obj.state != State.DRAFT:
        raise JournalError(_("Only a draft can be submitted for review."))
    obj.state = State.REVIEW
    obj.save(update_fields=["state", "updated_at"])
    return obj


@transaction.atomic
def send_back(obj: Edition | Story, *, by: User) -> Edition | Story:
    """Ready for review or approved → draft again."""
    ensure_permitted(by, "journal.send_back", obj)
    obj = _locked(obj)
    if obj.state not in {State.REVIEW, State.APPROVED}:
        raise JournalError(_("Only work that is ready for review or approved can be sent back to draft."))
    obj.state = State.DRAFT
    obj.save(update_fields=["state", "updated_at"])
    return obj


@transaction.atomic
def approve(obj: Edition | Story, *, by: User) -> Edition | Story:
    """Ready for review → approved: the team approves stories, coordinators approve editions."""
    ensure_permitted(by, "journal.approve_edition" if isinstance(obj, Edition) else "journal.approve_story", obj)
    obj = _locked(obj)
    if obj.state != State.REVIEW:
        raise JournalError(_("Only work that is ready for review can be approved."))
    obj.state = State.APPROVED
    obj.save(update_fields=["state", "updated_at"])
    return obj


def _require_schedulable(edition, at):
    if edition.state not in {State.APPROVED, State.SCHEDULED}:
        raise JournalError(_("Only an approved edition can be scheduled."))
    if at is None or at <= timezone.now():
        raise JournalError(_("Choose a publication date and time in the future."))
    _require_publishable_stories(edition)


@transaction.atomic
def schedule(edition: Edition, *, at: datetime, by: User, check: MailCheck | None = None) -> Edition:
    """Approved → scheduled: Celery beat publishes the edition when the time comes, and mails it then through
    `check` (the check step the coordinator confirmed for it: journal.mailings.EditionMail) when there is one."""
    ensure_permitted(by, "journal.publish_edition", edition)
    edition = _locked(edition)
    _require_schedulable(edition, at)
    edition.state = State.SCHEDULED
    edition.published_at = at
    edition.published_by = by
    edition.scheduled_check = check
    edition.save(update_fields=["state", "published_at", "published_by", "scheduled_check", "updated_at"])
    return edition


@transaction.atomic
def unschedule(edition: Edition, *, by: User) -> Edition:
    ensure_permitted(by, "journal.publish_edition", edition)
    edition = _locked(edition)
    if edition.state != State.SCHEDULED:
        raise JournalError(_("This edition is not scheduled."))
    edition.state = State.APPROVED
    edition.scheduled_check = None
    edition.save(update_fields=["state", "scheduled_check", "updated_at"])
    return edition


def ensure_mailable(edition: Edition, *, scheduled: bool = False) -> None:
    """Raise JournalError when this edition cannot be published and mailed now (or scheduled to be): what the
    check step asks before it counts anyone."""
    if edition.mailing_id is not None:
        raise JournalError(_("This edition has been mailed already; it is never mailed twice."))
    if scheduled:
        _require_schedulable(edition, edition.published_at)
        return
    if edition.state not in {State.APPROVED, State.SCHEDULED, State.PUBLISHED}:
        raise JournalError(_("Only an approved edition can be published."))
    if edition.state != State.PUBLISHED:
        _require_publishable_stories(edition)


def _require_publishable_stories(edition):
    if not edition.stories.filter(state__in=[State.APPROVED, State.PUBLISHED]).exists():
        raise JournalError(_("The edition has no approved stories yet."))


@transaction.atomic
def publish(
    edition: Edition, *, by: User | None = None, check: MailCheck | None = None, plan: "EditionMailPlan | None" = None
) -> Edition:
    """Put an approved or scheduled edition online with its approved stories; with `check`, mail it once.

    The mail goes only through the check step: `check` is the MailCheck the coordinator confirmed (the kind
    journal.mailings.EditionMail calls this from its send(), the beat with the check stored for a scheduled
    edition), and `plan` what that check counted. `by=None` is the scheduler (Celery beat) acting on a
    coordinator's earlier decision. The edition row is locked, and its one-to-one mailing is created only when
    it has none: publishing twice, or the admin and the beat task at the same moment, never mails twice.
    """
    if by is not None:
        ensure_permitted(by, "journal.publish_edition", edition)
    edition = _locked(edition)
    now = timezone.now()
    if edition.state not in {State.APPROVED, State.SCHEDULED, State.PUBLISHED}:
        raise JournalError(_("Only an approved edition can be published."))
    newly_published = []
    if edition.state != State.PUBLISHED:
        _require_publishable_stories(edition)
        if edition.published_at is None or edition.published_at > now:
            edition.published_at = now
        edition.state = State.PUBLISHED
        if by is not None:
            edition.published_by = by
        newly_published = list(edition.stories.filter(state=State.APPROVED))
        Story.objects.filter(pk__in=[s.pk for s in newly_published]).update(
            state=State.PUBLISHED, published_at=edition.published_at, updated_at=now
        )
    if check is not None and edition.mailing_id is None:
        edition.mailing = _queue_edition_mailing(
            edition, created_by=by or edition.published_by, check=check, plan=plan or plan_edition_mail(edition)
        )
        edition.scheduled_check = None
    edition.save(update_fields=["state", "published_at", "published_by", "mailing", "scheduled_check", "updated_at"])
    _tell_tip_senders(newly_published)
    return edition


@transaction.atomic
def publish_story(story: Story, *, by: User) -> Story:
    """Put an approved story online in an edition that is already published (a late addition)."""
    ensure_permitted(by, "journal.publish_story", story)
    story = _locked(story)
    if story.state != State.APPROVED:
        raise JournalError(_("Only an approved story can be published."))
    if not story.edition.is_published:
        raise JournalError(_("The story is published together with its edition."))
    story.state = State.PUBLISHED
    story.published_at = timezone.now()
    story.save(update_fields=["state", "published_at", "updated_at"])
    _tell_tip_senders([story])
    return story


def publish_due_editions(*, now: datetime | None = None) -> list[int]:
    """Publish every scheduled edition whose time has come, and mail it through the check the coordinator
    confirmed when scheduling it (to everyone subscribed at this moment); returns the ids published."""
    published = []
    for edition in Edition.objects.due(now).select_related("scheduled_check").order_by("published_at"):
        check = edition.scheduled_check
        if check is not None and not check.is_confirmed:
            check = None
        if check is None:
            logger.warning("scheduled edition %s is published without mail: no confirmed check", edition.pk)
        try:
            publish(edition, by=None, check=check)
        except JournalError:
            logger.exception("scheduled edition %s could not be published", edition.pk)
        else:
            published.append(edition.pk)
    return published


# --- The edition mailing ---------------------------------------------------------------------------


# Sections that higher apps add to the edition mail, by the name the mail templates use: each builds a list of
# plain dicts (JSON: the worker renders later) from the edition. The events app registers "events" in its
# AppConfig.ready(); the journal never imports it. With nothing registered the mail simply has no such section.
EDITION_MAIL_SECTIONS: dict[str, Callable[[Edition], list[dict]]] = {}


def _mail_stories(edition):
    """The stories the mail lists: the published ones; before publication, those publishing will put online."""
    states = [State.PUBLISHED] if edition.state == State.PUBLISHED else [State.APPROVED, State.PUBLISHED]
    return edition.stories.filter(state__in=states).order_by("order", "pk")


def edition_mail_context(edition: Edition) -> dict:
    """Everything the edition mail shows, as JSON-serialisable data (the worker renders it later).

    Each story carries the ids of its coalitions, so that a reader's followed coalitions can come first.
    """
    stories = list(_mail_stories(edition))
    coalitions = defaultdict(list)
    for story_id, coalition_id in Story.coalitions.through.objects.filter(story__in=stories).values_list(
        "story_id", "coalition_id"
    ):
        coalitions[story_id].append(coalition_id)
    return {
        "edition": {
            "number": edition.number,
            "title": edition.title,
            "introduction": edition.introduction,
            "url": absolute_url(edition.get_absolute_url()),
            "cover_url": absolute_url(edition.cover.url) if edition.cover else "",
            "cover_alt": edition.cover_alt,
            "theme": edition.theme.name if edition.theme_id else "",
        },
        "stories": [
            {
                "title": story.title,
                "kind": str(story.get_kind_display()),
                "lead": story.lead,
                "url": absolute_url(
                    reverse("journal:story_detail", kwargs={"edition_slug": edition.slug, "slug": story.slug})
                ),
                "coalitions": sorted(coalitions[story.pk]),
            }
            for story in stories
        ],
        **{name: build(edition) for name, build in EDITION_MAIL_SECTIONS.items()},
    }


# --- The journal per coalition: each reader's followed coalitions first ---------------------------------------
#
# A mail to thousands holds the stories and events once, in its shared context, with the few orders its readers
# need ("orders": {key: {"stories": [indices], "events": [indices], ...}}); each reader's context names only the
# key of theirs ("order"), built from the followed coalitions that this edition mentions. A reader following the
# whole region (or no coalition of this edition) has no key and reads the usual order. The mail templates put
# them in that order with journal_mail's {% edition_reading_order %}.

ORDERED_SECTIONS = ("stories", "events")


def item_coalitions(item: dict) -> set[int]:
    """The coalitions a story or event of the mail is about ("coalitions": [ids] or "coalition": id)."""
    ids = set(item.get("coalitions") or ())
    if item.get("coalition"):
        ids.add(item["coalition"])
    return ids


def order_key(followed: set[int]) -> str:
    return "-".join(str(pk) for pk in sorted(followed))


def reading_order(items: list[dict], followed: set[int]) -> tuple[list[int], int]:
    """The indices of `items` with those about a followed coalition first (each part in the usual order), and
    how many come first."""
    first = [index for index, item in enumerate(items) if item_coalitions(item) & followed]
    chosen = set(first)
    return [*first, *(index for index in range(len(items)) if index not in chosen)], len(first)


def reading_orders(context: dict, keys: set[str]) -> dict[str, dict]:
    orders = {}
    for key in sorted(keys):
        if not key:
            continue
        followed = {int(pk) for pk in key.split("-")}
        order = {}
        for section in ORDERED_SECTIONS:
            order[section], order[f"{section}_first"] = reading_order(context.get(section) or [], followed)
        orders[key] = order
    return orders


@dataclass
class EditionMailPlan:
    """The edition mail as the check step counts and the outbox queues it: the shared context (with the
    readers' orders) and the audience (each recipient with their unsubscribe link and their order's key)."""

    context: dict
    audience: Audience


def plan_edition_mail(edition: Edition) -> EditionMailPlan:
    """Who receives this edition and in which order each reads it; a fixed number of queries however many."""
    context = edition_mail_context(edition)
    mentioned = set()
    for section in ORDERED_SECTIONS:
        for item in context.get(section) or []:
            mentioned |= item_coalitions(item)
    receiving = Subscriber.objects.receiving("journal")
    followed = defaultdict(set)
    if mentioned:
        follows = Subscriber.coalitions.through.objects.filter(
            subscriber__in=receiving.values("pk"), coalition_id__in=mentioned
        ).values_list("subscriber_id", "coalition_id")
        for subscriber_id, coalition_id in follows:
            followed[subscriber_id].add(coalition_id)
    recipients = []
    for subscriber in receiving.order_by("pk").only("pk", "email", "name"):
        personal = {"unsubscribe_url": subscriber.unsubscribe_url("journal")}
        if followed.get(subscriber.pk):
            personal["order"] = order_key(followed[subscriber.pk])
        recipients.append(Recipient(email=subscriber.email, name=subscriber.name, context=personal))
    context["orders"] = reading_orders(context, {r.context.get("order", "") for r in recipients})
    # Who stopped the journal, and who never confirmed their subscription: counted, not mailed.
    counts = Subscriber.objects.aggregate(
        unsubscribed=Count("pk", filter=Q(confirmed_at__isnull=False, wants_journal=False)),
        unconfirmed=Count("pk", filter=Q(confirmed_at__isnull=True, wants_journal=True)),
    )
    left_out = Counter()
    if counts["unsubscribed"]:
        left_out[LeftOut.UNSUBSCRIBED] = counts["unsubscribed"]
    if counts["unconfirmed"]:
        left_out[LeftOut.NO_CONSENT] = counts["unconfirmed"]
    return EditionMailPlan(context=context, audience=screen(recipients, topic=None, left_out=left_out))


def edition_mail_description(edition: Edition) -> str:
    return _("Journal edition %(number)s: %(title)s") % {"number": edition.number, "title": edition.title}


def _queue_edition_mailing(edition, *, created_by, check, plan):
    """Only ever through a confirmed check (queue_mailing refuses a journal mailing without one)."""
    return queue_mailing(
        template="journal/edition",
        recipients=[*plan.audience.recipients, *plan.audience.suppressed],
        context=plan.context,
        kind=Mailing.Kind.JOURNAL,
        description=edition_mail_description(edition),
        created_by=created_by,
        check=check,
    )


# --- Preview links ---------------------------------------------------------------------------------


@transaction.atomic
def create_preview_link(obj: Edition | Story, *, by: User, days: int = PREVIEW_DEFAULT_DAYS) -> PreviewLink:
    """A link that shows an unpublished edition or story to people without an account, for `days` days."""
    ensure_permitted(by, "journal.create_preview_link", obj)
    if days < 1 or days > 90:
        raise JournalError(_("A preview link is valid for 1 to 90 days."))
    kwargs = {"edition": obj} if isinstance(obj, Edition) else {"story": obj}
    return PreviewLink.objects.create(expires_at=timezone.now() + timedelta(days=days), created_by=by, **kwargs)


@transaction.atomic
def revoke_preview_link(link: PreviewLink, *, by: User) -> PreviewLink:
    ensure_permitted(by, "journal.revoke_preview_link", link)
    PreviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    link.refresh_from_db()
    return link


class PreviewInvalid(JournalError):
    """The link was tampered with or does not exist."""


class PreviewExpired(JournalError):
    """The link was real but has expired or been revoked."""


def resolve_preview_link(signed_token: str) -> PreviewLink:
    """The PreviewLink a signed token stands for; raises PreviewInvalid or PreviewExpired."""
    try:
        token = signing.Signer(salt="journal.preview").unsign(signed_token)
    except signing.BadSignature:
        raise PreviewInvalid(_("This preview link is not valid.")) from None
    link = PreviewLink.objects.select_related("edition", "story__edition").filter(token=token).first()
    if link is None:
        raise PreviewInvalid(_("This preview link is not valid."))
    if not link.is_active:
        raise PreviewExpired(_("This preview link has expired or was withdrawn. Ask the editorial team for a new one."))
    return link


# --- Tips ------------------------------------------------------------------------------------------


@transaction.atomic
def submit_tip(
    *,
    what: str,
    who: str = "",
    why_now: str = "",
    sender: User | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    organisation_name: str = "",
    client: str | None = None,
) -> Tip:
    """Record a tip from a member (sender) or from a visitor, who must leave a name and an e-mail address.

    `client` (the sender's IP address, from the web form) is limited to TIPS_PER_HOUR.
    """
    _limit_client("journal.tip", client, per_hour=TIPS_PER_HOUR)
    if sender is None or not sender.is_authenticated:
        sender = None
        if not name.strip() or not email.strip():
            raise JournalError(_("Leave your name and e-mail address so the editorial team can reach you."))
    tip = Tip.objects.create(
        what=what,
        who=who,
        why_now=why_now,
        sender=sender,
        name=name,
        email=email,
        phone=phone,
        organisation_name=organisation_name,
    )
    _tell_team_of_tip(tip)
    return tip


def set_tip_mail(user, *, wanted: bool) -> int:
    """Whether `user` gets a mail for every new tip, on each of their current editorial team memberships.

    Returns how many memberships it set (none for someone not on the team now).
    """
    return EditorialMembership.objects.current().filter(user=user).update(notify_of_tips=wanted)


def _tell_team_of_tip(tip):
    """One mail to everyone on the editorial team now who did not opt out (EditorialMembership.notify_of_tips)."""
    team = (
        User.objects.filter(
            pk__in=EditorialMembership.objects.current().filter(notify_of_tips=True).values("user_id"),
            is_active=True,
        )
        .exclude(email="")
        .order_by("pk")
    )
    recipients = [Recipient(email=user.email, name=user.get_full_name()) for user in team]
    if not recipients:
        return None
    return queue_mailing(
        template="journal/tip_received",
        recipients=recipients,
        context={
            "tip_excerpt": tip.what[:300],
            "sender_name": tip.sender_name,
            "tip_url": absolute_url(reverse("journal:tip_detail", args=[tip.pk])),
        },
        description=_("New tip for the editorial team"),
    )


@transaction.atomic
def update_tip(
    tip: Tip,
    *,
    by: User,
    state: str,
    assigned_to: User | object | None = UNCHANGED,
    story: Story | None = None,
    note: str | None = None,
) -> Tip:
    """The editorial team moves a tip along; a tip used in a published story tells its sender.

    `assigned_to=None` takes the tip off its editor's desk; left out, the editor stays.
    """
    ensure_permitted(by, "journal.handle_tip", tip)
    tip = _locked(tip)
    if assigned_to is not UNCHANGED:
        tip.assigned_to = assigned_to
    if state == Tip.State.ASSIGNED and tip.assigned_to is None:
        raise JournalError(_("Choose the editor the tip is assigned to."))
    if state == Tip.State.USED and story is None:
        raise JournalError(_("Choose the story this tip became."))
    tip.state = state
    tip.story = story if state == Tip.State.USED else tip.story
    if note is not None:
        tip.note = note
    tip.save()
    if tip.state == Tip.State.USED and tip.story is not None and tip.story.is_published:
        _tell_tip_senders([tip.story])
    tip.refresh_from_db()
    return tip


def _tell_tip_senders(stories):
    """Mail each sender whose tip became one of these (now published) stories, once."""
    if not stories:
        return
    tips = (
        Tip.objects.select_for_update(of=("self",))
        .select_related("sender", "story__edition")
        .filter(story__in=stories, state=Tip.State.USED, sender_notified_at__isnull=True)
    )
    for tip in tips:
        address = tip.sender_email
        if not address:
            continue
        send_mail(
            template="journal/tip_used",
            to=Recipient(email=address, name=tip.sender_name),
            context={
                "story_title": tip.story.title,
                "story_url": absolute_url(tip.story.get_absolute_url()),
                "edition_title": tip.story.edition.title,
                "tip_excerpt": tip.what[:200],
            },
        )
        tip.sender_notified_at = timezone.now()
        tip.save(update_fields=["sender_notified_at"])


# --- The editorial team ----------------------------------------------------------------------------


@transaction.atomic
def sync_editorial_team(*, today: date | None = None) -> dict[str, list[int]]:
    """Make the "Editorial team" group exactly the members with a current membership.

    coalition.roles.is_editor asks the group, so this runs whenever a membership changes and daily
    (memberships start and end by date). Team members get staff access to write stories in the admin;
    staff access is taken away again only from people who have no other reason to have it.
    """
    group = Group.objects.get(name=EDITORIAL_TEAM)
    current = set(EditorialMembership.objects.current(today).values_list("user_id", flat=True))
    in_group = set(group.user_set.values_list("pk", flat=True))
    joining = current - in_group
    leaving = in_group - current
    if joining:
        group.user_set.add(*joining)
        User.objects.filter(pk__in=joining).update(is_staff=True)
    if leaving:
        group.user_set.remove(*leaving)
        User.objects.filter(pk__in=leaving, is_superuser=False).exclude(groups__name=COORDINATOR).update(is_staff=False)
    return {"added": sorted(joining), "removed": sorted(leaving)}


def current_team() -> QuerySet[EditorialMembership]:
    return (
        EditorialMembership.objects.current()
        .select_related("user__profile")
        .order_by("user__last_name", "user__first_name")
    )


@transaction.atomic
def save_membership(membership: EditorialMembership, *, by: User) -> EditorialMembership:
    ensure_permitted(by, "journal.manage_team", membership)
    membership.full_clean()
    membership.save()
    sync_editorial_team()
    return membership


@transaction.atomic
def end_membership(membership: EditorialMembership, *, by: User, on: date | None = None) -> EditorialMembership:
    ensure_permitted(by, "journal.manage_team", membership)
    membership.end_date = on or timezone.localdate()
    membership.full_clean()
    membership.save(update_fields=["end_date"])
    sync_editorial_team()
    return membership


# --- Subscriptions ---------------------------------------------------------------------------------


def _normal(email):
    return email.strip().lower()


@transaction.atomic
def subscribe_member(user: User) -> Subscriber:
    """An approved member receives the journal and invitations by default (they can switch either off)."""
    email = _normal(user.email)
    subscriber = Subscriber.objects.select_for_update().filter(user=user).first()
    if subscriber is None:
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber is None:
        return Subscriber.objects.create(
            email=email,
            name=user.get_full_name(),
            user=user,
            wants_journal=True,
            wants_invitations=True,
            confirmed_at=timezone.now(),
        )
    subscriber.user = user
    subscriber.name = subscriber.name or user.get_full_name()
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
    subscriber.save()
    return subscriber


def _follow(subscriber, coalitions):
    """Follow these coalitions (ids or rows); none: the whole region."""
    subscriber.coalitions.set(sorted({int(getattr(c, "pk", c)) for c in coalitions}))


def followed_coalition_ids(subscriber: Subscriber | None) -> list[int]:
    if subscriber is None or subscriber.pk is None:
        return []
    return sorted(subscriber.coalitions.values_list("pk", flat=True))


@transaction.atomic
def set_member_subscription(
    user: User, *, journal: bool, invitations: bool, coalitions: Iterable | None = None
) -> Subscriber:
    """A logged-in person switches the journal and the invitations on or off, and chooses what comes first in
    the journal: the whole region (no coalitions) or the coalitions they follow. `None` leaves that as it is."""
    subscriber = Subscriber.objects.select_for_update().filter(user=user).first()
    if subscriber is None:
        subscriber, _created = Subscriber.objects.get_or_create(
            email=_normal(user.email), defaults={"name": user.get_full_name(), "user": user}
        )
    subscriber.user = user
    subscriber.wants_journal = journal
    subscriber.wants_invitations = invitations
    # A logged-in member's address is verified by the account, so no double opt-in is needed.
    subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
    subscriber.save()
    if coalitions is not None:
        _follow(subscriber, coalitions)
    return subscriber


@transaction.atomic
def request_subscription(
    *,
    email: str,
    name: str = "",
    journal: bool = True,
    invitations: bool = False,
    coalitions: Iterable = (),
    client: str | None = None,
) -> Subscriber:
    """A visitor asks to subscribe: nothing is sent to them until they confirm the link we mail (double opt-in).

    The form must not be a way to bomb a stranger's inbox, nor to find out who subscribes, so whatever
    the address, the caller shows the same answer:
    - `client` (the IP address, from the web form) may ask SUBSCRIBE_REQUESTS_PER_HOUR times an hour
      (TooManyRequests, the one refusal a person sees: it is about them, not about the address);
    - an address that already receives everything asked for gets no mail at all (nothing to confirm);
    - any other address gets at most one confirmation mail per CONFIRMATION_MAIL_INTERVAL (one day).

    `coalitions` are those whose stories and events come first in the journal (none: the whole region); like
    the other choices they take effect only through the confirmation link.
    """
    if not (journal or invitations):
        raise JournalError(_("Choose at least one: the journal or invitations to events."))
    _limit_client("journal.subscribe", client, per_hour=SUBSCRIBE_REQUESTS_PER_HOUR)
    email = _normal(email)
    chosen = sorted({int(getattr(c, "pk", c)) for c in coalitions}) if journal else None
    subscriber, created = Subscriber.objects.get_or_create(
        email=email, defaults={"name": name, "wants_journal": journal, "wants_invitations": invitations}
    )
    if (
        subscriber.is_confirmed
        and (subscriber.wants_journal or not journal)
        and (subscriber.wants_invitations or not invitations)
        and (chosen is None or chosen == followed_coalition_ids(subscriber))
    ):
        return subscriber
    if not created and not subscriber.is_confirmed:
        subscriber.name = name or subscriber.name
        subscriber.save(update_fields=["name", "changed_at"])
    if not ratelimits.first_use("journal.confirmation-mail", email, seconds=CONFIRMATION_MAIL_INTERVAL):
        return subscriber
    # The choices travel in the signed link, so a stranger cannot change a confirmed subscription.
    choices = {"s": subscriber.pk, "j": journal, "i": invitations}
    if chosen is not None:
        choices["c"] = chosen
    token = signing.dumps(choices, salt=CONFIRM_SALT, compress=True)
    send_mail(
        template="journal/confirm_subscription",
        to=Recipient(email=email, name=name),
        context={
            "confirm_url": absolute_url(reverse("journal:confirm", kwargs={"token": token})),
            "journal": journal,
            "invitations": invitations,
        },
    )
    return subscriber


@transaction.atomic
def confirm_subscription(token: str) -> Subscriber:
    """Confirm the choices in the link; for an address that was already confirmed they are added, never taken away."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise JournalError(_("This confirmation link has expired. Please subscribe again.")) from None
    except signing.BadSignature:
        raise JournalError(_("This confirmation link is not valid.")) from None
    subscriber = Subscriber.objects.select_for_update().filter(pk=data["s"]).first()
    if subscriber is None:
        raise JournalError(_("This confirmation link is not valid."))
    already = subscriber.is_confirmed
    subscriber.wants_journal = bool(data["j"]) or (already and subscriber.wants_journal)
    subscriber.wants_invitations = bool(data["i"]) or (already and subscriber.wants_invitations)
    subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
    subscriber.save()
    if "c" in data:
        # The journal was asked for with these coalitions first (none: the whole region); the link proves the
        # mailbox, so its choice replaces the earlier one. Coalitions removed since are simply not followed.
        _follow(subscriber, Coalition.objects.filter(pk__in=data["c"]).values_list("pk", flat=True))
    return subscriber


def read_unsubscribe_token(token: str) -> tuple[Subscriber, str]:
    """(subscriber, kind) for an unsubscribe token; raises JournalError for a bad one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise JournalError(_("This unsubscribe link is not valid.")) from None
    kind = data.get("k")
    subscriber = Subscriber.objects.filter(pk=data.get("s")).first()
    if subscriber is None or kind not in SubscriberQuerySet.KINDS:
        raise JournalError(_("This unsubscribe link is not valid."))
    return subscriber, kind


@transaction.atomic
def unsubscribe(subscriber: Subscriber, *, kind: str) -> Subscriber:
    """Stop one kind of mail for this subscriber; safe to repeat."""
    field = SubscriberQuerySet.KINDS[kind]
    Subscriber.objects.filter(pk=subscriber.pk).update(**{field: False}, changed_at=timezone.now())
    subscriber.refresh_from_db()
    return subscriber


# --- What the journal keeps about a person ---------------------------------------------------------


@transaction.atomic
def forget_account(user: User) -> None:
    """Before an account is deleted: no subscription stays behind, by account or by address, and the tips the
    person sent keep no copy of their contact details (the tips themselves stay for the editorial team)."""
    Subscriber.objects.filter(Q(user=user) | Q(email__iexact=user.email)).delete()
    Tip.objects.filter(sender=user).update(name="", email="", phone="")


def export_tips(user: User) -> list[dict]:
    """The tips the person sent to the editorial team."""
    return [
        {
            "what": tip.what,
            "who": tip.who,
            "why_now": tip.why_now,
            "name": tip.name,
            "email": tip.email,
            "phone": tip.phone,
            "organisation": tip.organisation_name,
            "state": tip.state,
        }
        for tip in Tip.objects.filter(sender=user).order_by("pk")
    ]


def export_subscription(user: User) -> dict | None:
    """The person's journal and invitation subscription, found by account or by address."""
    subscriber = Subscriber.objects.filter(Q(user=user) | Q(email__iexact=user.email)).first()
    if subscriber is None:
        return None
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "receives_journal": subscriber.wants_journal,
        "receives_invitations": subscriber.wants_invitations,
        "coalitions_followed": list(subscriber.coalitions.order_by("name").values_list("name", flat=True)),
        "confirmed_at": subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else None,
    }
