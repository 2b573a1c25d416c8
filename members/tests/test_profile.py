"""Own profile: editing, photos (and bad files), data export and account deletion."""

import io
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from coalition.models import Mailing
from events.tests.factories import IntakeQuestionFactory, RegistrationFactory
from journal.tests.factories import SubscriberFactory, TipFactory
from members import services, signals
from members.models import Profile, Visibility
from network.tests.factories import CoalitionFactory

from .factories import MunicipalityFactory, OrganisationFactory, ProfileFactory, ThemeFactory

ME = reverse("members:me")


def _jpeg_with_gps(size=(800, 600)):
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "E", 4: (3.0, 36.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def _png(size, mode="RGB", fmt="PNG"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, format=fmt)
    return buffer.getvalue()


def _form_data(profile, **changes):
    data = {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "job_title": "Jeugdarts",
        "discipline": "youth_health_care",
        "organisation": "",
        "direct_phone": "06-12121212",
        "team_phone": "",
        "availability": "ma–wo",
        "bio": "",
        "phone_visibility": Visibility.MEMBERS,
        "email_visibility": Visibility.MEMBERS,
        "is_listed": "on",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", ["member", "pending_member", "declined_member", "coordinator"])
def test_everyone_with_an_account_edits_own_profile(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(ME).context["form"].instance == user.profile
    place, theme = MunicipalityFactory(), ThemeFactory()
    response = client.post(ME, _form_data(user.profile, municipalities=[place.pk], themes=[theme.pk]))
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.job_title == "Jeugdarts"
    assert list(profile.municipalities.all()) == [place]
    assert place.name.lower() in profile.search_text


def test_anonymous_visitor_is_sent_to_login_from_own_profile(client, db):
    assert client.get(ME).status_code == 302


def test_editing_confirms_the_details(member_client, member):
    Profile.objects.filter(user=member).update(details_confirmed_at=timezone.now() - timedelta(days=300))
    member_client.post(ME, _form_data(member.profile))
    member.profile.refresh_from_db()
    assert not member.profile.is_possibly_outdated


def test_photo_is_reencoded_without_exif_and_gets_square_thumbnail(member_client, member):
    upload = SimpleUploadedFile("me.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    response = member_client.post(ME, {**_form_data(member.profile), "photo_upload": upload})
    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    with profile.photo.open("rb") as f:
        stored = Image.open(f)
        stored.load()
    assert stored.format == "JPEG"
    assert not stored.getexif()
    assert b"SpyCam" not in profile.photo.open("rb").read()
    with profile.photo_thumbnail.open("rb") as f:
        assert Image.open(f).size == (160, 160)


BAD_FILES = {
    "not an image": (b"Dit is gewoon tekst.", "cv.jpg", "image/jpeg", "not an image we can read"),
    "truncated": (_jpeg_with_gps()[:400], "half.jpg", "image/jpeg", "not an image we can read"),
    "svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "logo.svg",
        "image/svg+xml",
        "not an image we can read",
    ),
    "bomb": (_png((10000, 10000), mode="1"), "bomb.png", "image/png", "more than 40 megapixels"),
    "gif": (_png((20, 20), mode="P", fmt="GIF"), "anim.gif", "image/gif", "Only JPEG, PNG or WebP"),
    "too large": (b"\xff\xd8" + b"0" * (5 * 1024 * 1024 + 10), "big.jpg", "image/jpeg", "larger than 5 MB"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_photo_is_refused_at_the_field_and_the_rest_is_kept(client, member, kind, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(member)
    content, name, mimetype, message = BAD_FILES[kind]
    upload = SimpleUploadedFile(name, content, content_type=mimetype)
    response = client.post(
        ME,
        {**_form_data(member.profile, job_title="Kraamverzorgende"), "photo_upload": upload},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["photo_upload"]
    assert message in form.errors["photo_upload"][0]
    assert 'value="Kraamverzorgende"' in response.content.decode()
    profile = Profile.objects.get(user=member)
    assert not profile.photo
    assert profile.job_title != "Kraamverzorgende"


def test_png_with_transparency_stays_png(member_client, member):
    upload = SimpleUploadedFile("logo.png", _png((300, 200), mode="RGBA"), content_type="image/png")
    assert member_client.post(ME, {**_form_data(member.profile), "photo_upload": upload}).status_code == 302
    assert Profile.objects.get(user=member).photo.name.endswith(".png")


def test_remove_photo(member_client, member):
    upload = SimpleUploadedFile("me.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    member_client.post(ME, {**_form_data(member.profile), "photo_upload": upload})
    member_client.post(ME, {**_form_data(member.profile), "remove_photo": "on"})
    assert not Profile.objects.get(user=member).photo


# --- Export -----------------------------------------------------------------------------------------


def test_member_downloads_all_own_data_as_json(client, db):
    organisation = OrganisationFactory(name="JGZ Walcheren")
    profile = ProfileFactory(
        organisation=organisation,
        direct_phone="06-55554444",
        phone_visibility=Visibility.COORDINATORS,
        themes=[ThemeFactory(name="Armoede")],
    )
    organisation.contacts.add(profile)
    client.force_login(profile.user)
    response = client.get(reverse("members:me_export"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)  # labelled as the person reads it (members.exports.readable_member_data)
    assert data["Account"]["e-mail address"] == profile.user.email
    # One's own export holds one's own hidden fields too: it is the person's own data.
    assert data["Profile"]["direct phone"] == "06-55554444"
    assert data["Profile"]["themes"] == ["Armoede"]
    assert data["Profile"]["contact for the organisations"] == ["JGZ Walcheren"]


def test_export_holds_no_one_elses_data(client, db):
    other = ProfileFactory(direct_phone="06-00001111")
    mine = ProfileFactory()
    client.force_login(mine.user)
    body = client.get(reverse("members:me_export")).content.decode()
    assert other.user.email not in body and "06-00001111" not in body


def test_other_apps_add_sections_to_the_export(member, monkeypatch):
    monkeypatch.setattr(services, "EXPORTERS", [("registrations", lambda user: [{"event": "Werkbezoek"}])])
    assert services.export_data(member)["registrations"] == [{"event": "Werkbezoek"}]


def test_anonymous_cannot_export(client, db):
    assert client.get(reverse("members:me_export")).status_code == 302


# --- Deletion ---------------------------------------------------------------------------------------


def test_delete_account_needs_the_password(member_client, member):
    response = member_client.post(reverse("members:me_delete"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert get_user_model().objects.filter(pk=member.pk).exists()


def test_delete_account_removes_user_and_profile_and_logs_out(member_client, member):
    response = member_client.post(reverse("members:me_delete"), {"password": "correct-horse-battery", "confirm": "on"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=member.pk).exists()
    assert not Profile.objects.filter(user_id=member.pk).exists()
    assert member_client.get(ME).status_code == 302


def test_delete_account_signals_and_keeps_rows_pointing_with_set_null(coordinator):
    mailing = Mailing.objects.create(created_by=coordinator, description="door coördinator")
    applicant = ProfileFactory(status="pending")
    services.approve(applicant, by=coordinator)
    seen = []
    signals.account_deleting.connect(lambda sender, user, **kw: seen.append(user.pk), weak=False, dispatch_uid="t")
    try:
        services.delete_account(coordinator)
    finally:
        signals.account_deleting.disconnect(dispatch_uid="t")
    assert seen == [coordinator.pk]
    mailing.refresh_from_db()
    applicant.refresh_from_db()
    assert mailing.created_by is None
    assert applicant.status_changed_by is None and applicant.is_approved


def test_last_superuser_cannot_delete_themself(db, django_user_model):
    admin = django_user_model.objects.create_superuser(email="root@example.org", password="x" * 12)
    with pytest.raises(services.MembershipError):
        services.delete_account(admin)


def test_export_holds_the_persons_registrations_tips_and_subscription(member):
    coalition = CoalitionFactory(name="Kansrijk Goes", phase="planning")
    question = IntakeQuestionFactory(event__title="Werkbezoek Goes", label="Wat wil je zien?")
    RegistrationFactory(
        profile=member.profile,
        event=question.event,
        coalition=coalition,
        coalition_phase="planning",
        answers={str(question.pk): "De kraamzorg thuis"},
    )
    RegistrationFactory(event__title="Andermans workshop")
    TipFactory(sender=member, what="Een mooi verhaal over kraamzorg")
    SubscriberFactory(email=member.email, user=member)
    data = services.export_data(member)
    assert [r["event"] for r in data["event_registrations"]] == ["Werkbezoek Goes"]
    with translation.override("en"):
        data = services.export_data(member)
    exported = data["event_registrations"][0]
    assert (exported["coalition"], exported["coalition_phase"]) == ("Kansrijk Goes", "Planning")
    assert exported["answers"] == {"Wat wil je zien?": "De kraamzorg thuis"}
    assert [t["what"] for t in data["tips"]] == ["Een mooi verhaal over kraamzorg"]
    assert data["journal_subscription"]["email"] == member.email
    json.dumps(data)  # what the download serialises


def test_own_profile_needs_a_name_and_keeps_the_rest(member_client, member):
    response = member_client.post(reverse("members:me"), _form_data(member.profile, first_name="", job_title="Bewaard"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["first_name"]
    assert "Bewaard" in response.content.decode()


def test_signup_makes_the_pending_profile_once_through_the_service(client, db):
    data = {
        "first_name": "Fenna",
        "last_name": "de Vries",
        "discipline": "midwifery",
        "email": "fenna@example.org",
        "password1": "a-long-and-unusual-passphrase",
        "password2": "a-long-and-unusual-passphrase",
    }
    with mock.patch("members.adapter.create_pending_profile", wraps=services.create_pending_profile) as create:
        assert client.post(reverse("account_signup"), data).status_code == 302
    profile = Profile.objects.get(user__email="fenna@example.org")
    create.assert_called_once_with(
        profile.user, first_name="Fenna", last_name="de Vries", organisation=None, job_title="", discipline="midwifery"
    )
    assert (profile.first_name, profile.last_name, profile.status) == ("Fenna", "de Vries", Profile.Status.PENDING)
    assert "fenna de vries" in profile.search_text
