"""Uploaded photos and logos keep their pixels and lose every bit of metadata: EXIF, XMP, ICC, comments, APPn."""

import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageCms, PngImagePlugin

from members.models import Organisation, Profile
from members.photos import process_image

from .factories import OrganisationFactory, ProfileFactory

SECRETS = [b"SECRET-COMMENT", b"SECRET-XMP", b"SpyCam", b"SECRET-IPTC", b"SECRET-TEXT", b"acsp"]  # acsp: any ICC

# The markers a bare baseline JPEG needs: SOI, APP0 (JFIF), DQT, SOF0/SOF2, DHT, DRI, SOS, EOI.
BARE_JPEG_MARKERS = {0xD8, 0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA, 0xD9}


def srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def swapped_profile():
    """An RGB profile in which the first channel is blue and the third red: sRGB with rXYZ and bXYZ swapped."""
    icc = bytearray(srgb_profile())
    tags = {}
    for index in range(struct.unpack(">I", icc[128:132])[0]):
        signature, offset, size = struct.unpack(">4sII", icc[132 + 12 * index : 144 + 12 * index])
        tags[signature] = (index, offset, size)
    (red, red_offset, red_size), (blue, blue_offset, blue_size) = tags[b"rXYZ"], tags[b"bXYZ"]
    struct.pack_into(">4sII", icc, 132 + 12 * red, b"rXYZ", blue_offset, blue_size)
    struct.pack_into(">4sII", icc, 132 + 12 * blue, b"bXYZ", red_offset, red_size)
    return bytes(icc)


def exif_bytes():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "E", 4: (3.0, 36.0, 0.0)}  # GPS
    return exif.tobytes()


XMP = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF>SECRET-XMP</rdf:RDF></x:xmpmeta>"


def jpeg_with_everything(colour=(200, 30, 40), icc=None):
    """A JPEG with a comment (COM), EXIF with GPS, XMP, an ICC profile and a Photoshop/IPTC APP13 segment."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(
        buffer, format="JPEG", comment=b"SECRET-COMMENT", exif=exif_bytes(), xmp=XMP, icc_profile=icc or srgb_profile()
    )
    payload = b"Photoshop 3.0\x00SECRET-IPTC"
    app13 = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    data = buffer.getvalue()
    return data[:2] + app13 + data[2:]


def png_with_everything():
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "SECRET-TEXT")
    text.add_itxt("XML:com.adobe.xmp", XMP.decode())
    buffer = io.BytesIO()
    Image.new("RGBA", (64, 48), (10, 200, 30, 128)).save(
        buffer, format="PNG", pnginfo=text, exif=exif_bytes(), icc_profile=srgb_profile()
    )
    return buffer.getvalue()


def webp_with_everything():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 30, 200)).save(
        buffer, format="WEBP", exif=exif_bytes(), xmp=XMP, icc_profile=srgb_profile()
    )
    return buffer.getvalue()


def jpeg_markers(data):
    """The marker bytes of a JPEG's segments up to the image data."""
    markers, position = [], 2
    assert data[:2] == b"\xff\xd8"
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the compressed pixels follow
            break
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length
    return markers


def upload(data, name):
    return SimpleUploadedFile(name, data, content_type="image/" + name.rsplit(".", 1)[1])


def assert_bare(data):
    for secret in SECRETS:
        assert secret not in data, secret
    if data[:2] == b"\xff\xd8":
        assert set(jpeg_markers(data)) <= BARE_JPEG_MARKERS
    image = Image.open(io.BytesIO(data))
    assert not image.info.get("icc_profile") and not image.info.get("exif") and not image.getexif()


@pytest.mark.parametrize(
    ("build", "name"),
    [(jpeg_with_everything, "photo.jpg"), (png_with_everything, "logo.png"), (webp_with_everything, "photo.webp")],
    ids=["jpeg", "png", "webp"],
)
def test_processing_keeps_no_metadata_in_image_or_thumbnail(build, name):
    original = build()
    assert b"SpyCam" in original  # the test image really carries it
    processed = process_image(upload(original, name))
    assert_bare(processed.image.read())
    assert_bare(processed.thumbnail.read())


def test_the_jpeg_comment_segment_is_gone():
    original = jpeg_with_everything()
    assert 0xFE in jpeg_markers(original) and 0xED in jpeg_markers(original)
    markers = jpeg_markers(process_image(upload(original, "photo.jpg")).image.read())
    assert 0xFE not in markers  # COM
    assert not [m for m in markers if 0xE1 <= m <= 0xEF]  # APP1 (EXIF, XMP) … APP15, APP2 (ICC), APP13 (IPTC)


def test_colours_in_another_profile_are_converted_to_srgb_before_the_profile_is_dropped():
    # Pure "red" in a profile whose first channel is blue is blue on screen, and must stay blue.
    original = jpeg_with_everything(colour=(255, 0, 0), icc=swapped_profile())
    stored = Image.open(io.BytesIO(process_image(upload(original, "photo.jpg")).image.read())).convert("RGB")
    red, green, blue = stored.getpixel((32, 24))
    assert blue > 200 and red < 60 and green < 60


def test_a_damaged_profile_does_not_refuse_the_photo():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 128, 0)).save(buffer, format="JPEG", icc_profile=b"not a profile at all")
    assert_bare(process_image(upload(buffer.getvalue(), "photo.jpg")).image.read())


@pytest.mark.django_db
def test_an_uploaded_profile_photo_is_stored_bare(member_client, member):
    data = {
        "first_name": "Mia",
        "last_name": "Member",
        "discipline": "youth_health_care",
        "phone_visibility": "members",
        "email_visibility": "members",
        "is_listed": "on",
        "photo_upload": upload(jpeg_with_everything(), "me.jpg"),
    }
    response = member_client.post(reverse("members:me"), data)
    assert response.status_code == 302, response.context["form"].errors
    profile = Profile.objects.get(user=member)
    assert_bare(profile.photo.read())
    assert_bare(profile.photo_thumbnail.read())


@pytest.mark.django_db
def test_an_uploaded_logo_is_stored_bare(client):
    organisation = OrganisationFactory()
    contact = ProfileFactory(organisation=organisation)
    organisation.contacts.add(contact)
    client.force_login(contact.user)
    data = {
        "name": organisation.name,
        "discipline": organisation.discipline,
        "phone": "0113-999000",
        "description": "",
        "logo_upload": upload(png_with_everything(), "logo.png"),
    }
    response = client.post(reverse("members:organisation_edit", args=[organisation.slug]), data)
    assert response.status_code == 302, response.context["form"].errors
    organisation = Organisation.objects.get(pk=organisation.pk)
    assert_bare(organisation.logo.read())
    assert_bare(organisation.logo_thumbnail.read())
