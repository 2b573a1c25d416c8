"""What SegmentForm offers: a coalition coordinator chooses only within their coalitions (their municipalities;
the organisations that are their partners or employ people working there), a regional coordinator from
everything; a checkbox group without choices is left out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Municipality, Organisation, Theme
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory, ThemeFactory
from network.forms import SegmentForm
from network.models import Coalition

from .factories import CoalitionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


class World:
    """Walcheren (place_w): Ark is its partner, Dorp employs someone working in place_w. Zuid (place_z): Cirkel is
    its partner, Eiland employs someone working in place_z. Vrij employs someone working in a free place."""

    def __init__(self):
        self.place_w, self.place_z, self.place_free = (MunicipalityFactory() for _n in range(3))
        self.walcheren = CoalitionFactory(name="Walcheren", municipalities=[self.place_w])
        self.zuid = CoalitionFactory(name="Zuid", municipalities=[self.place_z])
        self.ark, self.cirkel, self.dorp, self.eiland, self.vrij = (OrganisationFactory() for _n in range(5))
        PartnershipFactory(coalition=self.walcheren, organisation=self.ark)
        PartnershipFactory(coalition=self.zuid, organisation=self.cirkel)
        ProfileFactory(organisation=self.dorp, municipalities=[self.place_w])
        ProfileFactory(organisation=self.eiland, municipalities=[self.place_z])
        ProfileFactory(organisation=self.vrij, municipalities=[self.place_free])
        ProfileFactory(organisation=None, municipalities=[self.place_w])  # no organisation: adds nothing
        ThemeFactory()


@pytest.fixture
def world():
    return World()


def _walcheren_only(world):
    return Coalition.objects.filter(pk=world.walcheren.pk)


def test_a_coalition_coordinator_is_offered_only_their_coalitions_municipalities_and_organisations(world):
    form = SegmentForm(coalitions=_walcheren_only(world))
    assert set(form.fields["coalitions"].queryset) == {world.walcheren}
    assert set(form.fields["municipalities"].queryset) == {world.place_w}
    assert set(form.fields["organisations"].queryset) == {world.ark, world.dorp}


def test_two_coalitions_offer_what_either_has(world):
    form = SegmentForm(coalitions=Coalition.objects.all())
    assert set(form.fields["municipalities"].queryset) == {world.place_w, world.place_z}
    assert set(form.fields["organisations"].queryset) == {world.ark, world.dorp, world.cirkel, world.eiland}


def test_a_regional_coordinator_is_offered_everything(world):
    form = SegmentForm()
    assert set(form.fields["coalitions"].queryset) == {world.walcheren, world.zuid}
    assert set(form.fields["municipalities"].queryset) == set(Municipality.objects.all())
    assert set(form.fields["organisations"].queryset) == set(Organisation.objects.all())
    assert set(form.fields["themes"].queryset) == set(Theme.objects.all())


def test_a_foreign_organisation_or_municipality_posted_by_a_coalition_coordinator_is_refused(world):
    form = SegmentForm(
        data={
            "segment-coalitions": [world.walcheren.pk],
            "segment-organisations": [world.cirkel.pk],
            "segment-municipalities": [world.place_z.pk],
        },
        coalitions=_walcheren_only(world),
    )
    assert not form.is_valid()
    assert form.has_error("organisations", "invalid_choice")
    assert form.has_error("municipalities", "invalid_choice")


def test_an_own_organisation_posted_by_a_coalition_coordinator_is_taken(world):
    form = SegmentForm(
        data={"segment-coalitions": [world.walcheren.pk], "segment-organisations": [world.dorp.pk]},
        coalitions=_walcheren_only(world),
    )
    assert form.is_valid(), form.errors
    assert form.segment().organisations == (world.dorp.pk,)


def test_the_choices_cost_one_query_per_field_however_many_organisations(world):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            form = SegmentForm(coalitions=_walcheren_only(world))
            for name in ("coalitions", "municipalities", "organisations"):
                list(form[name])
        return len(captured)

    before = queries()
    for _n in range(5):
        ProfileFactory(organisation=OrganisationFactory(), municipalities=[world.place_w])
    assert queries() == before


def test_a_checkbox_group_without_choices_is_left_out():
    Theme.objects.all().delete()
    form = SegmentForm(data={"segment-all_members": "on", "segment-themes": []})
    assert "themes" not in form.fields and "municipalities" not in form.fields and "coalitions" not in form.fields
    assert form.is_valid(), form.errors


def test_a_coalition_coordinators_required_coalitions_stay_even_without_choices():
    form = SegmentForm(coalitions=Coalition.objects.none())
    assert "coalitions" in form.fields
