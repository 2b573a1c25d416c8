"""Site-wide pages: the home page, the health check, the one refusal page and the public uploads."""

import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

from events.models import Event, Registration
from journal.models import Edition
from members.models import Organisation, Profile

from .celery import app
from .media import public_cache_control, serve_media
from .roles import is_approved_member
from .rules import refusal_reason

logger = logging.getLogger(__name__)

HOME_NEWEST_MEMBERS = 6
HOME_UPCOMING_EVENTS = 3


def home(request):
    newest_members = (
        Profile.objects.visible_to(request.user)
        .select_related("organisation")
        # What the list shows: not the stored search document and the rest of each profile.
        .only("first_name", "last_name", "job_title", "organisation__name", "organisation__slug")
        .order_by("-status_changed_at", "-pk")[:HOME_NEWEST_MEMBERS]
    )
    return render(
        request,
        "home.html",
        {
            "latest_edition": Edition.objects.published().order_by("-published_at").first(),
            "newest_members": newest_members,
            "upcoming_events": Event.objects.published().upcoming()[:HOME_UPCOMING_EVENTS],
            "next_registration": _next_registration(request.user),
        },
    )


def _next_registration(user):
    """A member's next event: their confirmed or waiting registration for the published event that starts first."""
    if not is_approved_member(user):
        return None
    return Registration.objects.next_of(user)


def permission_denied(request, exception=None):
    """The one refusal page (handler403): anonymous visitors log in first; everyone else reads why they may not."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    reason = str(exception) if exception and str(exception) else refusal_reason(request.user)
    profile = getattr(request.user, "profile", None)
    context = {"reason": reason, "show_profile_link": profile is not None and not profile.is_approved}
    return render(request, "403.html", context, status=403)


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return False
    return True


def _broker_ok():
    try:
        with app.connection_for_write(settings.REDIS_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("health check: broker unreachable")
        return False
    return True


@never_cache
@require_GET
def healthz(request):
    checks = {"database": "ok" if _database_ok() else "error"}
    if settings.REDIS_URL:
        checks["broker"] = "ok" if _broker_ok() else "error"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


# Uploads anyone may see: organisation logos (and their thumbnails) and journal covers. A person's photo
# is not among them: members.views.profile_photo serves it to those who may see the person.
PUBLIC_MEDIA_FOLDERS = tuple(
    field.upload_to for field in (Organisation._meta.get_field("logo"), Edition._meta.get_field("cover"))
)


@require_safe
def public_media(request, name):
    """A logo or cover from MEDIA_ROOT, for everyone; any other upload is not found here."""
    if not name.startswith(PUBLIC_MEDIA_FOLDERS):
        raise Http404
    return serve_media(request, name, cache_control=public_cache_control(name))
