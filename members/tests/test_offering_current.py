"""Offerings that stay current: the confirmation cycle per organisation, the signed link, the outdated mark, and
an organisation's new phone, e-mail or address followed by its offerings (or flagged for a look)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from coalition.celery import app
from coalition.models import Mailing
from members import services, tasks
from members.models import Offering

from .factories import OfferingFactory, OrganisationFactory, ProfileFactory


def _ago(days):
    return timezone.now() - timedelta(days=days)


@pytest.fixture
def organisation(db):
    organisation = OrganisationFactory(name="Kraamzorg De Schelde")
    organisation.contacts.add(
        ProfileFactory(user__email="anna@example.org"), ProfileFactory(user__email="bert@example.org")
    )
    return organisation


@pytest.fixture
def stale(organisation):
    return OfferingFactory(organisation=organisation, title="Kraamzorg thuis", confirmed_at=_ago(200))


def test_contacts_get_one_mail_per_organisation_listing_its_due_offerings_and_twice_run_asks_once(
    organisation, stale, django_capture_on_commit_callbacks
):
    OfferingFactory(organisation=organisation, title="Borstvoedingsspreekuur", confirmed_at=_ago(190))
    OfferingFactory(organisation=organisation, title="Recent bevestigd", confirmed_at=_ago(20))
    OfferingFactory(organisation=organisation, title="Uitgezet", confirmed_at=_ago(300), is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.request_offering_confirmations() == 1
        assert tasks.request_offering_confirmations() == 0  # running twice mails no one twice
    assert len(mail.outbox) == 2  # one mail, to each of the two contacts
    assert Mailing.objects.filter(description__contains="Kraamzorg De Schelde").count() == 1
    body = mail.outbox[0].body
    assert "Kraamzorg thuis" in body and "Borstvoedingsspreekuur" in body
    assert "Recent bevestigd" not in body and "Uitgezet" not in body
    assert body.count("/offerings/confirm/") == 2
    stale.refresh_from_db()
    assert stale.confirmation_requested_at is not None


def test_each_contact_is_mailed_and_the_subject_is_dutch(organisation, stale, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_offering_confirmations()
    assert sorted(address.split("<")[1].rstrip(">") for m in mail.outbox for address in m.to) == [
        "anna@example.org",
        "bert@example.org",
    ]
    assert "Kraamzorg De Schelde" in mail.outbox[0].subject


def test_an_offering_is_asked_again_only_after_another_period(stale, django_capture_on_commit_callbacks):
    services.request_offering_confirmations()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.request_offering_confirmations(now=timezone.now() + timedelta(days=100)) == 0
        assert services.request_offering_confirmations(now=timezone.now() + timedelta(days=190)) == 1


def test_an_organisation_without_an_approved_contact_is_skipped_until_it_has_one(
    db, django_capture_on_commit_callbacks
):
    offering = OfferingFactory(confirmed_at=_ago(200))
    offering.organisation.contacts.add(ProfileFactory(status="pending"))
    assert services.request_offering_confirmations() == 0
    offering.organisation.contacts.add(ProfileFactory())
    assert services.request_offering_confirmations() == 1


def test_the_confirmation_period_follows_the_setting(stale, settings):
    settings.OFFERING_CONFIRM_MONTHS = 12
    assert services.request_offering_confirmations() == 0
    settings.OFFERING_CONFIRM_MONTHS = 6
    assert services.request_offering_confirmations() == 1


def test_the_link_shows_the_offering_on_get_and_confirms_only_on_post(client, stale):
    stale.needs_review = "Het telefoonnummer van de organisatie is veranderd."
    stale.save()
    url = reverse("members:offering_confirm", args=[services.offering_confirmation_token(stale)])
    response = client.get(url)
    assert response.status_code == 200
    assert "Kraamzorg thuis" in response.content.decode()
    stale.refresh_from_db()
    assert stale.confirmed_at < _ago(150)  # a link scanner's GET changes nothing
    response = client.post(url)
    assert response.status_code == 200
    assert response.context["done"] and "Kraamzorg thuis" in response.content.decode()
    stale.refresh_from_db()
    assert stale.confirmed_at > _ago(1)
    assert stale.needs_review == ""
    assert not stale.is_possibly_outdated


def test_a_forged_or_expired_link_is_refused(client, stale, settings):
    token = services.offering_confirmation_token(stale)
    assert client.post(reverse("members:offering_confirm", args=[token[:-2] + "xx"])).status_code == 400
    settings.OFFERING_CONFIRM_MONTHS = 0  # a link lives one period: none at all is expired at once
    assert client.get(reverse("members:offering_confirm", args=[token])).status_code == 400
    stale.refresh_from_db()
    assert stale.confirmed_at < _ago(150)


def test_a_profile_link_does_not_confirm_an_offering(client, stale, organisation):
    profile = organisation.contacts.first()
    token = services.confirmation_token(profile)  # another salt: not an offering's link
    assert client.post(reverse("members:offering_confirm", args=[token])).status_code == 400


def test_after_nine_months_unconfirmed_an_offering_is_possibly_outdated(db, settings):
    old = OfferingFactory(confirmed_at=_ago(280))
    recent = OfferingFactory(confirmed_at=_ago(200))
    assert old.is_possibly_outdated and not recent.is_possibly_outdated
    assert list(Offering.objects.possibly_outdated()) == [old]
    settings.OFFERING_OUTDATED_MONTHS = 6
    assert set(Offering.objects.possibly_outdated()) == {old, recent}


def test_the_beat_runs_the_request_every_day():
    entry = app.conf.beat_schedule["members-request-offering-confirmations"]
    assert entry["task"] == "members.tasks.request_offering_confirmations"
    assert entry["task"] in app.tasks


# --- An organisation's changed contact details ----------------------------------------------------------------


def test_offerings_with_the_old_phone_follow_and_those_with_their_own_are_flagged(coordinator):
    organisation = OrganisationFactory(phone="0113-123456", email="info@schelde.nl", address="Kade 1, Goes")
    same = OfferingFactory(organisation=organisation, phone="0113-123456", email="info@schelde.nl")
    own = OfferingFactory(organisation=organisation, phone="0113-999999", email="info@schelde.nl")
    none = OfferingFactory(organisation=organisation, phone="")
    other = OfferingFactory(phone="0113-123456")  # another organisation's, with the same number
    organisation.phone = "0113-654321"
    services.save_organisation(organisation, by=coordinator)
    for offering in (same, own, none, other):
        offering.refresh_from_db()
    assert same.phone == "0113-654321" and same.needs_review == ""
    assert own.phone == "0113-999999"
    assert "0113-123456" in own.needs_review and "0113-654321" in own.needs_review
    assert none.phone == "" and none.needs_review == ""
    assert other.phone == "0113-123456" and other.needs_review == ""
    assert same.email == own.email == "info@schelde.nl"  # unchanged fields are left alone


def test_a_changed_email_and_address_follow_too(coordinator):
    organisation = OrganisationFactory(email="info@schelde.nl", address="Kade 1, Goes")
    offering = OfferingFactory(organisation=organisation, email="info@schelde.nl", address="Kade 1, Goes")
    organisation.email = "hallo@schelde.nl"
    organisation.address = "Markt 2, Goes"
    services.save_organisation(organisation, by=coordinator)
    offering.refresh_from_db()
    assert (offering.email, offering.address, offering.needs_review) == ("hallo@schelde.nl", "Markt 2, Goes", "")


def test_the_organisation_form_of_a_contact_propagates_a_new_phone(client, organisation):
    contact = organisation.contacts.first()
    offering = OfferingFactory(organisation=organisation, phone=organisation.phone)
    client.force_login(contact.user)
    url = reverse("members:organisation_edit", args=[organisation.slug])
    data = {
        "name": organisation.name,
        "discipline": organisation.discipline,
        "phone": "0118-765432",
        "email": organisation.email,
        "website": "",
        "address": "",
        "description": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    offering.refresh_from_db()
    assert offering.phone == "0118-765432"


def test_saving_a_flagged_offering_clears_its_note(coordinator):
    offering = OfferingFactory(needs_review="Kijk even naar het telefoonnummer.")
    services.save_offering(offering, by=coordinator)
    offering.refresh_from_db()
    assert offering.needs_review == ""


def test_search_finds_a_word_typed_halfway_without_accents_and_case(db):
    OfferingFactory(title="Café voor jonge ouders", description="Elke week koffie en contact.")
    OfferingFactory(title="Kraamzorg thuis", description="Zorg in de kraamweek.")
    assert [o.title for o in Offering.objects.search("CAFE")] == ["Café voor jonge ouders"]
    assert [o.title for o in Offering.objects.search("kraam")] == ["Kraamzorg thuis"]
    assert [o.title for o in Offering.objects.search("jonge koffie")] == ["Café voor jonge ouders"]
    assert list(Offering.objects.search("0113")) == []  # phone numbers are not in the document


def test_search_uses_dutch_stemming_on_postgresql(db):
    from django.db import connection  # noqa: PLC0415 — only to skip on other databases

    if connection.vendor != "postgresql":
        pytest.skip("full-text search is PostgreSQL's")
    OfferingFactory(title="Begeleiding bij zwangerschappen")
    assert [o.title for o in Offering.objects.search("zwangerschap")] == ["Begeleiding bij zwangerschappen"]


def test_a_contact_person_who_stops_being_a_contact_is_released_with_a_note(organisation, coordinator):
    anna, bert = organisation.contacts.order_by("user__email")
    offering = OfferingFactory(organisation=organisation, contact_person=anna, phone="0113-123456")
    kept = OfferingFactory(organisation=organisation, contact_person=bert)
    services.save_organisation(organisation, by=coordinator, contacts=[bert])
    offering.refresh_from_db()
    kept.refresh_from_db()
    assert offering.contact_person is None and anna.full_name in offering.needs_review
    assert offering.phone == "0113-123456"
    assert kept.contact_person == bert and kept.needs_review == ""


def test_a_new_phone_in_the_admin_is_not_undone_by_an_offering_edited_on_the_same_page(coordinator_client):
    from coalition.tests.test_admin_pages import unchanged_post_data  # noqa: PLC0415 — the admin's own helper

    organisation = OrganisationFactory(phone="0113-123456")
    offering = OfferingFactory(organisation=organisation, phone="0113-123456", title="Oud")
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    data = unchanged_post_data(coordinator_client.get(url))
    data["phone"] = "0113-654321"
    prefix = next(key for key in data if key.endswith("-0-title")).removesuffix("-0-title")
    data[f"{prefix}-0-title"] = "Nieuw"
    assert coordinator_client.post(url, data).status_code == 302
    offering.refresh_from_db()
    assert (offering.title, offering.phone) == ("Nieuw", "0113-654321")


def test_a_contacts_own_edit_confirms_the_offering_and_a_coordinators_does_not(organisation, stale, coordinator):
    services.save_offering(stale, by=coordinator)
    stale.refresh_from_db()
    assert stale.confirmed_at < _ago(150)
    services.save_offering(stale, by=organisation.contacts.first().user)
    stale.refresh_from_db()
    assert stale.confirmed_at > _ago(1)
