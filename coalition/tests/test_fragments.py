"""Rows kept in the cache by what they show, and the choices of long selects kept until their table changes."""

from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.template import engines
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import translation

from coalition import fragments
from members.models import Avatar, ContactCard, Municipality, Organisation, Visibility
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory
from members.views import DirectoryEntry

ROW = "members/rows/directory_entry.html"


@pytest.fixture
def rendered():
    """The names of the templates rendered while the test runs (pytest-django's test environment announces each)."""
    names = []

    def record(sender, template, context, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def _entry(**changes):
    values = {
        "url": "/members/1/",
        "name": "Joëlle de Kraker",
        "avatar": Avatar(initials="JK"),
        "is_ambassador": False,
        "is_possibly_outdated": False,
        "is_listed": True,
        "job_title": "Kraamverzorgende",
        "organisation_name": "Kraamzorg <Zeeuwse> Kust",
        "organisation_url": "/organisations/kraamzorg/",
        "discipline": "Kraamzorg",
        "municipalities": ("Borsele",),
        "card": ContactCard(direct_phone="06-11112222"),
    }
    return DirectoryEntry(**{**values, **changes})


def test_a_row_is_rendered_once_and_then_read_from_the_cache(rendered):
    entry = _entry()
    first = fragments.render_rows(ROW, [entry])
    assert ROW in rendered
    rendered.clear()
    again = fragments.render_rows(ROW, [entry, entry])
    assert rendered == []
    assert again == [first[0], first[0]]
    assert "Kraamzorg &lt;Zeeuwse&gt; Kust" in first[0]  # escaped when rendered, kept as safe HTML


def test_a_row_changes_with_what_it_shows(rendered):
    before = fragments.render_rows(ROW, [_entry()])[0]
    after = fragments.render_rows(ROW, [_entry(card=ContactCard())])[0]
    assert "06-11112222" in before
    assert "06-11112222" not in after  # another viewer's card, or a number since hidden: another key


def test_a_row_is_kept_per_language():
    with translation.override("nl"):
        dutch = fragments.render_rows(ROW, [_entry(is_ambassador=True)])[0]
    with translation.override("en"):
        english = fragments.render_rows(ROW, [_entry(is_ambassador=True)])[0]
    assert "Ambassadeur" in dutch
    assert "Ambassador" in english and "Ambassadeur" not in english


def test_a_rows_key_covers_its_template_and_every_template_it_includes():
    row = fragments.get_template(ROW).template
    assert len(list(fragments._sources(row, seen=set()))) == 3  # the row, the avatar and the contact card
    engine = engines["django"].engine
    one = engine.from_string('<li>{% include "members/includes/avatar.html" with avatar=entry.avatar %}</li>')
    other = engine.from_string(
        '<li class="x">{% include "members/includes/avatar.html" with avatar=entry.avatar %}</li>'
    )
    assert fragments._source_digest(one) != fragments._source_digest(other)
    assert fragments._source_digest(row) == fragments._source_digest(fragments.get_template(ROW).template)


def test_a_row_may_not_include_a_template_by_a_variable():
    loose = engines["django"].engine.from_string("{% include name %}")
    with pytest.raises(ImproperlyConfigured):
        fragments._source_digest(loose)


def test_an_entry_must_be_a_frozen_dataclass():
    @dataclass
    class Loose:
        name: str

    with pytest.raises(TypeError):
        fragments.render_rows(ROW, [Loose("x")])
    with pytest.raises(TypeError):
        fragments.render_rows(ROW, [{"name": "x"}])


# --- The directory's rows -------------------------------------------------------------------------------------


def test_the_directory_shows_a_change_at_once(member_client, db):
    colleague = ProfileFactory(user__first_name="Joëlle", user__last_name="de Kraker", direct_phone="06-11112222")
    url = reverse("members:profile_list")
    assert "06-11112222" in member_client.get(url).text
    colleague.phone_visibility = Visibility.COORDINATORS
    colleague.job_title = "Teamleider"
    colleague.save()
    page = member_client.get(url).text
    assert "06-11112222" not in page
    assert "Teamleider" in page


def test_a_coordinator_and_a_member_share_no_row_that_differs(member, coordinator):
    member_client, coordinator_client = Client(), Client()
    member_client.force_login(member)
    coordinator_client.force_login(coordinator)
    ProfileFactory(
        user__first_name="Ida", user__last_name="Vos", user__email="ida@example.org", email_visibility="coordinators"
    )
    url = reverse("members:profile_list")
    assert "ida@example.org" in coordinator_client.get(url).text
    assert "ida@example.org" not in member_client.get(url).text
    assert "ida@example.org" in coordinator_client.get(url).text


# --- The choices of long selects --------------------------------------------------------------------------------


def test_a_watched_tables_choices_are_read_once_until_a_row_changes(db, django_assert_num_queries):
    OrganisationFactory(name="GGD Zeeland")
    queryset = Organisation.objects.only("name", "slug")
    assert [name for _pk, name in fragments.table_choices(queryset, "name")] == ["GGD Zeeland"]
    with django_assert_num_queries(0):
        assert [name for _pk, name in fragments.table_choices(queryset, "name")] == ["GGD Zeeland"]
    renamed = Organisation.objects.get()
    renamed.name = "GGD Zeeland (Goes)"
    renamed.save()
    added = OrganisationFactory(name="Amaryllis")
    assert [name for _pk, name in fragments.table_choices(queryset, "name")] == ["Amaryllis", "GGD Zeeland (Goes)"]
    added.delete()
    assert [name for _pk, name in fragments.table_choices(queryset, "name")] == ["GGD Zeeland (Goes)"]


def test_choices_are_forgotten_again_when_the_change_commits(db, django_capture_on_commit_callbacks):
    municipality = MunicipalityFactory(name="Goes")
    queryset = Municipality.objects.all()
    fragments.table_choices(queryset, "name")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        municipality.name = "Goes (stad)"
        municipality.save()
    # A request that read the old rows between the save and the commit stored them again: the commit forgets them.
    caches[fragments.CACHE_ALIAS].set("choices:members.municipality", {"stale": [(municipality.pk, "Goes")]}, 60)
    for callback in callbacks:
        callback()
    assert fragments.table_choices(queryset, "name") == [(municipality.pk, "Goes (stad)")]


def test_a_filtered_queryset_is_never_kept(db, django_assert_num_queries):
    OrganisationFactory(name="GGD Zeeland")
    queryset = Organisation.objects.filter(name__startswith="GGD")
    fragments.table_choices(queryset, "name")
    with django_assert_num_queries(1):
        fragments.table_choices(queryset, "name")


def test_an_unwatched_table_is_read_every_time(db, django_assert_num_queries):
    from journal.models import Edition  # noqa: PLC0415 — any model no app watches

    with django_assert_num_queries(2):
        fragments.table_choices(Edition.objects.all(), "title")
        fragments.table_choices(Edition.objects.all(), "title")
