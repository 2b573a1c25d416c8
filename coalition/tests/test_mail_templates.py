"""Every mail's subject and text part are plain text: names, titles and links arrive raw, never HTML-escaped.

The templates are discovered, not listed: every templates/emails/<name>/ and every allauth mail the
portal can send. Each is rendered with a context that answers every name a template asks for with
a value holding `& < > ' "` (and, for names ending in `url`, a link with two query parameters).
"""

import re
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from django.conf import settings as django_settings
from django.utils import translation

from coalition.mail import Recipient, queue_mailing, render_delivery
from coalition.models import Delivery, Mailing

pytestmark = pytest.mark.django_db

TRICKY = 'Jan & Piet <de Wit> O\'Brien "GGD"'
URL = "https://portal.example/pad/?a=1&b=2"
ESCAPES = re.compile(r"&(amp|lt|gt|quot|#x27|#39|#34);")

EMAIL_TEMPLATES = Path(django_settings.BASE_DIR) / "templates"
ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
ALLAUTH_APPS = ("account", "mfa")  # the allauth apps in INSTALLED_APPS that send mail


class Anything:
    """Whatever a template asks of it: each attribute, key or item is an Anything again, a loop
    over it runs once, and it prints as TRICKY (as URL when its name ends in `url`)."""

    def __init__(self, name=""):
        self._name = name

    def __str__(self):
        return URL if self._name.endswith("url") else TRICKY

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return Anything(name)

    def __getitem__(self, key):
        return Anything(str(key))

    def __iter__(self):
        return iter([Anything(self._name)])


def names_in(source):
    """Every bare name a template source could look up (over-counting is harmless)."""
    names = set()
    for tag in re.findall(r"{[{%](.*?)[%}]}", source, flags=re.S):
        tag = re.sub(r"\"[^\"]*\"|'[^']*'", "", tag)  # string literals name nothing
        names.update(re.findall(r"(?<![\w.|:])([a-z_][a-z0-9_]*)", tag))
    return names


def counters_in(source):
    """The names a plural form counts with (`{% blocktranslate count n=minutes %}`): those must be numbers."""
    return set(re.findall(r"{%\s*blocktrans(?:late)?\s+count\s+\w+\s*=\s*([a-z_][a-z0-9_]*)", source))


def everything_asked(files):
    sources = [path.read_text() for path in files]
    names = set().union(*(names_in(source) for source in sources))
    counters = set().union(*(counters_in(source) for source in sources))
    return {name: 3 if name in counters else Anything(name) for name in names - {"language"}}


def portal_mails():
    return sorted(
        str(path.parent.relative_to(EMAIL_TEMPLATES / "emails")) for path in EMAIL_TEMPLATES.glob("emails/**/body.txt")
    )


def allauth_mails():
    """allauth's mail prefixes ("account/email/password_reset_key"), ours overriding its own."""
    found = set()
    for root in (EMAIL_TEMPLATES, ALLAUTH_TEMPLATES):
        for app in ALLAUTH_APPS:
            for subject in root.glob(f"{app}/email/*_subject.txt"):
                found.add(str(subject.relative_to(root)).removesuffix("_subject.txt"))
    return sorted(found)


def test_the_discovery_finds_the_mails_this_test_is_about():
    assert {"journal/edition", "events/registered", "members/approved"} <= set(portal_mails())
    assert {"account/email/password_reset_key", "mfa/email/totp_activated"} <= set(allauth_mails())


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("template", portal_mails())
def test_a_portal_mail_has_its_names_and_links_raw_in_the_subject_and_text_part(template, language, settings):
    settings.SITE_NAME = TRICKY
    context = everything_asked((EMAIL_TEMPLATES / "emails").glob("**/*.*"))
    mailing = Mailing(template=template, kind=Mailing.Kind.JOURNAL, context={**context, "language": language})
    delivery = Delivery(
        mailing=mailing, address="person@example.org", name=TRICKY, context={"unsubscribe_url": URL}, attachments=[]
    )

    message = render_delivery(delivery)

    assert not ESCAPES.search(message.subject), message.subject
    assert not ESCAPES.search(message.body), message.body
    assert TRICKY in message.body
    if "url" in (EMAIL_TEMPLATES / "emails" / template / "body.txt").read_text():
        assert URL in message.body


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("prefix", allauth_mails())
def test_an_allauth_mail_has_its_names_and_links_raw_in_the_subject_and_text_part(prefix, language, settings):
    settings.SITE_NAME = TRICKY
    files = [path for root in (EMAIL_TEMPLATES, ALLAUTH_TEMPLATES) for path in root.glob("*/email/*.txt")]
    with translation.override(language):
        get_adapter().send_mail(prefix, "person@example.org", everything_asked(files))

    mailing = Mailing.objects.get()
    assert not ESCAPES.search(mailing.subject), mailing.subject
    assert not ESCAPES.search(mailing.body_text), mailing.body_text
    assert TRICKY in mailing.body_text


def test_an_edition_mail_sent_for_real_keeps_its_title_and_links_raw(smtp_server, django_capture_on_commit_callbacks):
    """The whole way: queued, rendered by the outbox, sent over SMTP, read back."""
    edition = {
        "number": 12,
        "title": "Jan & Piet's <nieuwe> editie",
        "introduction": "Wat 'goed' gaat & wat beter kan.",
        "url": "https://portal.example/journal/12/?utm=1&ref=mail",
    }
    stories = [{"title": "Samen & sterk", "kind": "Reportage", "lead": "", "url": URL}]
    with django_capture_on_commit_callbacks(execute=True):
        queue_mailing(
            template="journal/edition",
            recipients=[Recipient("reader@example.org", name="O'Brien & Zn.", context={"unsubscribe_url": URL})],
            context={"edition": edition, "stories": stories, "events": [], "language": "en"},
            # A list kind the check step does not guard: this test is about rendering (the step has its own).
            kind=Mailing.Kind.REMINDER,
        )

    (message,) = smtp_server.messages
    text = message.get_body(("plain",)).get_content()
    assert message["Subject"] == "Community journal 12: Jan & Piet's <nieuwe> editie"
    for raw in (
        "O'Brien & Zn.",
        "Jan & Piet's <nieuwe> editie",
        "Wat 'goed' gaat & wat beter kan.",
        URL,
        edition["url"],
    ):
        assert raw in text
    assert not ESCAPES.search(text)
    assert "Jan &amp; Piet&#x27;s &lt;nieuwe&gt; editie" in message.get_body(("html",)).get_content()
