"""Accounts: e-mail login, mandatory verification, pending approval, password reset, roles."""

import re

import pytest
from allauth.account import app_settings
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser, Group
from django.core import mail

from coalition import roles
from coalition.models import Mailing
from members.models import Profile, User

SIGNUP = {
    "first_name": "Fenna",
    "last_name": "de Vries",
    "discipline": "youth_health_care",
    "email": "Fenna.deVries@Example.org",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
}


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


@pytest.mark.django_db
def test_signup_sends_verification_through_outbox_and_verified_person_awaits_approval(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302

    user = User.objects.get(email__iexact="fenna.devries@example.org")
    assert user.profile.status == Profile.Status.PENDING
    assert (user.profile.first_name, user.profile.last_name) == ("Fenna", "de Vries")
    assert Mailing.objects.filter(deliveries__address__iexact=user.email).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.alternatives or message.body

    # Not verified yet: logging in is refused with a pointer to the verification mail.
    client.logout()
    response = client.post("/accounts/login/", {"login": user.email, "password": SIGNUP["password1"]})
    assert not response.wsgi_request.user.is_authenticated

    url = link_in(message)
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 200
    response = client.post("/" + path, follow=True)
    assert EmailAddress.objects.get(user=user).verified
    assert response.wsgi_request.user.is_authenticated
    assert "awaits approval" in response.content.decode() or "wacht op goedkeuring" in response.content.decode()
    assert not roles.is_approved_member(response.wsgi_request.user)


@pytest.mark.django_db
def test_signup_with_bad_input_keeps_what_was_typed(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "something-else-entirely"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Fenna"' in html
    assert 'value="de Vries"' in html
    assert "is-invalid" in html
    assert not User.objects.exists()


@pytest.mark.django_db
def test_email_is_the_login(client, member):
    response = client.post("/accounts/login/", {"login": "member@example.org", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response.wsgi_request.user == member


@pytest.mark.django_db
def test_password_reset_mails_a_working_link(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "member@example.org"})
    assert len(mail.outbox) == 1
    path = "/" + link_in(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    response = client.get(path, follow=True)
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else path
    new_password = "another-new-passphrase-42"
    response = client.post(form_path, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(new_password)


def test_rate_limits_stay_on(settings):
    assert app_settings.RATE_LIMITS, "allauth's rate limits must not be switched off"
    assert "login_failed" in app_settings.RATE_LIMITS


@pytest.mark.django_db
def test_roles_exist_as_groups_that_hold_no_permissions_of_their_own():
    for role in roles.ROLES:
        assert not Group.objects.get(name=role).permissions.exists(), role


@pytest.mark.django_db
def test_the_rules_give_each_role_its_rights(member, editor, coordinator):
    coordinators_only = ["members.approve_profile", "members.change_profile", "coalition.view_mailing"]
    for perm in [*coordinators_only, "journal.publish_edition"]:
        assert coordinator.has_perm(perm), perm
        assert not member.has_perm(perm), perm
    assert editor.has_perm("journal.view_edition") and editor.has_perm("journal.change_story")
    assert not editor.has_perm("journal.publish_edition")
    assert not editor.has_perm("coalition.view_mailing")
    assert not member.has_perm("journal.view_edition")
    assert coordinator.has_module_perms("events") and not editor.has_module_perms("events")


@pytest.mark.django_db
def test_role_questions(member, pending_member, declined_member, editor, coordinator):
    assert not roles.is_approved_member(AnonymousUser())
    assert not roles.is_approved_member(pending_member)
    assert not roles.is_approved_member(declined_member)
    assert roles.is_approved_member(member)
    assert roles.is_editor(editor) and not roles.is_editor(member)
    assert roles.is_coordinator(coordinator) and roles.is_editor(coordinator)
    assert not roles.is_coordinator(member)
    assert not roles.is_editor(AnonymousUser())


@pytest.mark.django_db
def test_staff_without_two_factor_are_nudged_to_enrol(coordinator_client):
    for path in ("/", "/admin/"):
        html = coordinator_client.get(path).content.decode()
        assert "/accounts/2fa/totp/activate/" in html, path


@pytest.mark.django_db
def test_staff_can_enrol_in_totp_and_the_nudge_goes_away(client, coordinator):
    client.post("/accounts/login/", {"login": coordinator.email, "password": "correct-horse-battery"})
    # allauth asks for the password again before a security change.
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": "correct-horse-battery"})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    assert "code" in response.context["form"].fields
    Authenticator.objects.create(user=coordinator, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert "/accounts/2fa/totp/activate/" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_members_are_not_nudged(member_client):
    assert "/accounts/2fa/totp/activate/" not in member_client.get("/").content.decode()
