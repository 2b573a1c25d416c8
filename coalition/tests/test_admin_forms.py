"""The admin as a coordinator's tool: an error summary on every form, new members linked from the index, accounts
and organisations found by autocomplete, and the outbox's list with its sent / waiting / failed columns."""

import re

import pytest
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from coalition.mail import Recipient, queue_mailing
from coalition.models import Delivery
from coalition.tests.query_counts import assert_same_count_as_data_grows
from members.tests.factories import OrganisationFactory, ProfileFactory, UserFactory
from network.tests.factories import CoalitionFactory

pytestmark = pytest.mark.django_db


def test_an_empty_submit_shows_a_summary_linking_each_error_to_its_field(coordinator_client):
    response = coordinator_client.post(reverse("admin:events_event_add"), {})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="admin-error-summary"' in html and "autofocus" in html
    assert '<a href="#id_title">' in html
    assert '<a href="#id_starts_at_0">' in html  # a date and time field links to its date box
    assert f"<title>{gettext('Error:')}" in html
    # Django's own script would move the focus to the first field of an add form: not after an error.
    assert "data-model-name" not in re.search(r'<script id="django-admin-form-add-constants"[^>]*>', html).group(0)


def test_a_valid_page_has_no_summary(coordinator_client):
    html = coordinator_client.get(reverse("admin:events_event_add")).content.decode()
    assert "admin-error-summary" not in html.split("</head>")[1]
    assert 'data-model-name="event"' in re.search(r'<script id="django-admin-form-add-constants"[^>]*>', html).group(0)


def test_inline_errors_are_in_the_summary_too(coordinator_client):
    coalition = CoalitionFactory()
    url = reverse("admin:network_coalition_change", args=[coalition.pk])
    response = coordinator_client.get(url)
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    coordinator = next(
        i.formset for i in response.context["inline_admin_formsets"] if "coordinator" in i.formset.prefix
    )
    data[f"{coordinator.prefix}-TOTAL_FORMS"] = "1"
    data[f"{coordinator.prefix}-0-email"] = "nobody@example.org"
    form = response.context["adminform"].form
    data.update({name: form[name].value() or "" for name in form.fields if name != "focus_points"})
    data["municipalities"] = [m.pk for m in coalition.municipalities.all()]
    html = coordinator_client.post(url, data).content.decode()
    assert f'<a href="#id_{coordinator.prefix}-0-email">' in html


def test_the_admin_index_links_to_the_people_waiting_for_approval(coordinator_client):
    ProfileFactory.create_batch(3, status="pending")
    html = coordinator_client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:members_profile_changelist")}?status__exact=pending"' in html
    waiting = ngettext("%(count)s person waits for approval", "%(count)s people wait for approval", 3)
    assert waiting % {"count": 3} in html


def test_the_editorial_team_sees_no_waiting_people_on_the_index(editor_client):
    ProfileFactory(status="pending")
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert "pending-members" not in html


def _autocomplete(client, app_label, model_name, field_name, term):
    return client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": app_label, "model_name": model_name, "field_name": field_name},
    )


def test_a_coordinator_finds_an_account_by_name_for_an_editorial_membership(coordinator_client, editor_client):
    UserFactory(first_name="Mirjam", last_name="van der Meer", email="mirjam@example.org")
    response = _autocomplete(coordinator_client, "journal", "editorialmembership", "user", "Mirjam")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    # The accounts themselves stay closed, and the editorial team does not search them.
    assert coordinator_client.get(reverse("admin:members_user_changelist")).status_code == 403
    assert _autocomplete(editor_client, "journal", "editorialmembership", "user", "Mirjam").status_code == 403


def test_a_coalition_coordinator_finds_a_partner_organisation_by_name(client, coalition_coordinator, member):
    OrganisationFactory(name="Jeugdgezondheidszorg Zeeland")
    client.force_login(coalition_coordinator)
    response = _autocomplete(client, "network", "partnership", "organisation", "Jeugd")
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Jeugdgezondheidszorg Zeeland"]
    assert client.get(reverse("admin:members_organisation_changelist")).status_code == 403  # the list stays closed
    client.force_login(member)
    assert _autocomplete(client, "network", "partnership", "organisation", "Jeugd").status_code == 302


def test_every_admin_page_loads_the_portals_admin_script_and_style(coordinator_client):
    html = coordinator_client.get(reverse("admin:index")).content.decode()
    assert "/static/js/admin.js" in html and "/static/css/admin.css" in html


def test_the_mailing_list_shows_sent_waiting_failed_in_the_same_queries_for_more_mailings(coordinator_client):
    def grow(count):
        for number in range(count):
            mailing = queue_mailing(
                template="journal/confirm",
                recipients=[Recipient(email=f"r{number}-{i}@example.org") for i in range(3)],
                draft=True,
            )
            mailing.deliveries.filter(pk=mailing.deliveries.first().pk).update(state=Delivery.State.FAILED)

    url = reverse("admin:coalition_mailing_changelist")
    assert_same_count_as_data_grows(coordinator_client, url, grow)
    html = coordinator_client.get(url).content.decode()
    for column in ("column-sent_count_column", "column-pending_count_column", "column-failed_count_column"):
        assert column in html
