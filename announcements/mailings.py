"""The mass mail kind "announcements.announcement": an announcement to its segment, through the check step."""

from functools import cached_property

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition import checkstep
from coalition.mail import Recipient, absolute_url
from coalition.models import Mailing
from coalition.rules import DomainError
from network.audiences import Segment, people_of

from .models import Announcement
from .services import ensure_segment_allowed, mark_sent

TOPIC = "announcements"


def unsubscribe_link_maker(topic: str):
    """A function address -> the one-click unsubscribe link of `topic` (checkstep.unsubscribe_url's link).

    The address part is reversed once: for ten thousand recipients the URL resolver cost more than the signing.
    """
    marker = "TOKEN"
    prefix, suffix = absolute_url(reverse("mail_unsubscribe", kwargs={"token": marker})).rsplit(marker, 1)

    def link(address: str) -> str:
        return prefix + checkstep.unsubscribe_token(address, topic) + suffix

    return link


def _sign_links(recipients, announcement) -> None:
    """Give each recipient without an unsubscribe link of its own (a journal subscriber has one) the announcements'
    link, and, when there is an attachment, their own link to it: a subscriber has no account to log in with."""
    link = unsubscribe_link_maker(TOPIC)
    if announcement.attachment:
        marker = "TOKEN"
        url = absolute_url(reverse("announcements:attachment_link", kwargs={"pk": announcement.pk, "token": marker}))
        prefix, suffix = url.rsplit(marker, 1)
    for recipient in recipients:
        if not recipient.context["unsubscribe_url"]:
            recipient.context["unsubscribe_url"] = link(recipient.email)
        if announcement.attachment:
            recipient.context["attachment_url"] = prefix + announcement.attachment_token(recipient.email) + suffix


def announcement_description(subject: str) -> str:
    """The mailing's name in lists. In the portal's language: it is stored, and compared at confirm (a language
    switch between the check page and the confirm changes nothing)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Announcement: %(subject)s") % {"subject": subject}


@checkstep.register
class AnnouncementMail(checkstep.MassMail):
    key = "announcements.announcement"
    label = gettext_lazy("Announcement")
    mailing_kind = Mailing.Kind.ANNOUNCEMENT
    template = "announcements/announcement"
    topic = TOPIC
    permission = "announcements.send_announcement"

    @cached_property
    def announcement(self) -> Announcement:
        try:
            return Announcement.objects.select_related("coalition").get(pk=self.params["announcement"])
        except (Announcement.DoesNotExist, KeyError, TypeError, ValueError):
            raise DomainError(_("This announcement no longer exists.")) from None

    def target(self):
        return self.announcement

    def audience(self) -> checkstep.Audience:
        people, left_out = people_of(Segment.from_params(self.announcement.segment))
        candidates = [
            Recipient(email=person.email, name=person.name, context={"unsubscribe_url": person.unsubscribe_url})
            for person in people
        ]
        audience = checkstep.screen(candidates, topic=TOPIC, left_out=left_out)
        # Signing ten thousand links costs a quarter of a second: the count and the check page need only the first
        # recipient's (the preview); send() signs the others, once, for those the mail is queued to.
        _sign_links(audience.recipients[:1], self.announcement)
        return audience

    def context(self) -> dict:
        announcement = self.announcement
        return {
            "subject": announcement.subject,
            "body_text": announcement.body,
            "body_html": announcement.body_html,
            "cta_label": announcement.cta_label,
            "cta_url": announcement.cta_url,
            "coalition_name": announcement.coalition.name if announcement.coalition else "",
            "read_url": absolute_url(announcement.get_absolute_url()),
            "attachment_name": announcement.attachment_name,
            "attachment_url": (
                absolute_url(reverse("announcements:attachment", kwargs={"pk": announcement.pk}))
                if announcement.attachment
                else ""
            ),
        }

    def for_tester(self, recipient: Recipient, tester) -> Recipient:
        """The test mail links to the attachment through the page that asks the coordinator to log in, not
        through the first recipient's own link (which names their address)."""
        tested = super().for_tester(recipient, tester)
        if "attachment_url" in tested.context:
            tested.context["attachment_url"] = self.context()["attachment_url"]
        return tested

    def description(self) -> str:
        return announcement_description(self.announcement.subject)

    def change_url(self) -> str:
        return reverse("announcements:announcement_edit", kwargs={"pk": self.announcement.pk})

    def done_url(self, mailing: Mailing) -> str:
        return self.announcement.get_absolute_url()

    def send(self, audience: checkstep.Audience, *, by, check) -> Mailing:
        ensure_segment_allowed(Segment.from_params(self.announcement.segment), by=by)
        _sign_links([*audience.recipients, *audience.suppressed], self.announcement)
        mailing = super().send(audience, by=by, check=check)
        mark_sent(self.announcement, mailing=mailing, recipient_count=audience.count)
        return mailing
