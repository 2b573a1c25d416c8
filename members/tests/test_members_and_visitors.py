"""Issue 14, item 4: my page as others see it, the account's security, sign-up's questions, readable data, and
why a visitor must log in."""

import json
import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import translation

from members import services
from members.adapter import login_reason
from members.exports import readable_member_data
from members.models import Discipline, Profile, User, Visibility

from .factories import OrganisationFactory, ProfileFactory

pytestmark = pytest.mark.django_db

PREVIEW = reverse("members:me_preview")


def _profile_page(html):
    """The profile itself (its row on the page), without the header, messages or the preview's notice."""
    return re.search(r'(<div class="row g-4 profile-page">.*</div>)\s*</main>', html, re.S).group(1)


# --- See my page as others do ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone_visibility", "email_visibility"),
    [
        (Visibility.MEMBERS, Visibility.MEMBERS),
        (Visibility.COORDINATORS, Visibility.MEMBERS),
        (Visibility.MEMBERS, Visibility.COORDINATORS),
        (Visibility.COORDINATORS, Visibility.COORDINATORS),
    ],
)
def test_my_page_as_others_see_it_equals_what_another_member_sees(client, phone_visibility, email_visibility):
    mine = ProfileFactory(
        organisation=OrganisationFactory(),
        team_phone="0118-000000",
        availability="ma–do",
        bio="Verloskundige in Middelburg.",
        phone_visibility=phone_visibility,
        email_visibility=email_visibility,
    )
    colleague = ProfileFactory()
    client.force_login(colleague.user)
    seen_by_colleague = _profile_page(client.get(mine.get_absolute_url()).content.decode())
    client.force_login(mine.user)
    response = client.get(PREVIEW)
    preview = _profile_page(response.content.decode())

    assert preview == seen_by_colleague
    assert (mine.direct_phone in preview) == (phone_visibility == Visibility.MEMBERS)
    assert (mine.user.email in preview) == (email_visibility == Visibility.MEMBERS)
    assert "0118-000000" in preview
    # The member's own page shows all of it, with the edit link: the preview is not that page.
    own = _profile_page(client.get(mine.get_absolute_url()).content.decode())
    assert mine.direct_phone in own and mine.user.email in own and reverse("members:me") in own


def test_the_preview_shows_a_coordinator_what_a_member_sees_not_what_a_coordinator_sees(client, coordinator):
    mine = ProfileFactory(phone_visibility=Visibility.COORDINATORS)
    mine.user.groups.add(*coordinator.groups.all())
    client.force_login(mine.user)
    assert mine.direct_phone not in _profile_page(client.get(PREVIEW).content.decode())


@pytest.mark.parametrize(
    ("status", "is_listed", "says"),
    [
        (Profile.Status.PENDING, True, "awaits approval"),
        (Profile.Status.DECLINED, True, "not approved"),
        (Profile.Status.APPROVED, False, "not listed"),
    ],
)
def test_the_preview_says_why_colleagues_do_not_see_the_page(client, status, is_listed, says):
    mine = ProfileFactory(status=status, is_listed=is_listed)
    client.force_login(mine.user)
    html = client.get(PREVIEW, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    translation.activate("en")
    assert says in html
    assert mine.direct_phone not in html


def test_visitors_are_sent_to_log_in_for_the_preview(client):
    response = client.get(PREVIEW)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_profile_links_to_the_preview_and_the_account(member_client, member):
    html = member_client.get(reverse("members:me")).content.decode()
    assert PREVIEW in html
    assert reverse("account_email") in html
    assert reverse("members:me_data") in html


# --- The account page: password and two-factor beside the e-mail addresses -------------------------------------


@pytest.mark.parametrize("role", ["pending_member", "member", "coordinator"])
def test_the_account_page_offers_password_change_and_two_factor(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    html = client.get(reverse("account_email")).content.decode()
    assert reverse("account_change_password") in html
    assert reverse("mfa_activate_totp") in html
    assert user.email in html
    assert 'aria-current="page" href="{}"'.format(reverse("account_email")) in html


def test_the_account_page_says_two_factor_is_on_when_it_is(client, member):
    Authenticator.objects.create(user=member, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(member)
    html = client.get(reverse("account_email"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("mfa_index") in html
    assert reverse("mfa_activate_totp") not in html


@pytest.mark.parametrize("name", ["account_change_password", "mfa_index"])
def test_every_account_page_has_the_account_navigation(member_client, name):
    html = member_client.get(reverse(name)).content.decode()
    assert f'aria-current="page" href="{reverse(name)}"' in html
    assert reverse("account_email") in html


# --- Sign-up asks where the person works ------------------------------------------------------------------------

SIGNUP = {
    "first_name": "Fenna",
    "last_name": "de Vries",
    "job_title": "Jeugdverpleegkundige",
    "discipline": Discipline.YOUTH_HEALTH_CARE,
    "email": "fenna@example.org",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
}


def test_signup_stores_organisation_job_and_discipline_on_the_pending_profile(client):
    organisation = OrganisationFactory(name="GGD Zeeland")
    response = client.post(reverse("account_signup"), {**SIGNUP, "organisation": organisation.pk})
    assert response.status_code == 302
    profile = Profile.objects.get(user__email="fenna@example.org")
    assert profile.status == Profile.Status.PENDING
    assert (profile.organisation, profile.job_title, profile.discipline) == (
        organisation,
        "Jeugdverpleegkundige",
        Discipline.YOUTH_HEALTH_CARE,
    )


def test_signup_requires_a_discipline_and_keeps_what_was_typed(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "discipline": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["discipline"]
    assert 'value="Jeugdverpleegkundige"' in response.content.decode()
    assert not User.objects.filter(email="fenna@example.org").exists()


def test_the_coordinator_sees_organisation_and_discipline_of_a_sign_up(coordinator_client):
    organisation = OrganisationFactory(name="Kraamzorg De Bakermat")
    profile = services.create_pending_profile(
        User.objects.create_user(email="nieuw@example.org"),
        first_name="Nina",
        last_name="Nieuw",
        organisation=organisation,
        job_title="Kraamverzorgende",
        discipline=Discipline.MATERNITY_CARE,
    )
    html = coordinator_client.get(reverse("members:pending"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert profile.full_name in html
    assert "Kraamzorg De Bakermat" in html and "Kraamverzorgende" in html
    with translation.override("en"):
        assert str(Discipline.MATERNITY_CARE.label) in html


# --- Download my data, readable ---------------------------------------------------------------------------------


def test_my_data_reads_in_the_interface_language(client):
    mine = ProfileFactory(discipline=Discipline.MIDWIFERY, phone_visibility=Visibility.COORDINATORS)
    client.force_login(mine.user)
    dutch = json.loads(client.get(reverse("members:me_export"), HTTP_ACCEPT_LANGUAGE="nl").content)
    english = json.loads(client.get(reverse("members:me_export"), HTTP_ACCEPT_LANGUAGE="en").content)

    assert english["Profile"]["discipline"] == "Midwifery"
    assert english["Profile"]["who sees my direct phone"] == "Coordinators only"
    assert english["Profile"]["listed in the directory"] == "yes"
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d", english["Account"]["account created at"])
    with translation.override("nl"):
        profile_key = str(translation.gettext("Profile"))
    assert profile_key in dutch
    assert set(dutch) != set(english) or translation.gettext("Profile") == "Profile"


def test_readable_data_labels_keys_writes_dates_and_choices_and_keeps_unknown_keys():
    with translation.override("en"):
        readable = readable_member_data(
            {
                "event_registrations": [{"state": "waiting", "registered_at": "2026-12-06T13:00:00+00:00"}],
                "profile": {"level": "policy", "is_listed": False, "photo": None},
                "new_section": {"starts_on": "2026-01-31"},
            }
        )
    assert readable == {
        "Registrations for events": [
            {"state": "On the waiting list", "registered at": "Sunday 6 December 2026, 14:00"}
        ],
        "Profile": {"level": "Policy or project lead", "listed in the directory": "no", "photo": ""},
        "new section": {"starts on": "31 Jan. 2026"},
    }


def test_my_data_page_shows_the_same_data_as_the_download(client):
    mine = ProfileFactory(organisation=OrganisationFactory(name="JGZ Walcheren"), bio="Eerste regel")
    client.force_login(mine.user)
    html = client.get(reverse("members:me_data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("JGZ Walcheren", "Eerste regel", mine.user.email, "Midwifery", reverse("members:me_export")):
        assert text in html


@pytest.mark.parametrize("name", ["members:me_data", "members:me_export"])
def test_my_data_holds_no_one_elses_data(client, name):
    other = ProfileFactory(direct_phone="06-00001111")
    mine = ProfileFactory()
    client.force_login(mine.user)
    body = client.get(reverse(name)).content.decode()
    assert other.user.email not in body and "06-00001111" not in body and mine.user.email in body


# --- Why a visitor must log in ----------------------------------------------------------------------------------


def test_a_visitor_sent_from_the_directory_is_told_it_is_for_members(client):
    response = client.get(reverse("members:profile_list"), follow=True, HTTP_ACCEPT_LANGUAGE="nl")
    html = response.content.decode()
    assert response.redirect_chain and "/accounts/login/" in response.redirect_chain[-1][0]
    assert "Het smoelenboek is alleen voor leden. Log in of maak een account aan." in html or (
        "The member directory is for members only. Log in or create an account." in html
    )


@pytest.mark.parametrize(
    ("next_url", "says"),
    [
        ("/members/", "The member directory is for members only."),
        ("/members/12/", "The member directory is for members only."),
        ("/members/me/", "Log in to see and change your profile and account."),
        ("/events/", ""),
        ("/", ""),
        ("https://elsewhere.example/members/", "The member directory is for members only."),
        ("/no/such/page/", ""),
        ("", ""),
    ],
)
def test_the_login_reason_follows_the_page_asked_for(next_url, says):
    with translation.override("en"):
        assert login_reason(next_url).startswith(says) and (bool(says) == bool(login_reason(next_url)))


def test_the_login_and_signup_pages_say_why_only_when_sent_from_a_members_page(client):
    with translation.override("en"):
        reason = str(login_reason("/members/"))
    for page in ("account_login", "account_signup"):
        assert reason in client.get(reverse(page) + "?next=/members/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "login-reason" not in client.get(reverse(page) + "?next=/events/").content.decode()
        assert "login-reason" not in client.get(reverse(page)).content.decode()
