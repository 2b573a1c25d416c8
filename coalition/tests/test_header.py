"""The header every page shows: its main navigation is built once per request (coalition.context_processors)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_the_header_names_the_current_section_and_hides_the_directory_from_visitors(client, member):
    visitor = client.get(reverse("members:organisation_list")).content.decode()
    assert 'href="/members/"' not in visitor
    assert 'aria-current="page">' in visitor and 'href="/organisations/" aria-current="page"' in visitor

    client.force_login(member)
    page = client.get(reverse("members:profile_list")).content.decode()
    assert 'class="nav-link active" href="/members/" aria-current="page"' in page
    assert 'class="nav-link" href="/organisations/">' in page


@pytest.mark.django_db
def test_the_header_links_to_the_cockpit_for_coordinators_only(client, member, coordinator, coalition_coordinator):
    cockpit = f'href="{reverse("cockpit:todo")}"'
    for person, shown in ((member, False), (coordinator, True), (coalition_coordinator, True)):
        client.force_login(person)
        assert (cockpit in client.get(reverse("members:organisation_list")).content.decode()) is shown, person
    client.logout()
    assert cockpit not in client.get(reverse("members:organisation_list")).content.decode()
