"""The admin writes through the members services, as the site does: replaced photos and logos leave the disk,
search documents follow at once, and the offerings of an organisation are saved by their service too."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from coalition.tests.test_admin_pages import unchanged_post_data
from members import services
from members.models import Offering
from members.photos import process_image

from .factories import OrganisationFactory, ProfileFactory


def _upload(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("upload.png", buffer.getvalue(), content_type="image/png")


def _save_in_admin(client, url, **changes):
    response = client.get(url)
    data = {**unchanged_post_data(response), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    return data


def _person_with_photo(coordinator):
    profile = ProfileFactory()
    services.save_profile(profile, by=profile.user, photo=process_image(_upload("red")))
    return profile, profile, {"job_title": "Jeugdarts"}, "jeugdarts"


def _organisation_with_logo(coordinator):
    organisation = services.save_organisation(
        OrganisationFactory(), by=coordinator, logo=process_image(_upload("navy"))
    )
    return organisation, ProfileFactory(organisation=organisation), {"name": "Kraamzorg Delta"}, "kraamzorg delta"


@pytest.mark.parametrize(
    ("make", "image", "upload"),
    [(_person_with_photo, "photo", "photo_upload"), (_organisation_with_logo, "logo", "logo_upload")],
)
def test_replacing_a_photo_or_logo_in_the_admin_removes_the_old_files(
    coordinator_client, coordinator, django_capture_on_commit_callbacks, make, image, upload
):
    obj, person, changes, searched = make(coordinator)
    old = [getattr(obj, image).name, getattr(obj, f"{image}_thumbnail").name]
    assert all(default_storage.exists(name) for name in old)
    url = reverse(f"admin:members_{obj._meta.model_name}_change", args=[obj.pk])
    with django_capture_on_commit_callbacks(execute=True):
        _save_in_admin(coordinator_client, url, **{upload: _upload("gold")}, **changes)
    obj.refresh_from_db()
    new = [getattr(obj, image).name, getattr(obj, f"{image}_thumbnail").name]
    assert all(name not in old and default_storage.exists(name) for name in new)
    assert not any(default_storage.exists(name) for name in old)
    person.refresh_from_db()
    assert searched in person.search_text  # the search document follows the change in the same transaction


def test_an_offering_added_in_the_organisation_page_of_the_admin_is_saved(coordinator_client, coordinator):
    organisation = OrganisationFactory()
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    response = coordinator_client.get(url)
    data = unchanged_post_data(response)
    formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is Offering)
    prefix = formset.prefix
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-title": "Babymassage", f"{prefix}-0-life_phases": ["birth"],
                 f"{prefix}-0-access": "self", f"{prefix}-0-is_active": "on"})  # fmt: skip
    assert coordinator_client.post(url, data).status_code == 302
    assert organisation.offerings.get().title == "Babymassage"


@pytest.mark.parametrize(("client_fixture", "can_change"), [("coordinator_client", True), ("editor_client", False)])
def test_the_admin_asks_the_rules_with_the_object(request, client_fixture, can_change):
    client = request.getfixturevalue(client_fixture)
    profile = ProfileFactory()
    response = client.get(reverse("admin:members_profile_change", args=[profile.pk]))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is can_change
    assert ('name="_save"' in response.content.decode()) is can_change
