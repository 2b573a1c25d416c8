"""Uploads are served with DEBUG off: logos and covers to everyone, a person's photo only to those who may see them."""

import importlib
import io
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse
from PIL import Image

import coalition.urls
from journal.tests.factories import EditionFactory
from members import services as members_services
from members.models import Profile
from members.photos import process_image
from members.tests.factories import OrganisationFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    """DEBUG off, and the URLs built as a production start-up builds them."""
    settings.DEBUG = False
    importlib.reload(coalition.urls)
    clear_url_caches()
    yield
    settings.DEBUG = True
    importlib.reload(coalition.urls)
    clear_url_caches()


def _image(colour="teal", fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, format=fmt)
    upload = SimpleUploadedFile(f"upload.{fmt.lower()}", buffer.getvalue(), content_type=f"image/{fmt.lower()}")
    return process_image(upload)


def _with_photo(profile):
    return members_services.save_profile(profile, by=profile.user, photo=_image("orange", "JPEG"))


@pytest.fixture
def network(member):
    administrator = UserFactory(is_superuser=True)
    organisation = members_services.save_organisation(OrganisationFactory(), by=administrator, logo=_image("navy"))
    colleague = _with_photo(ProfileFactory(organisation=organisation, status=Profile.Status.APPROVED, is_listed=True))
    _with_photo(member.profile)
    edition = EditionFactory(published=True)
    processed = _image("gold", "JPEG")
    edition.cover.save(processed.image.name, processed.image, save=True)
    return {"organisation": organisation, "colleague": colleague, "edition": edition}


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources.append(dict(attrs)["src"])


def _images_on(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Images()
    parser.feed(response.text)
    return parser.sources


def _pages(network):
    organisation, colleague, edition = network["organisation"], network["colleague"], network["edition"]
    public = [
        reverse("home"),
        reverse("journal:edition_list"),
        edition.get_absolute_url(),
        reverse("members:organisation_list"),
        organisation.get_absolute_url(),
    ]
    directory = [reverse("members:profile_list"), colleague.get_absolute_url(), reverse("members:me")]
    return public, directory


def test_every_image_on_the_main_pages_loads_with_debug_off(client, production, network, member):
    public, directory = _pages(network)
    seen = set()
    for who, pages in ((None, public), (member, public + directory)):
        if who:
            client.force_login(who)
        for page in pages:
            for source in _images_on(client, page):
                response = client.get(source)
                assert response.status_code == 200, f"{source} on {page}"
                assert response["Content-Type"].startswith("image/"), f"{source} on {page}"
                seen.add(source)
    organisation, colleague, edition = network["organisation"], network["colleague"], network["edition"]
    expected = {
        organisation.logo.url,
        organisation.logo_thumbnail.url,
        edition.cover.url,
        colleague.photo.url,
        colleague.photo_thumbnail.url,
        member.profile.photo_thumbnail.url,
    }
    assert expected <= seen, "every kind of upload was on a page and loaded"


def test_logos_and_covers_are_public_and_cached_for_good(client, production, network):
    for url in (network["organisation"].logo.url, network["edition"].cover.url):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response["ETag"] and response["Last-Modified"]
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304
        assert not again.content


def test_a_cover_with_a_chosen_name_is_revalidated_daily(client, production):
    edition = EditionFactory(published=True)
    edition.cover.save("demo-cover-1.jpg", _image("red", "JPEG").image, save=True)
    response = client.get(edition.cover.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=86400"


@pytest.mark.parametrize("size", ["photo", "photo_thumbnail"])
def test_an_unlisted_members_photo_is_refused_to_others(client, production, member, coordinator, size):
    unlisted = _with_photo(ProfileFactory(status=Profile.Status.APPROVED, is_listed=False))
    url = getattr(unlisted, size).url
    assert url.startswith("/media/photos/")

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]
    client.force_login(member)
    refused = client.get(url)
    assert refused.status_code == 403
    assert not refused["Content-Type"].startswith("image/")

    for allowed in (coordinator, unlisted.user):
        client.force_login(allowed)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == "private, max-age=3600"


def test_a_listed_members_photo_is_for_approved_members_only(
    client, production, member, pending_member, declined_member
):
    listed = _with_photo(ProfileFactory(status=Profile.Status.APPROVED, is_listed=True))
    url = listed.photo_thumbnail.url
    for outsider in (pending_member, declined_member):
        client.force_login(outsider)
        assert client.get(url).status_code == 403
    client.force_login(member)
    assert client.get(url).status_code == 200


def test_a_pending_member_sees_their_own_photo_but_nobody_else_does(client, production, pending_member, member):
    pending = _with_photo(pending_member.profile)
    client.force_login(pending_member)
    assert client.get(pending.photo_thumbnail.url).status_code == 200
    client.force_login(member)
    assert client.get(pending.photo_thumbnail.url).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/media/logos/../photos/x.jpg",
        "/media/logos/%2e%2e/%2e%2e/coalition/settings.py",
        "/media/logos/.hidden.png",
        "/media/logos/notes.txt",
        "/media/elsewhere/picture.png",
        "/media/photos/not-anybodys.jpg",
        "/media/logos/missing.png",
    ],
)
def test_nothing_but_a_stored_public_image_or_a_visible_photo_is_served(client, production, coordinator, url):
    default_storage.save("logos/notes.txt", ContentFile(b"not an image"))
    default_storage.save("logos/.hidden.png", ContentFile(b"\x89PNG"))
    default_storage.save("elsewhere/picture.png", ContentFile(b"\x89PNG"))
    default_storage.save("photos/not-anybodys.jpg", ContentFile(b"\xff\xd8"))
    client.force_login(coordinator)
    assert client.get(url).status_code == 404
