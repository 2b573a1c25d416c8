"""The outbox's own SMTP serialising (OutboxMessage.smtp_bytes) writes what Django's SMTP backend would."""

import email.policy
import re
from email import message_from_bytes

import pytest

from coalition.mail import render_delivery
from coalition.models import Delivery, Mailing

CALENDAR = {
    "filename": "uitnodiging.ics",
    "content": "BEGIN:VCALENDAR\r\nSUMMARY:Café in Zwolle\r\nEND:VCALENDAR\r\n",
    "mimetype": "text/calendar",
}
LONG_TEXT = "Een regel met é, & en een link https://portal.example/?a=1&b=2 " * 12 + "\nFrom here on\n.\n"


def delivery(*, kind=Mailing.Kind.JOURNAL, name="", subject="Editie 12", html="<p>Editie</p>", attachments=()):
    mailing = Mailing(kind=kind, template="", subject=subject, body_text=LONG_TEXT, body_html=html)
    return Delivery(
        mailing=mailing,
        address="reader@example.org",
        name=name,
        context={"unsubscribe_url": "https://portal.example/u/" + "x" * 90},
        attachments=list(attachments),
        message_id="<12.34@portal.example>",
    )


def django_bytes(message):
    """What django.core.mail.backends.smtp.EmailBackend writes for the message."""
    return message.message(policy=email.policy.SMTP).as_bytes()


def without_date_and_boundary(raw: bytes) -> bytes:
    raw = re.sub(rb"Date: [^\r]*", b"Date: -", raw)
    return re.sub(rb"===============\d+==", b"BOUNDARY", raw)


@pytest.mark.parametrize("kind", [Mailing.Kind.JOURNAL, Mailing.Kind.TRANSACTIONAL])
@pytest.mark.parametrize("name", ["", "Jansen, Piet", "Jöns de Vries (GGD)", "J.P. de Vries " * 8])
@pytest.mark.parametrize("subject", ["Editie 12", "Über één ding dat je moet weten " * 4])
@pytest.mark.parametrize("attachments", [(), (CALENDAR,)], ids=["no-attachment", "ics"])
@pytest.mark.parametrize("html", ["", "<p>Editie &amp; meer</p>" * 30], ids=["text-only", "html"])
def test_smtp_bytes_are_what_django_would_send(kind, name, subject, attachments, html, settings):
    settings.SITE_URL = "https://portal.example"
    message = render_delivery(delivery(kind=kind, name=name, subject=subject, html=html, attachments=attachments))

    assert without_date_and_boundary(message.smtp_bytes()) == without_date_and_boundary(django_bytes(message))


def test_a_batch_shares_the_structure_but_each_message_keeps_its_own_headers():
    shared = {}
    first = render_delivery(delivery(name="Jansen, Piet"), shared=shared)
    second_delivery = delivery(name="Piet de Vries")
    second_delivery.address, second_delivery.message_id = "piet@example.org", "<56.78@portal.example>"
    second_delivery.context = {"unsubscribe_url": "https://portal.example/u/piet"}
    second = render_delivery(second_delivery, shared=shared)

    parsed = [message_from_bytes(m.smtp_bytes(), policy=email.policy.default) for m in (first, second)]

    assert [p["To"] for p in parsed] == ['"Jansen, Piet" <reader@example.org>', "Piet de Vries <piet@example.org>"]
    assert [p["Message-ID"] for p in parsed] == ["<12.34@portal.example>", "<56.78@portal.example>"]
    assert parsed[1]["List-Unsubscribe"] == "<https://portal.example/u/piet>"
    assert parsed[0].get_body(("plain",)).get_content() == parsed[1].get_body(("plain",)).get_content()
    assert len([key for key in shared if key[0] == "structure"]) == 1


def test_an_address_that_needs_idna_is_left_to_django():
    message = render_delivery(delivery())
    assert not message.needs_idna()
    message.to = ["Jan <jan@gemeente-zwolle.example>", "Jan <jan@zwölle.example>"]
    assert message.needs_idna()
