"""The outbox in the admin: progress per mailing, filters, failed deliveries, retrying them."""

import re

import pytest
from django.core import mail

from coalition.mail import Recipient, queue_mailing
from coalition.models import Delivery, Mailing

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/coalition/mailing/"


def make_mailing(*, sent=0, pending=0, failed=0, kind=Mailing.Kind.JOURNAL, description="Edition"):
    """A mailing whose deliveries are in the given states, without sending anything (made as a draft account mail,
    then given its kind: a mass mail is queued only through the check step, which is not what this tests)."""
    total = sent + pending + failed
    mailing = queue_mailing(
        template="",
        recipients=[
            Recipient(
                f"r{n}-{description}@example.org".replace(" ", ""), context={"unsubscribe_url": "https://x.example/u"}
            )
            for n in range(total)
        ],
        description=description,
        draft=True,
    )
    Mailing.objects.filter(pk=mailing.pk).update(
        kind=kind, subject="News", body_text="News", state=Mailing.State.SENDING
    )
    ids = list(mailing.deliveries.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids[:sent]).update(state=Delivery.State.SENT)
    Delivery.objects.filter(pk__in=ids[sent : sent + failed]).update(
        state=Delivery.State.FAILED, attempts=1, last_error="SMTPRecipientsRefused: 550 user unknown"
    )
    mailing.refresh_from_db()
    return mailing


def test_coordinators_see_every_mailing_with_its_progress(coordinator_client):
    make_mailing(sent=7, pending=2, failed=1, description="Edition 12")
    response = coordinator_client.get(CHANGELIST)
    assert response.status_code == 200
    html = response.content.decode()
    progress = re.search(r"<progress[^>]*>", html).group(0)
    assert 'value="8"' in progress and 'max="10"' in progress
    assert "style=" not in progress
    assert "css/admin/outbox.css" in html
    row = re.search(r"<tr>.*?Edition 12.*?</tr>", html, re.S).group(0)
    assert re.findall(r'field-(sent|pending|failed)_count_column">(?:<a [^>]*>)?(\d+)', row) == [
        ("sent", "7"),
        ("pending", "2"),
        ("failed", "1"),
    ]


def test_the_mailing_changelist_query_count_does_not_grow_with_mailings(
    coordinator_client, django_assert_max_num_queries
):
    for n in range(25):
        make_mailing(sent=3, pending=1, failed=n % 2, description=f"Mailing {n}")
    with django_assert_max_num_queries(12):
        response = coordinator_client.get(CHANGELIST)
    assert response.content.decode().count("<progress") == 25


def test_mailings_can_be_filtered_by_kind_and_state(coordinator_client):
    make_mailing(sent=1, kind=Mailing.Kind.JOURNAL, description="Journal")
    make_mailing(sent=1, kind=Mailing.Kind.INVITATION, description="Invitation")
    Mailing.objects.filter(description="Journal").update(state=Mailing.State.SENT_WITH_FAILURES)

    html = coordinator_client.get(CHANGELIST, {"kind__exact": "invitation"}).content.decode()
    assert "Invitation" in html and ">Journal<" not in html
    html = coordinator_client.get(CHANGELIST, {"state__exact": "failed"}).content.decode()
    assert ">Journal<" in html and "Invitation</a>" not in html


def test_a_mailing_page_shows_its_failed_deliveries_with_their_errors(coordinator_client):
    mailing = make_mailing(sent=2, failed=1)
    html = coordinator_client.get(f"{CHANGELIST}{mailing.pk}/change/").content.decode()
    failed = mailing.deliveries.get(state=Delivery.State.FAILED)
    assert failed.address in html
    assert "550 user unknown" in html
    listed = re.search(r"mailing-problems-caption.*?</table>", html, re.S).group(0)
    assert failed.address in listed
    sent = mailing.deliveries.filter(state=Delivery.State.SENT).last()
    assert sent.address not in listed, "only the failed and skipped deliveries are listed on the mailing's page"
    assert f"mailing__id__exact={mailing.pk}&amp;state__exact=failed" in html


def test_the_failed_deliveries_list_shows_errors_without_a_query_per_row(
    coordinator_client, django_assert_max_num_queries
):
    mailing = make_mailing(failed=30, sent=5)
    with django_assert_max_num_queries(8):
        response = coordinator_client.get(
            "/admin/coalition/delivery/", {"mailing__id__exact": mailing.pk, "state__exact": "failed"}
        )
    html = response.content.decode()
    assert html.count("550 user unknown") == 30


def test_retry_failed_deliveries_action_resends_only_the_failed_ones(
    coordinator_client, django_capture_on_commit_callbacks
):
    mailing = make_mailing(sent=3, failed=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            CHANGELIST, {"action": "retry_failed_deliveries", "_selected_action": [mailing.pk]}, follow=True
        )
    assert "2 mislukte bezorgingen staan weer in de wachtrij." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        mailing.deliveries.filter(attempts=1).values_list("address", flat=True)
    )
    assert len(mail.outbox) == 2
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT


@pytest.mark.parametrize("persona", ["member", "editor", "pending_member"])
def test_people_who_are_not_staff_cannot_open_the_outbox(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_outbox_cannot_be_edited_by_hand(coordinator_client):
    mailing = make_mailing(sent=1)
    assert coordinator_client.get(f"{CHANGELIST}add/").status_code == 403
    assert coordinator_client.get(f"{CHANGELIST}{mailing.pk}/delete/").status_code == 403


def test_the_editorial_team_with_staff_access_cannot_see_mailings_or_addresses(client, editor):
    # Team members get staff access to write stories; the outbox lists every subscriber's address.
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    mailing = make_mailing(sent=1, failed=1)
    client.force_login(editor)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{mailing.pk}/change/").status_code == 403
    assert client.get("/admin/coalition/delivery/").status_code == 403
    index = client.get("/admin/").content.decode()
    assert "/admin/coalition/mailing/" not in index
