"""The network's pages as each role meets them: the coalition list and page, asking to join, answering a request,
changing the phase, the regional overview and its CSV, the declaration's PDF; bad input answered at the field;
query counts that do not grow with the number of coalitions, partners or trekkers."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from members.models import Profile, Visibility
from members.tests.factories import MunicipalityFactory, OrganisationFactory, ProfileFactory, ThemeFactory
from network import services
from network.models import Circle, JoinRequest, Partnership, Phase, Trekker

from .factories import (
    CoalitionFactory,
    DeclarationFactory,
    JoinRequestFactory,
    PartnershipFactory,
    SignatureFactory,
    TrekkerFactory,
    coalition_coordinator_of,
)

pytestmark = pytest.mark.django_db

LIST = reverse("network:coalition_list")
OVERVIEW = reverse("network:regional_overview")


def _page(client, coalition):
    response = client.get(coalition.get_absolute_url())
    assert response.status_code == 200
    return response.text


def _phased(coordinator, coalition, *phases):
    for number, phase in enumerate(phases):
        services.change_phase(coalition, phase=phase, on=date(2020 + number, 1, 1), by=coordinator)
    coalition.refresh_from_db()
    return coalition


# --- The list ---------------------------------------------------------------------------------------


def test_the_list_shows_each_coalition_with_phase_municipalities_partners_and_declaration(client, coordinator):
    goes, kapelle = MunicipalityFactory(name="Goes"), MunicipalityFactory(name="Kapelle")
    coalition = _phased(coordinator, CoalitionFactory(name="Kansrijk Bevelanden", municipalities=[goes, kapelle]),
                        Phase.EXPLORING, Phase.PLANNING)  # fmt: skip
    PartnershipFactory.create_batch(2, coalition=coalition, circle=Circle.INNER)
    PartnershipFactory(coalition=coalition, circle=Circle.OUTER)
    SignatureFactory(declaration=DeclarationFactory(coalition=coalition, version=3))
    CoalitionFactory(name="Kansrijke Start Veere")
    html = client.get(LIST).text
    assert "Kansrijk Bevelanden" in html and "Kansrijke Start Veere" in html
    assert "Goes, Kapelle" in html
    # The signature brought a partner of its own (outer circle).
    assert "2 partners in the inner circle" in html and "2 in the outer circle" in html
    assert "Declaration of intent signed (version 3)" in html
    assert "No signed declaration of intent yet" in html


def test_the_list_filters_by_phase_and_by_municipality(client, coordinator):
    sluis = MunicipalityFactory(name="Sluis")
    planning = _phased(coordinator, CoalitionFactory(name="Plannend"), Phase.EXPLORING, Phase.PLANNING)
    CoalitionFactory(name="Verkennend")
    CoalitionFactory(name="Zeeuws-Vlaanderen", municipalities=[sluis])
    by_phase = client.get(LIST, {"phase": Phase.PLANNING}).context["coalitions"]
    assert [c.name for c in by_phase] == [planning.name]
    by_place = client.get(LIST, {"municipality": sluis.pk}).context["coalitions"]
    assert [c.name for c in by_place] == ["Zeeuws-Vlaanderen"]
    assert "No coalition matches this filter." in client.get(LIST, {"phase": Phase.EMBEDDING}).text


def _many(count):
    for _number in range(count):
        coalition = CoalitionFactory(municipalities=[MunicipalityFactory(), MunicipalityFactory()])
        for circle in (Circle.INNER, Circle.INNER, Circle.OUTER):
            PartnershipFactory(coalition=coalition, circle=circle)
        TrekkerFactory(coalition=coalition)
        TrekkerFactory(coalition=coalition, role=Trekker.Role.POLICY)
        declaration = DeclarationFactory(coalition=coalition)
        SignatureFactory(declaration=declaration)
        JoinRequestFactory(coalition=coalition)


@pytest.mark.parametrize("url", [LIST, OVERVIEW])
def test_the_list_and_the_overview_take_as_many_queries_for_many_coalitions_as_for_few(
    client, coordinator, django_assert_max_num_queries, url
):
    client.force_login(coordinator)
    _many(2)
    with django_assert_max_num_queries(100) as few:
        assert client.get(url).status_code == 200
    _many(12)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert len(response.context["coalitions"] if url == LIST else response.context["rows"]) == 14


# --- A coalition's page -------------------------------------------------------------------------------


@pytest.fixture
def borsele(coordinator):
    coalition = CoalitionFactory(
        name="Kansrijke Start Borsele",
        municipalities=[MunicipalityFactory(name="Borsele")],
        description="Een binnenkring en een buitenkring.",
        vision="Elk kind een **kansrijke start**.<script>alert(1)</script>",
        goals="- Vroegsignalering\n- [Klantroute](javascript:alert(1))",
    )
    coalition.focus_points.set([ThemeFactory(name="Vroegsignalering")])
    return _phased(coordinator, coalition, Phase.EXPLORING, Phase.FORMING, Phase.CARRYING_OUT)


def test_the_page_shows_description_sanitised_vision_goals_and_focus_points(client, borsele):
    html = _page(client, borsele)
    assert "Een binnenkring en een buitenkring." in html
    assert "<strong>kansrijke start</strong>" in html
    assert "<script>" not in html.split("</head>")[1].split("<script src")[0]
    assert "javascript:alert" not in html
    assert "Vroegsignalering" in html
    assert 'aria-current="step">Carrying out</li>' in html


def test_visitors_see_the_trekkers_names_and_no_contact_details(client, borsele):
    trekker = TrekkerFactory(coalition=borsele, profile__direct_phone="06-11112222", profile__first_name="Ilse")
    html = _page(client, borsele)
    assert trekker.profile.full_name in html and "Trekker (content)" in html
    assert "06-11112222" not in html and trekker.profile.user.email not in html
    assert trekker.profile.get_absolute_url() not in html


def test_members_see_a_trekkers_contact_details_as_the_trekker_allows(client, member, borsele):
    open_phone = TrekkerFactory(coalition=borsele, profile__direct_phone="06-11112222")
    hidden = TrekkerFactory(
        coalition=borsele,
        role=Trekker.Role.POLICY,
        profile__direct_phone="06-99998888",
        profile__phone_visibility=Visibility.COORDINATORS,
    )
    client.force_login(member)
    html = _page(client, borsele)
    assert "06-11112222" in html and open_phone.profile.get_absolute_url() in html
    assert "06-99998888" not in html and hidden.profile.full_name in html


def test_pending_people_see_no_contact_details(client, pending_member, borsele):
    TrekkerFactory(coalition=borsele, profile__direct_phone="06-11112222")
    client.force_login(pending_member)
    assert "06-11112222" not in _page(client, borsele)


def test_a_trekker_who_left_without_successor_is_shown_with_whom_to_contact_meanwhile(client, member, borsele):
    TrekkerFactory(coalition=borsele, role=Trekker.Role.POLICY, profile__first_name="Liza", ends_on=date(2024, 6, 30))
    staying = TrekkerFactory(coalition=borsele, role=Trekker.Role.CONTENT, profile__direct_phone="06-12121212")
    client.force_login(member)
    html = _page(client, borsele)
    assert "stopped on 30 June 2024; there is no successor yet." in html
    meanwhile = html.split("Meanwhile, contact:")[1]
    assert staying.profile.full_name in meanwhile and "06-12121212" in meanwhile


def test_without_any_trekker_the_coalition_coordinators_are_the_contact(client, member, borsele):
    TrekkerFactory(coalition=borsele, ends_on=date(2024, 6, 30))
    coordinator = coalition_coordinator_of(borsele, first_name="Kees", last_name="Coördinator")
    client.force_login(member)
    html = _page(client, borsele)
    assert "This coalition has no trekker at the moment." in html
    assert coordinator.profile.full_name in html.split("Meanwhile, contact:")[1]


def test_the_page_lists_partners_by_circle_and_who_signed_which_version(client, borsele):
    inner = PartnershipFactory(coalition=borsele, circle=Circle.INNER, organisation__name="JGZ Zeeland")
    outer = PartnershipFactory(coalition=borsele, circle=Circle.OUTER, organisation__name="Huisartsen Borsele")
    first = DeclarationFactory(coalition=borsele, version=1)
    second = DeclarationFactory(coalition=borsele, version=2, title="Intentieverklaring 2025")
    SignatureFactory(declaration=first, partnership=inner, signed_by_name="drs. J. Visser")
    SignatureFactory(declaration=first, partnership=outer)
    SignatureFactory(declaration=second, partnership=inner, signed_on=date(2025, 3, 10))
    html = _page(client, borsele)
    inner_part, outer_part = html.split("Outer circle</h3>")
    assert "JGZ Zeeland" in inner_part.split("Inner circle</h3>")[1] and "Huisartsen Borsele" in outer_part
    assert "Intentieverklaring 2025" in html
    rows = html.split("Who signed which version")[1]
    huisartsen = rows.split("Huisartsen Borsele")[1].split("</tr>")[0]
    assert "not (yet) signed" in huisartsen  # signed version 1 only
    assert "drs. J. Visser" in rows and "10 March 2025" in rows


def test_managing_links_are_shown_to_the_coalitions_managers_only(client, member, coordinator, borsele):
    manage = reverse("network:change_phase", kwargs={"slug": borsele.slug})
    assert manage not in _page(client, borsele)
    client.force_login(member)
    assert manage not in _page(client, borsele)
    client.force_login(coalition_coordinator_of(borsele))
    assert manage in _page(client, borsele)
    client.force_login(coordinator)
    assert manage in _page(client, borsele)


def test_the_page_takes_as_many_queries_for_many_partners_and_trekkers_as_for_few(
    client, member, borsele, django_assert_max_num_queries
):
    client.force_login(member)

    def grow(count):
        for _number in range(count):
            partnership = PartnershipFactory(coalition=borsele)
            TrekkerFactory(coalition=borsele, profile__organisation=partnership.organisation)
            SignatureFactory(declaration=DeclarationFactory(coalition=borsele, version=partnership.pk),
                             partnership=partnership)  # fmt: skip

    grow(2)
    with django_assert_max_num_queries(100) as few:
        _page(client, borsele)
    grow(15)
    with django_assert_max_num_queries(len(few)):
        _page(client, borsele)


# --- Asking to join ---------------------------------------------------------------------------------


def test_a_visitor_asks_to_join_with_a_typed_organisation(client, borsele, django_capture_on_commit_callbacks):
    coalition_coordinator_of(borsele, user__email="kees@example.org")
    url = reverse("network:join", kwargs={"slug": borsele.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "organisation": "",
                "organisation_name": "Peuterspeelzaal De Zandloper",
                "name": "Fatima El Amrani",
                "email": "f.elamrani@example.org",
                "message": "Wij doen graag mee.",
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == borsele.get_absolute_url()
    assert "The trekkers of Kansrijke Start Borsele have your request" in response.text
    request = JoinRequest.objects.get()
    assert (request.organisation_name, request.name, request.requester) == (
        "Peuterspeelzaal De Zandloper",
        "Fatima El Amrani",
        None,
    )
    assert [message.to[0].endswith("<kees@example.org>") for message in mail.outbox] == [True]


def test_asking_without_an_organisation_is_answered_at_the_field_and_keeps_what_was_typed(client, borsele):
    url = reverse("network:join", kwargs={"slug": borsele.slug})
    response = client.post(url, {"name": "Fatima El Amrani", "email": "f.elamrani@example.org", "message": "Hallo"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"organisation": ["Choose your organisation, or type its name if it is not in the list."]}
    html = response.text
    assert "<title>Error:" in html
    assert 'class="alert alert-danger error-summary"' in html and 'href="#id_organisation"' in html
    assert (
        'value="Fatima El Amrani"' in html and 'value="f.elamrani@example.org"' in html and "Hallo</textarea>" in html
    )
    assert not JoinRequest.objects.exists()


def test_a_partner_asking_again_is_told_at_the_organisation_field(client, member, borsele):
    organisation = OrganisationFactory(name="Kraamzorg Zeeuwse Kust")
    PartnershipFactory(coalition=borsele, organisation=organisation)
    client.force_login(member)
    response = client.post(
        reverse("network:join", kwargs={"slug": borsele.slug}), {"organisation_name": "Kraamzorg Zeeuwse Kust"}
    )
    assert response.context["form"].errors == {
        "organisation": ["Kraamzorg Zeeuwse Kust is already a partner of Kansrijke Start Borsele."]
    }


def test_a_member_asks_for_their_organisation_without_typing_name_or_address(client, borsele):
    profile = ProfileFactory(organisation=OrganisationFactory(name="Kindcentrum De Vuurtoren"))
    client.force_login(profile.user)
    url = reverse("network:join", kwargs={"slug": borsele.slug})
    form = client.get(url).context["form"]
    assert "name" not in form.fields and "email" not in form.fields
    assert form["organisation"].value() == profile.organisation_id
    client.post(url, {"organisation": profile.organisation_id, "message": "Graag"})
    request = JoinRequest.objects.get()
    assert (request.organisation, request.requester, request.email) == (
        profile.organisation,
        profile.user,
        profile.user.email,
    )


# --- Answering requests -------------------------------------------------------------------------------


def test_a_trekker_accepts_a_request_in_the_outer_circle(client, borsele, django_capture_on_commit_callbacks):
    trekker = TrekkerFactory(coalition=borsele)
    request = JoinRequestFactory(coalition=borsele)
    client.force_login(trekker.profile.user)
    listing = client.get(reverse("network:join_request_list", kwargs={"slug": borsele.slug}))
    assert request.organisation.name in listing.text
    url = reverse("network:join_request_detail", kwargs={"slug": borsele.slug, "pk": request.pk})
    assert 'value="outer"  id="id_accept-circle_1" required checked' in client.get(url).text  # the default
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "accept", "accept-circle": Circle.OUTER})
    assert response.status_code == 302
    partnership = Partnership.objects.get(coalition=borsele, organisation=request.organisation)
    assert partnership.circle == Circle.OUTER
    assert mail.outbox[-1].to[0].endswith(f"<{request.email}>")


def test_declining_without_a_reason_is_answered_at_the_field(client, borsele):
    request = JoinRequestFactory(coalition=borsele)
    client.force_login(coalition_coordinator_of(borsele))
    url = reverse("network:join_request_detail", kwargs={"slug": borsele.slug, "pk": request.pk})
    response = client.post(url, {"action": "decline", "decline-reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["decline_form"].errors
    assert 'href="#id_decline-reason"' in response.text
    request.refresh_from_db()
    assert request.is_open


def test_accepting_a_typed_organisation_needs_its_kind(client, coordinator, borsele):
    request = JoinRequestFactory(coalition=borsele, organisation=None, organisation_name="Peuterspeelzaal")
    client.force_login(coordinator)
    url = reverse("network:join_request_detail", kwargs={"slug": borsele.slug, "pk": request.pk})
    response = client.post(url, {"action": "accept", "accept-circle": Circle.INNER})
    assert response.context["accept_form"].errors == {
        "discipline": ["Say what kind of organisation it is, so it can be added."]
    }
    client.post(url, {"action": "accept", "accept-circle": Circle.INNER, "accept-discipline": "childcare"})
    assert Partnership.objects.get(coalition=borsele).organisation.name == "Peuterspeelzaal"


# --- The phase --------------------------------------------------------------------------------------


def test_a_coalition_coordinator_moves_their_coalition_to_the_next_phase(client, borsele):
    client.force_login(coalition_coordinator_of(borsele))
    url = reverse("network:change_phase", kwargs={"slug": borsele.slug})
    form = client.get(url).context["form"]
    assert form["phase"].value() == Phase.EMBEDDING  # the next one is offered
    response = client.post(
        url, {"phase": Phase.EMBEDDING, "changed_on": timezone.localdate().isoformat(), "note": "Ingebed in beleid"}
    )
    assert response.status_code == 302
    borsele.refresh_from_db()
    assert borsele.phase == Phase.EMBEDDING
    assert borsele.phase_changes.first().note == "Ingebed in beleid"


def test_a_phase_dated_in_the_future_is_answered_at_the_date_and_keeps_the_note(client, coordinator, borsele):
    client.force_login(coordinator)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("network:change_phase", kwargs={"slug": borsele.slug}),
        {"phase": Phase.EMBEDDING, "changed_on": tomorrow, "note": "Te vroeg"},
    )
    assert response.context["form"].errors == {"changed_on": ["A phase change cannot be dated in the future."]}
    assert "Te vroeg</textarea>" in response.text and f'value="{tomorrow}"' in response.text
    borsele.refresh_from_db()
    assert borsele.phase == Phase.CARRYING_OUT


def test_a_coalition_coordinator_is_refused_another_coalitions_phase_with_the_reason(client, borsele):
    client.force_login(coalition_coordinator_of(CoalitionFactory()))
    response = client.get(reverse("network:change_phase", kwargs={"slug": borsele.slug}))
    assert response.status_code == 403
    assert "Only this coalition&#x27;s coordinators and regional coordinators can change its phase." in response.text


# --- The regional overview -----------------------------------------------------------------------------


def test_the_overview_flags_a_coalition_without_a_current_trekker_and_sorts(client, coordinator):
    led = _phased(coordinator, CoalitionFactory(name="Aa"), Phase.EXPLORING, Phase.EMBEDDING)
    TrekkerFactory(coalition=led)
    headless = CoalitionFactory(name="Bb")
    TrekkerFactory(coalition=headless, ends_on=date(2024, 1, 1))
    JoinRequestFactory(coalition=headless)
    client.force_login(coordinator)
    response = client.get(OVERVIEW)
    assert [row.coalition.name for row in response.context["rows"]] == ["Aa", "Bb"]
    assert "1 coalition without a current trekker" in response.text and "No current trekker" in response.text
    by_phase = client.get(OVERVIEW, {"sort": "-phase"}).context["rows"]
    assert [row.coalition.name for row in by_phase] == ["Aa", "Bb"]
    by_requests = client.get(OVERVIEW, {"sort": "-requests"}).context["rows"]
    assert [row.coalition.name for row in by_requests] == ["Bb", "Aa"]
    assert client.get(OVERVIEW, {"sort": "nonsense"}).status_code == 200


def test_the_overview_csv_has_a_row_per_coalition_and_no_formula(client, coordinator):
    coalition = CoalitionFactory(name="=HYPERLINK(1)")
    PartnershipFactory(coalition=coalition, circle=Circle.INNER)
    SignatureFactory(declaration=DeclarationFactory(coalition=coalition), partnership=coalition.partnerships.get())
    client.force_login(coordinator)
    response = client.get(reverse("network:regional_overview_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Coalition" and len(rows) == 2
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][8] == "Version 1: signed by 1 of 1 partners"


# --- The declaration's PDF ----------------------------------------------------------------------------


def test_members_download_the_declaration_and_a_declaration_without_pdf_is_not_found(client, member, borsele):
    with_pdf = DeclarationFactory(coalition=borsele)
    with_pdf.pdf.save("verklaring.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    without = DeclarationFactory(coalition=borsele, version=2)
    client.force_login(member)
    response = client.get(with_pdf.get_pdf_url())
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    assert client.get(without.get_pdf_url()).status_code == 404


def test_a_declined_member_cannot_download_the_declaration(client, declined_member, borsele):
    declaration = DeclarationFactory(coalition=borsele)
    declaration.pdf.save("verklaring.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    client.force_login(declined_member)
    assert client.get(declaration.get_pdf_url()).status_code == 403
    assert Profile.objects.get(user=declined_member).status == Profile.Status.DECLINED
