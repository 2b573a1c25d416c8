"""allauth's mails (confirm your address, reset your password, ...) read as the portal's Dutch.

The portal overrides some of them (`templates/account/email/`); the rest come from allauth with its msgids, which
`locale_overrides/` words in "je" and the portal's words. Each mail is rendered in Dutch from whichever template
wins, and must show no English phrase and no formal "u".
"""

import re
from pathlib import Path

import allauth
import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import translation

from .test_page_content import ENGLISH

ALLAUTH_MAILS = Path(allauth.__file__).parent / "templates" / "account" / "email"
FORMAL = re.compile(r"\b(?:[Uu]|[Uu]w|[Uu]we)\b")
CONTEXT = {
    "user_display": "Mirjam van der Meer",
    "email": "mirjam@example.org",
    "activate_url": "https://portaal.example.org/accounts/confirm-email/abc/",
    "password_reset_url": "https://portaal.example.org/accounts/password/reset/key/abc/",
    "signup_url": "https://portaal.example.org/accounts/signup/",
    "code": "ABC123",
    "current_site": {"name": "Kansrijke Start", "domain": "portaal.example.org"},
    "site_name": "Kansrijke Start",
}


def _mail_templates():
    return sorted(
        path.name
        for path in ALLAUTH_MAILS.iterdir()
        if path.name.endswith((".txt", ".html")) and "base" not in path.name
    )


@pytest.mark.parametrize("name", _mail_templates())
def test_account_mail_reads_as_dutch(name):
    user = get_user_model()(email="mirjam@example.org", first_name="Mirjam", last_name="van der Meer")
    with translation.override("nl"):
        text = render_to_string(f"account/email/{name}", {**CONTEXT, "user": user})
    words = re.sub(r"https?://\S+|\S+@\S+", "", text)
    assert ENGLISH.findall(words) == [], f"English in account/email/{name}: {text}"
    assert not FORMAL.search(words), f"'u' in account/email/{name}: {text}"
