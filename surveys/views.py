"""Views of the surveys: thin, each asks its rule, binds a form and calls a service."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coalition import checkstep
from coalition.access import get_object_or_refuse
from coalition.models import MailCheck
from coalition.rules import DomainError, refuse
from network.audiences import Segment
from network.forms import SegmentForm
from network.models import Coalition

from . import services
from .mailings import InvitationMail, ReminderMail
from .models import Survey

# --- Sending and following (coordinators) -------------------------------------------------------------------------


def _managed_surveys(user):
    """The surveys `user` manages: every one for a regional coordinator, their coalitions' for a coalition's."""
    surveys = Survey.objects.all()
    ids = services.sendable_coalition_ids(user)
    if ids is not None:
        surveys = surveys.filter(coalition__in=ids)
    return surveys


def _managed_survey(request, slug):
    return get_object_or_refuse(request, "surveys.manage_survey", Survey.objects.select_related("coalition"), slug=slug)


@require_GET
def manage_list(request):
    """Rule `surveys.add_survey_of_own`: the surveys this coordinator manages, with how the answers come in."""
    if not request.user.has_perm("surveys.add_survey_of_own"):
        refuse(request.user, "surveys.add_survey_of_own")
    surveys = list(
        services.with_response_numbers(_managed_surveys(request.user).select_related("coalition")).order_by(
            "-created_at", "-pk"
        )
    )
    for survey in surveys:
        survey.response_rate = services.response_rate(survey.answered_count, survey.invited_count)
    return render(
        request,
        "surveys/manage_list.html",
        {"surveys": surveys, "may_build": request.user.has_perm("surveys.add_survey")},
    )


@require_http_methods(["GET", "POST"])
def manage(request, slug):
    """Rule `surveys.manage_survey`: the survey's state and dates, the audience it went to, invited / answered / the
    response rate as it comes in (also for an anonymous survey: whether, never what), and the tools: send, remind
    once (a POST here opens the reminder's check step), the results and the admin."""
    survey = _managed_survey(request, slug)
    if request.method == "POST":
        try:
            check = checkstep.open_check(ReminderMail.key, {"survey": survey.pk}, by=request.user)
        except DomainError as refusal:
            messages.error(request, str(refusal))
            return redirect("surveys:manage", slug=survey.slug)
        return redirect(check.get_absolute_url())
    numbers = services.response_numbers(survey)
    sendings = (
        MailCheck.objects.filter(
            kind__in=[InvitationMail.key, ReminderMail.key], params__survey=survey.pk, confirmed_at__isnull=False
        )
        .select_related("mailing")
        .order_by("confirmed_at", "pk")
    )
    return render(
        request,
        "surveys/manage.html",
        {
            "survey": survey,
            "numbers": numbers,
            "audience": services.segment_summary(survey.segment) if survey.segment else [],
            "sendings": [
                (check, _("Reminder") if check.kind == ReminderMail.key else _("Invitation")) for check in sendings
            ],
            "sending_problem": services.sending_problem(survey),
            "reminding_problem": (
                services.reminding_problem(survey) if survey.sent_at and not survey.reminded_at else ""
            ),
            "may_edit": request.user.has_perm("surveys.change_survey", survey),
        },
    )


def composed_before(request, key, survey):
    """What this person last chose for `survey` and did not send, when they come back from the check page with
    "Change" (?again=1); else None."""
    if not request.GET.get("again"):
        return None
    check = (
        MailCheck.objects.filter(kind=key, created_by=request.user, confirmed_at__isnull=True, params__survey=survey.pk)
        .order_by("-created_at", "-pk")
        .first()
    )
    return check.params if check else None


def _segment_form(request, initial):
    """Who it goes to: any part of the network for a regional coordinator; for a coalition coordinator the people
    of their own coalitions only, without the groups that reach beyond them (as announcements and invitations)."""
    ids = services.sendable_coalition_ids(request.user)
    limited = ids is not None
    return SegmentForm(
        request.POST if request.method == "POST" else None,
        coalitions=Coalition.objects.filter(pk__in=ids) if limited else None,
        sources=() if limited else None,
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
def send(request, slug):
    """Rule `surveys.manage_survey`: choose a part of the network (network.audiences); the check page counts who it
    reaches, without those already invited, shows the mail and sends it at confirm. Sending again reaches only those
    not invited before."""
    survey = _managed_survey(request, slug)
    before = composed_before(request, InvitationMail.key, survey)
    params = before.get("segment") if before else survey.segment
    segment_form = _segment_form(request, Segment.from_params(params).initial() if params else None)
    if request.method == "POST" and segment_form.is_valid():
        segment = segment_form.segment()
        try:
            services.ensure_segment_allowed(segment, by=request.user)
            check = checkstep.open_check(
                InvitationMail.key, {"survey": survey.pk, "segment": segment.to_params()}, by=request.user
            )
        except DomainError as refusal:
            segment_form.add_error(None, str(refusal))
        else:
            return redirect(check.get_absolute_url())
    return render(
        request,
        "surveys/send.html",
        {
            "survey": survey,
            "segment_form": segment_form,
            "sending_problem": services.sending_problem(survey),
            "invited": survey.participants.filter(Q(invited_at__isnull=False)).count(),
        },
    )
