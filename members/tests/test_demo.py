"""seed_demo for the members app: idempotent, with the demo logins, and a fast bulk mode."""

from members import demo
from members.models import Municipality, Offering, Organisation, Profile


def test_seed_is_idempotent_and_returns_the_demo_logins(db):
    logins = demo.seed()
    counts = (Profile.objects.count(), Organisation.objects.count(), Offering.objects.count())
    assert demo.seed() == logins
    assert (Profile.objects.count(), Organisation.objects.count(), Offering.objects.count()) == counts
    assert ("coordinator", "coordinator@example.org", demo.DEMO_PASSWORD) in logins
    assert ("member", "member@example.org", demo.DEMO_PASSWORD) in logins
    assert Municipality.objects.filter(name="Middelburg").exists()
    assert Profile.objects.approved().count() >= 35
    phases = [phase for phases in Offering.objects.values_list("life_phases", flat=True) for phase in phases]
    assert set(phases) == {
        "wish",
        "pregnancy",
        "birth",
        "first_year",
        "second_year",
    }
    assert Offering.objects.filter(life_phases__icontains=",").exists(), "some offerings are in several phases"
    assert Offering.objects.possibly_outdated().exists()
    assert Offering.objects.exclude(pk__in=Offering.objects.possibly_outdated()).exists()
    assert not Profile.objects.approved().filter(search_text="").exists()


def test_bulk_members_are_searchable_and_idempotent(db):
    demo.seed(extra_members=50, extra_organisations=5)
    demo.seed(extra_members=50, extra_organisations=5)
    assert Profile.objects.filter(user__email__startswith="bench").count() == 50
    assert Organisation.objects.filter(slug__startswith="bench-org-").count() == 5
    bench = Profile.objects.filter(user__email__startswith="bench").first()
    assert bench.municipalities.exists() and bench.search_text
    assert bench.user.groups.filter(name="Member").exists()


def test_bulk_members_get_the_search_document_every_saved_profile_gets(db):
    demo.seed(extra_members=20, extra_organisations=3)
    bench = Profile.objects.filter(user__email__startswith="bench").select_related("organisation")
    bench = list(bench.prefetch_related("themes", "municipalities"))
    assert len(bench) == 20
    for profile in bench:
        assert profile.search_text == profile.build_search_text()
