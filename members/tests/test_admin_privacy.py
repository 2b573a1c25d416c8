"""People in the admin: the editorial team sees of them exactly what an approved member sees on the site.

Editors need the admin for stories, and the admin shows people too. They used to see every member there,
pending, declined and unlisted included, with the direct phone and e-mail address people hide from members,
and could search by e-mail. Coordinators still see everyone and everything.
"""

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Profile, Visibility

from .factories import OrganisationFactory, ProfileFactory

pytestmark = pytest.mark.django_db

PROFILES = reverse("admin:members_profile_changelist")


def _change_url(profile):
    return reverse("admin:members_profile_change", args=[profile.pk])


@pytest.fixture
def people(db):
    """One of each kind a member may or may not see, each with a phone and an address of their own."""
    organisation = OrganisationFactory(name="Kraamzorg De Schelde")

    numbers = iter(range(1, 100))

    def person(key, **kwargs):
        number = next(numbers)
        return ProfileFactory(
            user__email=f"{key}@example.org",
            user__first_name=key.title(),
            direct_phone=f"06-5550{number:04d}",
            team_phone=f"0113-77{number:04d}",
            organisation=organisation,
            **kwargs,
        )

    return {
        "open": person("open"),
        "private": person(
            "private", phone_visibility=Visibility.COORDINATORS, email_visibility=Visibility.COORDINATORS
        ),
        "unlisted": person("unlisted", is_listed=False),
        "pending": person("pending", status=Profile.Status.PENDING),
        "declined": person("declined", status=Profile.Status.DECLINED),
        "nameless": person("nameless", first_name="", last_name="", email_visibility=Visibility.COORDINATORS),
    }


SEEN_BY_MEMBERS = {"open", "private"}  # approved and listed (the nameless one has no name a member could see)


def _details(profile):
    return {profile.direct_phone, profile.user.email}


def _shown(html, values):
    return {value for value in values if value in html}


def test_editor_lists_only_the_people_members_see_with_only_the_details_they_show(editor_client, people):
    response = editor_client.get(PROFILES)
    html = response.content.decode()
    listed = set(response.context["cl"].result_list)
    assert {people[key] for key in SEEN_BY_MEMBERS} <= listed
    assert not listed & {people[key] for key in set(people) - SEEN_BY_MEMBERS}
    for key in set(people) - SEEN_BY_MEMBERS:
        assert not _shown(html, _details(people[key]) | {people[key].team_phone}), key
    assert _shown(html, _details(people["open"])) == _details(people["open"])
    assert not _shown(html, _details(people["private"]))
    assert people["private"].team_phone in html  # the team line is for every member


def test_editor_sees_a_person_in_the_admin_exactly_as_a_member_does_on_the_site(editor_client, member_client, people):
    for key in SEEN_BY_MEMBERS:
        profile = people[key]
        admin_page = editor_client.get(_change_url(profile)).content.decode()
        site_page = member_client.get(profile.get_absolute_url()).content.decode()
        values = _details(profile) | {profile.team_phone, profile.job_title, str(profile.organisation)}
        assert _shown(admin_page, values) == _shown(site_page, values), key
        assert 'name="_save"' not in admin_page  # editors read people; they do not edit them
    assert "private@example.org" not in editor_client.get(_change_url(people["private"])).content.decode()


@pytest.mark.parametrize("key", sorted({"unlisted", "pending", "declined", "nameless"}))
def test_editor_cannot_open_a_person_members_do_not_see(editor_client, people, key):
    response = editor_client.get(_change_url(people[key]), follow=True)
    html = response.content.decode()
    assert response.redirect_chain and response.redirect_chain[-1][0] == reverse("admin:index")
    assert not _shown(html, _details(people[key]))


def test_editor_cannot_find_people_by_e_mail_address_but_by_name_and_job(editor_client, people):
    for key in ("open", "private"):
        response = editor_client.get(PROFILES, {"q": f"{key}@example.org"})
        assert response.context["cl"].result_count == 0, key
    assert list(editor_client.get(PROFILES, {"q": "Private"}).context["cl"].result_list) == [people["private"]]
    assert editor_client.get(PROFILES, {"q": "Verloskundige"}).context["cl"].result_count == 2


def test_editor_cannot_probe_hidden_fields_through_the_address_bar(editor_client, coordinator_client, people):
    number = people["private"].direct_phone
    for probe in (
        {"direct_phone__startswith": number[:4]},
        {"email_visibility": "coordinators"},
        {"status__exact": "pending"},
        {"organisation__people__direct_phone": number},
    ):
        assert editor_client.get(PROFILES, probe).status_code == 400, probe
    assert coordinator_client.get(PROFILES, {"direct_phone": number}).context["cl"].result_count == 1


def test_every_filter_the_editor_is_offered_works(editor_client, people):
    response = editor_client.get(PROFILES)
    links = set()
    for spec in response.context["cl"].filter_specs:
        links.update(choice["query_string"] for choice in spec.choices(response.context["cl"]))
    assert len(links) > 5
    for query_string in links:
        assert editor_client.get(PROFILES + query_string).status_code == 200, query_string


def test_editor_exports_only_what_members_see(editor_client, people):
    data = {"action": "export_csv", "_selected_action": [p.pk for p in people.values()]}
    response = editor_client.post(PROFILES, data)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    names = {row[0] for row in rows[1:]}
    assert names == {people[key].first_name for key in SEEN_BY_MEMBERS}
    text = response.content.decode("utf-8-sig")
    assert _shown(text, _details(people["open"])) == _details(people["open"])
    for key in set(people) - {"open"}:
        assert not _shown(text, _details(people[key])), key


def test_editor_does_not_see_the_change_history_of_a_person(editor_client, people):
    history = reverse("admin:members_profile_history", args=[people["open"].pk])
    assert editor_client.get(history).status_code == 403


def test_editor_does_not_see_who_keeps_an_organisation_page_current(editor_client, people):
    organisation = people["open"].organisation
    organisation.contacts.add(people["pending"], people["open"])
    response = editor_client.get(reverse("admin:members_organisation_change", args=[organisation.pk]))
    html = response.content.decode()
    assert organisation.name in html
    assert people["pending"].full_name not in html and "pending@example.org" not in html
    assert "contacts" not in response.context["adminform"].form.fields


def test_editor_organisation_export_names_only_contacts_a_member_may_see(editor_client, coordinator_client, people):
    organisation = people["open"].organisation
    organisation.contacts.add(people["pending"], people["open"])
    post = {"action": "export_csv", "_selected_action": [organisation.pk]}
    changelist = reverse("admin:members_organisation_changelist")

    def contacts_column(client):
        rows = list(csv.reader(io.StringIO(client.post(changelist, post).content.decode("utf-8-sig")), delimiter=";"))
        return rows[1][-1]

    assert contacts_column(editor_client) == people["open"].full_name
    assert people["pending"].full_name in contacts_column(coordinator_client)


def test_coordinator_sees_everyone_and_every_detail(coordinator_client, people):
    response = coordinator_client.get(PROFILES)
    assert set(people.values()) <= set(response.context["cl"].result_list)
    html = response.content.decode()
    assert {p.user.email for p in people.values()} <= set(re.findall(r"[\w.]+@example\.org", html))
    found = coordinator_client.get(PROFILES, {"q": "pending@example.org"})
    assert list(found.context["cl"].result_list) == [people["pending"]]
    page = coordinator_client.get(_change_url(people["private"])).content.decode()
    assert people["private"].direct_phone in page and 'name="_save"' in page


def test_editor_list_takes_as_many_queries_for_many_people_as_for_few(editor_client, people):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.get(PROFILES).status_code == 200
        return len(captured)

    few = queries()
    ProfileFactory.create_batch(30, organisation=people["open"].organisation)
    assert queries() == few
