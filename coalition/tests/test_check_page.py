"""The check page (/mail/check/<pk>/), its framed HTML part and the one-click unsubscribe, through the client as
every role that meets them."""

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from coalition import checkstep
from coalition.mail import UncheckedMassMail
from coalition.models import MailCheck, Mailing, OptOut
from coalition.roles import COORDINATOR
from coalition.rules import REASONS
from members.models import Profile
from members.tests.factories import ProfileFactory
from network.tests.factories import CoalitionFactory

from .checkstep_kind import Notice, notice_kind, notice_params  # noqa: F401 - notice_kind is a fixture
from .query_counts import assert_same_count_as_data_grows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_kind")]


@pytest.fixture
def coalition():
    return CoalitionFactory(name="Coalitie Walcheren")


def add_people(coalition, count, start=0):
    place = coalition.municipalities.first()
    return [
        ProfileFactory(
            user__email=f"p{n:03d}@example.org",
            user__last_name=f"Persoon{n:03d}",
            last_name=f"Persoon{n:03d}",
            municipalities=[place],
        )
        for n in range(start, start + count)
    ]


@pytest.fixture
def check(coordinator, coalition):
    """A Notice composed by the coordinator to three people of the coalition, one of whom unsubscribed."""
    add_people(coalition, 3)
    checkstep.unsubscribe("p001@example.org", "announcements")
    return checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)


def url(check):
    return reverse("mail_check", kwargs={"pk": check.pk})


def frame_url(check):
    return reverse("mail_check_frame", kwargs={"pk": check.pk})


@pytest.fixture
def other_coordinator(django_user_model):
    user = django_user_model.objects.create_user(email="other-coordinator@example.org", password="x")
    user.groups.add(Group.objects.get(name=COORDINATOR))
    Profile.objects.create(user=user, first_name="Other", last_name="Coordinator", status=Profile.Status.APPROVED)
    return user


# --- Who meets the page -----------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client, check):
    for address in (url(check), frame_url(check)):
        response = client.get(address)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert client.post(url(check), {"action": "confirm", "fingerprint": check.fingerprint}).status_code == 302
    assert Mailing.objects.count() == 0


@pytest.mark.parametrize(
    "persona", ["member", "editor", "pending_member", "declined_member", "coalition_coordinator", "other_coordinator"]
)
def test_anyone_but_the_composer_is_refused_with_a_reason(client, request, persona, check):
    client.force_login(request.getfixturevalue(persona))

    page = client.get(url(check))
    frame = client.get(frame_url(check))
    test = client.post(url(check), {"action": "test"})
    confirm = client.post(url(check), {"action": "confirm", "fingerprint": check.fingerprint})

    assert [page.status_code, frame.status_code, test.status_code, confirm.status_code] == [403] * 4
    if persona in {"member", "editor", "coalition_coordinator", "other_coordinator"}:
        assert escape(str(REASONS["coalition.use_mail_check"])) in page.content.decode()
    assert Mailing.objects.count() == 0


def test_the_composer_who_lost_the_right_to_send_it_is_refused(client, coordinator, check):
    coordinator.groups.clear()
    client.force_login(coordinator)
    assert client.get(url(check)).status_code == 403
    assert client.post(url(check), {"action": "confirm", "fingerprint": check.fingerprint}).status_code == 403
    assert Mailing.objects.count() == 0


# --- What the composer sees ------------------------------------------------------------------------------------


def test_the_composer_sees_the_count_who_is_left_out_the_mail_and_the_buttons(coordinator_client, check):
    response = coordinator_client.get(url(check), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-recipient-count="2"' in page
    assert "This mail goes to <strong>2 people</strong>" in page
    left_out = re.search(r"<ul data-left-out>(.*?)</ul>", page, re.S).group(1)
    assert "1 person: unsubscribed from this kind of mail" in left_out
    subject = re.search(r"data-preview-subject>(.*?)</dd>", page, re.S).group(1)
    assert unescape(subject) == "The half-yearly meeting moves (Coalitie Walcheren)"
    text = unescape(re.search(r"data-preview-text>(.*?)</pre>", page, re.S).group(1))
    assert "Hello Anna Persoon000," in text
    assert "/mail/unsubscribe/" in text
    assert f'src="{frame_url(check)}"' in page
    assert re.search(r"<iframe[^>]*\ssandbox[\s>]", page)
    assert "Anna Persoon000" in page and "Anna Persoon002" in page
    assert "Anna Persoon001" not in page  # unsubscribed: not among the recipients
    assert f'name="fingerprint" value="{check.fingerprint}"' in page
    assert 'name="action" value="test"' in page
    assert 'name="action" value="confirm"' in page
    assert "Send to 2 people" in page
    assert "frame-src 'self'" in response["Content-Security-Policy"]


def test_the_recipient_list_shows_fifty_and_says_how_many_more(coordinator, coordinator_client, coalition):
    add_people(coalition, 53)
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)

    page = coordinator_client.get(url(check), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    listed = re.search(r'<ul class="list-unstyled recipient-columns[^"]*">(.*?)</ul>', page, re.S).group(1)
    assert listed.count("<li>") == 50
    assert "Anna Persoon049" in listed
    assert "Anna Persoon050" not in page
    assert "and 3 more" in page


def test_the_check_page_asks_the_database_as_often_for_five_times_the_recipients(
    coordinator, coordinator_client, coalition
):
    grown = []

    def grow(count):
        add_people(coalition, count, start=len(grown))
        grown.extend(range(count))

    grow(1)
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    assert_same_count_as_data_grows(coordinator_client, url(check), grow, size=2)


# --- Sending a test, confirming -----------------------------------------------------------------------------------


def test_sending_a_test_says_so_and_mails_the_composer_only(
    coordinator, coordinator_client, check, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url(check), {"action": "test"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert response.redirect_chain == [(url(check), 302)]
    assert f"A test is on its way to {coordinator.email}." in response.content.decode()
    assert [mailing.kind for mailing in Mailing.objects.all()] == [Mailing.Kind.TRANSACTIONAL]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to[0].endswith(f"<{coordinator.email}>")
    check.refresh_from_db()
    assert check.tested_at is not None and not check.is_confirmed


def test_confirming_queues_one_mailing_and_leads_to_the_kinds_page(coordinator_client, check):
    response = coordinator_client.post(url(check), {"action": "confirm", "fingerprint": check.fingerprint})

    mailing = Mailing.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('home')}?mailing={mailing.pk}"
    assert mailing.kind == Mailing.Kind.ANNOUNCEMENT
    assert sorted(mailing.deliveries.values_list("address", flat=True)) == ["p000@example.org", "p002@example.org"]
    check.refresh_from_db()
    assert check.mailing == mailing

    # A second click (the back button, a double submit) sends nothing more and leads to the same place.
    again = coordinator_client.post(url(check), {"action": "confirm", "fingerprint": check.fingerprint})
    assert again["Location"] == response["Location"]
    assert Mailing.objects.count() == 1


def test_a_confirmed_checks_page_leads_to_what_was_sent(coordinator_client, coordinator, check):
    mailing = checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)
    response = coordinator_client.get(url(check), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.redirect_chain[0] == (f"{reverse('home')}?mailing={mailing.pk}", 302)
    assert "This mail was sent on" in response.content.decode()


def test_confirming_after_the_audience_changed_shows_the_new_count_and_sends_nothing(
    coordinator_client, coalition, check
):
    coordinator_client.get(url(check))
    shown = MailCheck.objects.get(pk=check.pk).fingerprint
    add_people(coalition, 2, start=10)

    response = coordinator_client.post(
        url(check), {"action": "confirm", "fingerprint": shown}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert 'data-recipient-count="4"' in page
    assert "it would now go to 4 people. Nothing was sent." in page
    check.refresh_from_db()
    assert check.recipient_count == 4
    assert f'name="fingerprint" value="{check.fingerprint}"' in page
    assert check.fingerprint != shown
    assert Mailing.objects.count() == 0


def test_a_check_whose_audience_became_empty_says_so_and_offers_no_send(coordinator_client, check):
    for address in ("p000@example.org", "p002@example.org"):
        checkstep.unsubscribe(address, "announcements")
    response = coordinator_client.get(url(check), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "Nobody would receive this mail" in response.content.decode()
    assert 'value="confirm"' not in response.content.decode()
    assert coordinator_client.get(frame_url(check)).status_code == 409


# --- The framed HTML part ---------------------------------------------------------------------------------------


def test_the_frame_shows_the_html_part_under_its_own_narrow_policy(coordinator_client, check):
    response = coordinator_client.get(frame_url(check))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "news of Coalitie Walcheren" in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_a_kind_sending_without_its_check_is_refused_by_the_outbox(check):
    """The page sends only through confirm_check; a kind's send() called any other way is refused."""
    with pytest.raises(UncheckedMassMail):
        Notice(check.params).send(Notice(check.params).audience(), by=check.created_by, check=None)


# --- Unsubscribing with one click (deeper tests are the preferences page's) ---------------------------------------


def test_the_unsubscribe_link_asks_on_get_and_unsubscribes_on_post(client):
    link = checkstep.unsubscribe_url("Someone@Example.org", "announcements")
    path = urlsplit(link).path

    asked = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert asked.status_code == 200
    assert "Do you want someone@example.org to stop receiving announcements?" in asked.content.decode()
    assert not OptOut.objects.exists()

    done = client.post(path, HTTP_ACCEPT_LANGUAGE="en")
    assert done.status_code == 200
    assert "someone@example.org no longer receives announcements." in done.content.decode()
    assert list(OptOut.objects.values_list("address", "topic")) == [("someone@example.org", "announcements")]

    assert client.get(path[:-5] + "xxxx/").status_code == 400
