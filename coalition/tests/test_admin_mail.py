"""The mail pages of the admin as a coordinator reads them: a mailing as it went out, with its counts and the reasons
for what failed or was skipped; the suppression list (cleared by an action, added by hand); the unsubscriptions."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from coalition.bounces import suppress
from coalition.mail import Recipient, queue_mailing
from coalition.models import Delivery, MailCheck, Mailing, OptOut, Suppression
from events.models import EventMailing
from events.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

TEST_TEMPLATES = Path(__file__).parent / "templates"
MAILINGS = "/admin/coalition/mailing/"
SUPPRESSIONS = "/admin/coalition/suppression/"
OPT_OUTS = "/admin/coalition/optout/"


@pytest.fixture(autouse=True)
def _outbox_test_templates(settings):
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEST_TEMPLATES]}]


def news_mailing(by, *, count=6, suppressed=(), failed=0, description="Nieuws uit de regio"):
    """A checked mass mailing of the test template: `suppressed` addresses are skipped, `failed` more refused."""
    for address in suppressed:
        suppress(address, reason="550 5.1.1 mailbox unavailable")
    addresses = [*suppressed, *(f"lezer{n}@example.org" for n in range(count - len(suppressed)))]
    check = MailCheck.objects.create(kind="announcements.announcement", created_by=by, recipient_count=count)
    mailing = queue_mailing(
        template="outbox_test/mass",
        recipients=[
            Recipient(address, name=f"Lezer {n}", context={"unsubscribe_url": "https://portal.example/u/x"})
            for n, address in enumerate(addresses)
        ],
        context={"secret_context_key": "value"},
        kind=Mailing.Kind.ANNOUNCEMENT,
        description=description,
        created_by=by,
        check=check,
    )
    pending = mailing.deliveries.filter(state=Delivery.State.PENDING).order_by("-pk")
    Delivery.objects.filter(pk__in=list(pending.values_list("pk", flat=True)[:failed])).update(
        state=Delivery.State.FAILED, attempts=3, last_error="SMTPRecipientsRefused: 550 unknown user"
    )
    return mailing


def page(client, mailing):
    return client.get(f"{MAILINGS}{mailing.pk}/change/").content.decode()


def test_a_mailing_page_shows_the_mail_rendered_and_its_counts_with_the_reasons(coordinator_client, coordinator):
    mailing = news_mailing(coordinator, count=6, suppressed=["weg@example.org", "ook-weg@example.org"], failed=1)
    first = mailing.deliveries.order_by("pk").first()
    html = page(coordinator_client, mailing)

    assert f"News for {first.name}" in html, "the subject, rendered with the first recipient's personalisation"
    assert f"Hello {first.address}," in html, "the text part"
    assert first.address in html and first.name in html, "whose mail is shown"
    section = re.search(r'id="mailing-counts".*?</dl>', html, re.S).group(0)
    # Recipients, sent, waiting, failed, skipped.
    assert re.findall(r"<dd>(?:<a [^>]*>)?(\d+)", section) == ["6", "0", "3", "1", "2"]
    assert re.search(r"<strong>2 ×</strong>[^<]*: [^<]*550 5\.1\.1 mailbox unavailable", html)
    assert re.search(r"<strong>1 ×</strong>[^<]*: SMTPRecipientsRefused: 550 unknown user", html)
    assert "weg@example.org" in html and "ook-weg@example.org" in html
    assert f'href="{SUPPRESSIONS}?status=active"' in html
    assert "outbox_test/mass" not in html and "outbox_test" not in html
    assert "secret_context_key" not in html and "unsubscribe_url" not in html
    assert '{"' not in html and '"filename"' not in html


def test_a_mailing_without_a_description_is_never_named_by_its_template(coordinator_client):
    mailing = queue_mailing(template="outbox_test/transactional", recipients=[Recipient("iemand@example.org")])
    html = page(coordinator_client, mailing)
    assert "iemand@example.org" in html
    assert "outbox_test" not in html
    assert "outbox_test" not in coordinator_client.get(MAILINGS).content.decode()
    assert "outbox_test" not in coordinator_client.get("/admin/coalition/delivery/").content.decode()


def test_a_mailing_page_tells_who_confirmed_the_check_and_whether_a_test_was_sent(coordinator_client, coordinator):
    mailing = news_mailing(coordinator, count=2)
    MailCheck.objects.filter(mailing=mailing).update(confirmed_at=mailing.queued_at)
    html = page(coordinator_client, mailing)
    section = re.search(r"<h3>[^<]*</h3>\s*<dl class=\"mailing-facts\">.*?</dl>", html, re.S).group(0)
    assert coordinator.get_full_name() in section
    with translation.override("nl"):
        assert str(translation.gettext("no test was sent")) in section
    MailCheck.objects.filter(mailing=mailing).update(tested_at=mailing.queued_at)
    assert "no test was sent" not in page(coordinator_client, mailing)


def test_the_html_part_is_framed_from_its_own_document_with_a_policy_of_its_own(coordinator_client, coordinator):
    mailing = news_mailing(coordinator, count=2)
    html = page(coordinator_client, mailing)
    frame_url = f"{MAILINGS}{mailing.pk}/html/"
    assert f'src="{frame_url}"' in html and "sandbox" in html
    assert "frame-src 'self'" in coordinator_client.get(f"{MAILINGS}{mailing.pk}/change/")["Content-Security-Policy"]

    response = coordinator_client.get(frame_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "The news of" in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("persona", ["member", "pending_member"])
def test_the_html_part_sends_people_without_staff_access_to_the_login(client, coordinator, persona, request):
    mailing = news_mailing(coordinator, count=1)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(f"{MAILINGS}{mailing.pk}/html/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_html_part_sends_an_anonymous_visitor_to_the_login(client, coordinator):
    mailing = news_mailing(coordinator, count=1)
    response = client.get(f"{MAILINGS}{mailing.pk}/html/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_html_part_is_refused_to_the_editorial_team_with_staff_access(client, editor, coordinator):
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    mailing = news_mailing(coordinator, count=1)
    client.force_login(editor)
    response = client.get(f"{MAILINGS}{mailing.pk}/html/")
    assert response.status_code == 403
    assert "The news of" not in response.content.decode()


def test_an_event_mailing_says_its_purpose_in_dutch_and_links_to_its_event(coordinator_client):
    event = EventFactory(title="Inloopochtend")
    mailing = queue_mailing(
        template="outbox_test/transactional",
        recipients=[Recipient("deelnemer@example.org", name="Deelnemer")],
        description="registration_cancelled",
    )
    EventMailing.objects.create(event=event, mailing=mailing, purpose=EventMailing.Purpose.CANCELLED_REGISTRATION)
    with translation.override("nl"):
        label = str(EventMailing.Purpose.CANCELLED_REGISTRATION.label)
    assert label != "Registration cancelled", "the catalogue has the Dutch label"

    html = page(coordinator_client, mailing)
    assert f"Inloopochtend: {label}" in html
    assert f'href="/admin/events/event/{event.pk}/change/"' in html
    changelist = coordinator_client.get(MAILINGS).content.decode()
    assert f"Inloopochtend: {label}" in changelist
    assert ">registration_cancelled<" not in changelist


def test_the_mailing_list_query_count_does_not_grow_with_the_mailings(coordinator_client, coordinator):
    def make(n):
        event = EventFactory()
        for index in range(n):
            news_mailing(coordinator, count=3, failed=1, description=f"Mailing {index}")
            mailing = queue_mailing(template="outbox_test/transactional", recipients=[Recipient("x@example.org")])
            EventMailing.objects.create(event=event, mailing=mailing, purpose=EventMailing.Purpose.CONFIRMATION)

    def queries():
        from django.db import connection  # noqa: PLC0415 (only this test counts)
        from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 (only this test counts)

        with CaptureQueriesContext(connection) as captured:
            response = coordinator_client.get(MAILINGS)
        assert response.status_code == 200
        return len(captured)

    make(2)
    once = queries()
    make(8)
    assert queries() == once


def test_the_mailing_list_is_searched_by_description_and_by_recipient(coordinator_client, coordinator):
    news_mailing(coordinator, count=2, description="Zomernieuws")
    news_mailing(coordinator, count=2, description="Winternieuws")
    queue_mailing(template="outbox_test/transactional", recipients=[Recipient("iemand@voorbeeld.nl")])
    html = coordinator_client.get(MAILINGS, {"q": "zomer"}).content.decode()
    assert "Zomernieuws" in html and "Winternieuws" not in html
    response = coordinator_client.get(MAILINGS, {"q": "iemand@voorbeeld"})
    assert [m.deliveries.get().address for m in response.context["cl"].result_list] == ["iemand@voorbeeld.nl"]


def test_failed_deliveries_are_retried_from_the_mailings_own_page(
    coordinator_client, coordinator, django_capture_on_commit_callbacks
):
    mailing = news_mailing(coordinator, count=3, failed=2)
    url = f"{MAILINGS}{mailing.pk}/change/"
    assert 'value="retry_failed_deliveries"' in coordinator_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=False):
        response = coordinator_client.post(
            url, {"CHANGE_FORM-action": "retry_failed_deliveries", "_selected_action": mailing.pk}
        )
    assert response.status_code == 302
    assert not mailing.deliveries.filter(state=Delivery.State.FAILED).exists()


def test_the_admin_offers_no_way_to_add_a_mailing(coordinator_client):
    assert coordinator_client.get(f"{MAILINGS}add/").status_code == 403
    assert f'href="{MAILINGS}add/"' not in coordinator_client.get(MAILINGS).content.decode()


def test_a_delivery_page_is_readable_and_read_only(coordinator_client, coordinator):
    mailing = news_mailing(coordinator, count=1)
    delivery = mailing.deliveries.get()
    html = coordinator_client.get(f"/admin/coalition/delivery/{delivery.pk}/change/").content.decode()
    assert "Nieuws uit de regio" in html
    assert "unsubscribe_url" not in html and "secret_context_key" not in html
    assert 'name="_save"' not in html
    listing = coordinator_client.get("/admin/coalition/delivery/", {"q": "lezer0@"}).content.decode()
    assert "lezer0@example.org" in listing


# --- The suppression list ---------------------------------------------------------------------------------


def test_the_clear_action_takes_addresses_off_the_list(coordinator_client, coordinator):
    first = suppress("een@example.org", reason="550 user unknown")
    second = suppress("twee@example.org", reason="550 user unknown")
    response = coordinator_client.post(
        SUPPRESSIONS, {"action": "clear_selected", "_selected_action": [first.pk, second.pk]}, follow=True
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.is_active and not second.is_active
    assert first.cleared_by == coordinator
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "2" in messages[0]
    assert not Suppression.objects.of(["een@example.org"]).exists()


def test_a_suppression_is_cleared_from_its_own_page_which_is_otherwise_read_only(coordinator_client, coordinator):
    suppression = suppress("een@example.org", reason="550 user unknown")
    url = f"{SUPPRESSIONS}{suppression.pk}/change/"
    html = coordinator_client.get(url).content.decode()
    assert 'value="clear_selected"' in html and 'name="_save"' not in html
    response = coordinator_client.post(
        url, {"CHANGE_FORM-action": "clear_selected", "_selected_action": suppression.pk}
    )
    assert response.status_code == 302
    suppression.refresh_from_db()
    assert suppression.cleared_by == coordinator
    assert coordinator_client.get(f"{SUPPRESSIONS}{suppression.pk}/delete/").status_code == 403


def test_the_suppression_list_filters_by_status_and_source(coordinator_client, coordinator):
    suppress("actief@example.org", reason="bounce", source=Suppression.Source.DSN)
    cleared = suppress("weer-goed@example.org", reason="550")
    Suppression.objects.filter(pk=cleared.pk).update(cleared_at=cleared.created_at, cleared_by=coordinator)
    active = coordinator_client.get(SUPPRESSIONS, {"status": "active"}).content.decode()
    assert "actief@example.org" in active and "weer-goed@example.org" not in active
    done = coordinator_client.get(SUPPRESSIONS, {"status": "cleared"}).content.decode()
    assert "weer-goed@example.org" in done and "actief@example.org" not in done
    by_source = coordinator_client.get(SUPPRESSIONS, {"source__exact": "dsn"}).content.decode()
    assert "actief@example.org" in by_source and "weer-goed@example.org" not in by_source
    with translation.override("nl"):
        assert str(Suppression.Source.DSN.label) in by_source


def test_a_member_cannot_clear_a_suppression(client, member):
    suppression = suppress("een@example.org", reason="550 user unknown")
    client.force_login(member)
    response = client.post(SUPPRESSIONS, {"action": "clear_selected", "_selected_action": [suppression.pk]})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    suppression.refresh_from_db()
    assert suppression.is_active


def test_the_editorial_team_with_staff_access_cannot_clear_a_suppression(client, editor):
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    suppression = suppress("een@example.org", reason="550 user unknown")
    client.force_login(editor)
    response = client.post(SUPPRESSIONS, {"action": "clear_selected", "_selected_action": [suppression.pk]})
    assert response.status_code == 403
    suppression.refresh_from_db()
    assert suppression.is_active


def test_a_coordinator_adds_an_address_by_hand(coordinator_client):
    response = coordinator_client.post(
        f"{SUPPRESSIONS}add/", {"address": " Weg@Example.org ", "reason": "Vertrokken, zegt de collega"}
    )
    assert response.status_code == 302
    suppression = Suppression.objects.get()
    assert suppression.address == "weg@example.org"
    assert suppression.source == Suppression.Source.MANUAL
    assert suppression.reason == "Vertrokken, zegt de collega"
    assert suppression.is_active


def test_adding_a_cleared_address_by_hand_puts_it_back_and_an_active_one_is_refused(coordinator_client, coordinator):
    cleared = suppress("terug@example.org", reason="550")
    Suppression.objects.filter(pk=cleared.pk).update(cleared_at=cleared.created_at, cleared_by=coordinator)
    response = coordinator_client.post(f"{SUPPRESSIONS}add/", {"address": "terug@example.org", "reason": "weer weg"})
    assert response.status_code == 302
    cleared.refresh_from_db()
    assert cleared.is_active and cleared.source == Suppression.Source.MANUAL

    response = coordinator_client.post(f"{SUPPRESSIONS}add/", {"address": "terug@example.org", "reason": "nog eens"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["address"]
    assert Suppression.objects.count() == 1


def test_the_mailing_list_links_to_the_suppression_list(coordinator_client):
    suppress("een@example.org", reason="550")
    html = coordinator_client.get(MAILINGS).content.decode()
    assert f'href="{SUPPRESSIONS}?status=active"' in html


def test_the_suppression_list_query_count_does_not_grow(coordinator_client, coordinator):
    from django.db import connection  # noqa: PLC0415 (only these tests count)
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 (only these tests count)

    def make(start, n):
        for index in range(start, start + n):
            suppression = suppress(f"adres{index}@example.org", reason="550")
            Suppression.objects.filter(pk=suppression.pk).update(
                cleared_at=suppression.created_at, cleared_by=coordinator
            )

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert coordinator_client.get(url).status_code == 200
        return len(captured)

    make(0, 2)
    OptOut.objects.create(address="a0@example.org", topic="announcements")
    once = queries(SUPPRESSIONS), queries(OPT_OUTS)
    make(2, 8)
    OptOut.objects.bulk_create(OptOut(address=f"a{n}@example.org", topic="announcements") for n in range(1, 10))
    assert (queries(SUPPRESSIONS), queries(OPT_OUTS)) == once


# --- Unsubscriptions --------------------------------------------------------------------------------------


def test_unsubscriptions_are_listed_with_their_topic_and_cannot_be_changed(coordinator_client):
    opt_out = OptOut.objects.create(address="stil@example.org", topic="announcements")
    html = coordinator_client.get(OPT_OUTS, {"q": "stil"}).content.decode()
    with translation.override("nl"):
        label = str(translation.gettext("Announcements"))
    assert "stil@example.org" in html and label in html
    assert coordinator_client.get(f"{OPT_OUTS}add/").status_code == 403
    change = coordinator_client.get(f"{OPT_OUTS}{opt_out.pk}/change/")
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    response = coordinator_client.post(f"{OPT_OUTS}{opt_out.pk}/change/", {"address": "x@example.org"})
    assert response.status_code == 403
    assert coordinator_client.get(f"{OPT_OUTS}{opt_out.pk}/delete/").status_code == 403
    opt_out.refresh_from_db()
    assert opt_out.address == "stil@example.org"


def test_unsubscriptions_are_closed_to_members(client, member):
    client.force_login(member)
    response = client.get(OPT_OUTS)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def _query_count(client, url):
    from django.db import connection  # noqa: PLC0415 (only these tests count)
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415 (only these tests count)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_mailing_page_query_count_does_not_grow_with_its_deliveries(coordinator_client, coordinator):
    small = news_mailing(coordinator, count=3, suppressed=["a@example.org"], failed=1, description="Klein")
    large = news_mailing(
        coordinator, count=15, suppressed=[f"weg{n}@example.org" for n in range(5)], failed=5, description="Groot"
    )
    assert _query_count(coordinator_client, f"{MAILINGS}{small.pk}/change/") == _query_count(
        coordinator_client, f"{MAILINGS}{large.pk}/change/"
    )


def test_the_delivery_list_query_count_does_not_grow_with_event_mailings(coordinator_client):
    event = EventFactory()

    def make(n):
        for _index in range(n):
            mailing = queue_mailing(template="outbox_test/transactional", recipients=[Recipient("x@example.org")])
            EventMailing.objects.create(event=event, mailing=mailing, purpose=EventMailing.Purpose.CONFIRMATION)

    make(2)
    once = _query_count(coordinator_client, "/admin/coalition/delivery/")
    make(8)
    assert _query_count(coordinator_client, "/admin/coalition/delivery/") == once
