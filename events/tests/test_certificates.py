"""Certificates of attendance (issue 16, point 7): the PDF says who attended what, when, how long and for how many
points; only those checked in get one; the signed link of the mail works without login until it is revoked; the
public verification page shows the minimum, also after the retention period; the mass mail reaches exactly those
checked in, once."""

import io
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from coalition import checkstep
from coalition.models import MailCheck, Mailing
from coalition.rules import DomainError
from coalition.tests.query_counts import assert_same_count_as_data_grows
from events import certificates, demo, services
from events.models import Event, EventMailing, Registration, Series
from members.models import Organisation
from members.tests.factories import OrganisationFactory

from .checks import send
from .factories import EventFactory, ProfileFactory, RegistrationFactory, approved_member
from .test_admin import _change_page

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
DUTCH = {"accept-language": "nl"}


def _organisation(name):
    return Organisation.objects.filter(name=name).first() or OrganisationFactory(name=name)


def _past_event(**kwargs):
    starts_at = timezone.make_aware(datetime(2026, 3, 12, 14, 0))
    defaults = {
        "title": "Café-overleg: vroegsignalering",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2, minutes=30),
        "host": _organisation("GGD Zeeland"),
        "co_host": _organisation("Pharos"),
        "accreditation_points": Decimal("2.5"),
        "accreditation_registry": "Kwaliteitsregister V&VN",
    }
    return EventFactory(**{**defaults, **kwargs})


def _attendee(event, *, checked_in=True, **profile):
    user = approved_member(first_name="Zoë", last_name="Brouwer-Émond", user__email="zoe@example.org", **profile)
    return RegistrationFactory(event=event, profile=user.profile, checked_in=checked_in)


def _text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _download(client, registration, headers=ENGLISH):
    return client.get(reverse("events:certificate_download", args=[registration.pk]), headers=headers)


# --- The PDF ---------------------------------------------------------------------------------------------------


def test_the_pdf_names_the_participant_event_date_duration_organisers_points_and_code(client):
    registration = _attendee(_past_event())
    client.force_login(registration.profile.user)
    response = _download(client, registration)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="certificate-')
    reader, text = _text(response)
    registration.refresh_from_db()
    code = certificates.grouped(registration.certificate_code)
    for expected in (
        "Certificate of attendance",
        "Zoë Brouwer-Émond",  # Dutch characters survive as real text
        "Café-overleg: vroegsignalering",
        "Thursday 12 March 2026, 14:00–16:30",
        "2 hours and 30 minutes",
        "GGD Zeeland",
        "Pharos",
        "2.5",
        "Kwaliteitsregister V&VN",
        code,
        f"/events/certificates/verify/{code}/",
    ):
        assert expected in text, expected
    assert "zoe@example.org" not in text
    assert reader.metadata.title == "Certificate of attendance: Café-overleg: vroegsignalering"
    assert reader.metadata.author == reader.metadata.creator
    assert len(reader.pages) == 1
    width, height = (round(float(side)) for side in reader.pages[0].mediabox.upper_right)
    assert (width, height) == (595, 842)  # A4 in points


def test_the_pdf_follows_the_language_of_the_page(client):
    registration = _attendee(_past_event(accreditation_points=Decimal(3)))
    client.force_login(registration.profile.user)
    _reader, dutch = _text(_download(client, registration, headers=DUTCH))
    _reader, english = _text(_download(client, registration, headers=ENGLISH))
    assert "12 maart 2026" in dutch and "12 March 2026" in english
    assert "Zoë Brouwer-Émond" in dutch
    # Whole points are written without decimals.
    assert "3" in dutch and "3.0" not in english and "3,0" not in dutch


def test_an_event_without_points_or_co_host_leaves_those_lines_out(client):
    registration = _attendee(_past_event(accreditation_points=None, accreditation_registry="", co_host=None))
    client.force_login(registration.profile.user)
    _reader, text = _text(_download(client, registration))
    assert "Accreditation points" not in text and "Registry" not in text and "Co-host" not in text
    assert "GGD Zeeland" in text


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        ((14, 0), (16, 0), "2 hours"),
        ((14, 0), (14, 45), "45 minutes"),
        ((9, 30), (10, 31), "1 hour and 1 minute"),
    ],
)
def test_the_duration_is_written_out(starts, ends, expected):
    day = timezone.make_aware(datetime(2026, 3, 12))
    with translation.override("en"):
        assert (
            certificates.duration_text(
                day.replace(hour=starts[0], minute=starts[1]), day.replace(hour=ends[0], minute=ends[1])
            )
            == expected
        )


def test_points_need_a_registry():
    event = _past_event(accreditation_registry="")
    with translation.override("en"), pytest.raises(ValidationError) as refusal:
        event.full_clean()
    assert "accreditation_registry" in refusal.value.message_dict


# --- Who may download ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("owner checked in", True),
        ("owner not checked in", False),
        ("another member", False),
        ("coordinator", True),
        ("coordinator of the event's coalition", True),
        ("coordinator of another coalition", False),
    ],
)
def test_who_may_download_a_certificate(client, coordinator, coalition_coordinator, role, allowed):
    coalition = coalition_coordinator.coalition_roles.get().coalition
    event = _past_event(coalition=coalition if role != "coordinator of another coalition" else None)
    registration = _attendee(event, checked_in=role != "owner not checked in")
    user = {
        "owner checked in": registration.profile.user,
        "owner not checked in": registration.profile.user,
        "another member": approved_member(),
        "coordinator": coordinator,
        "coordinator of the event's coalition": coalition_coordinator,
        "coordinator of another coalition": coalition_coordinator,
    }[role]
    client.force_login(user)
    response = _download(client, registration)
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert "Zoë Brouwer-Émond" in _text(response)[1]
    else:
        registration.refresh_from_db()
        assert registration.certificate_code is None  # nothing is issued on a refusal


def test_a_visitor_is_sent_to_log_in(client):
    registration = _attendee(_past_event())
    response = _download(client, registration)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('account_login')}?next=")


@pytest.mark.parametrize("situation", ["not started", "cancelled event", "cancelled registration"])
def test_there_is_no_certificate_before_the_event_of_a_cancelled_event_or_registration(client, situation):
    start = timezone.now() + timedelta(days=2)
    event = (
        _past_event(starts_at=start, ends_at=start + timedelta(hours=2))
        if situation == "not started"
        else _past_event(state=Event.State.CANCELLED if situation == "cancelled event" else Event.State.PUBLISHED)
    )
    registration = _attendee(event)
    if situation == "cancelled registration":
        Registration.objects.filter(pk=registration.pk).update(state=Registration.State.CANCELLED)
    client.force_login(registration.profile.user)
    assert _download(client, registration).status_code == 403


def test_the_code_is_issued_once_and_stays(client, coordinator):
    registration = _attendee(_past_event())
    client.force_login(registration.profile.user)
    _download(client, registration)
    registration.refresh_from_db()
    code = registration.certificate_code
    assert len(code) == certificates.CODE_LENGTH and set(code) <= set(certificates.CODE_ALPHABET)
    client.force_login(coordinator)
    assert certificates.grouped(code) in _text(_download(client, registration))[1]
    registration.refresh_from_db()
    assert registration.certificate_code == code


def test_issuing_is_refused_without_a_check_in():
    registration = _attendee(_past_event(), checked_in=False)
    with pytest.raises(services.EventError):
        services.issue_certificate(registration)
    assert Registration.objects.get(pk=registration.pk).certificate_code is None


# --- My registrations ------------------------------------------------------------------------------------------


def test_my_registrations_links_a_certificate_only_for_attended_events(client):
    attended = _attendee(_past_event(title="Bijgewoond"))
    user = attended.profile.user
    absent = RegistrationFactory(event=_past_event(title="Afwezig", slug="afwezig"), profile=user.profile)
    coming = RegistrationFactory(event=EventFactory(), profile=user.profile, checked_in=True)
    client.force_login(user)
    text = client.get(reverse("events:my_registrations"), headers=ENGLISH).text
    assert reverse("events:certificate_download", args=[attended.pk]) in text
    assert reverse("events:certificate_download", args=[absent.pk]) not in text
    assert reverse("events:certificate_download", args=[coming.pk]) not in text


def test_my_registrations_takes_as_many_queries_for_many_attended_events(client):
    user = approved_member()
    client.force_login(user)

    def grow(n):
        for index in range(n):
            start = timezone.now() - timedelta(days=10 + index)
            event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=2), host=OrganisationFactory())
            RegistrationFactory(event=event, profile=user.profile, checked_in=True)

    assert_same_count_as_data_grows(client, reverse("events:my_registrations"), grow)
    assert client.get(reverse("events:my_registrations")).text.count("/certificate.pdf") == 10


# --- The signed link -------------------------------------------------------------------------------------------


def test_the_signed_link_works_without_login_and_not_after_tampering(client):
    registration = _attendee(_past_event())
    url = certificates.signed_url(registration)
    path = url[url.index("/events/") :]
    response = client.get(path, headers=ENGLISH)
    assert response.status_code == 200
    assert "Zoë Brouwer-Émond" in _text(response)[1]
    token = path.removeprefix("/events/certificates/").removesuffix(".pdf")
    other = RegistrationFactory(event=registration.event, checked_in=True)
    # The other registration's id with this token's signature; this token cut short; a token of no salt.
    forged = signing.dumps(other.pk, salt=certificates.CERTIFICATE_SALT).split(":")[0] + ":" + token.split(":", 1)[1]
    for bad in (forged, token[:-3], signing.dumps(other.pk)):
        assert client.get(reverse("events:certificate_signed", args=[bad])).status_code == 404
    assert Registration.objects.get(pk=other.pk).certificate_code is None


def test_the_signed_link_is_revoked_by_unchecking_and_by_anonymisation(client, coordinator):
    registration = _attendee(_past_event())
    url = certificates.signed_url(registration)
    path = url[url.index("/events/") :]
    services.check_in(registration, by=coordinator, checked_in=False)
    response = client.get(path, headers=ENGLISH)
    assert response.status_code == 404 and "Certificate not available" in response.text
    services.check_in(registration, by=coordinator, checked_in=True)
    assert client.get(path).status_code == 200
    services.detach_personal_data(now=timezone.now() + timedelta(days=3650))
    assert client.get(path).status_code == 404


# --- Verification ----------------------------------------------------------------------------------------------


def _issued(registration):
    return services.issue_certificate(registration).certificate_code


def test_the_verification_page_shows_the_minimum(client):
    registration = _attendee(_past_event())
    code = _issued(registration)
    response = client.get(reverse("events:certificate_verify", args=[certificates.grouped(code)]), headers=ENGLISH)
    assert response.status_code == 200
    text = response.text
    for expected in ("This certificate is genuine.", "Zoë Brouwer-Émond", "Café-overleg: vroegsignalering",
                     "12 March 2026", "2 hours and 30 minutes", "2.5", "Kwaliteitsregister V&amp;VN"):  # fmt: skip
        assert expected in text, expected
    assert "zoe@example.org" not in text
    assert registration.organisation_name not in text


def test_a_typed_code_is_normalised_and_a_wrong_one_is_told_at_the_field(client):
    code = _issued(_attendee(_past_event()))
    form_url = reverse("events:certificate_verify_form")
    typed = certificates.grouped(code).lower().replace("-", " ")
    response = client.get(form_url, {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("events:certificate_verify", args=[certificates.grouped(code)])
    wrong = client.get(reverse("events:certificate_verify", args=["ABCD-EFGH-JKLM"]), headers=ENGLISH)
    assert wrong.status_code == 404
    assert "No certificate has this code" in wrong.text
    assert wrong.context["form"]["code"].value() == "ABCD-EFGH-JKLM"
    short = client.get(form_url, {"code": "ABC"}, headers=ENGLISH)
    assert short.status_code == 200 and "twelve letters and digits" in short.context["form"].errors["code"][0]
    assert client.get(form_url, headers=ENGLISH).status_code == 200


def test_verification_after_anonymisation_says_issued_but_the_personal_data_is_removed(client):
    registration = _attendee(_past_event())
    code = _issued(registration)
    assert services.detach_personal_data(now=timezone.now() + timedelta(days=3650)) == 1
    text = client.get(reverse("events:certificate_verify", args=[code]), headers=ENGLISH).text
    assert "personal data has since been removed" in text
    assert "Brouwer" not in text
    assert "Café-overleg: vroegsignalering" in text and "2 hours and 30 minutes" in text


def test_verification_of_a_withdrawn_certificate_says_so(client, coordinator):
    registration = _attendee(_past_event())
    code = _issued(registration)
    services.check_in(registration, by=coordinator, checked_in=False)
    text = client.get(reverse("events:certificate_verify", args=[code]), headers=ENGLISH).text
    assert "has been withdrawn" in text and "Brouwer" not in text


def test_the_verification_page_takes_as_many_queries_with_more_data(client):
    registration = _attendee(_past_event())
    code = _issued(registration)

    def grow(n):
        for _ in range(n):
            _issued(RegistrationFactory(event=registration.event, checked_in=True))

    url = reverse("events:certificate_verify", args=[code])
    assert_same_count_as_data_grows(client, url, grow, shown=False)


# --- The mass mail ---------------------------------------------------------------------------------------------


def test_certificates_go_once_to_exactly_those_checked_in_each_with_their_own_link(
    client, coordinator, django_capture_on_commit_callbacks
):
    event = _past_event()
    came = [RegistrationFactory(event=event, checked_in=True) for _ in range(3)]
    RegistrationFactory(event=event)  # confirmed, not checked in
    RegistrationFactory(event=event, state=Registration.State.WAITING)
    with django_capture_on_commit_callbacks(execute=True):
        mailing = send("events.certificates", {"event": event.pk}, by=coordinator)
    assert mailing.kind == Mailing.Kind.MATERIALS
    assert mailing.event_link.purpose == EventMailing.Purpose.CERTIFICATES
    by_address = {message.to[0].split("<")[-1].rstrip(">"): message for message in mail.outbox}
    assert sorted(by_address) == sorted(r.profile.user.email for r in came)
    for registration in came:
        body = by_address[registration.profile.user.email].body
        path = body[body.index("/events/certificates/") :].split()[0]
        pdf_text = _text(client.get(path, headers=ENGLISH))[1]
        assert registration.profile.full_name in pdf_text
    check = MailCheck.objects.get(mailing=mailing)
    with pytest.raises(checkstep.AlreadySent), django_capture_on_commit_callbacks(execute=True):
        checkstep.confirm_check(check, by=coordinator, fingerprint=check.fingerprint)
    assert len(mail.outbox) == 3


def test_certificates_cannot_be_sent_before_the_event(coordinator):
    event = EventFactory()
    RegistrationFactory(event=event, checked_in=True)
    with pytest.raises(DomainError), translation.override("en"):
        send("events.certificates", {"event": event.pk}, by=coordinator)


def test_the_send_page_is_for_coordinators_and_linked_on_past_events_only(client, coordinator, member):
    past, coming = _past_event(), EventFactory()
    url = reverse("events:send_certificates", args=[past.slug])
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    page = client.get(url, headers=ENGLISH)
    assert page.status_code == 200
    assert url in client.get(past.get_absolute_url()).text
    assert reverse("events:send_certificates", args=[coming.slug]) not in client.get(coming.get_absolute_url()).text
    refused = client.post(url, headers=ENGLISH)
    assert refused.status_code == 200 and "Nobody would receive this mail" in refused.text


# --- Query counts of the other certificate pages ---------------------------------------------------------------


def test_the_downloads_and_the_send_page_take_as_many_queries_with_more_participants(client, coordinator):
    registration = _attendee(_past_event())
    event = registration.event
    signed = certificates.signed_url(registration)

    def grow(n):
        RegistrationFactory.create_batch(n, event=event, checked_in=True)

    client.force_login(coordinator)
    # First the page that shows the count (1 + 2 checked in, then 1 + 10: the page grows by a digit).
    assert_same_count_as_data_grows(client, reverse("events:send_certificates", args=[event.slug]), grow)
    for url in (
        reverse("events:certificate_download", args=[registration.pk]),
        signed[signed.index("/events/") :],
    ):
        assert_same_count_as_data_grows(client, url, grow, shown=False)


# --- The admin and the demo ------------------------------------------------------------------------------------


def test_points_are_set_in_the_admin_and_need_a_registry_there(coordinator_client):
    event = _past_event(accreditation_points=None, accreditation_registry="")
    url, data = _change_page(coordinator_client, event)
    page = coordinator_client.get(url, headers=ENGLISH).text
    assert "Where the points count, e.g. Kwaliteitsregister V" in page  # the help text
    assert reverse("events:send_certificates", args=[event.slug]) in page  # a past event's tools
    data["accreditation_points"] = "2.5"
    refused = coordinator_client.post(url, data, headers=ENGLISH)
    assert refused.status_code == 200
    assert "accreditation_registry" in refused.context["adminform"].form.errors
    assert refused.context["adminform"].form["accreditation_points"].value() == "2.5"  # kept
    data["accreditation_registry"] = "Kwaliteitsregister V&VN"
    assert coordinator_client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert (event.accreditation_points, event.accreditation_registry) == (Decimal("2.5"), "Kwaliteitsregister V&VN")


def test_the_admin_offers_sending_certificates_only_for_events_that_took_place(coordinator_client):
    page = coordinator_client.get(reverse("admin:events_event_change", args=[EventFactory().pk])).text
    assert "/send-certificates/" not in page


def test_the_demo_series_has_two_past_dates_with_certificates_and_one_coming():
    ProfileFactory.create_batch(20)
    demo.seed()
    series = Series.objects.get(slug=demo.SERIES["slug"])
    now = timezone.now()
    past = list(series.events.past(now))
    assert len(past) == 2 and series.events.upcoming(now).count() == 1
    for event in past:
        attended = [r for r in event.registrations.all() if r.has_certificate]
        assert attended and event.feedback_survey.responses.exists()
    assert any(event.accreditation_points for event in past)
    assert all(event.accreditation_registry for event in past if event.accreditation_points)


def test_the_event_page_links_the_certificate_for_the_participant_who_was_checked_in(client):
    registration = _attendee(_past_event())
    url = reverse("events:certificate_download", args=[registration.pk])
    client.force_login(registration.profile.user)
    assert url in client.get(registration.event.get_absolute_url()).text
    Registration.objects.filter(pk=registration.pk).update(checked_in=False)
    assert url not in client.get(registration.event.get_absolute_url()).text


def test_a_participant_without_an_address_is_counted_as_left_out(coordinator):
    event = _past_event()
    RegistrationFactory(event=event, checked_in=True)
    gone = RegistrationFactory(event=event, checked_in=True)
    Registration.objects.filter(pk=gone.pk).update(profile=None)  # the account went, not yet anonymised
    check = checkstep.open_check("events.certificates", {"event": event.pk}, by=coordinator)
    assert check.recipient_count == 1
    assert check.left_out == {checkstep.LeftOut.NO_ADDRESS: 1}
