"""Reading on the site: the body sanitised, the attachment only to those who may read the announcement."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from coalition import checkstep

from .conftest import draft, outer_circle_of, send

pytestmark = pytest.mark.django_db


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def with_attachment(network, coalition_coordinator):
    announcement = draft(coalition_coordinator, outer_circle_of(network.own))
    announcement.attachment.save("route.pdf", ContentFile(b"%PDF-1.4 de route"), save=True)
    send(announcement, coalition_coordinator)
    return announcement


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("recipient", 200),
        ("member who did not receive it", 403),
        ("coalition coordinator", 200),
        ("other coalition's coordinator", 403),
        ("regional coordinator", 200),
    ],
)
def test_the_attachment_goes_only_to_those_who_may_read_the_announcement(
    with_attachment, network, coalition_coordinator, coordinator, member, who, expected
):
    user = {
        "anonymous": None,
        "recipient": network.outer[0].user,
        "member who did not receive it": member,
        "coalition coordinator": coalition_coordinator,
        "other coalition's coordinator": network.other_coordinator,
        "regional coordinator": coordinator,
    }[who]
    response = _client(user).get(reverse("announcements:attachment", args=[with_attachment.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == b"%PDF-1.4 de route"
        assert 'attachment; filename="route.pdf"' in response["Content-Disposition"]


def test_the_mail_links_to_the_attachment_on_the_site(with_attachment):
    context = with_attachment.mailing.context
    assert context["attachment_name"] == "route.pdf"
    assert context["attachment_url"].endswith(reverse("announcements:attachment", args=[with_attachment.pk]))


def test_each_recipient_gets_an_own_attachment_link_that_works_without_an_account(with_attachment, network):
    deliveries = {d.address: d for d in with_attachment.mailing.deliveries.all()}
    address = network.outer[0].user.email.lower()
    link = deliveries[address].context["attachment_url"]
    assert link != deliveries[network.outer[1].user.email.lower()].context["attachment_url"]
    response = _client().get(link.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 de route"
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_forged_or_borrowed_attachment_link_is_not_found(with_attachment, network, coalition_coordinator):
    own_token = with_attachment.attachment_token(network.outer[0].user.email)
    other = draft(coalition_coordinator, outer_circle_of(network.own), subject="Een andere")
    other.attachment.save("ander.pdf", ContentFile(b"%PDF-1.4 ander"), save=True)
    send(other, coalition_coordinator)
    forged = [
        # A changed signature, the token of one announcement on another's address, an address never mailed.
        (with_attachment.pk, own_token[:-2] + ("AA" if not own_token.endswith("AA") else "BB")),
        (other.pk, own_token),
        (with_attachment.pk, with_attachment.attachment_token("nobody@example.org")),
        (with_attachment.pk, with_attachment.attachment_token(network.elsewhere[0].user.email)),
    ]
    for pk, token in forged:
        url = reverse("announcements:attachment_link", kwargs={"pk": pk, "token": token})
        assert _client().get(url).status_code == 404, (pk, token)


def test_a_suppressed_address_that_was_skipped_cannot_use_its_link(with_attachment, network):
    address = network.outer[0].user.email.lower()
    with_attachment.mailing.deliveries.filter(address=address).update(state="skipped")
    url = reverse(
        "announcements:attachment_link",
        kwargs={"pk": with_attachment.pk, "token": with_attachment.attachment_token(address)},
    )
    assert _client().get(url).status_code == 404


def test_the_test_mail_links_to_the_attachment_through_the_login_not_a_recipients_link(network, coalition_coordinator):
    announcement = draft(coalition_coordinator, outer_circle_of(network.own))
    announcement.attachment.save("route.pdf", ContentFile(b"%PDF-1.4 de route"), save=True)
    check = checkstep.open_check(
        "announcements.announcement", {"announcement": announcement.pk}, by=coalition_coordinator
    )
    test = checkstep.send_test(check, by=coalition_coordinator)
    [delivery] = test.deliveries.all()
    url = {**test.context, **delivery.context}["attachment_url"]
    assert url.endswith(reverse("announcements:attachment", args=[announcement.pk]))


def test_an_announcement_without_attachment_has_none_to_download(network, sent_to_outer_circle):
    url = reverse("announcements:attachment", args=[sent_to_outer_circle.pk])
    assert _client(network.outer[0].user).get(url).status_code == 404


def test_markdown_with_a_script_is_sanitised_on_the_site_and_in_the_mail(network, coalition_coordinator):
    body = "**Let op**\n\n<script>alert('x')</script>\n\n[klik](javascript:alert(1))"
    announcement = draft(coalition_coordinator, outer_circle_of(network.own), body=body)
    check = checkstep.open_check(
        "announcements.announcement", {"announcement": announcement.pk}, by=coalition_coordinator
    )
    _mass, _audience, shown = checkstep.preview(check, by=coalition_coordinator)
    assert "<strong>Let op</strong>" in shown.html
    assert "<script>" not in shown.html and "alert(" not in shown.html
    assert "javascript:" not in shown.html
    assert "**Let op**" in shown.text  # the text part is the Markdown as written
    page = _client(coalition_coordinator).get(announcement.get_absolute_url()).content.decode()
    assert "<strong>Let op</strong>" in page
    assert "alert(" not in page


def test_the_mail_carries_the_call_to_action_as_a_button_and_the_unsubscribe_headers(network, coalition_coordinator):
    announcement = draft(
        coalition_coordinator, outer_circle_of(network.own), cta_label="Naar de route", cta_url="https://example.org/r"
    )
    check = checkstep.open_check(
        "announcements.announcement", {"announcement": announcement.pk}, by=coalition_coordinator
    )
    _mass, _audience, shown = checkstep.preview(check, by=coalition_coordinator)
    assert 'href="https://example.org/r"' in shown.html and "Naar de route" in shown.html
    assert "Naar de route: https://example.org/r" in shown.text
    assert shown.subject == "De bijeenkomst verhuist"
    assert shown.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert shown.recipient.context["unsubscribe_url"] in shown.text


def test_a_member_sees_the_announcements_they_received_newest_first(network, coalition_coordinator):
    first = draft(coalition_coordinator, outer_circle_of(network.own), subject="Eerste")
    send(first, coalition_coordinator)
    second = draft(coalition_coordinator, outer_circle_of(network.own), subject="Tweede")
    send(second, coalition_coordinator)
    response = _client(network.outer[0].user).get(reverse("announcements:announcement_list"))
    assert list(response.context["received"]) == [second, first]
    assert response.context["managed"] is None
    other = _client(network.elsewhere[0].user).get(reverse("announcements:announcement_list"))
    assert list(other.context["received"]) == []


def test_a_coordinator_sees_drafts_and_sent_announcements_with_their_numbers(
    network, coalition_coordinator, sent_to_outer_circle
):
    waiting = draft(coalition_coordinator, outer_circle_of(network.own), subject="Nog niet verstuurd")
    draft(network.other_coordinator, outer_circle_of(network.other), subject="Van een ander")
    response = _client(coalition_coordinator).get(reverse("announcements:announcement_list"))
    managed = {a.subject: a for a in response.context["managed"]}
    assert set(managed) == {sent_to_outer_circle.subject, waiting.subject}
    shown = managed[sent_to_outer_circle.subject]
    assert (shown.recipient_count, shown.pending_count, shown.sent_count, shown.failed_count) == (3, 3, 0, 0)
    assert reverse("announcements:announcement_new") in response.content.decode()
