"""The signed link in every mail of a group that stops that group's mails for one member (issue 18, point 7).

The token names the membership; the view "groups:notifications_stop" (groups' pages) reads it with
read_stop_token and switches that membership's notifications off. Every app that mails a group's members (the
meeting notes in events) asks stop_url here, so there is one link and one salt.
"""

from django.core import signing
from django.urls import reverse

from coalition.mail import absolute_url

STOP_SALT = "groups.notifications.stop"


def stop_token(membership) -> str:
    return signing.dumps({"membership": membership.pk}, salt=STOP_SALT)


def read_stop_token(token: str) -> int:
    """The id of the membership the token names; raises signing.BadSignature when it was not made here."""
    return int(signing.loads(token, salt=STOP_SALT)["membership"])


def stop_url(membership) -> str:
    """The absolute link that stops this group's mails for this member."""
    return absolute_url(reverse("groups:notifications_stop", kwargs={"token": stop_token(membership)}))
