"""Render a mail from templates/emails/<name>/ and put it in the outbox."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Delivery, Mailing


@dataclass(frozen=True)
class Recipient:
    """One address of a mailing, with what its mail adds to the mailing's shared context.

    For mass mailings `context["unsubscribe_url"]` is required (absolute URL).
    `attachments` holds dicts {"filename", "content" (text), "mimetype"}.
    """

    email: str
    name: str = ""
    context: dict = field(default_factory=dict)
    attachments: list = field(default_factory=list)


def queue_mailing(*, template, recipients, context=None, kind=Mailing.Kind.TRANSACTIONAL, description="", created_by=None):
    """Create a mailing with one delivery per distinct address and send it after commit.

    `context` and each recipient's context must be JSON-serialisable: they are stored and the
    mail is rendered by the worker, from templates/emails/<template>/.
    """
    mailing = Mailing.objects.create(
        kind=kind,
        template=template,
        context=context or {},
        description=description,
        created_by=created_by,
        state=Mailing.State.QUEUED,
        queued_at=timezone.now(),
    )
    _add_deliveries(mailing, recipients)
    _enqueue(mailing)
    return mailing


def send_mail(*, template, to, context=None, attachments=None, kind=Mailing.Kind.TRANSACTIONAL, description=""):
    """Queue one mail to one address (a Recipient, a user, or a plain address)."""
    if isinstance(to, str):
        recipient = Recipient(email=to, attachments=attachments or [])
    elif isinstance(to, Recipient):
        recipient = to
    else:
        recipient = Recipient(email=to.email, name=to.get_full_name(), attachments=attachments or [])
    return queue_mailing(template=template, recipients=[recipient], context=context, kind=kind, description=description)


def queue_rendered(*, to, subject, body_text, body_html="", description=""):
    """Queue a mail whose content was rendered elsewhere (allauth's account mails)."""
    mailing = Mailing.objects.create(
        kind=Mailing.Kind.TRANSACTIONAL,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        description=description or subject,
        state=Mailing.State.QUEUED,
        queued_at=timezone.now(),
    )
    _add_deliveries(mailing, [Recipient(email=to)])
    _enqueue(mailing)
    return mailing


def _add_deliveries(mailing, recipients):
    seen = set()
    rows = []
    for recipient in recipients:
        address = recipient.email.strip()
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        if mailing.is_mass and "unsubscribe_url" not in recipient.context:
            raise ValueError(f"Mass mailing to {address} has no unsubscribe_url in its context.")
        rows.append(
            Delivery(
                mailing=mailing,
                address=address,
                name=recipient.name,
                context=recipient.context,
                attachments=recipient.attachments,
            )
        )
    Delivery.objects.bulk_create(rows, batch_size=1000)


def _enqueue(mailing):
    from .tasks import send_mailing

    mailing_id = mailing.pk
    transaction.on_commit(lambda: send_mailing.delay(mailing_id))


def render_delivery(delivery, *, connection=None):
    """Build the message of one delivery: a text and an HTML part."""
    mailing = delivery.mailing
    if mailing.template:
        ctx = {
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **mailing.context,
            **delivery.context,
            "recipient_name": delivery.name,
            "recipient_email": delivery.address,
            "is_mass": mailing.is_mass,
        }
        base = f"emails/{mailing.template}"
        with translation.override(ctx.get("language", settings.LANGUAGE_CODE)):
            subject = " ".join(render_to_string(f"{base}/subject.txt", ctx).split())
            text = render_to_string(f"{base}/body.txt", ctx)
            html = render_to_string(f"{base}/body.html", ctx)
    else:
        subject, text, html = mailing.subject, mailing.body_text, mailing.body_html
    to = f"{delivery.name} <{delivery.address}>" if delivery.name else delivery.address
    headers = {}
    unsubscribe_url = delivery.context.get("unsubscribe_url")
    if mailing.is_mass and unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
        connection=connection,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in delivery.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment.get("mimetype"))
    return message
