"""Site-wide pages: the home page, the health check, the one refusal page, the public uploads, and the outbox's
pages: the check step every mass mail passes, the one-click unsubscribe and the mail preferences."""

import hmac
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from events.models import Event, Registration
from journal.models import Edition, EditorialMembership, Subscriber
from members.models import Organisation, Profile

from . import bounces, checkstep
from .celery import app
from .forms import MailPreferencesForm
from .mail import MAIL_FRAME_CSP, MAIL_FRAMING_PAGE_CSP
from .media import public_cache_control, serve_media
from .models import MailCheck
from .roles import is_approved_member
from .rules import DomainError, NotAllowed, refusal_reason, refuse

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
            "upcoming_events": Event.objects.published().visible_to(request.user).upcoming()[:HOME_UPCOMING_EVENTS],
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


@csrf_exempt
@never_cache
def mail_bounces(request):
    """The bounce webhook (README, "Bounces"): the mail provider posts what could not be delivered, for good.

    `Authorization: Bearer <BOUNCE_WEBHOOK_TOKEN>`; without a token configured there is no webhook (404), a wrong
    or missing one is refused (401) without saying more. The body is a delivery status notification (Content-Type
    message/rfc822 or multipart/report) or JSON: {"address", "reason", "permanent": true}, or a list of those.
    Answers {"suppressed": n, "ignored": n}.
    """
    token = settings.BOUNCE_WEBHOOK_TOKEN
    if not token:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return HttpResponse(status=401, headers={"WWW-Authenticate": "Bearer"})
    content_type = request.content_type.lower()
    if content_type == "application/json":
        try:
            reports = json.loads(request.body)
        except ValueError:
            return JsonResponse({"error": "The body is not valid JSON."}, status=400)
        reports = [reports] if isinstance(reports, dict) else reports
        if not isinstance(reports, list):
            return JsonResponse({"error": "Expected an object or a list of objects."}, status=400)
        suppressed, ignored = bounces.suppress_reported(reports)
    elif content_type.startswith("message/") or content_type == "multipart/report":
        message = request.body
        if content_type == "multipart/report":
            # The report's boundary is in the request's Content-Type: the message starts with that header.
            message = b"Content-Type: " + request.META["CONTENT_TYPE"].encode("latin-1") + b"\r\n\r\n" + message
        suppressed, ignored = len(bounces.process_dsn(message)), 0
    else:
        return JsonResponse({"error": "Send message/rfc822, multipart/report or application/json."}, status=415)
    logger.info("Bounce webhook: %s addresses suppressed, %s reports ignored.", suppressed, ignored)
    return JsonResponse({"suppressed": suppressed, "ignored": ignored})


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


# --- The check step (coalition.checkstep) -----------------------------------------------------------------

RECIPIENTS_SHOWN = 50


def _check_for(request, pk):
    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    check = get_object_or_404(MailCheck.objects.select_related("mailing"), pk=pk)
    if not request.user.has_perm("coalition.use_mail_check", check):
        refuse(request.user, "coalition.use_mail_check")
    return check, None


@never_cache
@csp_override(MAIL_FRAMING_PAGE_CSP)
@require_http_methods(["GET", "POST"])
def mail_check(request, pk):
    """Rule: the person who composed the mail (and may still send it). The count, who is left out and why, the
    mail as the first recipient will get it, a test to yourself, then confirm."""
    check, response = _check_for(request, pk)
    if response:
        return response
    if check.is_confirmed:
        messages.info(request, _("This mail was sent on %(date)s.") % {"date": _when(check.confirmed_at)})
        return redirect(checkstep.kind_of(check).done_url(check.mailing) if check.mailing else "home")
    error = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "test":
                checkstep.send_test(check, by=request.user)
                messages.success(request, _("A test is on its way to %(address)s.") % {"address": request.user.email})
                return redirect(check)
            if action == "confirm":
                mailing = checkstep.confirm_check(
                    check, by=request.user, fingerprint=request.POST.get("fingerprint", "")
                )
                mass = checkstep.kind_of(check)
                # A kind may queue later (a scheduled edition: no mailing yet); then the count it confirmed.
                count = mailing.deliveries.exclude(state="skipped").count() if mailing else check.recipient_count
                messages.success(request, mass.done_message(count))
                return redirect(mass.done_url(mailing))
        except NotAllowed as refusal:
            raise PermissionDenied(str(refusal)) from refusal
        except checkstep.AudienceChanged as changed:
            check.refresh_from_db()
            error = str(changed)
        except DomainError as refusal:
            error = str(refusal)
    try:
        mass, audience, shown = checkstep.preview(check, by=request.user)
    except NotAllowed as refusal:
        raise PermissionDenied(str(refusal)) from refusal
    except DomainError as refusal:
        return render(request, "mail/check.html", {"check": check, "error": error or str(refusal)}, status=409)
    left_out = [
        (checkstep.LeftOut.LABELS.get(reason, reason), count) for reason, count in sorted(check.left_out.items())
    ]
    return render(
        request,
        "mail/check.html",
        {
            "check": check,
            "mass": mass,
            "audience": audience,
            "shown": shown,
            "left_out": left_out,
            "recipients": audience.recipients[:RECIPIENTS_SHOWN],
            "more_recipients": max(0, audience.count - RECIPIENTS_SHOWN),
            "error": error,
        },
        status=409 if error else 200,
    )


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@never_cache
@xframe_options_sameorigin
@csp_override(MAIL_FRAME_CSP)
@require_GET
def mail_check_frame(request, pk):
    """Rule: as mail_check. The HTML part of the first recipient's mail, framed by the check page."""
    check, response = _check_for(request, pk)
    if response:
        return response
    try:
        _mass, _audience, shown = checkstep.preview(check, by=request.user)
    except DomainError as refusal:
        return HttpResponse(str(refusal), content_type="text/plain; charset=utf-8", status=409)
    return HttpResponse(shown.html, content_type="text/html; charset=utf-8")


# --- Unsubscribing: one click from a mail (RFC 8058) ---------------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def mail_unsubscribe(request, token):
    """Rule: anyone holding the signed link, no login, no cookies. GET (and HEAD) only asks: a mail scanner that
    follows links unsubscribes nobody. POST unsubscribes that one address from that one topic, from the page's
    button or from the mail program's one-click (RFC 8058: `List-Unsubscribe=One-Click`, without a CSRF token or
    a session; the signed link is the proof). POST with action=resubscribe is the page's "Undo"."""
    try:
        address, topic = checkstep.read_unsubscribe_token(token)
    except DomainError as refusal:
        return render(request, "mail/unsubscribe.html", {"error": str(refusal)}, status=400)
    label, description = checkstep.TOPICS[topic]
    context = {
        "token": token,
        "address": address,
        "topic_label": label,
        "topic_description": description,
        "preferences_url": reverse("mail_preferences_link", kwargs={"token": preferences_token(address)}),
    }
    if request.method == "POST":
        if _posted_action(request) == "resubscribe":
            checkstep.resubscribe(address, topic)
            context["state"] = "resubscribed"
        else:
            checkstep.unsubscribe(address, topic)
            context["state"] = "unsubscribed"
    return render(request, "mail/unsubscribe.html", context)


def _posted_action(request):
    """The page's button says what it does; a mail program's one-click body (whatever its encoding, even one
    Django cannot parse) says nothing and so unsubscribes."""
    try:
        return request.POST.get("action", "")
    except (MultiPartParserError, RequestDataTooBig):
        return ""


# --- Mail preferences: every kind of mail a person can receive, and the switches for those one may stop --------

PREFERENCES_SALT = "coalition.mail_preferences"
# The unsubscribe page hands out a fresh link each time it is opened; one found later in a browser's history
# (or a forwarded mail's page) stops working after this long.
PREFERENCES_LINK_MAX_AGE = timedelta(days=30)


def preferences_token(address: str) -> str:
    """A signed, expiring token for the preferences of one address, for people without an account or a login."""
    signer = signing.TimestampSigner(salt=PREFERENCES_SALT)
    return signer.sign_object({"a": address.strip().lower()}, compress=True)


def read_preferences_token(token: str) -> str:
    """The address of a genuine, unexpired token; raises DomainError otherwise."""
    signer = signing.TimestampSigner(salt=PREFERENCES_SALT)
    try:
        return signer.unsign_object(token, max_age=PREFERENCES_LINK_MAX_AGE)["a"]
    except signing.SignatureExpired:
        raise DomainError(
            _("This link has expired. Open the unsubscribe link in a recent mail to get a new one.")
        ) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise DomainError(_("This link is not valid. Use the unsubscribe link from the mail itself.")) from None


def _save_preferences(request, form):
    """Save a bound form; the message says whether anything changed (nothing changed touches no rows)."""
    if form.save():
        messages.success(request, _("Your choices were saved."))
    else:
        messages.info(request, _("Nothing changed: you receive the same mail as before."))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def mail_preferences(request):
    """Rule: the logged-in person, for the mail to their own address (anonymous: to the login). Every kind of
    mail they can receive: the topics they can switch off (checkstep.TOPICS, whatever the apps registered) and
    the journal, then the mail that always comes because it concerns them."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    address = request.user.email
    form = MailPreferencesForm(
        request.POST if request.method == "POST" else None,
        address=address,
        unsubscribed=checkstep.unsubscribed_topics(address),
    )
    if request.method == "POST" and form.is_valid():
        _save_preferences(request, form)
        return redirect("mail_preferences")
    subscriber = Subscriber.objects.filter(user=request.user).only("wants_journal", "confirmed_at").first()
    return render(
        request,
        "mail/preferences.html",
        {
            "form": form,
            "address": address,
            "receives_journal": bool(subscriber and subscriber.is_confirmed and subscriber.wants_journal),
            "tip_mail": EditorialMembership.objects.tip_mail_of(request.user),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def mail_preferences_link(request, token):
    """Rule: anyone holding a fresh signed link from the unsubscribe page (no login). Only the switchable topics
    of that one address: nothing of an account, which the holder of a forwarded mail must not see."""
    try:
        address = read_preferences_token(token)
    except DomainError as refusal:
        return render(request, "mail/preferences_link.html", {"error": str(refusal)}, status=400)
    form = MailPreferencesForm(
        request.POST if request.method == "POST" else None,
        address=address,
        unsubscribed=checkstep.unsubscribed_topics(address),
    )
    if request.method == "POST" and form.is_valid():
        _save_preferences(request, form)
        return redirect("mail_preferences_link", token=token)
    return render(request, "mail/preferences_link.html", {"form": form, "address": address})
