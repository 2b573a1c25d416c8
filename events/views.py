"""Pages of the events: lists, the event page, registering, calendars, invitations and follow-up.

Who may open what is asked of the rules in events/rules.py through coalition.access: a view names its
permission, and a refusal is the one 403 page (anonymous visitors are sent to log in). Drafts are not found
(404) by those who may not see them, so an address does not tell that a draft exists.
"""

import enum
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalition import checkstep, ratelimits
from coalition.access import get_object_or_404_unless_permitted, get_object_or_refuse, permission_required
from coalition.mail import absolute_url
from coalition.markdown import render_markdown
from coalition.rules import DomainError, is_approved_member, refuse
from groups.models import Action, Group
from groups.privacy import CASE_WARNING
from members.models import Profile, name_order
from network.audiences import Segment
from network.forms import SegmentForm

from . import calendar, certificates, exports, services
from . import mailings as kinds
from .forms import (
    AdviceForm,
    CancelEventForm,
    CaseForm,
    EventFilterForm,
    GroupMeetingForm,
    GuestRegistrationForm,
    GuestWalkInForm,
    InvitationForm,
    MeetingNotesForm,
    MessageForm,
    MoveForm,
    PlacingForm,
    RegistrationForm,
    SendCertificatesForm,
    SendMaterialsForm,
    SessionForm,
    VerifyCertificateForm,
    WalkInForm,
)
from .models import CalendarFeed, Case, Event, EventMailing, Invitation, Material, Registration, Series

EVENTS_PER_PAGE = 20
# The public feed: calendar apps refresh it every few hours; a shared cache may keep it this long (seconds).
FEED_MAX_AGE = 15 * 60


def own_registration(event, user):
    """The user's registration for the event, or None."""
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if profile is None:
        return None
    return (
        Registration.objects.with_waiting_position()
        .select_related("session")
        .filter(event=event, profile=profile)
        .first()
    )


def _event_for(request, permission, slug):
    """The event `slug` names, for a coordinator's tool that needs `permission` of it (else 403, or log in)."""
    return get_object_or_refuse(request, permission, Event.objects.all(), slug=slug)


# --- What the event page says about registering -------------------------------------------------------


@dataclass(frozen=True)
class RegistrationStatus:
    """Where this person stands with registering for this event, decided once; the event page only shows it."""

    class Kind(enum.StrEnum):
        REGISTERED = "registered"  # a confirmed seat
        WAITING = "waiting"  # on the waiting list, at `waiting_position`
        CAN_REGISTER = "can_register"  # may register now (or join the waiting list of a full event)
        LOG_IN = "log_in"  # a visitor: registering starts with logging in
        NOT_MEMBER = "not_member"  # logged in, but not an approved member
        NOT_OPEN = "not_open"  # a member, but registration is not open (yet, or any more)
        CLOSED = "closed"  # nothing left to do: the event was cancelled or has started
        PAST = "past"  # the event took place: no seats, registering or meeting link; its follow-up instead

        # Templates compare with the members (`Kind.WAITING`); a class would otherwise be called there.
        do_not_call_in_templates = enum.nonmember(True)

    kind: Kind
    registration: Registration | None = None
    waiting_position: int | None = None
    # The member may still cancel themselves; else, before the start, the page says the deadline has passed.
    can_cancel: bool = False
    cancellation_closed: bool = False
    # A full event: registering puts the member on the waiting list.
    joins_waiting_list: bool = False
    # A visitor may register as a guest (the event is open to guests and takes registrations).
    guests_welcome: bool = False

    @property
    def has_place(self):
        """A confirmed seat or a place on the waiting list."""
        return self.kind in (self.Kind.REGISTERED, self.Kind.WAITING)

    @property
    def is_past(self):
        return self.kind == self.Kind.PAST


def registration_status(event, user, registration):
    """The one `RegistrationStatus` of `user` for `event`, given their registration (None if they have none)."""
    kinds = RegistrationStatus.Kind
    if not event.is_cancelled and event.ends_at < timezone.now():
        # After the event: whatever registration there was, nothing about seats or cancelling applies.
        active = registration if registration is not None and not registration.is_cancelled else None
        return RegistrationStatus(kind=kinds.PAST, registration=active)
    if registration is not None and not registration.is_cancelled:
        can_cancel = registration.can_be_cancelled_by_member()
        return RegistrationStatus(
            kind=kinds.REGISTERED if registration.is_confirmed else kinds.WAITING,
            registration=registration,
            waiting_position=registration.waiting_position(),
            can_cancel=can_cancel,
            cancellation_closed=not can_cancel and not event.has_started,
        )
    may_register = user.has_perm("events.register", event)
    if may_register and event.is_open_for_registration():
        return RegistrationStatus(kind=kinds.CAN_REGISTER, joins_waiting_list=event.is_full)
    if event.is_cancelled or event.has_started:
        return RegistrationStatus(kind=kinds.CLOSED)
    if not user.is_authenticated:
        guests_welcome = event.open_to_guests and event.is_open_for_registration()
        return RegistrationStatus(kind=kinds.LOG_IN, guests_welcome=guests_welcome, joins_waiting_list=event.is_full)
    return RegistrationStatus(kind=kinds.NOT_OPEN if may_register else kinds.NOT_MEMBER)


# --- Public lists and the event page ------------------------------------------------------------


def _listing(request, events, *, past, extra=None):
    events = events.with_counts().select_related("host", "co_host").prefetch_related("themes")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    mine = {}
    profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
    if profile is not None:
        mine = {
            r.event_id: r
            for r in Registration.objects.active().filter(profile=profile, event__in=[e.pk for e in page.object_list])
        }
    for event in page.object_list:
        event.my_registration = mine.get(event.pk)
    context = {"page_obj": page, "events": page.object_list, "past": past, **(extra or {})}
    return render(request, "events/event_list.html", context)


@require_GET
def event_list(request):
    """Upcoming events, public (Event.objects.visible_to is the rule `events.view_event_page` as a queryset),
    filtered by EventFilterForm; the page links the public feed of the same filter."""
    form = EventFilterForm(request.GET or None)
    events = Event.objects.visible_to(request.user).upcoming()
    if form.is_valid():
        events = form.filter(events)
    feed_query = {name: value for name, value in request.GET.items() if name in form.fields and value}
    feed_url = reverse("events:feed") + (f"?{urlencode(feed_query)}" if feed_query else "")
    return _listing(request, events, past=False, extra={"filter_form": form, "feed_url": feed_url})


@require_GET
def feed(request):
    """The public iCal feed of the published upcoming events, narrowed by the list's filters (EventFilterForm).

    Public, so without meeting links, participants or drafts, and without cancelled events (a subscriber's
    calendar drops them at the next refresh). A filter value that no longer exists (a removed coalition) is a
    404 rather than silently everything.
    """
    form = EventFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise Http404
    # Public: a group's own meetings stay out whoever asks (the feed is cached as public).
    events = form.filter(Event.objects.published().listed().upcoming())
    text = calendar.public_feed_ics(events, name=settings.SITE_NAME)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    return response


@require_GET
def past_events(request):
    """Past events, public."""
    return _listing(request, Event.objects.visible_to(request.user).past(), past=True)


@require_GET
def event_detail(request, slug):
    """Rule `events.view_event_page`; what it shows of the meeting, participants and materials asks the rules."""
    events = Event.objects.with_counts().select_related("host", "co_host", "edition", "coalition")
    event = get_object_or_404_unless_permitted(request, "events.view_event_page", events, slug=slug)
    user = request.user
    private = user.has_perm("events.view_participants", event)
    # An edition still in the making stays invisible to all but those who may read it (the rule `journal.read`).
    edition = event.edition if event.edition and user.has_perm("journal.read", event.edition) else None
    status = registration_status(event, user, own_registration(event, user))
    can_manage_event = user.has_perm("events.manage_event", event)
    attended = status.registration if status.is_past and status.registration else None
    if attended is not None:
        attended.event = event  # the rule reads the event: the one already here
    programme = list(event.programme.select_related("session").prefetch_related("speakers__organisation"))
    sessions = list(event.sessions.with_taken())
    mine = status.registration
    # A breakout session's online link is for its own confirmed participants only, and only before the end.
    my_session = mine.session if mine is not None and mine.is_confirmed else None
    can_choose_session = (
        bool(sessions) and status.has_place and not event.has_started and user.has_perm("events.choose_session", mine)
    )
    context = {
        "event": event,
        "edition": edition,
        "registration_status": status,
        # The meeting link, participant list and materials: confirmed participants and coordinators only.
        "show_private": private,
        # After the event the meeting link is gone for everyone: the page says it took place instead.
        "show_meeting_link": private and not status.is_past,
        "materials": list(event.materials.all()) if private else [],
        "can_give_feedback": user.has_perm("events.give_feedback", event),
        "can_manage_event": can_manage_event,
        "show_results": status.is_past and can_manage_event,
        # After the event, a participant who was checked in finds their certificate here as in My registrations.
        "certificate_registration": attended
        if attended is not None and user.has_perm("events.download_certificate", attended)
        else None,
        "programme": programme,
        "sessions": sessions,
        "my_session": my_session,
        "show_session_link": my_session is not None and bool(my_session.meeting_url) and not status.is_past,
        "session_form": SessionForm(event=event, registration=mine, initial={"session": mine.session_id})
        if can_choose_session
        else None,
        "meeting": group_meeting_context(event, user),
    }
    return render(request, "events/event_detail.html", context)


@require_POST
def choose_session(request, pk):
    """Rule `events.choose_session`: the person who registered (until the start) or the event's coordinators."""
    registration = get_object_or_refuse(
        request, "events.choose_session", Registration.objects.select_related("event", "session"), pk=pk
    )
    event = registration.event
    form = SessionForm(request.POST, event=event, registration=registration)
    if form.is_valid():
        try:
            services.choose_session(registration, form.cleaned_data.get("session"), by=request.user)
        except DomainError as refusal:
            form.add_error("session", str(refusal))
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Your breakout session is saved."))
    return redirect(f"{event.get_absolute_url()}#sessions-heading")


def register(request, slug):
    """Rule `events.register` (approved members); whether this event takes registrations now, the service says."""
    # The intake questions are read once, for the form and for the service that checks the answers again.
    events = Event.objects.visible_to(request.user).prefetch_related("intake_questions")
    event = get_object_or_refuse(request, "events.register", events, slug=slug)
    # Before showing the form: whether they hold an active registration, no more (composing own_registration's
    # waiting-position subquery took more CPU than the service's whole seat tally). A form sent is answered by
    # the service, which counts it anyway.
    if (
        request.method != "POST"
        and Registration.objects.active().filter(event=event, profile__user=request.user).exists()
    ):
        messages.info(request, _("You are already registered for this event."))
        return redirect(event)
    form = RegistrationForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.register(
                event,
                request.user,
                answers=form.answers(),
                consent_to_list=form.cleaned_data["consent_to_list"],
                session=form.cleaned_data.get("session"),
            )
        except services.AlreadyRegistered as refusal:
            messages.info(request, str(refusal))
            return redirect(event)
        except services.SessionFull as refusal:
            form.add_error("session", str(refusal))
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            if registration.is_confirmed:
                messages.success(request, _("You are registered. A confirmation with a calendar file is on its way."))
            else:
                messages.info(
                    request,
                    _("The event is full: you are number %(position)d on the waiting list.")
                    % {"position": registration.waiting_position()},
                )
            return redirect(event)
    return render(request, "events/register.html", {"event": event, "form": form})


def guest_register(request, slug):
    """Rule `events.register_as_guest`: a visitor registers for an event open to guests; an approved member is sent
    to the member's form. Whatever the address, the page says the same (see services.register_guest)."""
    if is_approved_member(request.user):
        return redirect("events:register", slug=slug)
    events = Event.objects.visible_to(request.user).with_counts()
    event = get_object_or_refuse(request, "events.register_as_guest", events, slug=slug)
    form = GuestRegistrationForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_guest(
                event,
                form.guest(),
                answers=form.answers(),
                consent_to_list=form.cleaned_data["consent_to_list"],
                session=form.cleaned_data.get("session"),
                client=ratelimits.client_address(request),
            )
        except services.SessionFull as refusal:
            form.add_error("session", str(refusal))
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _(
                    "Almost done: we sent a mail to %(email)s. Open the link in it within 48 hours to confirm your "
                    "address; until then your registration does not count."
                )
                % {"email": form.cleaned_data["email"]},
            )
            return redirect(event)
    return render(request, "events/guest_register.html", {"event": event, "form": form})


def _guest_page_error(request, refusal, status=400):
    return render(request, "events/guest_registration.html", {"error": str(refusal)}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def guest_confirm(request, token):
    """The link of the confirm-address mail; the signed, expiring token is the permission. GET shows a button (mail
    scanners open links), the POST confirms and decides the seat."""
    try:
        registration = services.read_guest_token(token, confirm=True)
    except DomainError as refusal:
        return _guest_page_error(request, refusal)
    if request.method == "POST":
        try:
            registration = services.confirm_guest(registration)
        except DomainError as refusal:
            return _guest_page_error(request, refusal, status=409)
        if registration.is_confirmed:
            messages.success(
                request, _("Your address is confirmed and you are registered. A confirmation is on its way.")
            )
        else:
            messages.info(
                request,
                _("Your address is confirmed. The event is full: you are number %(position)d on the waiting list.")
                % {"position": registration.waiting_position()},
            )
        return redirect(services.guest_url(registration))
    if registration.is_cancelled:
        message = _("This registration was cancelled or has expired. You can register again.")
        return _guest_page_error(request, message, status=409)
    if not registration.is_pending:
        return redirect(services.guest_url(registration))  # confirmed already: their registration
    return render(request, "events/guest_confirm.html", {"event": registration.event, "registration": registration})


def _guest_status(registration, token):
    now = timezone.now()
    return {
        "registration": registration,
        "event": registration.event,
        "can_cancel": not registration.is_cancelled
        and not registration.is_pending
        and registration.can_be_cancelled_by_member(now),
        "waiting_position": registration.waiting_position(),
        # A confirmed guest's page holds what a participant's event page shows them: the meeting link until the
        # end, the materials and the feedback form.
        "show_meeting_link": registration.is_confirmed and registration.event.ends_at >= now,
        "materials": [
            (material, services.guest_material_url(registration, material))
            for material in registration.event.materials.all()
        ]
        if registration.is_confirmed
        else [],
        "feedback_url": reverse("events:guest_feedback", kwargs={"token": token})
        if registration.is_confirmed and registration.event.has_started
        else None,
    }


@never_cache
@require_GET
def guest_registration(request, token):
    """A guest's registration, from the signed link in their mails (the token is the permission): no account, so
    this page is their "My registrations"."""
    try:
        registration = services.read_guest_token(token)
    except DomainError as refusal:
        return _guest_page_error(request, refusal)
    return render(request, "events/guest_registration.html", {**_guest_status(registration, token), "token": token})


@never_cache
@require_http_methods(["GET", "POST"])
def guest_cancel(request, token):
    """The cancel link of a guest's mails: GET asks, the POST cancels (until the deadline), frees the seat and moves
    the waiting list up."""
    try:
        registration = services.read_guest_token(token)
    except DomainError as refusal:
        return _guest_page_error(request, refusal)
    if request.method == "POST":
        try:
            services.cancel_guest(registration)
        except DomainError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, _("Your registration for %(event)s is cancelled.") % {"event": registration.event}
            )
        return redirect(services.guest_url(registration))
    context = {**_guest_status(registration, token), "token": token, "asking_to_cancel": True}
    return render(request, "events/guest_registration.html", context)


@never_cache
@require_GET
def guest_material(request, token, pk):
    """A material of the event for a confirmed guest, through their signed link (what `events.download_material`
    allows confirmed participants who log in)."""
    try:
        registration = services.read_guest_token(token)
    except DomainError:
        raise Http404 from None
    if not registration.is_confirmed:
        raise Http404
    material = get_object_or_404(Material, pk=pk, event_id=registration.event_id)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=material.filename)


@never_cache
@require_GET
def guest_feedback(request, token):
    """A confirmed guest's way to the feedback survey, through their signed link, once the event has started (as
    `events.give_feedback` for members): their own place in the survey, whose answer page needs no login."""
    try:
        registration = services.read_guest_token(token)
    except DomainError as refusal:
        return _guest_page_error(request, refusal)
    if not registration.is_confirmed or not registration.event.has_started:
        return _guest_page_error(
            request, _("Feedback is asked of the confirmed participants once the event has started."), status=403
        )
    return _to_feedback_survey(request, registration, back=services.guest_url(registration))


def _to_feedback_survey(request, registration, *, back):
    try:
        participant = services.feedback_participant(registration)
    except DomainError as refusal:
        messages.error(request, str(refusal))
        return redirect(back)
    return redirect("surveys:answer_by_link", token=participant.token)


@require_POST
def cancel_registration(request, pk):
    """Rule `events.cancel_registration`: the person who registered, or a coordinator."""
    registration = get_object_or_refuse(
        request, "events.cancel_registration", Registration.objects.select_related("event", "profile"), pk=pk
    )
    try:
        services.cancel(registration, by=request.user)
    except DomainError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your registration for %(event)s is cancelled.") % {"event": registration.event})
    next_url = request.POST.get("next")
    if next_url == "event":
        return redirect(registration.event)
    return redirect("events:my_registrations")


@permission_required("events.view_own_registrations")
@require_GET
def my_registrations(request):
    profile = getattr(request.user, "profile", None)
    registrations = []
    feed = None
    if profile is not None:
        registrations = list(
            Registration.objects.active()
            .filter(profile=profile)
            .with_waiting_position()
            .select_related("event", "session")
            .order_by("-event__starts_at")
        )
        feed = CalendarFeed.objects.filter(profile=profile).first()
    now = timezone.now()
    upcoming = [r for r in registrations if r.event.ends_at >= now]
    upcoming.reverse()
    past = [r for r in registrations if r.event.ends_at < now]
    return render(
        request,
        "events/my_registrations.html",
        {
            "upcoming": upcoming,
            "past": past,
            "feed_url": absolute_url(feed.get_absolute_url()) if feed else None,
            "has_profile": profile is not None,
        },
    )


@permission_required("events.keep_calendar_feed")
@require_POST
def renew_calendar_feed(request):
    services.renew_calendar_feed(request.user.profile)
    messages.success(request, _("Your calendar has a new secret address; the old one no longer works."))
    return redirect("events:my_registrations")


# --- Calendars ------------------------------------------------------------------------------------


def _ics_response(text, filename):
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request, slug):
    """Rule `events.view_event_page`; the meeting link goes in only for those allowed to see it."""
    events = Event.objects.select_related("host", "co_host", "edition")
    event = get_object_or_404_unless_permitted(request, "events.view_event_page", events, slug=slug)
    # After the event its meeting link is of no use to anyone: it is left out, as on the event page.
    private = event.ends_at >= timezone.now() and request.user.has_perm("events.view_participants", event)
    programme = calendar.programme_text(list(event.programme.all()[: calendar.SHORT_PROGRAMME + 1]))
    return _ics_response(calendar.event_ics(event, private=private, programme=programme), f"{event.slug}.ics")


@never_cache
@require_GET
def calendar_feed(request, token):
    """The secret feed: the token is the permission; renewing it revokes the old address.

    It holds meeting links, so it answers only while its owner may keep a feed (`events.keep_calendar_feed`:
    an approved, active member): a person declined or deactivated after registering gets the same 404 as a
    wrong token.
    """
    feed = get_object_or_404(CalendarFeed.objects.select_related("profile__user"), token=token)
    if not feed.profile.user.has_perm("events.keep_calendar_feed"):
        raise Http404
    events = Event.objects.filter(
        registrations__profile=feed.profile, registrations__state=Registration.State.CONFIRMED
    ).exclude(state=Event.State.DRAFT)
    text = calendar.feed_ics(events.order_by("starts_at"), name=f"{settings.SITE_NAME}")
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


# --- The participant list, materials and feedback ---------------------------------------------------


@require_GET
def participants(request, slug):
    """Rule `events.view_participants`: confirmed participants in good standing and coordinators."""
    event = get_object_or_refuse(request, "events.view_participants", Event.objects.visible_to(request.user), slug=slug)
    listed = (
        Registration.objects.listed()
        .filter(event=event)
        .select_related("profile", "organisation", "coalition")
        .order_by(*name_order("profile__"), "name", "pk")  # guests (no profile) by their name, after the members
    )
    sessions = list(event.sessions.all())
    groups = []
    if sessions:
        # Per breakout session its own list, those without one after.
        by_session = {session.pk: [] for session in sessions}
        unassigned = []
        for registration in listed:
            by_session.get(registration.session_id, unassigned).append(registration)
        groups = [(session, by_session[session.pk]) for session in sessions]
        if unassigned:
            groups.append((None, unassigned))
    return render(
        request, "events/participants.html", {"event": event, "participants": listed, "session_groups": groups}
    )


@require_GET
def material_download(request, pk):
    """Rule `events.download_material`: the participants of the material's event and coordinators."""
    material = get_object_or_refuse(
        request, "events.download_material", Material.objects.select_related("event"), pk=pk
    )
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=material.filename)


@never_cache
@require_GET
def feedback(request, slug):
    """Rule `events.give_feedback`: confirmed participants in good standing, once the event has started. The
    feedback is the event's survey: this leads to the participant's own answer page (made when first needed), where
    they answer, and change their answers until the survey closes."""
    event = get_object_or_refuse(request, "events.give_feedback", Event.objects.visible_to(request.user), slug=slug)
    registration = own_registration(event, request.user)
    return _to_feedback_survey(request, registration, back=event.get_absolute_url())


# --- One-click links from mails -------------------------------------------------------------------


def _invitation_form(request, invitation):
    """The registration form an invited person fills in when they answer "coming": a member the intake questions and
    the consent, a visitor the guest form with their invited address. None when there is nothing to ask (they are
    registered already, or have an account that is not an approved member's)."""
    event = invitation.event
    if services.invitation_registration(invitation) is not None:
        return None
    data = request.POST if request.method == "POST" else None
    if invitation.profile_id is None:
        return GuestRegistrationForm(data, event=event, email=invitation.email, initial={"name": invitation.name})
    if is_approved_member(invitation.profile.user):
        return RegistrationForm(data, event=event)
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_answer(request, token):
    """The link from the invitation mail; the signed token is the permission.

    GET only shows the answer with one button: mail security scanners open every link in a mail,
    and a GET that acted would register people (or give away their seat) without them knowing.
    "Coming" leads through the registration form (the intake questions and the consent; a visitor's guest form,
    whose address the link proves); only the POST records the answer.
    """
    try:
        invitation, answer = services.read_answer_token(token)
    except DomainError as refusal:
        return render(request, "events/invitation_answer.html", {"error": str(refusal)}, status=400)
    if invitation.event.is_cancelled:
        return render(
            request,
            "events/invitation_answer.html",
            {"error": _("This event has been cancelled."), "event": invitation.event},
            status=409,
        )
    coming = answer == Invitation.Answer.COMING
    form = _invitation_form(request, invitation) if coming else None
    if request.method == "GET" or (form is not None and not form.is_valid()):
        return render(
            request,
            "events/invitation_confirm.html",
            {
                "event": invitation.event,
                "answer": answer,
                "coming": coming,
                "already": invitation.answer == answer,
                "form": form,
            },
        )
    previous = invitation.answer
    details = {}
    if form is not None:
        details = {
            "answers": form.answers(),
            "consent_to_list": form.cleaned_data["consent_to_list"],
            "session": form.cleaned_data.get("session"),
        }
        if isinstance(form, GuestRegistrationForm):
            details["guest"] = form.guest()
    try:
        registration = services.answer_invitation(invitation, answer=answer, **details)
    except DomainError as refusal:
        if form is not None:
            form.add_error("session" if isinstance(refusal, services.SessionFull) else None, str(refusal))
            context = {"event": invitation.event, "answer": answer, "coming": coming, "form": form}
            return render(request, "events/invitation_confirm.html", context)
        return render(
            request, "events/invitation_answer.html", {"error": str(refusal), "event": invitation.event}, status=409
        )
    return render(
        request,
        "events/invitation_answer.html",
        {
            "event": invitation.event,
            "answer": answer,
            "coming": coming,
            "already": previous == answer,
            "registration": registration,
            "other_url": services.answer_url(
                invitation, Invitation.Answer.NOT_COMING if coming else Invitation.Answer.COMING
            ),
            "has_account": invitation.profile_id is not None,
            "guest_url": services.guest_url(registration) if registration and registration.is_guest else None,
        },
    )


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a CSRF token; the signed token guards it.
@never_cache
def opt_out(request, token):
    """The unsubscribe link of event mail; the signed token is the permission."""
    if request.method == "POST":
        try:
            email = services.opt_out(token)
        except DomainError as refusal:
            return render(request, "events/opt_out.html", {"error": str(refusal)}, status=400)
        return render(request, "events/opt_out.html", {"done": True, "email": email})
    return render(request, "events/opt_out.html", {"token": token})


# --- Coordinator tools (linked from the admin) ------------------------------------------------------


def open_check(request, key, params, form):
    """Count the composed mail and go to its check page; a refusal (nobody to mail, the event not open) is shown
    at the form, with what was typed kept. Returns the redirect, or None to show the form again."""
    try:
        check = checkstep.open_check(key, params, by=request.user)
    except DomainError as refusal:
        form.add_error(None, str(refusal))
        return None
    return redirect(check.get_absolute_url())


def invite(request, slug):
    """Rule `events.send_invitations`: choose a part of the network (the one audience rule, network.audiences) and
    a message; the check page counts who it reaches, without those already invited, and shows the mail."""
    event = _event_for(request, "events.send_invitations", slug)
    before = checkstep.composed_before(request, kinds.InvitationMail.key, event=event.pk)
    segment_initial = Segment.from_params(before.get("segment", {})).initial() if before else None
    segment_form = SegmentForm(request.POST or None, initial=segment_initial)
    form = InvitationForm(request.POST or None, initial={"message": before.get("message", "")} if before else None)
    form.required_note_above = True  # one page, two forms: the segment form above says which fields are required
    if request.method == "POST" and segment_form.is_valid() and form.is_valid():
        params = {
            "event": event.pk,
            "segment": segment_form.segment().to_params(),
            "message": form.cleaned_data["message"],
        }
        if response := open_check(request, kinds.InvitationMail.key, params, form):
            return response
    return render(
        request,
        "events/coordinator/invite.html",
        {"event": event, "form": form, "segment_form": segment_form},
    )


def invitations(request, slug):
    """Rule `events.send_invitations`: the answers so far, and a reminder (through the check step) to those who
    did not answer."""
    event = _event_for(request, "events.send_invitations", slug)
    if request.method == "POST":
        try:
            check = checkstep.open_check(kinds.InvitationReminderMail.key, {"event": event.pk}, by=request.user)
        except DomainError as refusal:
            messages.error(request, str(refusal))
            return redirect("events:invitations", slug=event.slug)
        return redirect(check.get_absolute_url())
    rows, totals = services.invitations_with_standing(event)
    return render(
        request,
        "events/coordinator/invitations.html",
        {
            "event": event,
            "invitations": rows,
            "totals": totals,
            "remindable": Invitation.objects.filter(event=event).remindable().count(),
        },
    )


WALK_IN_CANDIDATES = 10


def _check_in_url(request, query, anchor=""):
    """The check-in list again, with the search it was showing."""
    return f"{request.path}?{urlencode({'q': query})}{anchor}" if query else f"{request.path}{anchor}"


def check_in_list(request, slug):
    """Rule `events.manage_event`: a printable list of confirmed participants; ticking a row checks the person in.

    A search (GET q) narrows the list by name or organisation and offers the approved members it matches who
    have no seat as walk-ins: someone standing at the door is checked in at once (services.walk_in).
    """
    event = _event_for(request, "events.manage_event", slug)
    if request.method == "POST":
        query = request.POST.get("q", "").strip()
        if request.POST.get("action") == "walk_in":
            return _walk_in(request, event, query)
        if request.POST.get("action") == "walk_in_guest":
            return _walk_in_guest(request, event, query)
        registration = get_object_or_404(Registration, pk=request.POST.get("registration"), event=event)
        try:
            services.check_in(registration, by=request.user, checked_in=request.POST.get("checked_in") == "1")
        except DomainError as refusal:
            messages.error(request, str(refusal))
        return redirect(_check_in_url(request, query, f"#registration-{registration.pk}"))
    query = request.GET.get("q", "").strip()
    rows = (
        Registration.objects.confirmed()
        .filter(event=event)
        .select_related("organisation")
        .order_by(*name_order("profile__"), "pk")  # the anonymised last
    )
    walk_ins = []
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(organisation_name__icontains=query) | Q(email__icontains=query))
        walk_ins = list(
            Profile.objects.approved()
            .filter(
                Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
                | Q(user__email__icontains=query)
                | Q(organisation__name__icontains=query)
            )
            .exclude(
                pk__in=Registration.objects.confirmed().filter(event=event, profile__isnull=False).values("profile")
            )
            .select_related("user", "organisation")
            .order_by(*name_order())[:WALK_IN_CANDIDATES]
        )
    return render(
        request,
        "events/coordinator/check_in.html",
        {
            "event": event,
            "registrations": rows,
            "query": query,
            "walk_ins": walk_ins,
            "guest_form": GuestWalkInForm(initial={"name": query} if query and "@" not in query else {"email": query}),
        },
    )


def _walk_in(request, event, query):
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an approved member to check in."))
        return redirect(_check_in_url(request, query))
    try:
        registration = services.walk_in(event, form.cleaned_data["profile"], by=request.user)
    except DomainError as refusal:
        messages.error(request, str(refusal))
        return redirect(_check_in_url(request, query))
    messages.success(request, _("%(name)s is checked in as a walk-in.") % {"name": registration.name})
    return redirect(_check_in_url(request, query, f"#registration-{registration.pk}"))


def _walk_in_guest(request, event, query):
    """A guest at the door: the form shows again with what was typed and the errors at the fields."""
    form = GuestWalkInForm(request.POST)
    if form.is_valid():
        try:
            registration = services.walk_in_guest(event, form.guest(), by=request.user)
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("%(name)s is checked in as a walk-in.") % {"name": registration.name})
            # The list searched for the new guest's name, so their row is on it whatever was searched before.
            return redirect(_check_in_url(request, registration.name, f"#registration-{registration.pk}"))
    rows = Registration.objects.confirmed().filter(event=event).select_related("organisation")
    context = {
        "event": event,
        "registrations": rows.order_by(*name_order("profile__"), "pk"),
        "query": query,
        "walk_ins": [],
        "guest_form": form,
    }
    return render(request, "events/coordinator/check_in.html", context)


@require_GET
def registrations_csv(request, slug):
    """Rule `events.manage_event`: every registration; the privacy rules of the cells live in events/exports.py."""
    event = _event_for(request, "events.manage_event", slug)
    return exports.registrations_csv(event)


@require_GET
def results(request, slug):
    """Rule `events.manage_event`: the registration counts, and the feedback survey's count, average score and
    spread, with the way to its full results (surveys:results: the open answers, by coalition, phase, discipline)."""
    event = _event_for(request, "events.manage_event", slug)
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(state=Registration.State.CONFIRMED)),
        waiting=Count("pk", filter=Q(state=Registration.State.WAITING)),
        cancelled=Count("pk", filter=Q(state=Registration.State.CANCELLED)),
        checked_in=Count("pk", filter=Q(checked_in=True)),
    )
    return render(
        request,
        "events/coordinator/results.html",
        {
            "event": event,
            "counts": counts,
            "feedback": services.feedback_summary(event),
            "needs_survey": event.needs_survey,
        },
    )


@require_http_methods(["GET", "POST"])
def ask_needs(request, slug):
    """Rule `events.manage_event`: "ask the participants-to-be what they want to learn". GET explains, the POST
    makes the event's needs inventory (events.services.ask_needs) and leads to its send page, where the coordinator
    chooses who gets it (the participants of events among the choices) through the check step. Once it exists, this
    leads there directly."""
    event = _event_for(request, "events.manage_event", slug)
    survey = event.needs_survey
    if survey is None and request.method == "POST":
        try:
            survey = services.ask_needs(event, by=request.user)
        except DomainError as refusal:
            messages.error(request, str(refusal))
            return redirect("events:ask_needs", slug=event.slug)
    if survey is not None:
        return redirect("surveys:send", slug=survey.slug)
    return render(request, "events/coordinator/ask_needs.html", {"event": event, "questions": services.NEEDS_QUESTIONS})


def send_materials(request, slug):
    """Rule `events.manage_event`: mail the materials and a feedback request to the participants, through the
    check step."""
    event = _event_for(request, "events.manage_event", slug)
    before = checkstep.composed_before(request, kinds.MaterialsMail.key, event=event.pk)
    initial = {"only_checked_in": bool(before.get("only_checked_in"))} if before else None
    # Bound on every POST: an empty one (the box left unticked) is a valid choice.
    form = SendMaterialsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        params = {"event": event.pk, "only_checked_in": form.cleaned_data["only_checked_in"]}
        if response := open_check(request, kinds.MaterialsMail.key, params, form):
            return response
    return render(
        request,
        "events/coordinator/send_materials.html",
        {"event": event, "form": form, "materials": event.materials.all()},
    )


def message(request, slug):
    """Rule `events.manage_event`: a message of the coordinator's own to those registered (a room change, parking),
    through the check step."""
    event = _event_for(request, "events.manage_event", slug)
    before = checkstep.composed_before(request, kinds.MessageMail.key, event=event.pk)
    form = MessageForm(request.POST or None, initial=before)
    if request.method == "POST" and form.is_valid():
        params = {"event": event.pk, **form.cleaned_data}
        if response := open_check(request, kinds.MessageMail.key, params, form):
            return response
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(state=Registration.State.CONFIRMED)),
        waiting=Count("pk", filter=Q(state=Registration.State.WAITING)),
    )
    return render(request, "events/coordinator/message.html", {"event": event, "form": form, "counts": counts})


def cancel_event(request, slug):
    """Rule `events.manage_event`: cancel the event. Those registered are told through the check step, and the
    event is cancelled when that mail is confirmed; an event nobody registered for, or whose registered people's
    addresses all bounced, is cancelled at once without mail."""
    event = _event_for(request, "events.manage_event", slug)
    before = checkstep.composed_before(request, kinds.CancellationMail.key, event=event.pk)
    form = CancelEventForm(request.POST if request.method == "POST" else None, initial=before)
    registered = Registration.objects.active().filter(event=event).exclude(profile__isnull=True, email="").count()
    mailable = services.mailable_of_cancellation(event) if registered and not event.is_cancelled else 0
    if request.method == "POST" and form.is_valid() and not event.is_cancelled:
        if mailable:
            params = {"event": event.pk, "reason": form.cleaned_data["reason"]}
            if response := open_check(request, kinds.CancellationMail.key, params, form):
                return response
        else:
            try:
                services.cancel_event(event, by=request.user)
            except DomainError as refusal:
                form.add_error(None, str(refusal))
            else:
                if registered:
                    messages.success(
                        request,
                        _("The event is cancelled. Nobody could be mailed: the addresses of those registered bounced."),
                    )
                else:
                    messages.success(request, _("The event is cancelled. Nobody was registered, so nobody was mailed."))
                return redirect(event)
    return render(
        request,
        "events/coordinator/cancel_event.html",
        {"event": event, "form": form, "registered": registered, "mailable": mailable},
    )


@require_GET
def mailings(request, slug):
    """Rule `events.manage_event`: every mailing about the event with how far it got."""
    event = _event_for(request, "events.manage_event", slug)
    rows = EventMailing.objects.filter(event=event).with_progress()
    return render(request, "events/coordinator/mailings.html", {"event": event, "rows": rows})


# --- Certificates of attendance ---------------------------------------------------------------------


_CERTIFICATE_RELATED = ("event__host", "event__co_host", "event__coalition", "profile")


def _certificate_response(registration):
    """The registration's certificate as a PDF download, in the active language; issues its code the first time
    (a write on GET, but once and the same whoever asks: services.issue_certificate)."""
    registration = services.issue_certificate(registration)
    certificate = certificates.Certificate.of(registration)
    pdf = certificates.render_pdf(certificate, verify_link=certificates.verify_url(registration.certificate_code))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificates.filename(certificate)}"'
    return response


@never_cache
@require_GET
def certificate_download(request, pk):
    """Rule `events.download_certificate`: the participant who was checked in, or those who manage the event."""
    registration = get_object_or_refuse(
        request,
        "events.download_certificate",
        Registration.objects.select_related(*_CERTIFICATE_RELATED),
        pk=pk,
    )
    return _certificate_response(registration)


@never_cache
@require_GET
def certificate_signed(request, token):
    """The certificate link of a mail; the signed token is the permission. It stops working when the
    registration no longer has a certificate (un-checked-in, the event cancelled) or its data is anonymised."""
    pk = certificates.read_token(token)
    registration = (
        Registration.objects.select_related(*_CERTIFICATE_RELATED).filter(pk=pk).first() if pk is not None else None
    )
    if registration is None or not registration.has_certificate or registration.is_anonymised:
        return render(request, "events/certificate_unavailable.html", status=404)
    return _certificate_response(registration)


@require_GET
def certificate_verify(request, code=None):
    """Public: whether a certificate is genuine, by the code printed on it. It shows what the certificate says
    and nothing more about the person (no address, no organisation); after the retention period only that it
    was issued. A code typed in the form (GET ?code=) goes to the code's own address."""
    if code is None:
        form = VerifyCertificateForm(request.GET or None)
        if form.is_valid():
            return redirect("events:certificate_verify", code=certificates.grouped(form.cleaned_data["code"]))
        return render(request, "events/certificate_verify.html", {"form": form})
    normalised = certificates.normalise_code(code)
    registration = (
        Registration.objects.select_related(*_CERTIFICATE_RELATED).filter(certificate_code=normalised).first()
        if normalised
        else None
    )
    if registration is None:
        form = VerifyCertificateForm({"code": code})
        if form.is_valid():  # else the form says what is wrong with the code as typed
            form.add_error("code", _("No certificate has this code. Check that you typed it as it is printed."))
        return render(request, "events/certificate_verify.html", {"form": form}, status=404)
    context = {
        "form": VerifyCertificateForm(),
        "certificate": certificates.Certificate.of(registration),
        "valid": registration.has_certificate,
        "anonymised": registration.is_anonymised,
    }
    return render(request, "events/certificate_verify.html", context)


def send_certificates(request, slug):
    """Rule `events.manage_event`: mail each participant who was checked in their own certificate link, through
    the check step; for events that took place."""
    event = _event_for(request, "events.manage_event", slug)
    form = SendCertificatesForm(request.POST if request.method == "POST" else None)
    if (
        request.method == "POST"
        and form.is_valid()
        and (response := open_check(request, kinds.CertificatesMail.key, {"event": event.pk}, form))
    ):
        return response
    attended = Registration.objects.filter(event=event, checked_in=True).exclude(state=Registration.State.CANCELLED)
    return render(
        request,
        "events/coordinator/send_certificates.html",
        {"event": event, "form": form, "attended": attended.count()},
    )


def sessions(request, slug):
    """Rule `events.manage_event`: each breakout session with its fill and participants; moving people between
    sessions, and placing everyone without a session automatically (services.assign_sessions)."""
    event = _event_for(request, "events.manage_event", slug)
    here = reverse("events:sessions", kwargs={"slug": event.slug})
    if request.method == "POST":
        if request.POST.get("action") == "assign":
            placing_form = PlacingForm(request.POST, event=event)
            if not placing_form.is_valid():
                messages.error(request, _("Choose how to place them."))
                return redirect(here)
            placing, question = placing_form.chosen()
            try:
                done = services.assign_sessions(event, by=request.user, placing=placing, question=question)
            except DomainError as refusal:
                messages.error(request, str(refusal))
            else:
                placed = _("%(count)d participants were placed in a session.") % {"count": done.assigned}
                messages.success(request, placed)
                if done.left:
                    messages.warning(
                        request,
                        _("%(count)d participants found every session full: raise a session's seats and try again.")
                        % {"count": done.left},
                    )
            return redirect(here)
        form = MoveForm(request.POST, event=event)
        if form.is_valid():
            registration = get_object_or_404(Registration, pk=form.cleaned_data["registration"], event=event)
            try:
                services.choose_session(registration, form.cleaned_data["session"], by=request.user)
            except DomainError as refusal:
                messages.error(request, f"{registration.name}: {refusal}")
            else:
                messages.success(request, _("%(name)s is moved.") % {"name": registration.name})
            return redirect(f"{here}#registration-{registration.pk}")
        messages.error(request, _("Choose a session to move to."))
        return redirect(here)
    session_list = list(event.sessions.with_taken())
    registrations = (
        Registration.objects.active()
        .filter(event=event)
        .select_related("organisation")
        .order_by(*name_order("profile__"), "pk")
    )
    by_session = {session.pk: [] for session in session_list}
    unassigned, waiting = [], []
    for registration in registrations:
        if registration.is_waiting:
            waiting.append(registration)
        else:
            by_session.get(registration.session_id, unassigned).append(registration)
    names = {session.pk: session.title for session in session_list}
    for registration in waiting:
        registration.wish = names.get(registration.session_id, "")
    return render(
        request,
        "events/coordinator/sessions.html",
        {
            "event": event,
            "groups": [(session, by_session[session.pk]) for session in session_list],
            "unassigned": unassigned,
            "waiting": waiting,
            "session_list": session_list,
            "placing_form": PlacingForm(event=event),
        },
    )


def overview(request, slug):
    """Rule `events.manage_event`: before the event, the programme and the participant overview to every confirmed
    participant (through the check step), beside the free message to those registered."""
    event = _event_for(request, "events.manage_event", slug)
    if request.method == "POST":
        try:
            check = checkstep.open_check(kinds.OverviewMail.key, {"event": event.pk}, by=request.user)
        except DomainError as refusal:
            messages.error(request, str(refusal))
            return redirect("events:overview", slug=event.slug)
        return redirect(check.get_absolute_url())
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(state=Registration.State.CONFIRMED)),
        listed=Count("pk", filter=Q(pk__in=Registration.objects.filter(event=event).listed().values("pk"))),
    )
    programme = list(event.programme.select_related("session").prefetch_related("speakers__organisation"))
    sent = EventMailing.objects.filter(event=event, purpose=EventMailing.Purpose.OVERVIEW).with_progress()
    return render(
        request,
        "events/coordinator/overview.html",
        {"event": event, "counts": counts, "programme": programme, "sent": list(sent)},
    )


# --- Series ---------------------------------------------------------------------------------------


@require_GET
def series_detail(request, slug):
    """A series' page, public: its description, the coming and the past dates (drafts only for coordinators)."""
    series = get_object_or_404(Series, slug=slug)
    now = timezone.now()
    events = series.events.visible_to(request.user).select_related("coalition")
    context = {
        "series": series,
        "coming": list(events.upcoming(now)),
        "past": list(events.past(now)),
    }
    return render(request, "events/series_detail.html", context)


@require_GET
def series_feed(request, slug):
    """The public iCal feed of a series: its published dates, never a meeting link, no drafts, no cancelled dates."""
    series = get_object_or_404(Series, slug=slug)
    events = series.events.published().listed().order_by("starts_at", "pk")
    text = calendar.public_feed_ics(events, name=series.title)
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{series.slug}.ics"'
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    return response


# --- A group's meetings, their notes and the cases of a case consultation (issue 18) ---------------------------------


def group_meeting_context(event, user):
    """What the event page shows of a group's meeting: its group, and to those who see inside the group its notes
    and cases; None for any other event."""
    if event.group_id is None:
        return None
    can_view_notes = user.has_perm("events.view_notes", event)
    notes = services.notes_of(event) if can_view_notes else None
    return {
        "group": event.group,
        "notes": notes,
        "decisions_html": mark_safe(render_markdown(notes.decisions)) if notes else "",  # sanitised by nh3
        "summary_html": mark_safe(render_markdown(notes.summary)) if notes else "",  # sanitised by nh3
        "can_write_notes": user.has_perm("events.write_notes", event),
        "can_view_cases": user.has_perm("events.view_cases", event),
        "can_submit_case": user.has_perm("events.submit_case", event),
    }


def plan_group_meeting(request, slug):
    """Rule `events.plan_group_meeting`: a coordinator of the group (or of its coalition) plans a meeting of it;
    its members register for it as for any event."""
    group = get_object_or_refuse(
        request, "events.plan_group_meeting", Group.objects.select_related("coalition"), slug=slug
    )
    form = GroupMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.plan_group_meeting(group, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The meeting is planned. The group's members can register for it now."))
            return redirect(event)
    return render(request, "events/meeting_plan.html", {"group": group, "form": form})


def _group_meeting(request, permission, slug):
    """The group's meeting `slug` names if `permission` allows; a meeting one may not see is not found (404),
    except that a visitor is sent to log in first."""
    if not request.user.is_authenticated:
        refuse(request.user, permission)
    events = Event.objects.visible_to(request.user).select_related("group__coalition", "coalition")
    event = get_object_or_404(events, slug=slug, group__isnull=False)
    if not request.user.has_perm(permission, event):
        refuse(request.user, permission)
    return event


def meeting_notes(request, slug):
    """Rule `events.view_notes` to read a meeting's notes; `events.write_notes` to write them (decisions, other
    notes, the group's actions it created and closed) and to send them to the group through the check step."""
    event = _group_meeting(request, "events.view_notes", slug)
    can_write = request.user.has_perm("events.write_notes", event)
    notes = services.notes_of(event)
    form = None
    if can_write:
        actions = Action.objects.filter(group=event.group).order_by("status", "due_on", "pk")
        initial = None
        if notes is not None:
            initial = {
                "decisions": notes.decisions,
                "summary": notes.summary,
                "actions_created": list(notes.actions_created.all()),
                "actions_closed": list(notes.actions_closed.all()),
            }
        form = MeetingNotesForm(request.POST or None, actions=actions, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.write_notes(event, by=request.user, **form.cleaned_data)
            except DomainError as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("The notes are saved. Send them to the group when they are complete."))
                return redirect("events:meeting_notes", slug=event.slug)
    elif request.method == "POST":
        refuse(request.user, "events.write_notes")
    context = {
        "event": event,
        "group": event.group,
        "notes": notes,
        "decisions_html": mark_safe(render_markdown(notes.decisions)) if notes else "",  # sanitised by nh3
        "summary_html": mark_safe(render_markdown(notes.summary)) if notes else "",  # sanitised by nh3
        "form": form,
    }
    return render(request, "events/meeting_notes.html", context)


@require_POST
def send_meeting_notes(request, slug):
    """Rule `events.write_notes`: "Send to the group" counts the group's members and opens the check page."""
    event = _group_meeting(request, "events.write_notes", slug)
    try:
        check = checkstep.open_check(kinds.GroupNotesMail.key, {"event": event.pk}, by=request.user)
    except DomainError as refusal:
        messages.error(request, str(refusal))
        return redirect("events:meeting_notes", slug=event.slug)
    return redirect(check.get_absolute_url())


def case_new(request, slug):
    """Rule `events.submit_case`: a member of a case consultation puts a case to a coming meeting, as a theme and a
    question only, under the fixed warning; identifiers are refused at the field, with the rest kept."""
    event = _group_meeting(request, "events.submit_case", slug)
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_case(event, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Your case is put to the meeting."))
            return redirect("events:case_list", slug=event.slug)
    return render(request, "events/case_form.html", {"event": event, "form": form, "warning": CASE_WARNING})


@require_GET
def case_list(request, slug):
    """Rule `events.view_cases`: the cases of a case consultation meeting, for those who see inside the group."""
    event = _group_meeting(request, "events.view_cases", slug)
    cases = list(event.cases.select_related("submitted_by"))
    can_advise = request.user.has_perm("events.record_advice", cases[0]) if cases else False
    context = {
        "event": event,
        "group": event.group,
        "cases": cases,
        "can_advise": can_advise,
        "can_submit_case": request.user.has_perm("events.submit_case", event),
        "warning": CASE_WARNING,
    }
    return render(request, "events/case_list.html", context)


def case_advice(request, pk):
    """Rule `events.record_advice`: a coordinator of the consultation records what it advised on a case."""
    case = get_object_or_refuse(
        request, "events.record_advice", Case.objects.select_related("event__group__coalition"), pk=pk
    )
    form = AdviceForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_advice(case, by=request.user, advice=form.cleaned_data["advice"])
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The advice is saved."))
            return redirect("events:case_list", slug=case.event.slug)
    return render(
        request, "events/case_advice.html", {"case": case, "event": case.event, "form": form, "warning": CASE_WARNING}
    )
