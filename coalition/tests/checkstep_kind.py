"""A mass mail kind for the check step's tests only, registered by the `notice_kind` fixture and removed after it.

It is built the way a real kind is (network.audiences for the people, checkstep.screen for who is left out) and
mails from coalition/tests/templates/emails/checkstep_test/. Its content depends on the data (a coalition's
name), so a test can change the mail between showing and confirming.
"""

from pathlib import Path

import pytest
from django.urls import reverse

from coalition import checkstep
from coalition.mail import Recipient
from coalition.models import Mailing
from network.audiences import Segment, people_of
from network.models import Coalition

TEST_TEMPLATES = Path(__file__).parent / "templates"


class Notice(checkstep.MassMail):
    key = "coalition.test_notice"
    label = "Notice"
    mailing_kind = Mailing.Kind.ANNOUNCEMENT
    template = "checkstep_test"
    topic = "announcements"
    permission = "coalition.change_mailing"  # coordinators only

    def audience(self):
        people, left_out = people_of(Segment.from_params(self.params["segment"]))
        candidates = [
            Recipient(
                email=person.email,
                name=person.name,
                context={
                    "unsubscribe_url": person.unsubscribe_url or checkstep.unsubscribe_url(person.email, self.topic)
                },
            )
            for person in people
        ]
        return checkstep.screen(candidates, topic=self.topic, left_out=left_out)

    def context(self):
        coalition = Coalition.objects.get(pk=self.params["coalition"])
        return {"title": self.params["title"], "coalition_name": coalition.name}

    def description(self):
        return f"Notice: {self.params['title']}"

    def change_url(self):
        return reverse("home")

    def done_url(self, mailing):
        return f"{reverse('home')}?mailing={mailing.pk}"


def notice_params(coalition, *, title="The half-yearly meeting moves", **segment):
    """Params of a Notice to the people of `coalition` (or the segment given)."""
    chosen = Segment(**segment) if segment else Segment(coalitions=(coalition.pk,))
    return {"segment": chosen.to_params(), "coalition": coalition.pk, "title": title}


@pytest.fixture
def notice_kind(settings):
    """The Notice kind, known to the check step for one test only (the real registry stays as the apps made it)."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}]
    assert Notice.key not in checkstep.KINDS
    checkstep.register(Notice)
    try:
        yield Notice
    finally:
        checkstep.KINDS.pop(Notice.key, None)
