"""Checking and re-encoding uploaded photos and logos: JPEG, PNG or WebP only, metadata removed."""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Stored images are scaled down to this longest side; nobody needs a 40 megapixel face.
MAX_SIDE = 1600
THUMBNAIL_SIDE = 160
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile


def process_image(upload):
    """Validate an uploaded image and return it re-encoded, without any metadata, with a square thumbnail.

    Raises ValidationError with a message for the person who uploaded it.
    """
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(_("This file is larger than 5 MB. Please choose a smaller image."), code="too_large")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("This file is larger than 5 MB. Please choose a smaller image."), code="too_large")
    try:
        with warnings.catch_warnings():
            # Pillow warns about very large images; treat that as the bomb it may be.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            fmt = image.format
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError(_("Only JPEG, PNG or WebP images are accepted."), code="format")
            # The header gives the size before a single pixel is decoded.
            if image.width * image.height > MAX_PIXELS:
                raise _too_many_pixels()
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image we can read. Upload a JPEG, PNG or WebP image."), code="invalid"
        ) from None

    # Apply the camera's orientation and colour profile, then keep the pixels and nothing else.
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = _pixels_only(_in_srgb(image, "RGBA" if has_alpha and fmt != "JPEG" else "RGB"))
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    thumbnail = ImageOps.fit(image, (THUMBNAIL_SIDE, THUMBNAIL_SIDE))

    name = uuid.uuid4().hex
    extension = ALLOWED_FORMATS[fmt]
    return ProcessedImage(
        image=ContentFile(_encode(image, fmt), name=f"{name}.{extension}"),
        thumbnail=ContentFile(_encode(thumbnail, fmt), name=f"{name}.{extension}"),
    )


def _in_srgb(image, mode):
    """The image in `mode`, its colours converted to sRGB when it carries a colour profile (ICC).

    The profile itself is dropped with the rest of the metadata; browsers take untagged images as sRGB,
    so a photo in Adobe RGB or Display P3 keeps its colours only when its pixels are converted first.
    """
    profile = image.info.get("icc_profile")
    if profile:
        if image.mode not in {"RGB", "RGBA", "L", "CMYK"}:
            image = image.convert(mode)  # palette or 16-bit: the values are still in the profile's space
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a damaged or unusable profile: the pixels as they are
    return image.convert(mode)


def _pixels_only(image):
    """A new image holding only the pixels: Pillow writes `info` back out (a JPEG's comment, a PNG's
    profile), so nothing of the upload's EXIF, XMP, ICC, comments or other APPn segments may travel along."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image, fmt):
    buffer = io.BytesIO()
    options = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 85}}[fmt]
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _too_many_pixels():
    return ValidationError(
        _("This image has more than 40 megapixels. Please choose a smaller image."), code="too_many_pixels"
    )
