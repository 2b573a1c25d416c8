"""Profile, organisation, offering and account forms (allauth's included) after an invalid submit: title "Fout:",
a summary linking each error to its field, and everything typed kept (passwords and files excepted: browsers and
Django never send those back)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from coalition.tests.form_errors import assert_error_page
from members.models import Level, Municipality, Offering

from .factories import MunicipalityFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def test_a_profile_without_a_first_name_comes_back_with_the_summary_and_everything_typed(member_client, member):
    municipality = MunicipalityFactory(name="Borsele")
    data = {
        "first_name": "",
        "last_name": "van der Meer",
        "job_title": "Jeugdverpleegkundige",
        "level": Level.PRACTICE,
        "municipalities": [municipality.pk],
        "bio": "Ik werk op het consultatiebureau.",
        "phone_visibility": "members",
        "email_visibility": "members",
        "is_listed": "on",
        "photo_upload": png(),
    }
    response = member_client.post(reverse("members:me"), data)
    assert_error_page(
        response,
        fields=["id_first_name"],
        kept={
            "first_name": "",
            "last_name": "van der Meer",
            "job_title": "Jeugdverpleegkundige",
            "municipalities": [str(municipality.pk)],
            "bio": "Ik werk op het consultatiebureau.",
            "is_listed": ["on"],
        },
    )
    # A browser never sends a file back: the person is told to choose it again, at the field.
    assert "Your file was not kept" in response.text or "niet bewaard" in response.text
    member.profile.refresh_from_db()
    assert member.profile.last_name != "van der Meer"
    assert Municipality.objects.count() == 1


def test_deleting_the_account_with_a_wrong_password_and_no_confirmation_comes_back_with_the_summary(member_client):
    response = member_client.post(reverse("members:me_delete"), {"password": "wrong"})
    assert_error_page(response, fields=["id_password", "id_confirm"], kept={"confirm": []})


def test_an_organisation_without_a_name_comes_back_with_the_summary_and_everything_typed(coordinator_client):
    organisation = OrganisationFactory()
    data = {
        "name": "",
        "discipline": organisation.discipline,
        "phone": "0113-999999",
        "email": "nieuw@example.org",
        "website": "niet een adres",
        "address": "Kerkstraat 1\n4454 AA Borssele",
        "description": "Kraamzorg in heel Zeeland.",
    }
    response = coordinator_client.post(reverse("members:organisation_edit", args=[organisation.slug]), data)
    assert_error_page(
        response,
        fields=["id_name", "id_website"],
        kept={key: value for key, value in data.items() if key != "discipline"},
    )


def test_an_offering_without_a_title_comes_back_with_the_summary_and_everything_typed(coordinator_client):
    organisation = OrganisationFactory()
    data = {"title": "", "description": "Wekelijks inloopspreekuur.", "access": "self", "target_group": "Ouders"}
    response = coordinator_client.post(reverse("members:offering_create", args=[organisation.slug]), data)
    assert_error_page(
        response,
        fields=["id_title", "id_life_phases_0"],
        kept={"description": "Wekelijks inloopspreekuur.", "target_group": "Ouders"},
    )
    assert not Offering.objects.exists()


# --- allauth's pages, through templates/allauth/elements/ -------------------------------------------------------


def test_logging_in_with_a_wrong_password_comes_back_with_the_summary_and_the_address(client, member):
    response = client.post(reverse("account_login"), {"login": member.email, "password": "not-the-password"})
    page = assert_error_page(response, fields=[], kept={"login": member.email})
    assert page.summary_links == []  # the address or the password: allauth does not say which, so no link


def test_signing_up_with_a_short_password_comes_back_with_the_summary_and_the_names_and_address(client):
    data = {
        "first_name": "Fatima",
        "last_name": "",
        "discipline": "maternity_care",
        "email": "fatima@kraamzorg.example",
        "password1": "short",
        "password2": "short",
    }
    response = client.post(reverse("account_signup"), data)
    page = assert_error_page(
        response,
        fields=["id_last_name", "id_password1"],
        kept={"first_name": "Fatima", "email": "fatima@kraamzorg.example"},
    )
    assert page.title.startswith("Fout:")


def test_asking_a_new_password_for_a_malformed_address_comes_back_with_the_summary(client):
    response = client.post(reverse("account_reset_password"), {"email": "fatima.example"})
    assert_error_page(response, fields=["id_email"], kept={"email": "fatima.example"})


def test_changing_the_password_with_a_wrong_current_one_comes_back_with_the_summary(member_client):
    response = member_client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": "Kraamzorg-Zwolle-2026", "password2": "Kraamzorg-Zwolle-2026"},
    )
    assert_error_page(response, fields=["id_oldpassword"])


def test_adding_a_malformed_address_comes_back_with_the_summary_and_the_address(member_client, member):
    response = member_client.post(reverse("account_email"), {"action_add": "", "email": "werk.example"})
    # The page's other form lists the addresses (radios named "email" too): the member's own stays chosen.
    assert_error_page(response, fields=["id_email"], kept={"email": [member.email, "werk.example"]})


def test_a_directory_filter_with_an_unknown_value_comes_back_with_the_summary_and_the_search_kept(member_client):
    # A filter bar is a form too: a value that is not a choice is named in the summary, not only at its field.
    response = member_client.get(reverse("members:profile_list"), {"q": "verloskundige", "discipline": "astrology"})
    assert_error_page(response, fields=["id_discipline"], kept={"q": "verloskundige"})
