"""Any display name reaches the recipient: the To header is built by the standard library, not by hand."""

from email.headerregistry import AddressHeader
from pathlib import Path

import pytest
from django.db import transaction

from coalition.mail import Recipient, mail_address, send_mail
from coalition.models import Delivery
from coalition.tests.test_settings import run_settings

pytestmark = pytest.mark.django_db(transaction=True)

TEST_TEMPLATES = Path(__file__).parent / "templates"

# Names people really have, and the characters that broke `f"{name} <{address}>"`.
NAMES = [
    "J.P. de Vries",
    "Dr. A. Jansen",
    "Jansen, Piet",
    "de Vries (GGD)",
    "Team; Noord",
    "Piet <de baas>",
    "piet@home",
    'Anna "Ans" Bakker',
    "Zoë Ørsted-Çelik",
    "Şükrü Yılmaz, MSc.",
]


@pytest.fixture(autouse=True)
def _outbox_test_templates(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}]


@pytest.mark.parametrize("name", NAMES)
def test_a_name_with_punctuation_or_accents_arrives_intact_in_the_to_header(smtp_server, name):
    address = "person@example.org"
    with transaction.atomic():
        mailing = send_mail(template="outbox_test/transactional", to=Recipient(address, name=name))

    delivery = mailing.deliveries.get()
    assert (delivery.state, delivery.last_error) == (Delivery.State.SENT, "")
    (message,) = smtp_server.messages
    assert message.envelope_recipients == [address]
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == (name, address)


def test_a_line_break_in_a_name_becomes_a_space_instead_of_a_header():
    assert mail_address("a@example.org", "Jan\r\nBcc: x@example.org") == '"Jan Bcc: x@example.org" <a@example.org>'


def test_an_address_without_a_name_is_the_bare_address():
    assert mail_address("a@example.org") == "a@example.org"


def test_the_default_sender_is_one_valid_address_whatever_the_site_is_called():
    code = "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL)"
    result = run_settings({"DEBUG": "true", "SITE_NAME": "Kansrijke Start, regio Noord"}, code=code)
    assert result.returncode == 0, result.stderr
    (sender,) = AddressHeader.value_parser(result.stdout.strip()).all_mailboxes
    assert (sender.display_name, sender.addr_spec) == ("Kansrijke Start, regio Noord", "noreply@kansrijkestart.example")
