"""A contact who leaves is reported to the coordinators responsible, once, and the card falls back meanwhile."""

import pytest

from coalition.models import Delivery
from members.models import Profile
from members.services import delete_account
from signals import services, tasks
from signals.models import SignalContact

pytestmark = pytest.mark.django_db


def _mails_to(user):
    return Delivery.objects.filter(address=user.email, mailing__template="signals/contact_left")


def test_an_unlisted_contact_is_reported_to_the_coalition_coordinator_once(place, own_coordinator, other_coordinator):
    Profile.objects.filter(pk=place["contact"].pk).update(is_listed=False)
    assert services.report_departed_contacts() == 1
    assert tasks.report_departed_contacts() == 0  # the second run finds nothing new
    mails = _mails_to(own_coordinator)
    assert mails.count() == 1
    assert mails.get().mailing.context["contacts"][0]["name"] == "Kees Dekker"
    assert mails.get().mailing.context["contacts"][0]["signal"] == "Geldzorgen of schulden"
    assert not _mails_to(other_coordinator).exists()


def test_a_contact_listed_again_and_unlisted_later_is_reported_again(place, own_coordinator):
    Profile.objects.filter(pk=place["contact"].pk).update(is_listed=False)
    services.report_departed_contacts()
    Profile.objects.filter(pk=place["contact"].pk).update(is_listed=True)
    assert services.report_departed_contacts() == 0
    assert SignalContact.objects.get().left_reported_at is None
    Profile.objects.filter(pk=place["contact"].pk).update(status=Profile.Status.DECLINED)
    assert services.report_departed_contacts() == 1
    assert _mails_to(own_coordinator).count() == 2


def test_without_a_coalition_coordinator_the_regional_coordinators_hear_it(place, coordinator):
    Profile.objects.filter(pk=place["contact"].pk).update(is_listed=False)
    services.report_departed_contacts()
    assert _mails_to(coordinator).count() == 1


def test_a_deleted_account_is_reported_with_its_name_and_never_again(place, own_coordinator):
    delete_account(place["contact"].user)
    contact = SignalContact.objects.get()
    assert contact.profile is None
    assert contact.organisation == place["organisation"]
    assert contact.left_reported_at is not None
    assert _mails_to(own_coordinator).get().mailing.context["contacts"][0]["name"] == "Kees Dekker"
    assert services.report_departed_contacts() == 0
    assert _mails_to(own_coordinator).count() == 1


def test_reachable_contacts_are_not_reported(place, own_coordinator):
    assert services.report_departed_contacts() == 0
    assert not _mails_to(own_coordinator).exists()


def test_the_mail_names_the_card_and_links_to_it(place, own_coordinator):
    from coalition.mail import render_delivery  # noqa: PLC0415 — only this test renders

    Profile.objects.filter(pk=place["contact"].pk).update(is_listed=False)
    services.report_departed_contacts()
    message = render_delivery(_mails_to(own_coordinator).get())
    assert "Kees Dekker" in message.body
    assert f"/admin/signals/signalcard/{place['card'].pk}/change/" in message.body
