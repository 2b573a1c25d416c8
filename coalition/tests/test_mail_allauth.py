"""allauth's account mails go through the outbox (members.adapter.AccountAdapter)."""

import pytest
from django.core import mail
from django.core.cache import cache

from coalition.models import Delivery, Mailing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth rate-limits signups per client address in the cache, which outlives a test.
    cache.clear()


SIGNUP = {
    "first_name": "Sanne",
    "last_name": "Bakker",
    "discipline": "social_work",
    "email": "sanne.bakker@example.org",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
}


def test_the_signup_verification_mail_is_a_transactional_mailing_in_the_outbox(
    client, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)

    mailing = Mailing.objects.get()
    assert mailing.kind == Mailing.Kind.TRANSACTIONAL
    assert mailing.state == Mailing.State.SENT
    assert mailing.description == "email confirmation signup"
    assert mailing.deliveries.get().address == SIGNUP["email"]
    assert mailing.deliveries.get().state == Delivery.State.SENT

    (message,) = mail.outbox
    assert message.subject.startswith(f"[{settings.SITE_NAME}]")
    assert settings.SITE_NAME in message.body, "allauth's greeting names the portal, not its host"
    assert "/accounts/confirm-email/" in message.body
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    assert "/accounts/confirm-email/" in html
    assert "List-Unsubscribe" not in message.extra_headers
    assert message.extra_headers["Message-ID"] == mailing.deliveries.get().message_id


def test_nothing_is_sent_when_the_signup_transaction_rolls_back(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/accounts/signup/", SIGNUP)
    # The mail waits for the commit; until then it is only a row.
    assert len(callbacks) >= 1
    assert mail.outbox == []
    assert Mailing.objects.get().state == Mailing.State.QUEUED


def test_the_password_reset_mail_goes_through_the_outbox(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": member.email})
    mailing = Mailing.objects.get(deliveries__address=member.email)
    assert mailing.description == "password reset key"
    (message,) = mail.outbox
    assert "/accounts/password/reset/key/" in message.body
    assert message.alternatives
