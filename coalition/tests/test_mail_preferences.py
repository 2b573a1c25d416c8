"""Unsubscribing from one kind of list mail with one click (RFC 8058), and the page of every mail a person gets."""

from datetime import timedelta

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coalition import checkstep
from coalition.mail import render_delivery
from coalition.models import Delivery, Mailing, OptOut
from coalition.tests.query_counts import assert_same_count_as_data_grows
from coalition.views import PREFERENCES_LINK_MAX_AGE, preferences_token
from journal.models import EditorialMembership, Subscriber

pytestmark = pytest.mark.django_db

ADDRESS = "lezer@example.org"


@pytest.fixture
def topic():
    """A throwaway topic, as an app registers one with add_topic(), gone again after the test."""
    checkstep.add_topic("test-topic", "Test letters", "Letters only this test sends.")
    yield "test-topic"
    checkstep.TOPICS.pop("test-topic", None)


@pytest.fixture
def many_topics():
    added = []

    def add(count):
        for number in range(len(added), len(added) + count):
            name = f"test-topic-{number}"
            checkstep.add_topic(name, f"Test letters {number}", f"Letters number {number}.")
            added.append(name)
        return added

    yield add
    for name in added:
        checkstep.TOPICS.pop(name, None)


def unsubscribe_path(address, topic):
    return reverse("mail_unsubscribe", kwargs={"token": checkstep.unsubscribe_token(address, topic)})


def opted_out():
    return set(OptOut.objects.values_list("address", "topic"))


# --- The one-click unsubscribe ----------------------------------------------------------------------------


def test_a_mail_programs_one_click_post_without_csrf_or_session_unsubscribes_exactly_that_address_and_topic(topic):
    OptOut.objects.create(address="ander@example.org", topic="announcements")
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(
        unsubscribe_path(ADDRESS, topic),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not mail_program.cookies.get("sessionid")
    assert opted_out() == {("ander@example.org", "announcements"), (ADDRESS, topic)}


def test_one_click_as_multipart_form_data_unsubscribes_too():
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(unsubscribe_path(ADDRESS, "announcements"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert opted_out() == {(ADDRESS, "announcements")}


def test_a_body_django_cannot_parse_still_unsubscribes():
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path(ADDRESS, "announcements"), data=b"--broken", content_type="multipart/form-data; boundary="
    )
    assert response.status_code == 200
    assert opted_out() == {(ADDRESS, "announcements")}


def test_opening_the_link_only_asks_so_a_mail_scanner_unsubscribes_nobody(client, topic):
    path = unsubscribe_path(ADDRESS, topic)

    asked = client.get(path)
    client.head(path)

    assert asked.status_code == 200
    assert not OptOut.objects.exists()
    assert asked.context["topic_label"] == "Test letters"
    assert asked.context.get("state") is None
    assert b'method="post"' in asked.content
    assert ADDRESS.encode() in asked.content


def test_unsubscribing_twice_keeps_one_row(client):
    path = unsubscribe_path(ADDRESS, "announcements")
    client.post(path)
    client.post(path)
    assert OptOut.objects.filter(address=ADDRESS, topic="announcements").count() == 1


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        signing.dumps({"a": ADDRESS, "t": "announcements"}, salt="another.salt", compress=True),
        signing.dumps({"a": ADDRESS, "t": "no-such-topic"}, salt=checkstep.UNSUBSCRIBE_SALT, compress=True),
        signing.dumps(["a", "t"], salt=checkstep.UNSUBSCRIBE_SALT),
    ],
    ids=["garbage", "other-salt", "unknown-topic", "wrong-shape"],
)
def test_a_bad_link_answers_400_with_a_message_and_unsubscribes_nobody(client, token):
    path = reverse("mail_unsubscribe", kwargs={"token": token})
    for response in (client.get(path), client.post(path, {"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 400
        assert response.context["error"]
        assert b'role="alert"' in response.content
    assert not OptOut.objects.exists()


def test_a_tampered_link_answers_400():
    token = checkstep.unsubscribe_token(ADDRESS, "announcements")
    head, signature = token.rsplit(":", 1)
    tampered = f"{head}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    response = Client(enforce_csrf_checks=True).post(reverse("mail_unsubscribe", kwargs={"token": tampered}))
    assert response.status_code == 400
    assert not OptOut.objects.exists()


def test_the_bad_link_message_is_the_catalogues(client):
    with translation.override("nl"):
        dutch = translation.gettext("This unsubscribe link is not valid. Use the link from the mail itself.")
    response = client.get(reverse("mail_unsubscribe", kwargs={"token": "x"}), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.context["error"] == dutch
    assert dutch in response.content.decode()


def test_the_confirmation_names_the_topic_and_undo_resubscribes_through_the_same_link(client, topic):
    path = unsubscribe_path(ADDRESS, topic)
    with translation.override("en"):
        done = client.post(path, HTTP_ACCEPT_LANGUAGE="en")
    assert done.context["state"] == "unsubscribed"
    assert f"{ADDRESS} no longer receives test letters." in done.content.decode()
    assert b'name="action" value="resubscribe"' in done.content

    undone = client.post(path, {"action": "resubscribe"}, HTTP_ACCEPT_LANGUAGE="en")

    assert undone.status_code == 200
    assert undone.context["state"] == "resubscribed"
    assert f"{ADDRESS} receives test letters again." in undone.content.decode()
    assert not OptOut.objects.exists()


def test_the_unsubscribe_page_links_to_the_preferences_of_that_address(client):
    response = client.get(unsubscribe_path(ADDRESS, "announcements"))
    link = response.context["preferences_url"]
    assert link in response.content.decode()
    assert client.get(link).context["address"] == ADDRESS


# --- The headers of a mass mail -----------------------------------------------------------------------------


def test_a_mass_mail_carries_list_unsubscribe_and_one_click_post_with_its_topics_link(topic):
    url = checkstep.unsubscribe_url(ADDRESS, topic)
    mailing = Mailing(kind=Mailing.Kind.ANNOUNCEMENT, subject="Nieuws", body_text="Hallo")
    delivery = Delivery(mailing=mailing, address=ADDRESS, name="Lezer", context={"unsubscribe_url": url})

    message = render_delivery(delivery)

    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert checkstep.read_unsubscribe_token(url.rstrip("/").rsplit("/", 1)[1]) == (ADDRESS, topic)


def test_a_transactional_mail_has_no_list_unsubscribe():
    mailing = Mailing(kind=Mailing.Kind.TRANSACTIONAL, subject="Je wachtwoord", body_text="Hallo")
    delivery = Delivery(mailing=mailing, address=ADDRESS, context={"unsubscribe_url": "https://x.example/u"})
    assert "List-Unsubscribe" not in render_delivery(delivery).extra_headers


# --- The preferences page of a logged-in person -------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login(client):
    response = client.get(reverse("mail_preferences"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["pending_member", "declined_member", "member", "editor", "coordinator"])
def test_everyone_logged_in_sees_every_registered_topic_for_their_own_address(client, request, persona, topic):
    user = request.getfixturevalue(persona)
    OptOut.objects.create(address=user.email, topic=topic)
    OptOut.objects.create(address="ander@example.org", topic="announcements")
    client.force_login(user)

    response = client.get(reverse("mail_preferences"))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == list(checkstep.TOPICS)
    assert form.initial == {**dict.fromkeys(checkstep.TOPICS, True), topic: False}
    page = response.content.decode()
    for _name, (label, description) in checkstep.TOPICS.items():
        assert str(label) in page
        assert str(description) in page
    assert reverse("journal:subscription") in page
    assert response.context["address"] == user.email


def test_the_page_says_whether_the_journal_comes(member_client, member):
    url = reverse("mail_preferences")
    assert member_client.get(url).context["receives_journal"] is False

    Subscriber.objects.create(email=member.email, user=member, wants_journal=True, confirmed_at=timezone.now())
    assert member_client.get(url).context["receives_journal"] is True

    Subscriber.objects.filter(user=member).update(wants_journal=False)
    assert member_client.get(url).context["receives_journal"] is False


def test_an_editor_on_the_team_sees_the_tip_mail_switch_and_a_member_does_not(client, editor, member):
    EditorialMembership.objects.create(user=editor, notify_of_tips=True)
    client.force_login(editor)
    shown = client.get(reverse("mail_preferences"))
    assert shown.context["tip_mail"] is True
    assert reverse("journal:tip_mail") in shown.content.decode()

    client.force_login(member)
    assert reverse("journal:tip_mail") not in client.get(reverse("mail_preferences")).content.decode()


def test_switching_a_topic_off_and_on_again(member_client, member, topic):
    url = reverse("mail_preferences")
    everything_but_topic = {name: "on" for name in checkstep.TOPICS if name != topic}

    off = member_client.post(url, everything_but_topic, follow=True)
    assert opted_out() == {(member.email, topic)}
    assert [str(message) for message in off.context["messages"]]

    member_client.post(url, {**everything_but_topic, topic: "on"})
    assert not OptOut.objects.exists()


def test_saving_without_a_change_touches_no_rows(member_client, member, topic):
    OptOut.objects.create(address=member.email, topic=topic)
    before = OptOut.objects.get()
    unchanged = {name: "on" for name in checkstep.TOPICS if name != topic}

    with CaptureQueriesContext(connection) as captured:
        response = member_client.post(reverse("mail_preferences"), unchanged)

    assert response.status_code == 302
    table = OptOut._meta.db_table
    assert not [q["sql"] for q in captured if table in q["sql"] and not q["sql"].startswith("SELECT")]
    assert OptOut.objects.get() == before
    assert OptOut.objects.get().created_at == before.created_at


def test_the_link_in_the_members_own_page_leads_here(member_client):
    assert reverse("mail_preferences") in member_client.get(reverse("members:me")).content.decode()


def test_the_preferences_page_asks_as_many_queries_with_more_topics_and_unsubscriptions(client, member, many_topics):
    client.force_login(member)

    def grow(count):
        for name in many_topics(count)[-count:]:
            OptOut.objects.create(address=member.email, topic=name)
            OptOut.objects.create(address=f"{name}@example.org", topic=name)

    assert_same_count_as_data_grows(client, reverse("mail_preferences"), grow)


# --- The signed preferences link, without an account ---------------------------------------------------------


def test_the_signed_link_shows_and_saves_the_topics_of_its_address_without_login(topic):
    visitor = Client()
    url = reverse("mail_preferences_link", kwargs={"token": preferences_token(ADDRESS)})

    shown = visitor.get(url)
    assert shown.status_code == 200
    assert list(shown.context["form"].fields) == list(checkstep.TOPICS)
    assert "receives_journal" not in shown.context
    assert "tip_mail" not in shown.context

    visitor.get(url)  # the CSRF cookie the form's token goes with
    saved = visitor.post(url, {name: "on" for name in checkstep.TOPICS if name != "announcements"}, follow=True)
    assert saved.status_code == 200
    assert opted_out() == {(ADDRESS, "announcements")}
    assert saved.context["form"].initial["announcements"] is False


def token_made_ago(age, monkeypatch):
    """A preferences token as the unsubscribe page made it `age` ago."""
    then = int((timezone.now() - age).timestamp())
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(then))
        return preferences_token(ADDRESS)


def test_the_signed_link_expires(client, monkeypatch):
    fresh_enough = token_made_ago(PREFERENCES_LINK_MAX_AGE - timedelta(hours=1), monkeypatch)
    too_old = token_made_ago(PREFERENCES_LINK_MAX_AGE + timedelta(hours=1), monkeypatch)

    assert client.get(reverse("mail_preferences_link", kwargs={"token": fresh_enough})).status_code == 200
    url = reverse("mail_preferences_link", kwargs={"token": too_old})
    expired = client.get(url)
    refused = client.post(url, {})

    assert expired.status_code == refused.status_code == 400
    assert "form" not in expired.context
    assert not OptOut.objects.exists()


def test_an_unsubscribe_token_is_no_preferences_token(client):
    url = reverse("mail_preferences_link", kwargs={"token": checkstep.unsubscribe_token(ADDRESS, "announcements")})
    assert client.get(url).status_code == 400


def test_the_signed_link_page_asks_as_many_queries_with_more_topics(client, many_topics):
    def grow(count):
        for name in many_topics(count)[-count:]:
            OptOut.objects.create(address=ADDRESS, topic=name)

    url = reverse("mail_preferences_link", kwargs={"token": preferences_token(ADDRESS)})
    assert_same_count_as_data_grows(client, url, grow)
