"""Migration 0002 carries today's per-organisation circle and declaration date into partnerships, forward, on a
database with data (PostgreSQL, the database the portal runs on)."""

from datetime import date

from coalition.tests.migrations import MIGRATION_TEST, migrate, schema_at

pytestmark = MIGRATION_TEST

BEFORE = [("network", "0001_initial"), ("members", "0003_search_indexes")]
AFTER = [("network", "0002_partnerships_from_organisations")]


# The schema just before 0002, with today's data: organisations with circles and declaration dates.
before = schema_at(BEFORE)


def test_organisations_land_in_the_coalition_of_each_of_their_municipalities(before):
    Municipality = before.get_model("members", "Municipality")
    Organisation = before.get_model("members", "Organisation")
    Coalition = before.get_model("network", "Coalition")
    places = {
        name: Municipality.objects.create(name=name, slug=name.lower())
        for name in ("Roosendaal", "Bergen op Zoom", "Goes", "Veere")
    }
    # A coalition of two municipalities that exists already (set up before this migration ran).
    together = Coalition.objects.create(name="Kansrijk West-Brabant", slug="west-brabant", phase="planning")
    for name in ("Roosendaal", "Bergen op Zoom"):
        together.municipality_links.create(municipality=places[name])

    def organisation(name, circle, signed, *served):
        created = Organisation.objects.create(
            name=name,
            slug=name.lower().replace(" ", "-"),
            discipline="other",
            circle=circle,
            declaration_signed_on=signed,
        )
        created.municipalities.set([places[m] for m in served])
        return created

    ggd = organisation("GGD", "inner", date(2022, 2, 1), "Roosendaal", "Goes")
    kraamzorg = organisation("Kraamzorg", "outer", None, "Goes", "Bergen op Zoom", "Roosendaal")
    regional = organisation("Schuldhulp", "outer", date(2023, 3, 1))  # no municipalities: the whole region
    Municipality.objects.create(name="Tholen", slug="tholen")  # named by nobody: no coalition for it

    after = migrate(AFTER)
    Coalition = after.get_model("network", "Coalition")
    Partnership = after.get_model("network", "Partnership")
    Signature = after.get_model("network", "Signature")

    # Goes is named and in no coalition: it gets one. Veere and Tholen are named by nobody.
    assert sorted(Coalition.objects.values_list("name", flat=True)) == ["Kansrijk West-Brabant", "Kansrijke Start Goes"]
    goes = Coalition.objects.get(name="Kansrijke Start Goes")
    assert list(goes.municipalities.values_list("name", flat=True)) == ["Goes"]
    assert goes.phase == "exploring" and goes.phase_changes.get().note.startswith("Aangemaakt")

    def partners(organisation_id):
        return dict(
            Partnership.objects.filter(organisation_id=organisation_id).values_list("coalition__slug", "circle")
        )

    # Two municipalities in one coalition: one partnership there, not two.
    assert partners(ggd.pk) == {"west-brabant": "inner", goes.slug: "inner"}
    assert partners(kraamzorg.pk) == {"west-brabant": "outer", goes.slug: "outer"}
    assert set(partners(regional.pk)) == set(Coalition.objects.values_list("slug", flat=True))
    ggd_in_goes = Partnership.objects.get(organisation_id=ggd.pk, coalition=goes)
    assert ggd_in_goes.since == date(2022, 2, 1)
    assert list(ggd_in_goes.circle_changes.values_list("circle", "changed_on")) == [("inner", date(2022, 2, 1))]
    # Signed organisations sign version 1 of their coalitions' declaration, on their own date.
    signed = Signature.objects.filter(declaration__coalition=goes).order_by("signed_on")
    assert [(s.partnership.organisation_id, s.signed_on) for s in signed] == [
        (ggd.pk, date(2022, 2, 1)),
        (regional.pk, date(2023, 3, 1)),
    ]
    assert signed[0].declaration.version == 1 and signed[0].declaration.dated_on == date(2022, 2, 1)
    assert not Signature.objects.filter(partnership__organisation_id=kraamzorg.pk).exists()
    # The old fields are kept.
    assert after.get_model("members", "Organisation").objects.get(pk=ggd.pk).circle == "inner"


def test_running_the_migration_on_a_database_without_organisations_changes_nothing(before):
    after = migrate(AFTER)
    assert not after.get_model("network", "Coalition").objects.exists()
