"""The network's forms after an invalid submit: title "Fout:", a summary linking each error to its field, all kept."""

import pytest
from django.urls import reverse

from coalition.tests.form_errors import assert_error_page
from network.models import JoinRequest, PhaseChange

from .factories import CoalitionFactory, JoinRequestFactory

pytestmark = pytest.mark.django_db

TITLE = "Error:"  # the network's tests ask for English pages (conftest.py)


def test_asking_to_join_without_an_organisation_comes_back_with_the_summary_and_everything_typed(client):
    coalition = CoalitionFactory()
    data = {"organisation_name": "", "name": "Fatima El Amrani", "email": "fatima@example", "message": "Hallo"}
    response = client.post(reverse("network:join", args=[coalition.slug]), data)
    assert_error_page(
        response,
        title=TITLE,
        fields=["id_organisation", "id_email"],
        kept={"name": "Fatima El Amrani", "email": "fatima@example", "message": "Hallo", "organisation": [""]},
    )
    assert not JoinRequest.objects.exists()


def test_declining_a_request_without_a_reason_comes_back_with_the_summary_at_the_decline_form(coordinator_client):
    request = JoinRequestFactory(organisation=None, organisation_name="Peuterspeelzaal De Zandloper")
    url = reverse("network:join_request_detail", args=[request.coalition.slug, request.pk])
    response = coordinator_client.post(url, {"action": "decline", "decline-reason": ""})
    assert_error_page(response, title=TITLE, fields=["id_decline-reason"])
    request.refresh_from_db()
    assert request.is_open


def test_accepting_a_new_organisation_without_its_kind_comes_back_with_the_summary_and_the_circle(coordinator_client):
    request = JoinRequestFactory(organisation=None, organisation_name="Peuterspeelzaal De Zandloper")
    url = reverse("network:join_request_detail", args=[request.coalition.slug, request.pk])
    response = coordinator_client.post(url, {"action": "accept", "accept-circle": "inner", "accept-discipline": ""})
    assert_error_page(response, title=TITLE, fields=["id_accept-discipline"], kept={"accept-circle": ["inner"]})


def test_a_phase_change_without_phase_or_date_comes_back_with_the_summary_at_the_first_phase(coordinator_client):
    coalition = CoalitionFactory()
    response = coordinator_client.post(
        reverse("network:change_phase", args=[coalition.slug]), {"changed_on": "", "note": "Convenant getekend"}
    )
    assert_error_page(
        response, title=TITLE, fields=["id_phase_0", "id_changed_on"], kept={"phase": [], "note": "Convenant getekend"}
    )
    assert not PhaseChange.objects.filter(note="Convenant getekend").exists()
