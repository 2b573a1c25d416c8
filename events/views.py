"""Pages of the events: lists, the event page, registering, calendars, invitations and follow-up."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalition.access import get_object_or_refuse, permission_required
from coalition.mail import absolute_url
from coalition.roles import is_approved_member, is_coordinator, is_editor
from coalition.rules import DomainError, refuse

from . import calendar, services
from .forms import AudienceForm, CancelEventForm, FeedbackForm, RegistrationForm, SendMaterialsForm
from .models import CalendarFeed, Event, EventMailing, Feedback, Invitation, Material, Registration

EVENTS_PER_PAGE = 20


# --- Permission questions (named in every view that shows participant data) -----------------------


def own_registration(event, user):
    """The user's registration for the event, or None."""
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if profile is None:
        return None
    return Registration.objects.filter(event=event, profile=profile).first()


def may_see_participant_details(event, user):
    """The meeting link, the participant list and the materials (rule `events.view_participants`).

    The rule asks the person's standing now: a member declined or deactivated after registering loses them.
    """
    return user.has_perm("events.view_participants", event)


def _visible_event(request, slug):
    return get_object_or_404(
        Event.objects.visible_to(request.user).select_related("host", "co_host", "edition"), slug=slug
    )


def _coordinator_event(request, slug):
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not is_coordinator(request.user):
        raise PermissionDenied
    return get_object_or_404(Event, slug=slug)


# --- Public lists and the event page ------------------------------------------------------------


def _listing(request, events, *, past):
    events = events.with_counts().select_related("host", "co_host")
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
    return render(request, "events/event_list.html", {"page_obj": page, "events": page.object_list, "past": past})


@require_GET
def event_list(request):
    """Upcoming events, public."""
    return _listing(request, Event.objects.visible_to(request.user).upcoming(), past=False)


@require_GET
def past_events(request):
    return _listing(request, Event.objects.visible_to(request.user).past(), past=True)


@require_GET
def event_detail(request, slug):
    event = get_object_or_404(
        Event.objects.visible_to(request.user).with_counts().select_related("host", "co_host", "edition"), slug=slug
    )
    registration = own_registration(event, request.user)
    coordinator = is_coordinator(request.user)
    private = may_see_participant_details(event, request.user)
    # An edition still in the making stays invisible to all but the editorial team and coordinators.
    edition = event.edition if event.edition and (event.edition.is_published or is_editor(request.user)) else None
    context = {
        "event": event,
        "edition": edition,
        "registration": registration,
        "waiting_position": registration.waiting_position() if registration else None,
        "can_register": event.is_open_for_registration()
        and is_approved_member(request.user)
        and (registration is None or registration.is_cancelled),
        "is_member": is_approved_member(request.user),
        # The meeting link, participant list and materials: confirmed participants and coordinators only.
        "show_private": private,
        "materials": list(event.materials.all()) if private else [],
        "can_give_feedback": request.user.has_perm("events.give_feedback", event),
        "can_cancel": registration is not None and registration.can_be_cancelled_by_member(),
        "is_event_coordinator": coordinator,
    }
    return render(request, "events/event_detail.html", context)


@login_required
def register(request, slug):
    event = _visible_event(request, slug)
    if not is_approved_member(request.user):
        refuse(request.user, "events.register")
    registration = own_registration(event, request.user)
    if registration is not None and not registration.is_cancelled:
        messages.info(request, _("You are already registered for this event."))
        return redirect(event)
    form = RegistrationForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.register(
                event,
                request.user,
                coalition_progress=form.cleaned_data["coalition_progress"],
                answers=form.answers(),
                consent_to_list=form.cleaned_data["consent_to_list"],
            )
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


@login_required
@require_POST
def cancel_registration(request, pk):
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


@login_required
@permission_required("events.view_own_registrations")
@require_GET
def my_registrations(request):
    profile = getattr(request.user, "profile", None)
    registrations = []
    feed = None
    if profile is not None:
        registrations = list(
            Registration.objects.active().filter(profile=profile).select_related("event").order_by("-event__starts_at")
        )
        feed = CalendarFeed.objects.filter(profile=profile).first()
    now = timezone.now()
    upcoming = [r for r in registrations if r.event.ends_at >= now]
    upcoming.reverse()
    past = [r for r in registrations if r.event.ends_at < now]
    waiting = {r.pk: r for r in upcoming if r.is_waiting}
    if waiting:
        # Every position in one query instead of one count per waiting place.
        queue = (
            Registration.objects.waiting()
            .filter(event_id__in={r.event_id for r in waiting.values()})
            .order_by("event_id", "waiting_since", "pk")
            .values_list("pk", "event_id")
        )
        ahead = {}
        for pk, event_id in queue:
            ahead[event_id] = ahead.get(event_id, 0) + 1
            if pk in waiting:
                waiting[pk].position = ahead[event_id]
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


@login_required
@permission_required("events.view_own_registrations")
@require_POST
def renew_calendar_feed(request):
    profile = getattr(request.user, "profile", None)
    if profile is None:
        raise PermissionDenied
    services.renew_calendar_feed(profile)
    messages.success(request, _("Your calendar has a new secret address; the old one no longer works."))
    return redirect("events:my_registrations")


# --- Calendars ------------------------------------------------------------------------------------


def _ics_response(text, filename):
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_ics(request, slug):
    event = _visible_event(request, slug)
    # The meeting link goes in only for those allowed to see it.
    private = may_see_participant_details(event, request.user)
    return _ics_response(calendar.event_ics(event, private=private), f"{event.slug}.ics")


@never_cache
@require_GET
def calendar_feed(request, token):
    """The secret feed: the token is the permission; renewing it revokes the old address.

    It holds meeting links, so it answers only while its owner is an approved, active member: a person
    declined or deactivated after registering gets the same 404 as a wrong token.
    """
    feed = get_object_or_404(CalendarFeed.objects.select_related("profile__user"), token=token)
    if not is_approved_member(feed.profile.user):
        raise Http404
    events = Event.objects.filter(
        registrations__profile=feed.profile, registrations__state=Registration.State.CONFIRMED
    ).exclude(state=Event.State.DRAFT)
    text = calendar.feed_ics(events.order_by("starts_at"), name=f"{settings.SITE_NAME}")
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response


# --- The participant list, materials and feedback ---------------------------------------------------


@login_required
@require_GET
def participants(request, slug):
    event = _visible_event(request, slug)
    if not may_see_participant_details(event, request.user):
        refuse(request.user, "events.view_participants")
    listed = Registration.objects.listed().filter(event=event).select_related("profile", "organisation")
    return render(request, "events/participants.html", {"event": event, "participants": listed})


@login_required
@require_GET
def material_download(request, pk):
    material = get_object_or_404(Material.objects.select_related("event"), pk=pk)
    if not may_see_participant_details(material.event, request.user):
        refuse(request.user, "events.view_participants")
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=material.filename)


@login_required
def feedback(request, slug):
    event = _visible_event(request, slug)
    if not request.user.has_perm("events.give_feedback", event):
        refuse(request.user, "events.give_feedback")
    registration = own_registration(event, request.user)
    existing = Feedback.objects.filter(registration=registration).first()
    initial = (
        {"score": existing.score, "valuable": existing.valuable, "improve": existing.improve} if existing else None
    )
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_feedback(registration, **form.cleaned_data)
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Thank you for your feedback!"))
            return redirect(event)
    return render(request, "events/feedback.html", {"event": event, "form": form, "is_update": existing is not None})


# --- One-click links from mails -------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_answer(request, token):
    """The link from the invitation mail; the signed token is the permission.

    GET only shows the answer with one button: mail security scanners open every link in a mail,
    and a GET that acted would register people (or give away their seat) without them knowing.
    The button POSTs, and only that records the answer.
    """
    try:
        invitation, answer = services.read_answer_token(token)
    except DomainError as refusal:
        return render(request, "events/invitation_answer.html", {"error": str(refusal)}, status=400)
    if request.method == "GET":
        if invitation.event.is_cancelled:
            return render(
                request,
                "events/invitation_answer.html",
                {"error": _("This event has been cancelled."), "event": invitation.event},
                status=409,
            )
        return render(
            request,
            "events/invitation_confirm.html",
            {"event": invitation.event, "answer": answer, "already": invitation.answer == answer},
        )
    previous = invitation.answer
    try:
        registration = services.answer_invitation(invitation, answer=answer)
    except DomainError as refusal:
        return render(
            request, "events/invitation_answer.html", {"error": str(refusal), "event": invitation.event}, status=409
        )
    if registration is not None:
        registration.position = registration.waiting_position()
    return render(
        request,
        "events/invitation_answer.html",
        {
            "event": invitation.event,
            "answer": answer,
            "already": previous == answer,
            "registration": registration,
            "other_url": services.answer_url(
                invitation,
                Invitation.Answer.NOT_COMING if answer == Invitation.Answer.COMING else Invitation.Answer.COMING,
            ),
            "has_account": invitation.profile_id is not None,
        },
    )


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a CSRF token; the signed token guards it.
@never_cache
def opt_out(request, token):
    if request.method == "POST":
        try:
            email = services.opt_out(token)
        except DomainError as refusal:
            return render(request, "events/opt_out.html", {"error": str(refusal)}, status=400)
        return render(request, "events/opt_out.html", {"done": True, "email": email})
    return render(request, "events/opt_out.html", {"token": token})


# --- Coordinator tools (linked from the admin) ------------------------------------------------------


def invite(request, slug):
    """Compose an audience, see how many people it reaches, then send."""
    event = _coordinator_event(request, slug)
    form = AudienceForm(request.POST or None)
    audience = None
    if request.method == "POST" and form.is_valid():
        people = services.build_audience(**form.criteria())
        already = set(Invitation.objects.filter(event=event).values_list("email", flat=True))
        audience = [p for p in people if p.email not in already]
        if "send" in request.POST:
            try:
                count = services.send_invitations(
                    event, audience=audience, by=request.user, message=form.cleaned_data["message"]
                )
            except DomainError as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("%(count)d invitations are on their way.") % {"count": count})
                return redirect("events:invitations", slug=event.slug)
    return render(
        request,
        "events/coordinator/invite.html",
        {"event": event, "form": form, "audience": audience, "preview": audience[:50] if audience else []},
    )


def invitations(request, slug):
    event = _coordinator_event(request, slug)
    if request.method == "POST":
        try:
            count = services.remind_invitations(event, by=request.user)
        except DomainError as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("%(count)d reminders are on their way.") % {"count": count})
        return redirect("events:invitations", slug=event.slug)
    rows = Invitation.objects.filter(event=event).order_by("answer", "name", "email")
    totals = dict(rows.order_by().values_list("answer").annotate(n=Count("pk")))
    remindable = rows.filter(answer=Invitation.Answer.NO_ANSWER, reminded_at__isnull=True).count()
    return render(
        request,
        "events/coordinator/invitations.html",
        {
            "event": event,
            "invitations": rows,
            "coming": totals.get(Invitation.Answer.COMING, 0),
            "not_coming": totals.get(Invitation.Answer.NOT_COMING, 0),
            "no_answer": totals.get(Invitation.Answer.NO_ANSWER, 0),
            "remindable": remindable,
        },
    )


def check_in_list(request, slug):
    """A printable list of confirmed participants; ticking a row checks the person in."""
    event = _coordinator_event(request, slug)
    if request.method == "POST":
        registration = get_object_or_404(Registration, pk=request.POST.get("registration"), event=event)
        try:
            services.check_in(registration, by=request.user, checked_in=request.POST.get("checked_in") == "1")
        except DomainError as refusal:
            messages.error(request, str(refusal))
        return redirect(f"{request.path}#registration-{registration.pk}")
    rows = Registration.objects.confirmed().filter(event=event).select_related("organisation").order_by("name", "pk")
    return render(request, "events/coordinator/check_in.html", {"event": event, "registrations": rows})


# Spreadsheet programs run cells that start with these as formulas.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def registrations_csv(request, slug):
    """All registrations; contact details only as each person's visibility setting allows coordinators."""
    event = _coordinator_event(request, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-registrations.csv"'
    response.write("\ufeff")  # Excel needs the BOM to read UTF-8
    writer = csv.writer(response, delimiter=";")
    questions = event.questions()
    writer.writerow(
        [
            _("Name"),
            _("E-mail address"),
            _("Organisation"),
            _("Discipline"),
            _("State"),
            _("Waiting since"),
            _("Checked in"),
            _("On the participant list"),
            *questions,
        ]
    )
    rows = Registration.objects.filter(event=event).select_related("profile__user").order_by("state", "registered_at")
    for r in rows:
        # Coordinators may see an e-mail address whatever its setting (members or coordinators); a
        # profile that is no longer listed or approved still shows only what the registration kept.
        email = r.profile.user.email if r.profile and r.profile.is_approved else ""
        writer.writerow(
            [
                neutralise(value)
                for value in [
                    r.name,
                    email,
                    r.organisation_name,
                    r.discipline,
                    r.get_state_display(),
                    timezone.localtime(r.waiting_since).strftime("%d-%m-%Y %H:%M") if r.waiting_since else "",
                    _("yes") if r.checked_in else _("no"),
                    _("yes") if r.consent_to_list else _("no"),
                    r.coalition_progress,
                    *[r.answers.get(q, "") for q in questions[1:]],
                ]
            ]
        )
    return response


def results(request, slug):
    event = _coordinator_event(request, slug)
    rows = Feedback.objects.filter(event=event).order_by("-submitted_at")
    summary = rows.aggregate(average=Avg("score"), count=Count("pk"))
    distribution = dict(rows.order_by().values_list("score").annotate(n=Count("pk")))
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
            "feedback": rows,
            "summary": summary,
            "distribution": [(score, distribution.get(score, 0)) for score in range(5, 0, -1)],
            "counts": counts,
        },
    )


def send_materials(request, slug):
    event = _coordinator_event(request, slug)
    form = SendMaterialsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.send_materials(
                event, by=request.user, only_checked_in=form.cleaned_data["only_checked_in"]
            )
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The materials are on their way to %(count)d participants.") % {"count": count})
            return redirect("events:results", slug=event.slug)
    return render(
        request,
        "events/coordinator/send_materials.html",
        {"event": event, "form": form, "materials": event.materials.all()},
    )


def cancel_event(request, slug):
    event = _coordinator_event(request, slug)
    form = CancelEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_event(event, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The event is cancelled and everyone registered is being told."))
            return redirect(event)
    return render(request, "events/coordinator/cancel_event.html", {"event": event, "form": form})


def mailings(request, slug):
    event = _coordinator_event(request, slug)
    rows = (
        EventMailing.objects.filter(event=event)
        .select_related("mailing")
        .annotate(
            total=Count("mailing__deliveries"),
            sent=Count("mailing__deliveries", filter=Q(mailing__deliveries__state="sent")),
            failed=Count("mailing__deliveries", filter=Q(mailing__deliveries__state="failed")),
        )
    )
    return render(request, "events/coordinator/mailings.html", {"event": event, "rows": rows})
