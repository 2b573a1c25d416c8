"""The check step every mass mail passes before it is queued: how many people, who is left out and why, the mail
exactly as it will go out, a test to yourself, then confirm.

Each kind of mass mail is a `MassMail` subclass registered under a key ("events.invitation"); it knows its
audience, its shared context and what sending does besides mailing (inviting, cancelling, publishing). A composing
view calls `open_check(key, params, by=…)` and redirects to the check page (coalition.views.mail_check), which shows
`preview(check)`, offers `send_test(check, by=…)` and finally `confirm_check(check, by=…, fingerprint=…)`. That
recounts: if the people or the mail changed since the page was shown, nothing is sent and the page shows the new
numbers. Only then does the kind's `send()` run, and `coalition.mail.queue_mailing` refuses a checked kind
(models.CHECKED_KINDS) without the MailCheck it came through: no mass mail is queued any other way.

Who is left out is decided here once, for every kind (`screen()`): addresses unsubscribed from the mail's topic,
addresses that bounced (kept as skipped deliveries, so the mailing shows them), and those the kind itself counts
as without consent (an unconfirmed subscription).
"""

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .mail import Recipient, absolute_url, queue_mailing, render_delivery
from .models import Delivery, MailCheck, Mailing, OptOut, Suppression
from .rules import DomainError, NotAllowed, ensure_permitted

UNSUBSCRIBE_SALT = "coalition.unsubscribe"

# --- Topics: what a person can unsubscribe from, one at a time ------------------------------------------

# topic -> (label, what it is), in the order the preferences page lists them. Apps add theirs with add_topic().
TOPICS: dict[str, tuple[str, str]] = {}


def add_topic(topic: str, label: str, description: str = "") -> None:
    """Register a kind of list mail a person can unsubscribe from (lazy texts: shown in the reader's language)."""
    TOPICS[topic] = (label, description)


add_topic(
    "announcements",
    gettext_lazy("Announcements"),
    gettext_lazy("News from your coalition and the region, written by its coordinators."),
)


def unsubscribe_token(address: str, topic: str) -> str:
    if topic not in TOPICS:
        raise ValueError(f"Unknown mail topic {topic!r}; add it with add_topic().")
    return signing.dumps({"a": address.strip().lower(), "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(address: str, topic: str) -> str:
    """The one-click link of one address and one topic (GET asks, POST unsubscribes: RFC 8058); no login needed."""
    return absolute_url(reverse("mail_unsubscribe", kwargs={"token": unsubscribe_token(address, topic)}))


def read_unsubscribe_token(token: str) -> tuple[str, str]:
    """(address, topic) of a genuine link; raises DomainError otherwise."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        address, topic = data["a"], data["t"]
    except (signing.BadSignature, KeyError, TypeError):
        raise DomainError(_("This unsubscribe link is not valid. Use the link from the mail itself.")) from None
    if topic not in TOPICS:
        raise DomainError(_("This unsubscribe link is not valid. Use the link from the mail itself."))
    return address, topic


def unsubscribe(address: str, topic: str) -> OptOut:
    """Record that `address` wants no more mail of `topic`; doing it twice changes nothing."""
    opt_out, _created = OptOut.objects.get_or_create(address=address.strip().lower(), topic=topic)
    return opt_out


def resubscribe(address: str, topic: str) -> int:
    """Take an unsubscription back (the preferences page); returns how many rows it removed."""
    deleted, _by_model = OptOut.objects.filter(address=address.strip().lower(), topic=topic).delete()
    return deleted


def unsubscribed_topics(address: str) -> set[str]:
    return set(OptOut.objects.filter(address=address.strip().lower()).values_list("topic", flat=True))


# --- Audiences ----------------------------------------------------------------------------------------


class LeftOut:
    """Why someone chosen does not get the mail (the keys of Audience.left_out)."""

    UNSUBSCRIBED = "unsubscribed"
    SUPPRESSED = "suppressed"
    NO_CONSENT = "no_consent"
    NO_ADDRESS = "no_address"

    LABELS: ClassVar[dict[str, Any]] = {
        UNSUBSCRIBED: gettext_lazy("unsubscribed from this kind of mail"),
        SUPPRESSED: gettext_lazy("address bounced earlier (suppressed)"),
        NO_CONSENT: gettext_lazy("no consent (subscription not confirmed)"),
        NO_ADDRESS: gettext_lazy("no e-mail address"),
    }


@dataclass
class Audience:
    """Who a mass mail goes to: the recipients, and how many were left out per reason.

    `suppressed` are recipients whose address bounced: they are queued as skipped deliveries, with the reason,
    so the mailing shows them; they are not counted as recipients.
    """

    recipients: list[Recipient]
    left_out: Counter = field(default_factory=Counter)
    suppressed: list[Recipient] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.recipients)

    def addresses_digest(self) -> str:
        digest = hashlib.sha256()
        for address in sorted(r.email.lower() for r in self.recipients):
            digest.update(address.encode() + b"\n")
        return digest.hexdigest()


def screen(candidates: Iterable[Recipient], *, topic: str | None, left_out: Counter | None = None) -> Audience:
    """The audience of these candidates: each address once, without those unsubscribed from `topic`, with the
    bounced ones set apart. `left_out` carries what the caller already left out (e.g. no consent)."""
    left_out = Counter(left_out or {})
    unique: dict[str, Recipient] = {}
    for candidate in candidates:
        address = (candidate.email or "").strip()
        if not address:
            left_out[LeftOut.NO_ADDRESS] += 1
            continue
        unique.setdefault(address.lower(), candidate)
    opted_out = set()
    if topic:
        opted_out = set(OptOut.objects.filter(topic=topic).values_list("address", flat=True))
    suppressed_addresses = set(Suppression.objects.active().values_list("address", flat=True))
    recipients, suppressed = [], []
    for address, recipient in unique.items():
        if address in opted_out:
            left_out[LeftOut.UNSUBSCRIBED] += 1
        elif address in suppressed_addresses:
            left_out[LeftOut.SUPPRESSED] += 1
            suppressed.append(recipient)
        else:
            recipients.append(recipient)
    return Audience(recipients=recipients, left_out=left_out, suppressed=suppressed)


# --- The kinds --------------------------------------------------------------------------------------------

KINDS: dict[str, type["MassMail"]] = {}


def register(cls: type["MassMail"]) -> type["MassMail"]:
    """Class decorator: make a MassMail kind known to the check step (and to the test that enumerates them)."""
    if cls.key in KINDS and KINDS[cls.key] is not cls:
        raise ValueError(f"Two mass mail kinds named {cls.key!r}.")
    KINDS[cls.key] = cls
    return cls


class MassMail:
    """One kind of mass mail. Subclass, set the class attributes, implement the methods, decorate with @register.

    `params` are what the coordinator composed, JSON-serialisable (ids and typed text), stored on the MailCheck;
    the subclass turns them back into objects. Every method is called again at confirm, on fresh data.
    """

    key: ClassVar[str]  # "events.invitation"
    label: ClassVar[Any]  # what the check page calls it: gettext_lazy("Invitation")
    mailing_kind: ClassVar[str]  # a Mailing.Kind in models.CHECKED_KINDS
    template: ClassVar[str]  # templates/emails/<template>/
    topic: ClassVar[str | None] = None  # what a recipient unsubscribes from; None for event messages
    permission: ClassVar[str]  # the rule asked with target(): "events.send_invitations"

    def __init__(self, params: dict[str, Any]):
        self.params = params

    def target(self) -> Any:
        """The object the permission is about (the event, the announcement), or None."""
        return None

    def audience(self) -> Audience:
        raise NotImplementedError

    def context(self) -> dict[str, Any]:
        """The context every recipient's mail shares (each Recipient adds its own)."""
        raise NotImplementedError

    def description(self) -> str:
        """The mailing's name in lists ("Inloopochtend: uitnodiging")."""
        raise NotImplementedError

    def change_url(self) -> str:
        """Where "Change" on the check page leads: back to composing."""
        raise NotImplementedError

    def done_url(self, mailing: Mailing) -> str:
        return self.change_url()

    def done_message(self, count: int) -> str:
        return _("The mail is on its way to %(count)d people.") % {"count": count}

    def for_tester(self, recipient: Recipient, tester) -> Recipient:
        """The mail a test goes out as: the first recipient's, but every personal link made harmless.

        By default the unsubscribe link becomes the tester's own. A kind with other personal links (answer
        buttons, a survey link) overrides this so a click in a test acts for nobody else.
        """
        context = dict(recipient.context)
        if "unsubscribe_url" in context and self.topic:
            context["unsubscribe_url"] = unsubscribe_url(tester.email, self.topic)
        return replace(recipient, context=context)

    def send(self, audience: Audience, *, by, check: MailCheck) -> Mailing:
        """Queue the mail to the audience; a kind that does more (invite, cancel, publish) overrides this and
        calls super().send() within the same transaction."""
        return queue_mailing(
            template=self.template,
            recipients=[*audience.recipients, *audience.suppressed],
            context=self.context(),
            kind=self.mailing_kind,
            description=self.description(),
            created_by=by,
            check=check,
        )

    # Not for overriding: what the check step compares at confirm.
    def fingerprint(self, audience: Audience) -> str:
        content = json.dumps(
            [self.template, self.description(), self.context()], sort_keys=True, default=str, ensure_ascii=False
        )
        return hashlib.sha256((audience.addresses_digest() + content).encode()).hexdigest()


def kind_of(check: MailCheck) -> MassMail:
    try:
        cls = KINDS[check.kind]
    except KeyError:
        raise DomainError(_("This kind of mail no longer exists.")) from None
    return cls(check.params)


# "Change" on the check page leads back to the page the mail was composed on with this: it then shows what was chosen
# (a kind's `change_url` adds it; the page asks `composed_before`).
AGAIN = "?again=1"


def composed_before(request, key: str, **target) -> dict | None:
    """The params this person last composed of kind `key` for `target` (e.g. `event=event.pk`) and did not send,
    when they come back from the check page with "Change" (`AGAIN`); else None."""
    if not request.GET.get("again"):
        return None
    check = (
        MailCheck.objects.filter(
            kind=key,
            created_by=request.user,
            confirmed_at__isnull=True,
            **{f"params__{name}": value for name, value in target.items()},
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return check.params if check else None


class CheckError(DomainError):
    """The check step cannot go on (nobody to mail, already sent, changed meanwhile)."""


class AudienceChanged(CheckError):
    """At confirm the recipients or the mail differed from what the page showed: nothing was sent."""


class AlreadySent(CheckError):
    """The check was confirmed before (a second click): nothing more was sent."""


def _may_use(check: MailCheck, mass: MassMail, user) -> None:
    if check.created_by_id != user.pk:
        raise NotAllowed(_("Only the person who composed this mail can check and send it."))
    ensure_permitted(user, mass.permission, mass.target())


def _store_count(check: MailCheck, mass: MassMail, audience: Audience) -> None:
    check.recipient_count = audience.count
    check.left_out = dict(audience.left_out)
    check.fingerprint = mass.fingerprint(audience)
    check.counted_at = timezone.now()


def open_check(key: str, params: dict[str, Any], *, by) -> MailCheck:
    """Count a composed mass mail and keep it for its check page; raises CheckError when nobody would get it."""
    mass = KINDS[key](params)
    ensure_permitted(by, mass.permission, mass.target())
    audience = mass.audience()
    if not audience.count:
        raise CheckError(empty_audience_message(audience))
    check = MailCheck(kind=key, params=params, created_by=by)
    _store_count(check, mass, audience)
    check.save()
    return check


def empty_audience_message(audience: Audience) -> str:
    if audience.left_out:
        return _("Nobody would receive this mail: everyone chosen is left out (%(why)s). Choose other people.") % {
            "why": left_out_text(audience.left_out)
        }
    return _("Nobody would receive this mail: the people chosen are an empty group. Choose other people.")


def left_out_text(left_out: dict[str, int]) -> str:
    return ", ".join(f"{count} {LeftOut.LABELS.get(reason, reason)}" for reason, count in sorted(left_out.items()))


@dataclass(frozen=True)
class Preview:
    """The mail of one real recipient, as the outbox will render it."""

    recipient: Recipient
    subject: str
    text: str
    html: str
    attachments: list[str]
    headers: dict[str, str]


def render_for(mass: MassMail, recipient: Recipient) -> Preview:
    mailing = Mailing(kind=mass.mailing_kind, template=mass.template, context=mass.context())
    delivery = Delivery(
        mailing=mailing,
        address=recipient.email,
        name=recipient.name,
        context=recipient.context,
        attachments=recipient.attachments,
    )
    message = render_delivery(delivery)
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    headers = {name: value for name, value in message.extra_headers.items() if name.startswith("List-")}
    return Preview(
        recipient=recipient,
        subject=message.subject,
        text=message.body,
        html=html,
        attachments=[attachment["filename"] for attachment in recipient.attachments],
        headers=headers,
    )


def preview(check: MailCheck, *, by) -> tuple[MassMail, Audience, Preview]:
    """The check page's content: the kind, its audience now, and the first recipient's mail."""
    mass = kind_of(check)
    _may_use(check, mass, by)
    audience = mass.audience()
    if not audience.count:
        raise CheckError(empty_audience_message(audience))
    if not check.is_confirmed and mass.fingerprint(audience) != check.fingerprint:
        # The page shows the people and the mail as they are now: its confirm carries their fingerprint, so what
        # was shown is what is compared (a change after this still sends nothing).
        _store_count(check, mass, audience)
        check.save(update_fields=["recipient_count", "left_out", "fingerprint", "counted_at"])
    return mass, audience, render_for(mass, audience.recipients[0])


def send_test(check: MailCheck, *, by) -> Mailing:
    """Mail the first recipient's mail to the person checking, marked as a test, through the outbox."""
    mass, audience, _shown = preview(check, by=by)
    if not by.email:
        raise CheckError(_("Your account has no e-mail address to send a test to."))
    sample = mass.for_tester(audience.recipients[0], by)
    shown = render_for(mass, sample)
    mailing = queue_mailing(
        template=mass.template,
        recipients=[
            Recipient(email=by.email, name=sample.name, context=sample.context, attachments=sample.attachments)
        ],
        context={**mass.context(), "is_test": True},
        kind=Mailing.Kind.TRANSACTIONAL,
        description=_("Test: %(subject)s") % {"subject": shown.subject},
        created_by=by,
    )
    MailCheck.objects.filter(pk=check.pk).update(tested_at=timezone.now())
    return mailing


def confirm_check(check: MailCheck, *, by, fingerprint: str) -> Mailing:
    """Send what the check page showed. Recounts first: if the people or the mail changed since the page was
    shown (`fingerprint` is the one it showed), nothing is sent, the check stores the new count and
    AudienceChanged says so. A second confirm raises AlreadySent."""
    with transaction.atomic():
        check = MailCheck.objects.select_for_update().get(pk=check.pk)
        mass = kind_of(check)
        _may_use(check, mass, by)
        if check.is_confirmed:
            raise AlreadySent(_("This mail was already sent; it was not sent again."))
        audience = mass.audience()
        if not audience.count:
            raise CheckError(empty_audience_message(audience))
        if mass.fingerprint(audience) == check.fingerprint == fingerprint:
            mailing = mass.send(audience, by=by, check=check)
            check.confirmed_at = timezone.now()
            check.mailing = mailing
            check.save(update_fields=["confirmed_at", "mailing"])
            return mailing
        _store_count(check, mass, audience)
        check.save(update_fields=["recipient_count", "left_out", "fingerprint", "counted_at"])
    raise AudienceChanged(
        _(
            "Since this page was shown, the recipients or the mail changed: it would now go to %(count)d people. "
            "Nothing was sent. Look again and confirm."
        )
        % {"count": audience.count}
    )
