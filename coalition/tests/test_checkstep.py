"""The check step (coalition.checkstep) as services, with a test-only kind and real PostgreSQL: who is left out
and why, counting, the mail as it goes out, a test to yourself, confirming once, and queue_mailing's guard."""

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email.utils import parseaddr

import pytest
from django.core import mail
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coalition import checkstep
from coalition.bounces import clear_suppression, suppress
from coalition.mail import Recipient, UncheckedMassMail, queue_mailing, render_delivery
from coalition.models import CHECKED_KINDS, Delivery, MailCheck, Mailing
from coalition.rules import NotAllowed
from members.tests.factories import ProfileFactory
from network.tests.factories import CoalitionFactory

from .checkstep_kind import Notice, notice_kind, notice_params  # noqa: F401 - notice_kind is a fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("notice_kind")]


def people_in(coalition, *last_names):
    """Approved members working in the coalition's municipality, one per surname."""
    place = coalition.municipalities.first()
    return [
        ProfileFactory(
            user__email=f"{name.lower()}@example.org", user__last_name=name, last_name=name, municipalities=[place]
        )
        for name in last_names
    ]


def unsubscribe_links(text):
    """(address, topic) of every unsubscribe link in a text. The token carries the moment it was made, so links
    are compared by what they say, not by their characters."""
    return [checkstep.read_unsubscribe_token(token) for token in re.findall(r"/mail/unsubscribe/([^/\s\"]+)/", text)]


@pytest.fixture
def coalition():
    return CoalitionFactory(name="Coalitie Walcheren")


@pytest.fixture
def other_topic():
    checkstep.add_topic("tests_other", "Other test mail")
    yield "tests_other"
    checkstep.TOPICS.pop("tests_other", None)


# --- screen(): who is left out, and why ------------------------------------------------------------------------


def test_screen_leaves_out_those_unsubscribed_from_the_mails_topic_only(other_topic):
    checkstep.unsubscribe("Announced@Example.org", "announcements")
    checkstep.unsubscribe("other@example.org", other_topic)
    candidates = [Recipient("announced@example.org"), Recipient("other@example.org"), Recipient("both@example.org")]

    audience = checkstep.screen(candidates, topic="announcements")

    assert [r.email for r in audience.recipients] == ["other@example.org", "both@example.org"]
    assert audience.left_out == Counter({checkstep.LeftOut.UNSUBSCRIBED: 1})
    assert checkstep.screen(candidates, topic=other_topic).left_out == Counter({"unsubscribed": 1})
    # A mail without a topic (a message to participants) has nothing to unsubscribe from.
    assert checkstep.screen(candidates, topic=None).count == 3


def test_screen_sets_bounced_addresses_apart_and_counts_them_but_not_cleared_ones():
    suppress("Bounced@example.org", reason="550 5.1.1 user unknown")
    clear_suppression(suppress("cleared@example.org", reason="550 gone"))
    candidates = [Recipient("bounced@example.org", "Bo"), Recipient("cleared@example.org"), Recipient("ok@example.org")]

    audience = checkstep.screen(candidates, topic="announcements")

    assert [r.email for r in audience.recipients] == ["cleared@example.org", "ok@example.org"]
    assert [r.email for r in audience.suppressed] == ["bounced@example.org"]
    assert audience.left_out == Counter({checkstep.LeftOut.SUPPRESSED: 1})
    assert audience.count == 2


def test_screen_keeps_each_address_once_whatever_its_case_and_counts_those_without_one():
    candidates = [
        Recipient("Anna@Example.org", "Anna first"),
        Recipient(""),
        Recipient("   "),
        Recipient("anna@example.ORG", "Anna again"),
        Recipient("bert@example.org"),
    ]

    audience = checkstep.screen(candidates, topic="announcements", left_out=Counter({"no_consent": 4}))

    assert [r.name or r.email for r in audience.recipients] == ["Anna first", "bert@example.org"]
    assert audience.left_out == Counter({checkstep.LeftOut.NO_ADDRESS: 2, checkstep.LeftOut.NO_CONSENT: 4})


def test_screen_asks_the_database_the_same_number_of_times_for_five_times_the_candidates():
    def measure(count, start):
        for n in range(start, start + count):
            checkstep.unsubscribe(f"out{n}@example.org", "announcements")
            suppress(f"bounced{n}@example.org", reason="550")
        candidates = [Recipient(f"{prefix}{n}@example.org") for n in range(count * 2) for prefix in ("p", "out")]
        with CaptureQueriesContext(connection) as captured:
            audience = checkstep.screen(candidates, topic="announcements")
        return len(captured), audience

    few, few_audience = measure(2, 0)
    many, many_audience = measure(10, 100)
    assert many_audience.count > few_audience.count
    assert many == few


# --- open_check() ------------------------------------------------------------------------------------------


def test_open_check_counts_the_audience_and_stores_who_is_left_out_and_the_fingerprint(coordinator, coalition):
    people_in(coalition, "Aalders", "Bakker", "Claes", "Dekker")
    checkstep.unsubscribe("bakker@example.org", "announcements")
    suppress("claes@example.org", reason="550 user unknown")
    params = notice_params(coalition)

    check = checkstep.open_check(Notice.key, params, by=coordinator)

    check.refresh_from_db()
    assert (check.kind, check.params, check.created_by) == (Notice.key, params, coordinator)
    assert check.recipient_count == 2
    assert check.left_out == {"unsubscribed": 1, "suppressed": 1}
    mass = Notice(params)
    assert check.fingerprint == mass.fingerprint(mass.audience())
    assert len(check.fingerprint) == 64
    assert not check.is_confirmed
    assert Mailing.objects.count() == 0


def test_open_check_refuses_an_audience_everyone_is_left_out_of_and_says_why(coordinator, coalition):
    people_in(coalition, "Aalders", "Bakker")
    checkstep.unsubscribe("aalders@example.org", "announcements")
    suppress("bakker@example.org", reason="550")

    with pytest.raises(checkstep.CheckError) as refused:
        checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)

    message = str(refused.value)
    assert str(checkstep.LeftOut.LABELS["unsubscribed"]) in message
    assert str(checkstep.LeftOut.LABELS["suppressed"]) in message
    assert MailCheck.objects.count() == 0


def test_open_check_refuses_an_empty_group_in_words_that_say_so(coordinator, coalition):
    with translation.override("en"), pytest.raises(checkstep.CheckError, match="empty group"):
        checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    assert MailCheck.objects.count() == 0


@pytest.mark.parametrize("persona", ["member", "editor", "coalition_coordinator", "pending_member"])
def test_open_check_refuses_a_person_without_the_kinds_permission(request, persona, coalition):
    people_in(coalition, "Aalders")
    with pytest.raises(NotAllowed):
        checkstep.open_check(Notice.key, notice_params(coalition), by=request.getfixturevalue(persona))
    assert MailCheck.objects.count() == 0


# --- preview() -------------------------------------------------------------------------------------------------


def test_preview_renders_the_first_recipients_mail_with_its_unsubscribe_headers(coordinator, coalition):
    people_in(coalition, "Zeeman", "Aalders")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)

    mass, audience, shown = checkstep.preview(check, by=coordinator)

    assert isinstance(mass, Notice)
    assert audience.count == 2
    assert shown.recipient.email == "aalders@example.org"  # members in name order: the first is shown
    assert shown.subject == "The half-yearly meeting moves (Coalitie Walcheren)"
    assert "Hello Anna Aalders," in shown.text
    assert "news of Coalitie Walcheren" in shown.html
    assert shown.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = shown.headers["List-Unsubscribe"].removeprefix("<").removesuffix(">")
    assert f"Unsubscribe: {link}" in shown.text
    assert link in shown.html
    assert unsubscribe_links(shown.text) == [("aalders@example.org", "announcements")]


def test_preview_is_only_for_the_composer(coordinator, django_user_model, coalition):
    people_in(coalition, "Aalders")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    other = django_user_model.objects.create_superuser(email="boss@example.org", password="x")
    with pytest.raises(NotAllowed):
        checkstep.preview(check, by=other)


def test_the_page_shown_after_the_audience_changed_carries_its_new_count_and_fingerprint(coordinator, coalition):
    people_in(coalition, "Aalders")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    people_in(coalition, "Bakker")

    _mass, audience, _shown = checkstep.preview(check, by=coordinator)

    check.refresh_from_db()
    assert audience.count == check.recipient_count == 2
    # Confirming what the page showed sends it, rather than "changed meanwhile" for a change it did show.
    mailing = checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)
    assert mailing.deliveries.count() == 2


# --- send_test() ---------------------------------------------------------------------------------------------


def test_send_test_mails_the_first_recipients_mail_to_the_tester_only(
    coordinator, coalition, django_capture_on_commit_callbacks
):
    people_in(coalition, "Aalders", "Bakker")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    _mass, _audience, shown = checkstep.preview(check, by=coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        mailing = checkstep.send_test(check, by=coordinator)

    assert Mailing.objects.get() == mailing
    assert mailing.kind == Mailing.Kind.TRANSACTIONAL
    delivery = mailing.deliveries.get()
    assert delivery.address == coordinator.email
    assert unsubscribe_links(delivery.context["unsubscribe_url"]) == [(coordinator.email, "announcements")]
    message = render_delivery(delivery)
    with translation.override("nl"):
        assert message.subject == _("[Test] %(subject)s") % {"subject": shown.subject}
    assert message.subject.endswith(shown.subject)
    assert "Hello Anna Aalders," in message.body  # the first recipient's personalisation
    # Its one personal link is the tester's own: a click in a test unsubscribes nobody else.
    assert unsubscribe_links(message.body) == [(coordinator.email, "announcements")]
    assert unsubscribe_links(message.alternatives[0][0]) == [(coordinator.email, "announcements")]
    assert [parseaddr(m.to[0])[1] for m in mail.outbox] == [coordinator.email]
    check.refresh_from_db()
    assert check.tested_at is not None
    assert not check.is_confirmed


def test_send_test_is_only_for_the_composer(coordinator, member, coalition):
    people_in(coalition, "Aalders")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    with pytest.raises(NotAllowed):
        checkstep.send_test(check, by=member)
    assert Mailing.objects.count() == 0


# --- confirm_check() -----------------------------------------------------------------------------------------


def test_confirm_with_the_shown_fingerprint_queues_the_mailing_exactly_once(coordinator, coalition):
    people_in(coalition, "Aalders", "Bakker", "Claes")
    suppress("claes@example.org", reason="550 5.1.1 user unknown")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)

    mailing = checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)

    assert mailing.kind == Mailing.Kind.ANNOUNCEMENT
    assert mailing.created_by == coordinator
    assert mailing.description == "Notice: The half-yearly meeting moves"
    states = dict(mailing.deliveries.values_list("address", "state"))
    assert states == {
        "aalders@example.org": Delivery.State.PENDING,
        "bakker@example.org": Delivery.State.PENDING,
        "claes@example.org": Delivery.State.SKIPPED,
    }
    assert "550 5.1.1 user unknown" in mailing.deliveries.get(address="claes@example.org").last_error
    check.refresh_from_db()
    assert check.is_confirmed
    assert check.mailing == mailing

    with pytest.raises(checkstep.AlreadySent):
        checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)
    assert Mailing.objects.count() == 1
    assert Delivery.objects.count() == 3


def _add_recipient(coalition):
    people_in(coalition, "Nieuw")


def _unsubscribe_recipient(coalition):
    checkstep.unsubscribe("bakker@example.org", "announcements")


def _change_content(coalition):
    coalition.name = "Coalitie Walcheren en Veere"
    coalition.save()


@pytest.mark.parametrize("change", [_add_recipient, _unsubscribe_recipient, _change_content])
def test_confirm_after_the_audience_or_mail_changed_sends_nothing_and_stores_the_new_count(
    change, coordinator, coalition
):
    people_in(coalition, "Aalders", "Bakker")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    shown = check.fingerprint
    change(coalition)

    with translation.override("en"), pytest.raises(checkstep.AudienceChanged, match="Nothing was sent") as changed:
        checkstep.confirm_check(check, by=coordinator, fingerprint=shown)

    check.refresh_from_db()
    mass = Notice(check.params)
    assert check.recipient_count == mass.audience().count
    assert str(check.recipient_count) in str(changed.value)
    assert check.fingerprint != shown
    assert not check.is_confirmed
    assert Mailing.objects.count() == 0
    # The page shows the new numbers; confirming those sends.
    assert checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint).deliveries.exists()


def test_confirm_with_a_fingerprint_the_page_never_showed_sends_nothing(coordinator, coalition):
    people_in(coalition, "Aalders")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    with pytest.raises(checkstep.AudienceChanged):
        checkstep.confirm_check(check, by=coordinator, fingerprint="")
    assert Mailing.objects.count() == 0


def test_only_the_composer_may_confirm(coordinator, django_user_model, coalition):
    people_in(coalition, "Aalders")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    other = django_user_model.objects.create_superuser(email="boss@example.org", password="x")

    with pytest.raises(NotAllowed):
        checkstep.confirm_check(check, by=other, fingerprint=check.fingerprint)

    assert Mailing.objects.count() == 0
    check.refresh_from_db()
    assert not check.is_confirmed


def test_a_composer_who_lost_the_kinds_permission_cannot_confirm(coordinator, coalition):
    people_in(coalition, "Aalders")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    coordinator.groups.clear()
    coordinator.is_superuser = False
    coordinator.save()
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # the role cache starts again

    with pytest.raises(NotAllowed):
        checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)
    assert Mailing.objects.count() == 0


def test_a_check_of_a_kind_that_no_longer_exists_says_so(coordinator, coalition):
    people_in(coalition, "Aalders")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    MailCheck.objects.filter(pk=check.pk).update(kind="tests.gone")
    check.refresh_from_db()
    with pytest.raises(checkstep.DomainError):
        checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)
    assert Mailing.objects.count() == 0


# --- queue_mailing(): no checked kind without its check, and each check once ------------------------------------


def _recipients():
    return [Recipient("a@example.org", context={"unsubscribe_url": "https://portal.example/u/a"})]


def _unused_check(user):
    return MailCheck.objects.create(kind=Notice.key, created_by=user, counted_at=timezone.now())


@pytest.mark.parametrize("kind", sorted(CHECKED_KINDS))
def test_queue_mailing_refuses_every_checked_kind_without_a_check(kind):
    with pytest.raises(UncheckedMassMail):
        queue_mailing(template="checkstep_test", recipients=_recipients(), kind=kind)
    with pytest.raises(UncheckedMassMail):
        queue_mailing(template="checkstep_test", recipients=_recipients(), kind=kind, check=MailCheck(kind=Notice.key))
    assert Mailing.objects.count() == 0


@pytest.mark.parametrize("kind", sorted(CHECKED_KINDS))
def test_queue_mailing_accepts_a_checked_kind_with_its_check_once(kind, coordinator):
    check = _unused_check(coordinator)
    stale_copy = MailCheck.objects.get(pk=check.pk)

    mailing = queue_mailing(template="checkstep_test", recipients=_recipients(), kind=kind, check=check)

    assert mailing.kind == kind
    assert MailCheck.objects.get(pk=check.pk).mailing == mailing
    with pytest.raises(UncheckedMassMail):
        queue_mailing(template="checkstep_test", recipients=_recipients(), kind=kind, check=check)
    # A copy loaded before the check was used does not open the door again either.
    with pytest.raises(UncheckedMassMail):
        queue_mailing(template="checkstep_test", recipients=_recipients(), kind=kind, check=stale_copy)
    assert Mailing.objects.count() == 1
    assert MailCheck.objects.get(pk=check.pk).mailing == mailing


def test_transactional_and_reminder_mail_need_no_check():
    for kind in (Mailing.Kind.TRANSACTIONAL, Mailing.Kind.REMINDER):
        queue_mailing(template="checkstep_test", recipients=_recipients(), kind=kind)
    assert Mailing.objects.count() == 2


# --- At the same moment -------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writes, so it shows no race"
)
def test_confirming_the_same_check_at_the_same_moment_queues_one_mailing(django_user_model):
    coordinator = django_user_model.objects.create_superuser(email="coordinator@example.org", password="x")
    coalition = CoalitionFactory(name="Coalitie Walcheren")
    people_in(coalition, "Aalders", "Bakker", "Claes")
    check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
    clicks = 6
    barrier = threading.Barrier(clicks)

    def click():
        try:
            barrier.wait()
            return checkstep.confirm_check(
                MailCheck.objects.get(pk=check.pk), by=coordinator, fingerprint=check.fingerprint
            )
        except checkstep.AlreadySent as refused:
            return refused
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=clicks) as pool:
        results = list(pool.map(lambda _n: click(), range(clicks)))

    mailings = [r for r in results if isinstance(r, Mailing)]
    assert len(mailings) == 1
    assert sum(isinstance(r, checkstep.AlreadySent) for r in results) == clicks - 1
    assert Mailing.objects.filter(kind=Mailing.Kind.ANNOUNCEMENT).count() == 1
    assert Delivery.objects.count() == 3
    assert MailCheck.objects.get(pk=check.pk).mailing_id == mailings[0].pk


def test_counting_and_previewing_ask_the_database_as_often_for_five_times_the_people(coordinator, coalition):
    def measure(count, start):
        place = coalition.municipalities.first()
        for n in range(start, start + count):
            ProfileFactory(user__email=f"q{n}@example.org", municipalities=[place])
            if n % 3 == 0:
                checkstep.unsubscribe(f"q{n}@example.org", "announcements")
        checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)  # warm-up: the role cache
        with CaptureQueriesContext(connection) as captured:
            check = checkstep.open_check(Notice.key, notice_params(coalition), by=coordinator)
            checkstep.preview(check, by=coordinator)
        return len(captured), check.recipient_count

    few, few_people = measure(3, 0)
    many, many_people = measure(15, 100)
    assert many_people > few_people
    assert many == few
