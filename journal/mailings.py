"""The journal's mass mail, through the check step: the edition (now or at its scheduled time), and the journal's
subscribers as a group that announcements, invitations and surveys can choose (network.audiences)."""

from dataclasses import replace
from functools import cached_property

from django import forms
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coalition.checkstep import Audience, CheckError, MassMail, open_check, register
from coalition.mail import Recipient, absolute_url
from coalition.models import MailCheck, Mailing
from network.audiences import Person, Source

from . import services
from .models import Edition, Subscriber


@register
class EditionMail(MassMail):
    """An edition, published and mailed to everyone receiving the journal.

    params: {"edition": pk} publishes and mails at confirm; {"edition": pk, "schedule": true} schedules it at its
    publication date and time: then the beat publishes it and mails it through this confirmed check, once, to
    everyone subscribed at that moment (journal.services.publish_due_editions).
    """

    key = "journal.edition"
    label = gettext_lazy("Journal edition")
    mailing_kind = Mailing.Kind.JOURNAL
    template = "journal/edition"
    topic = None  # the journal is a subscription: its own unsubscribe link (Subscriber.unsubscribe_url("journal"))
    permission = "journal.publish_edition"

    @cached_property
    def edition(self) -> Edition:
        edition = Edition.objects.select_related("theme").filter(pk=self.params.get("edition")).first()
        if edition is None:
            raise CheckError(_("This edition no longer exists."))
        return edition

    @property
    def scheduled(self) -> bool:
        return bool(self.params.get("schedule"))

    @cached_property
    def plan(self) -> services.EditionMailPlan:
        services.ensure_mailable(self.edition, scheduled=self.scheduled)
        return services.plan_edition_mail(self.edition)

    def target(self):
        return self.edition

    def audience(self) -> Audience:
        return self.plan.audience

    def context(self) -> dict:
        return self.plan.context

    def _when(self) -> str:
        return formats.date_format(timezone.localtime(self.edition.published_at), "DATETIME_FORMAT")

    def description(self) -> str:
        text = services.edition_mail_description(self.edition)
        if self.scheduled:
            return _("%(edition)s (published and mailed on %(when)s)") % {"edition": text, "when": self._when()}
        return text

    def change_url(self) -> str:
        return reverse("admin:journal_edition_change", args=[self.edition.pk])

    def done_url(self, mailing: Mailing | None) -> str:
        return self.change_url()

    def done_message(self, count: int) -> str:
        if self.scheduled:
            return ngettext(
                "The edition is scheduled: on %(when)s it is published and mailed, once, to everyone subscribed at "
                "that moment (now %(count)d person).",
                "The edition is scheduled: on %(when)s it is published and mailed, once, to everyone subscribed at "
                "that moment (now %(count)d people).",
                count,
            ) % {"when": self._when(), "count": count}
        return ngettext(
            "The edition is published and its mail is on its way to %(count)d person.",
            "The edition is published and its mail is on its way to %(count)d people.",
            count,
        ) % {"count": count}

    def for_tester(self, recipient: Recipient, tester) -> Recipient:
        """The first reader's mail, but a click on "unsubscribe" in a test leads to the tester's own settings."""
        context = {**recipient.context, "unsubscribe_url": absolute_url(reverse("journal:subscription"))}
        return replace(recipient, context=context)

    def send(self, audience: Audience, *, by, check: MailCheck) -> Mailing | None:
        if self.scheduled:
            # Nothing is queued now: the beat queues it at the due time through this check (see the class).
            services.schedule(self.edition, at=self.edition.published_at, by=by, check=check)
            return None
        edition = services.publish(self.edition, by=by, check=check, plan=self.plan)
        if edition.mailing_id is None:
            raise CheckError(_("This edition has been mailed already; it is never mailed twice."))
        return edition.mailing


def open_edition_check(edition: Edition, *, by, schedule: bool = False) -> MailCheck:
    """The check page of publishing and mailing this edition (now, or at its scheduled time)."""
    params = {"edition": edition.pk}
    if schedule:
        params["schedule"] = True
    return open_check(EditionMail.key, params, by=by)


# --- Journal subscribers as a group for announcements, invitations and surveys ---------------------------------


def subscriber_people(chosen) -> list[Person]:
    """Everyone receiving the journal (confirmed, not unsubscribed), each with their journal unsubscribe link."""
    if not chosen:
        return []
    return [
        Person(email=subscriber.email, name=subscriber.name, unsubscribe_url=subscriber.unsubscribe_url("journal"))
        for subscriber in Subscriber.objects.receiving("journal").order_by("pk").only("pk", "email", "name")
    ]


SUBSCRIBERS_SOURCE = Source(
    key="subscribers",
    field=lambda: forms.BooleanField(label=gettext_lazy("Journal subscribers"), required=False),
    people=subscriber_people,
    to_params=bool,
    from_params=bool,
)
