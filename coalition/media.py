"""Serving uploads from MEDIA_ROOT in production: safe paths, images only, ETag and Last-Modified.

The views that use it decide who may have a file (a person's photo: those who may see the person;
logos and covers: everyone) and how long a browser may keep it. A reverse proxy may take over the
public folders (see README, "Uploads in production"); photos always pass through a view.
"""

import hashlib
import re
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

# Every upload in MEDIA_ROOT is an image re-encoded by members.photos (or the journal's cover form).
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
# Names made by members.photos.process_image: a new photo, logo or cover gets a new name, so its
# address never shows other content and a browser may keep it for good.
RANDOM_NAME = re.compile(r"[0-9a-f]{32}")
A_YEAR = 365 * 24 * 60 * 60
A_DAY = 24 * 60 * 60


def media_path(name: str) -> Path:
    """The file under MEDIA_ROOT that `name` (the part of the URL after MEDIA_URL) names; 404 if none.

    Refuses empty, hidden, `.` and `..` segments, anything that resolves outside MEDIA_ROOT
    (symbolic links included) and every file that is not an image.
    """
    parts = PurePosixPath(name).parts
    if not parts or "\\" in name or any(part in ("", ".", "..", "/") or part.startswith(".") for part in parts):
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    path = root.joinpath(*parts).resolve()
    if not path.is_relative_to(root) or path.suffix.lower() not in IMAGE_TYPES or not path.is_file():
        raise Http404
    return path


def public_cache_control(name: str) -> str:
    """Long and immutable for random names, a day (then revalidated by ETag) for the rest."""
    if RANDOM_NAME.fullmatch(PurePosixPath(name).stem):
        return f"public, max-age={A_YEAR}, immutable"
    return f"public, max-age={A_DAY}"


def serve_media(request: HttpRequest, name: str, *, cache_control: str) -> HttpResponse:
    """The image `name` under MEDIA_ROOT as a streamed response, or 304 when the browser's copy is current."""
    path = media_path(name)
    stat = path.stat()
    etag = '"' + hashlib.sha256(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:32] + '"'
    last_modified = int(stat.st_mtime)
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = FileResponse(path.open("rb"), content_type=IMAGE_TYPES[path.suffix.lower()])
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = cache_control
    return response
