"""Bounces and suppression (issue 15, point 4): a 5xx at send time, bounce reports by mail (IMAP) or webhook, and the
ways an address comes off the list again."""

import imaplib
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalition import bounces, outbox
from coalition.bounces import Bounce, clear_suppression, process_dsn, read_dsn, suppress
from coalition.celery import BOUNCE_SCHEDULE, registered_task, schedule_bounce_mailbox
from coalition.mail import Recipient, queue_mailing, queue_rendered, release_mailing, retry_failed, skip_reason
from coalition.models import Delivery, Mailing, Suppression

TEST_TEMPLATES = Path(__file__).parent / "templates"
REFUSAL = "550 5.1.1 Recipient address rejected: user unknown"  # what conftest's SMTP server answers


@pytest.fixture(autouse=True)
def _outbox_test_templates(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}]
    settings.MAIL_BATCH_SIZE = 40


def addresses(count, prefix="person"):
    return [f"{prefix}{n:04d}@example.org" for n in range(count)]


def queue_news(emails, **kwargs):
    """A mass mailing (reminders need no check step) in a committed transaction, as a service would queue it."""
    recipients = [
        Recipient(email, context={"unsubscribe_url": f"https://portal.example/u/{email}"}) for email in emails
    ]
    with transaction.atomic():
        mailing = queue_mailing(
            template="outbox_test/mass", recipients=recipients, kind=Mailing.Kind.REMINDER, **kwargs
        )
    mailing.refresh_from_db()
    return mailing


def received_since(smtp_server, start):
    return [address for message in smtp_server.messages[start:] for address in message.envelope_recipients]


# --- A permanent failure at send time ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_550_suppresses_the_address_the_next_mailing_skips_it_and_clearing_it_sends_again(smtp_server, coordinator):
    gone, others = "gone@example.org", addresses(3)
    smtp_server.refuse = {gone}

    first = queue_news([*others, gone])

    assert first.state == Mailing.State.SENT_WITH_FAILURES
    failed = first.deliveries.get(address=gone)
    assert failed.state == Delivery.State.FAILED
    suppression = Suppression.objects.get(address=gone)
    assert suppression.is_active
    assert suppression.reason == REFUSAL
    assert suppression.source == Suppression.Source.SMTP
    assert sorted(received_since(smtp_server, 0)) == others

    # The server would take it now: only the list keeps the second mailing from sending it.
    smtp_server.refuse = set()
    start = len(smtp_server.messages)
    second = queue_news([*others, gone])

    assert second.state == Mailing.State.SENT
    skipped = second.deliveries.get(address=gone)
    assert skipped.state == Delivery.State.SKIPPED
    assert skipped.last_error == skip_reason(suppression)
    assert REFUSAL in skipped.last_error
    assert skipped.attempts == 0
    assert gone not in received_since(smtp_server, start)
    assert sorted(received_since(smtp_server, start)) == others

    clear_suppression(suppression, by=coordinator)
    start = len(smtp_server.messages)
    third = queue_news([*others, gone])

    assert third.deliveries.get(address=gone).state == Delivery.State.SENT
    assert sorted(received_since(smtp_server, start)) == sorted([*others, gone])
    suppression.refresh_from_db()
    assert suppression.cleared_by == coordinator


@pytest.mark.celery_worker
def test_on_a_real_worker_a_550_suppresses_the_address_and_the_next_mailing_skips_it(smtp_server, celery_worker_redis):
    smtp_server.refuse = {"gone@example.org"}
    first = queue_news(["gone@example.org", "here@example.org"])
    assert celery_worker_redis.wait_until(lambda: Mailing.objects.get(pk=first.pk).is_finished)

    assert Suppression.objects.get().reason == REFUSAL
    smtp_server.refuse = set()
    second = queue_news(["gone@example.org", "here@example.org"])
    assert celery_worker_redis.wait_until(lambda: Mailing.objects.get(pk=second.pk).is_finished)

    assert second.deliveries.get(address="gone@example.org").state == Delivery.State.SKIPPED
    assert received_since(smtp_server, 0) == ["here@example.org", "here@example.org"]


@pytest.mark.django_db(transaction=True)
def test_retrying_a_refused_delivery_skips_it_while_the_address_is_suppressed(smtp_server):
    smtp_server.refuse = {"gone@example.org"}
    mailing = queue_news(["gone@example.org"])
    smtp_server.refuse = set()

    with transaction.atomic():
        retry_failed(mailing)

    delivery = mailing.deliveries.get()
    assert delivery.state == Delivery.State.SKIPPED
    assert REFUSAL in delivery.last_error
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_an_address_refused_again_after_clearing_is_suppressed_again_with_the_new_reply(smtp_server, coordinator):
    smtp_server.refuse = {"gone@example.org"}
    queue_news(["gone@example.org"])
    clear_suppression(Suppression.objects.get(), by=coordinator)

    queue_news(["gone@example.org"])

    suppression = Suppression.objects.get()
    assert suppression.is_active
    assert suppression.cleared_by is None


@pytest.mark.django_db(transaction=True)
def test_a_451_postpones_the_delivery_and_suppresses_nothing(smtp_server):
    smtp_server.defer = {"busy@example.org": 1}

    mailing = queue_news(["busy@example.org"])

    delivery = mailing.deliveries.get()
    assert delivery.state == Delivery.State.PENDING
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at is not None
    assert not Suppression.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_suppression_that_arrives_while_the_mailing_waits_skips_the_address_at_send_time(smtp_server):
    emails = addresses(100)
    mailing = queue_news(emails, draft=True)
    suppressed = {emails[5], emails[50], emails[99]}
    for address in suppressed:
        suppress(address.upper(), reason=REFUSAL, source=Suppression.Source.DSN)

    with CaptureQueriesContext(connection) as queries:
        release_mailing(mailing)

    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT
    skipped = mailing.deliveries.filter(state=Delivery.State.SKIPPED)
    assert {d.address for d in skipped} == suppressed
    assert all(REFUSAL in d.last_error for d in skipped)
    assert sorted(received_since(smtp_server, 0)) == sorted(set(emails) - suppressed)
    # One look at the list per batch of 40, not one per delivery.
    lookups = [q for q in queries.captured_queries if 'FROM "coalition_suppression"' in q["sql"]]
    assert len(lookups) == 3


@pytest.mark.django_db(transaction=True)
def test_deliveries_written_without_the_queue_time_check_are_skipped_when_sent(smtp_server):
    """Events' registration writes its confirmation's rows with SQL of its own: the send-time check covers them."""
    suppress("gone@example.org", reason=REFUSAL)
    with transaction.atomic():
        mailing = queue_mailing(template="outbox_test/transactional", recipients=[], draft=True)
        Delivery.objects.create(mailing=mailing, address="Gone@Example.org", message_id="<1@portal.example>")

    release_mailing(mailing)

    delivery = mailing.deliveries.get()
    assert delivery.state == Delivery.State.SKIPPED
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_an_account_mail_to_a_suppressed_address_still_goes_out(smtp_server):
    """Confirming the address again is how a person comes off the list: allauth's mail must reach them."""
    suppress("gone@example.org", reason=REFUSAL)
    with transaction.atomic():
        mailing = queue_rendered(to="gone@example.org", subject="Bevestig je e-mailadres", body_text="Klik hier.")

    assert mailing.deliveries.get().state == Delivery.State.SENT
    assert received_since(smtp_server, 0) == ["gone@example.org"]


@pytest.mark.django_db(transaction=True)
def test_the_delivery_keeps_its_failed_mark_when_the_suppression_list_cannot_be_written(smtp_server, monkeypatch):
    def broken(*args, **kwargs):
        raise outbox.DatabaseError("the list is locked")

    monkeypatch.setattr(outbox.bounces, "suppress", broken)
    smtp_server.refuse = {"gone@example.org"}

    mailing = queue_news(["gone@example.org", "here@example.org"])

    assert mailing.deliveries.get(address="gone@example.org").state == Delivery.State.FAILED
    assert mailing.deliveries.get(address="here@example.org").state == Delivery.State.SENT


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (smtplib.SMTPRecipientsRefused({"gone@example.org": (550, b"5.1.1 User unknown")}), "550 5.1.1 User unknown"),
        (smtplib.SMTPRecipientsRefused({"Gone@Example.org": (554, b"5.7.1 Relay denied")}), "554 5.7.1 Relay denied"),
        (
            smtplib.SMTPDataError(550, b"5.1.1 <gone@example.org>: no such user"),
            "550 5.1.1 <gone@example.org>: no such user",
        ),
        (smtplib.SMTPDataError(550, b"5.2.1 Mailbox disabled"), "550 5.2.1 Mailbox disabled"),
        # Transient, or not about the address: the portal's sender, its content, its login.
        (smtplib.SMTPRecipientsRefused({"gone@example.org": (450, b"4.2.0 Greylisted")}), ""),
        (smtplib.SMTPSenderRefused(553, b"5.7.1 Sender address rejected", "noreply@portal.example"), ""),
        (smtplib.SMTPDataError(554, b"5.7.1 Message refused as spam"), ""),
        (smtplib.SMTPDataError(552, b"5.3.4 Message too big"), ""),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), ""),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), ""),
    ],
)
def test_only_a_permanent_refusal_of_the_address_counts_as_a_bounce(error, reason):
    assert outbox.permanent_refusal(error, "gone@example.org") == reason


# --- Delivery status notifications -------------------------------------------------------------------------

POSTFIX_DSN = b"""\
Return-Path: <>
Received: by mail.portal.example (Postfix) id 4F1B2C0; Tue,  1 Dec 2026 10:00:00 +0100 (CET)
Date: Tue,  1 Dec 2026 10:00:00 +0100 (CET)
From: MAILER-DAEMON@mail.portal.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: bounces@portal.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4F1B2C0.1764579600/mail.portal.example"
Message-Id: <20261201090000.4F1B2C0@mail.portal.example>

This is a MIME-encapsulated message.

--4F1B2C0.1764579600/mail.portal.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mail.portal.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<gone@example.org>: host mx.example.org[192.0.2.10] said: 550 5.1.1
    <gone@example.org>: Recipient address rejected: User unknown in virtual
    mailbox table (in reply to RCPT TO command)

--4F1B2C0.1764579600/mail.portal.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.portal.example
X-Postfix-Queue-ID: 4F1B2C0
X-Postfix-Sender: rfc822; bounces@portal.example
Arrival-Date: Tue,  1 Dec 2026 09:59:58 +0100 (CET)

Final-Recipient: rfc822; gone@example.org
Original-Recipient: rfc822;Gone@Example.org
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address
    rejected: User unknown in virtual mailbox table

Final-Recipient: rfc822; slow@example.org
Original-Recipient: rfc822;slow@example.org
Action: delayed
Status: 4.4.1
Remote-MTA: dns; mx.example.org
Diagnostic-Code: X-Postfix; connect to mx.example.org[192.0.2.11]:25: Connection timed out

--4F1B2C0.1764579600/mail.portal.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <bounces@portal.example>
From: Kansrijke Start <noreply@portal.example>
To: gone@example.org
Subject: Nieuws uit de regio
Message-ID: <176457959812.1.4242@portal.example>

--4F1B2C0.1764579600/mail.portal.example--
""".replace(b"\n", b"\r\n")

EXCHANGE_DSN = b"""\
From: Microsoft Outlook <postmaster@gemeente.example>
To: <bounces@portal.example>
Date: Tue, 1 Dec 2026 09:00:03 +0000
Subject: Onbestelbaar: Nieuws uit de regio
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="a3c1d7e2-0b6f-4f63-9d2e-5b1e8c9f0a11"
Auto-Submitted: auto-replied
X-MS-Exchange-Message-Is-Ndr:
MIME-Version: 1.0

--a3c1d7e2-0b6f-4f63-9d2e-5b1e8c9f0a11
Content-Type: multipart/alternative; differences=Content-Type;
\tboundary="0d5d7c0a-1f2b-4c3d-8e4f-a5b6c7d8e9f0"

--0d5d7c0a-1f2b-4c3d-8e4f-a5b6c7d8e9f0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: quoted-printable

Uw bericht heeft j.jansen@gemeente.example niet bereikt.

--0d5d7c0a-1f2b-4c3d-8e4f-a5b6c7d8e9f0
Content-Type: text/html; charset="utf-8"

<html><body><p>Uw bericht heeft j.jansen@gemeente.example niet bereikt.</p></body></html>

--0d5d7c0a-1f2b-4c3d-8e4f-a5b6c7d8e9f0--

--a3c1d7e2-0b6f-4f63-9d2e-5b1e8c9f0a11
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;mail.portal.example
Arrival-Date: Tue, 1 Dec 2026 09:00:00 +0000

Final-Recipient: rfc822;J.Jansen@gemeente.example
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup
Remote-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
X-Display-Name: Jansen, J.

--a3c1d7e2-0b6f-4f63-9d2e-5b1e8c9f0a11
Content-Type: message/rfc822

From: Kansrijke Start <noreply@portal.example>
To: J.Jansen@gemeente.example
Subject: Nieuws uit de regio
Message-ID: <176457959812.2.4242@portal.example>

De nieuwsbrief.

--a3c1d7e2-0b6f-4f63-9d2e-5b1e8c9f0a11--
""".replace(b"\n", b"\r\n")

DELAYED_DSN = b"""\
From: Mail Delivery System <MAILER-DAEMON@mail.portal.example>
To: bounces@portal.example
Subject: Delayed Mail (still being retried)
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="DELAY"

--DELAY
Content-Type: text/plain

Your message has not been delivered yet. The mail system will keep trying.

--DELAY
Content-Type: message/delivery-status

Reporting-MTA: dns; mail.portal.example

Final-Recipient: rfc822; slow@example.org
Action: delayed
Status: 4.4.7
Will-Retry-Until: Sat, 5 Dec 2026 10:00:00 +0100 (CET)
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--DELAY--
"""

OUT_OF_OFFICE = b"""\
From: Petra de Vries <p.devries@example.org>
To: bounces@portal.example
Subject: Automatisch antwoord: Nieuws uit de regio
Auto-Submitted: auto-replied
X-Autoreply: yes
Content-Type: text/plain; charset=utf-8

Ik ben afwezig tot en met 7 december. Deze e-mail wordt niet doorgestuurd.
Action: failed
Status: 5.1.1
Final-Recipient: rfc822; p.devries@example.org
"""

READ_RECEIPT = b"""\
From: p.devries@example.org
To: bounces@portal.example
Subject: Gelezen: Nieuws uit de regio
Content-Type: multipart/report; report-type=disposition-notification; boundary="MDN"

--MDN
Content-Type: message/disposition-notification

Final-Recipient: rfc822; p.devries@example.org
Disposition: manual-action/MDN-sent-manually; displayed

--MDN--
"""


def test_a_postfix_bounce_reports_the_failed_recipient_and_not_the_delayed_one():
    assert read_dsn(POSTFIX_DSN) == [
        Bounce(
            "gone@example.org",
            "5.1.1",
            "550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown in virtual mailbox table",
        )
    ]


def test_an_exchange_bounce_reports_the_failed_recipient_with_its_diagnostic():
    [(address, status, diagnostic)] = read_dsn(EXCHANGE_DSN)

    assert address == "j.jansen@gemeente.example"
    assert status == "5.1.10"
    assert diagnostic == ("550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup")


@pytest.mark.parametrize("message", [DELAYED_DSN, OUT_OF_OFFICE, READ_RECEIPT, b"", b"not a mail at all"])
def test_delays_auto_replies_and_other_mail_report_nothing(message):
    assert read_dsn(message) == []


@pytest.mark.django_db
def test_a_bounce_report_suppresses_addresses_the_portal_mailed_and_only_those():
    mailing = queue_mailing(
        template="outbox_test/transactional", recipients=[Recipient("Gone@example.org")], draft=True
    )
    assert mailing.deliveries.exists()

    suppressions = process_dsn(POSTFIX_DSN)
    ignored = process_dsn(EXCHANGE_DSN)  # backscatter: never mailed by the portal

    assert [s.address for s in suppressions] == ["gone@example.org"]
    assert suppressions[0].source == Suppression.Source.DSN
    assert suppressions[0].reason.startswith("550 5.1.1 <gone@example.org>: Recipient address rejected")
    assert ignored == []
    assert list(Suppression.objects.values_list("address", flat=True)) == ["gone@example.org"]


# --- Confirming the address again --------------------------------------------------------------------------


@pytest.mark.django_db
def test_confirming_the_address_again_clears_its_suppression(client, member):
    email_address = EmailAddress.objects.get(user=member)
    email_address.verified = False
    email_address.save()
    suppression = suppress(member.email.upper(), reason=REFUSAL)
    other = suppress("someone-else@example.org", reason=REFUSAL)
    key = EmailConfirmationHMAC(email_address).key

    response = client.post(reverse("account_confirm_email", args=[key]))

    assert response.status_code == 302
    email_address.refresh_from_db()
    assert email_address.verified
    suppression.refresh_from_db()
    assert not suppression.is_active
    assert suppression.cleared_by is None
    other.refresh_from_db()
    assert other.is_active


# --- The webhook -------------------------------------------------------------------------------------------

TOKEN = "webhook-token-1f6c0d2b9e8a"
URL = "/mail/bounces/"


@pytest.fixture
def webhook(settings):
    settings.BOUNCE_WEBHOOK_TOKEN = TOKEN
    # CSRF is enforced as for a browser: the provider has no token, the view is exempt.
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {TOKEN}"})


def test_the_webhook_reverses_to_its_path():
    assert reverse("mail_bounces") == URL


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_without_a_token_configured_there_is_no_webhook(client, settings, method):
    settings.BOUNCE_WEBHOOK_TOKEN = ""

    report = {"address": "x@example.org", "permanent": True}
    headers = {"Authorization": "Bearer "}
    if method == "post":
        response = client.post(URL, report, content_type="application/json", headers=headers)
    else:
        response = client.get(URL, headers=headers)

    assert response.status_code == 404
    assert not Suppression.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [None, "", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN, "Bearer", "Bearer tökén"],
)
def test_the_webhook_refuses_a_wrong_or_missing_token_without_detail(settings, authorization):
    settings.BOUNCE_WEBHOOK_TOKEN = TOKEN
    headers = {} if authorization is None else {"Authorization": authorization}

    response = Client(headers=headers).post(
        URL, {"address": "x@example.org", "permanent": True}, content_type="application/json"
    )

    assert response.status_code == 401
    assert response.content == b""
    assert response["WWW-Authenticate"] == "Bearer"
    assert not Suppression.objects.exists()


@pytest.mark.django_db
def test_the_webhook_takes_only_posts(webhook):
    response = webhook.get(URL)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


@pytest.mark.django_db
def test_the_webhook_suppresses_a_reported_address(webhook):
    response = webhook.post(
        URL,
        {"address": " Gone@Example.org ", "reason": "550 5.1.1 mailbox unavailable", "permanent": True},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json() == {"suppressed": 1, "ignored": 0}
    suppression = Suppression.objects.get()
    assert (suppression.address, suppression.reason, suppression.source) == (
        "gone@example.org",
        "550 5.1.1 mailbox unavailable",
        Suppression.Source.WEBHOOK,
    )


@pytest.mark.django_db
def test_the_webhook_takes_a_list_and_ignores_what_is_not_a_permanent_failure_of_an_address(webhook):
    reports = [
        {"address": "gone@example.org", "reason": "hard bounce", "permanent": True},
        {"address": "full@example.org", "reason": "mailbox full", "permanent": False},
        {"address": "no-permanent-flag@example.org"},
        {"address": "not an address", "permanent": True},
        "gone-too@example.org",
    ]

    response = webhook.post(URL, reports, content_type="application/json")

    assert response.json() == {"suppressed": 1, "ignored": 4}
    assert list(Suppression.objects.values_list("address", flat=True)) == ["gone@example.org"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (POSTFIX_DSN, "message/rfc822"),
        # The report itself: its boundary comes in the request's Content-Type.
        (
            POSTFIX_DSN.partition(b"\r\n\r\n")[2],
            'multipart/report; report-type=delivery-status; boundary="4F1B2C0.1764579600/mail.portal.example"',
        ),
    ],
)
def test_the_webhook_suppresses_what_a_posted_bounce_message_reports(webhook, body, content_type):
    queue_mailing(template="outbox_test/transactional", recipients=[Recipient("gone@example.org")], draft=True)

    response = webhook.post(URL, body, content_type=content_type)

    assert response.status_code == 200
    assert response.json() == {"suppressed": 1, "ignored": 0}
    assert Suppression.objects.get().source == Suppression.Source.DSN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"42", "application/json", 400),
        (b"gone@example.org", "text/plain", 415),
    ],
)
def test_the_webhook_answers_a_body_it_cannot_read_with_an_error(webhook, body, content_type, status):
    response = webhook.post(URL, body, content_type=content_type)

    assert response.status_code == status
    assert "error" in response.json()
    assert not Suppression.objects.exists()


# --- The bounce mailbox ------------------------------------------------------------------------------------


class FakeMailbox:
    """Stands in for imaplib.IMAP4 over a folder of messages: {uid: [bytes, flags]}. Records every command."""

    def __init__(self, messages, *, user="bounces@portal.example", password="s3cret"):  # noqa: S107
        self.folder = {str(uid).encode(): [content, set(flags)] for uid, (content, flags) in messages.items()}
        self.user, self.password = user, password
        self.commands = []
        self.selected = None

    def login(self, user, password):
        self.commands.append("LOGIN")
        if (user, password) != (self.user, self.password):
            raise imaplib.IMAP4.error("[AUTHENTICATIONFAILED] Invalid credentials")
        return "OK", [b"Logged in"]

    def select(self, folder):
        self.commands.append("SELECT")
        self.selected = folder
        return ("OK", [str(len(self.folder)).encode()]) if folder == "INBOX" else ("NO", [b"No such folder"])

    def uid(self, command, *args):
        self.commands.append(command)
        if command == "SEARCH":
            unseen = [uid for uid, (_content, flags) in self.folder.items() if "\\Seen" not in flags]
            return "OK", [b" ".join(unseen)]
        if command == "FETCH":
            uid, what = args
            assert what == "(BODY.PEEK[])", "fetching must not mark the message read by itself"
            return "OK", [(b"1 (UID " + uid + b" BODY[] {%d}" % len(self.folder[uid][0]), self.folder[uid][0]), b")"]
        if command == "STORE":
            uid, action, flags = args
            assert (action, flags) == ("+FLAGS", "(\\Seen)")
            self.folder[uid][1].add("\\Seen")
            return "OK", [b""]
        raise AssertionError(f"The bounce mailbox must not be sent {command}.")

    def logout(self):
        self.commands.append("LOGOUT")
        return "BYE", [b""]


@pytest.fixture
def mailbox_settings(settings):
    settings.BOUNCE_IMAP_HOST = "imap.portal.example"
    settings.BOUNCE_IMAP_USER = "bounces@portal.example"
    settings.BOUNCE_IMAP_PASSWORD = "s3cret"
    settings.BOUNCE_IMAP_SSL = False
    return settings


@pytest.mark.django_db
def test_the_command_reads_unseen_bounces_suppresses_and_marks_them_read_and_leaves_the_rest(
    mailbox_settings, monkeypatch
):
    queue_mailing(template="outbox_test/transactional", recipients=[Recipient("gone@example.org")], draft=True)
    old_bounce = POSTFIX_DSN.replace(b"gone@example.org", b"old@example.org")
    mailbox = FakeMailbox(
        {1: (old_bounce, {"\\Seen"}), 2: (POSTFIX_DSN, set()), 3: (OUT_OF_OFFICE, set()), 4: (DELAYED_DSN, set())}
    )
    monkeypatch.setattr(bounces, "_connect", lambda: mailbox)
    out = StringIO()

    call_command("process_bounces", stdout=out)

    assert list(Suppression.objects.values_list("address", "source")) == [("gone@example.org", Suppression.Source.DSN)]
    assert all("\\Seen" in flags for _content, flags in mailbox.folder.values())
    assert len(mailbox.folder) == 4  # nothing moved or deleted
    assert mailbox.commands[-1] == "LOGOUT"
    assert mailbox.commands.count("STORE") == 3
    assert "3 messages read, 1 addresses suppressed." in out.getvalue()


@pytest.mark.django_db
def test_a_bounce_that_cannot_be_processed_stays_unseen_for_the_next_run(mailbox_settings, monkeypatch):
    mailbox = FakeMailbox({1: (POSTFIX_DSN, set())})
    monkeypatch.setattr(bounces, "_connect", lambda: mailbox)

    def database_down(message):
        raise bounces.DatabaseError("connection lost")

    monkeypatch.setattr(bounces, "process_dsn", database_down)

    result = bounces.fetch_bounces()

    assert (result.read, result.failed) == (0, 1)
    assert mailbox.folder[b"1"][1] == set()


@pytest.mark.django_db
def test_the_command_says_what_is_missing_without_a_mailbox(settings):
    settings.BOUNCE_IMAP_HOST = ""

    with pytest.raises(CommandError, match="BOUNCE_IMAP_HOST"):
        call_command("process_bounces")


@pytest.mark.django_db
def test_the_command_reports_a_mailbox_it_cannot_log_in_to(mailbox_settings, monkeypatch):
    mailbox_settings.BOUNCE_IMAP_PASSWORD = "wrong"
    mailbox = FakeMailbox({1: (POSTFIX_DSN, set())})
    monkeypatch.setattr(bounces, "_connect", lambda: mailbox)

    with pytest.raises(CommandError, match="could not be read"):
        call_command("process_bounces")
    assert mailbox.commands[-1] == "LOGOUT"


@pytest.mark.django_db
def test_the_command_processes_bounce_files_given_to_it(tmp_path):
    queue_mailing(template="outbox_test/transactional", recipients=[Recipient("gone@example.org")], draft=True)
    (tmp_path / "bounce.eml").write_bytes(POSTFIX_DSN)
    (tmp_path / "holiday.eml").write_bytes(OUT_OF_OFFICE)
    out = StringIO()

    call_command("process_bounces", tmp_path / "bounce.eml", tmp_path / "holiday.eml", stdout=out)

    assert Suppression.objects.get().address == "gone@example.org"
    assert "2 messages read, 1 addresses suppressed." in out.getvalue()


def test_the_beat_reads_the_mailbox_only_when_one_is_configured(settings):
    class Sender:
        class conf:
            beat_schedule = {}

    settings.BOUNCE_IMAP_HOST = ""
    schedule_bounce_mailbox(Sender)
    assert Sender.conf.beat_schedule == {}

    settings.BOUNCE_IMAP_HOST = "imap.portal.example"
    schedule_bounce_mailbox(Sender)
    assert Sender.conf.beat_schedule == BOUNCE_SCHEDULE
    assert BOUNCE_SCHEDULE["coalition-process-bounces"]["task"] == "coalition.tasks.process_bounces"
    assert registered_task("coalition.tasks.process_bounces")


def _pymap_executable():
    """pymap, a small IMAP server in Python (PyPI), beside this interpreter, on PATH or in $PYMAP."""
    beside = Path(sys.executable).parent / "pymap"
    return os.environ.get("PYMAP") or (str(beside) if beside.exists() else shutil.which("pymap"))


@pytest.fixture
def imap_server(settings):
    """A real IMAP server (pymap's in-memory backend) on 127.0.0.1, with the bounce settings pointed at it."""
    executable = _pymap_executable()
    if not executable:
        pytest.skip("pymap is not installed: the IMAP tests against a real server need it (requirements.txt)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            executable,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-tls",
            "dict",
            "--demo-user",
            "bounces@portal.example",
            "--demo-password",
            "s3cret",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "pymap did not start"
                threading.Event().wait(0.05)  # the server's start-up, polled: it announces nothing
        settings.BOUNCE_IMAP_HOST = "127.0.0.1"
        settings.BOUNCE_IMAP_PORT = port
        settings.BOUNCE_IMAP_USER = "bounces@portal.example"
        settings.BOUNCE_IMAP_PASSWORD = "s3cret"
        settings.BOUNCE_IMAP_SSL = False
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def imap_session(port):
    imap = imaplib.IMAP4("127.0.0.1", port, timeout=10)
    imap.login("bounces@portal.example", "s3cret")
    imap.select("INBOX")
    return imap


@pytest.mark.django_db
def test_the_command_works_against_a_real_imap_server(imap_server):
    queue_mailing(template="outbox_test/transactional", recipients=[Recipient("gone@example.org")], draft=True)
    imap = imap_session(imap_server)
    for message, flags in [(POSTFIX_DSN, None), (OUT_OF_OFFICE, None), (EXCHANGE_DSN, "(\\Seen)")]:
        imap.append("INBOX", flags, None, message)
    imap.logout()
    out = StringIO()

    call_command("process_bounces", stdout=out)

    assert list(Suppression.objects.values_list("address", flat=True)) == ["gone@example.org"]
    assert "2 messages read, 1 addresses suppressed." in out.getvalue()
    imap = imap_session(imap_server)
    assert imap.uid("SEARCH", None, "UNSEEN") == ("OK", [b""])
    assert imap.uid("SEARCH", None, "ALL")[1][0].split().__len__() == 3
    imap.logout()

    call_command("process_bounces", stdout=(again := StringIO()))
    assert "0 messages read" in again.getvalue()
