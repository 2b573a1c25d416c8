"""The network in the admin: a regional coordinator sets coalitions up, a coalition coordinator keeps their own
(and only their own), and saving goes through the services (phases, circles, trekkers leaving, coordinators)."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from coalition.tests.test_admin_pages import unchanged_post_data
from members.models import Profile
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory
from network.models import Circle, CircleChange, Coalition, CoalitionCoordinator, Partnership, Phase, Signature, Trekker

from .factories import (
    CoalitionFactory,
    DeclarationFactory,
    JoinRequestFactory,
    PartnershipFactory,
    TrekkerFactory,
    coalition_coordinator_of,
)

pytestmark = pytest.mark.django_db

ADD = reverse("admin:network_coalition_add")
CHANGELIST = reverse("admin:network_coalition_changelist")


def _change_url(coalition):
    return reverse("admin:network_coalition_change", args=[coalition.pk])


def _prefix(response, model):
    return next(i.formset.prefix for i in response.context["inline_admin_formsets"] if i.formset.model is model)


# --- A regional coordinator ---------------------------------------------------------------------------


def test_a_regional_coordinator_adds_a_coalition_with_municipalities_and_its_phase(client, coordinator):
    goes, noord = MunicipalityFactory(name="Goes"), MunicipalityFactory(name="Noord-Beveland")
    client.force_login(coordinator)
    response = client.post(
        ADD,
        {
            "name": "Kansrijk de Bevelanden",
            "slug": "de-bevelanden",
            "municipalities": [goes.pk, noord.pk],
            "initial_phase": Phase.FORMING,
            "started_on": "2023-01-17",
            "description": "Samen.",
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    coalition = Coalition.objects.get(slug="de-bevelanden")
    assert set(coalition.municipalities.all()) == {goes, noord}
    assert (coalition.phase, coalition.phase_since) == (Phase.FORMING, date(2023, 1, 17))
    assert coalition.phase_changes.get().changed_by == coordinator


def test_a_municipality_of_another_coalition_is_refused_at_the_field_and_the_rest_is_kept(client, coordinator):
    vlissingen = MunicipalityFactory(name="Vlissingen")
    CoalitionFactory(name="Kansrijk Walcheren", municipalities=[vlissingen])
    client.force_login(coordinator)
    response = client.post(
        ADD, {"name": "Nieuwe coalitie", "slug": "nieuw", "municipalities": [vlissingen.pk], "description": "Bewaard"}
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"municipalities": ["Vlissingen is already part of the coalition Kansrijk Walcheren."]}
    assert "Bewaard</textarea>" in response.text and 'value="Nieuwe coalitie"' in response.text
    assert "coalition_municipality" not in response.text and "unique" not in response.text.lower()
    assert not Coalition.objects.filter(slug="nieuw").exists()


def test_a_reserved_web_address_is_refused(client, coordinator):
    client.force_login(coordinator)
    response = client.post(ADD, {"name": "Overzicht", "slug": "overview", "municipalities": [MunicipalityFactory().pk]})
    assert "slug" in response.context["adminform"].form.errors


def test_a_regional_coordinator_appoints_a_coalition_coordinator_by_e_mail_address(client, coordinator):
    coalition = CoalitionFactory()
    newcomer = ProfileFactory(user__email="sanne@example.org")
    client.force_login(coordinator)
    page = client.get(_change_url(coalition))
    data = unchanged_post_data(page)
    prefix = _prefix(page, CoalitionCoordinator)
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-email": "nobody@example.org"})
    refused = client.post(_change_url(coalition), data)
    assert refused.status_code == 200
    assert "No approved member of the network has this e-mail address." in refused.text
    data[f"{prefix}-0-email"] = "SANNE@example.org"
    assert client.post(_change_url(coalition), data).status_code == 302
    newcomer.user.refresh_from_db()
    assert newcomer.user.is_staff
    assert CoalitionCoordinator.objects.get(coalition=coalition).user == newcomer.user


# --- A coalition coordinator ----------------------------------------------------------------------------


def test_a_coalition_coordinator_sees_only_their_own_coalitions(client):
    own = CoalitionFactory(name="Eigen coalitie")
    other = CoalitionFactory(name="Andere coalitie")
    client.force_login(coalition_coordinator_of(own))
    response = client.get(CHANGELIST)
    assert [c.name for c in response.context["cl"].result_list] == ["Eigen coalitie"]
    refused = client.get(_change_url(other))
    assert refused.status_code == 403
    assert "Only this coalition&#x27;s coordinators and regional coordinators can change it." in refused.text
    assert client.get(ADD).status_code == 403
    assert (
        client.get(
            reverse("admin:network_declaration_change", args=[DeclarationFactory(coalition=other).pk])
        ).status_code
        == 403
    )


def test_a_coalition_coordinator_edits_the_page_but_not_the_municipalities(client):
    coalition = CoalitionFactory(name="Eigen coalitie")
    place = coalition.municipalities.get()
    client.force_login(coalition_coordinator_of(coalition))
    page = client.get(_change_url(coalition))
    assert "municipalities" not in page.context["adminform"].form.fields
    data = unchanged_post_data(page)
    data.update({"description": "Nieuwe tekst", "municipalities": [MunicipalityFactory().pk], "name": "Anders"})
    assert client.post(_change_url(coalition), data).status_code == 302
    coalition.refresh_from_db()
    assert coalition.description == "Nieuwe tekst" and coalition.name == "Eigen coalitie"
    assert list(coalition.municipalities.all()) == [place]


def test_ending_a_trekker_in_the_admin_mails_the_coordinators(client, django_capture_on_commit_callbacks):
    coalition = CoalitionFactory()
    trekker = TrekkerFactory(coalition=coalition)
    other = TrekkerFactory(coalition=coalition, role=Trekker.Role.POLICY, profile__user__email="liza@example.org")
    coordinator = coalition_coordinator_of(coalition, user__email="kees@example.org")
    client.force_login(coordinator)
    page = client.get(_change_url(coalition))
    data = unchanged_post_data(page)
    prefix = _prefix(page, Trekker)
    row = next(i for i, form in enumerate(page.context["inline_admin_formsets"][2].formset.forms)
               if form.instance.pk == trekker.pk)  # fmt: skip
    data[f"{prefix}-{row}-ends_on"] = "2030-01-31"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_change_url(coalition), data).status_code == 302
    trekker.refresh_from_db()
    assert trekker.ends_on == date(2030, 1, 31)
    assert sorted(m.to[0].rsplit("<", 1)[1].rstrip(">") for m in mail.outbox) == [
        "kees@example.org",
        other.profile.user.email,
    ]


def test_a_trekker_who_is_not_an_approved_member_is_refused_at_the_field(client, coordinator):
    coalition = CoalitionFactory()
    pending = ProfileFactory(status=Profile.Status.PENDING, municipalities=[coalition.municipalities.get()])
    client.force_login(coordinator)
    page = client.get(_change_url(coalition))
    data = unchanged_post_data(page)
    prefix = _prefix(page, Trekker)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-profile": str(pending.pk),
            f"{prefix}-0-role": Trekker.Role.CONTENT,
            f"{prefix}-0-starts_on": "2024-01-01",
            f"{prefix}-0-ends_on": "2023-01-01",
        }
    )
    response = client.post(_change_url(coalition), data)
    assert response.status_code == 200
    errors = next(i for i in response.context["inline_admin_formsets"] if i.formset.model is Trekker).formset.errors[0]
    # A pending member is not even offered; the end date before the start is named at its field.
    assert "profile" in errors and errors["ends_on"] == ["The end date cannot be before the start date."]
    assert not Trekker.objects.exists()


def test_moving_a_partner_to_the_inner_circle_in_the_admin_records_the_date(client, coordinator):
    partnership = PartnershipFactory(circle=Circle.OUTER)
    client.force_login(coordinator)
    page = client.get(_change_url(partnership.coalition))
    data = unchanged_post_data(page)
    data[f"{_prefix(page, type(partnership))}-0-circle"] = Circle.INNER
    assert client.post(_change_url(partnership.coalition), data).status_code == 302
    partnership.refresh_from_db()
    assert partnership.circle == Circle.INNER
    assert CircleChange.objects.get(partnership=partnership).circle == Circle.INNER


def test_a_partnership_twice_is_refused_at_the_organisation(client, coordinator):
    partnership = PartnershipFactory()
    client.force_login(coordinator)
    page = client.get(_change_url(partnership.coalition))
    data = unchanged_post_data(page)
    prefix = _prefix(page, type(partnership))
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-1-organisation": str(partnership.organisation_id),
            f"{prefix}-1-circle": Circle.OUTER,
            f"{prefix}-1-since": "2024-01-01",
        }
    )
    response = client.post(_change_url(partnership.coalition), data)
    assert response.status_code == 200
    formset = next(i for i in response.context["inline_admin_formsets"] if i.formset.model is type(partnership)).formset
    assert formset.errors[1] == {"organisation": ["This organisation is already a partner of this coalition."]}
    assert Partnership.objects.count() == 1


def test_a_signature_only_for_a_partner_of_that_coalition_and_with_who_signed(client, coordinator):
    declaration = DeclarationFactory()
    partner = PartnershipFactory(coalition=declaration.coalition)
    stranger = PartnershipFactory(organisation=OrganisationFactory(name="Elders"))
    url = reverse("admin:network_declaration_change", args=[declaration.pk])
    client.force_login(coordinator)
    page = client.get(url)
    data = unchanged_post_data(page)
    prefix = _prefix(page, Signature)
    row = {f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-signed_on": "2024-02-01"}
    response = client.post(url, {**data, **row, f"{prefix}-0-partnership": str(stranger.pk)})
    assert response.status_code == 200 and not Signature.objects.exists()
    response = client.post(url, {**data, **row, f"{prefix}-0-partnership": str(partner.pk)})
    errors = next(i for i in response.context["inline_admin_formsets"] if i.formset.model is Signature).formset.errors
    assert set(errors[0]) == {"signed_by_name", "signed_by_function"}
    row.update({f"{prefix}-0-signed_by_name": "drs. J. Visser", f"{prefix}-0-signed_by_function": "directeur"})
    assert client.post(url, {**data, **row, f"{prefix}-0-partnership": str(partner.pk)}).status_code == 302
    assert Signature.objects.get().partnership == partner


def test_joining_requests_in_the_admin_link_to_the_page_that_answers_them(client):
    own = CoalitionFactory()
    request = JoinRequestFactory(coalition=own)
    JoinRequestFactory()  # of another coalition
    client.force_login(coalition_coordinator_of(own))
    response = client.get(reverse("admin:network_joinrequest_changelist"))
    assert [r.pk for r in response.context["cl"].result_list] == [request.pk]
    assert reverse("network:join_request_detail", kwargs={"slug": own.slug, "pk": request.pk}) in response.text


def test_members_and_editors_are_refused_the_network_admin(client, member, editor):
    for user in (member, editor):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        client.force_login(user)
        assert client.get(CHANGELIST).status_code == 403
