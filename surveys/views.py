"""Views of the surveys: thin, each asks its rule, binds a form and calls a service."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from coalition import checkstep
from coalition.access import get_object_or_refuse
from coalition.models import MailCheck
from coalition.rules import DomainError, NotAllowed, refuse
from network.audiences import Segment
from network.forms import SegmentForm
from network.models import Coalition

from . import services
from .exports import survey_csv
from .forms import AnswerForm
from .mailings import InvitationMail, ReminderMail
from .models import MIN_GROUP, Participant, Response, Survey
from .results import BREAKDOWNS, survey_results
from .services import AlreadyAnswered, InvalidAnswers, SurveyNotOpen, ensure_open, participant_of, submit_response


def _survey_for_results(request, slug):
    return get_object_or_refuse(request, "surveys.view_results", Survey.objects.select_related("coalition"), slug=slug)


@require_GET
def results(request, slug):
    """Rule `surveys.view_results`. Per question a table (and, with JavaScript, a bar chart of the same numbers),
    optionally broken down by phase, coalition or discipline (`?by=`); an anonymous survey shows no figure about
    fewer than MIN_GROUP people (surveys.results)."""
    survey = _survey_for_results(request, slug)
    by = request.GET.get("by")
    url = reverse("surveys:results", kwargs={"slug": survey.slug})
    breakdowns = [(None, _("All answers"), url)] + [
        (key, label, f"{url}?by={key}") for key, label in BREAKDOWNS.items()
    ]
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "results": survey_results(survey, by=by),
            "breakdowns": breakdowns,
            "min_group": MIN_GROUP,
        },
    )


@require_GET
def results_csv(request, slug):
    """Rule `surveys.view_results`. Every response as a row (surveys.exports says what an anonymous row keeps)."""
    survey = _survey_for_results(request, slug)
    if survey.is_anonymous and survey.responses.count() < MIN_GROUP:
        messages.info(request, _("This anonymous survey has too few answers to download them yet."))
        return redirect("surveys:results", slug=survey.slug)
    return survey_csv(survey)


@require_GET
def survey_list(request):
    """Rule `surveys.view_survey_list`: the open surveys a member can answer: those open on the site, and those
    they were sent (by their personal link) and have not answered, or answered by name and can still change.
    Each says whether they answered and when it closes."""
    if not request.user.has_perm("surveys.view_survey_list"):
        refuse(request.user, "surveys.view_survey_list")
    profile = getattr(request.user, "profile", None)
    mine = Participant.objects.filter(survey=OuterRef("pk"), profile=profile) if profile else Participant.objects.none()
    surveys = (
        Survey.objects.open()
        .annotate(
            my_token=Subquery(mine.values("token")[:1]),
            answered=Exists(mine.filter(answered_at__isnull=False)),
        )
        .filter(
            Q(open_on_site=True)
            | Q(my_token__isnull=False, answered=False)
            | Q(my_token__isnull=False, is_anonymous=False)
        )
        .order_by("answered", "closes_at", "title", "pk")
    )
    return render(request, "surveys/survey_list.html", {"surveys": surveys})


def _survey_on_site(request, slug):
    """A published survey by its address, for someone who may answer it on the site (a draft is a 404)."""
    return get_object_or_refuse(request, "surveys.answer_on_site", Survey.objects.published(), slug=slug)


@never_cache
@require_http_methods(["GET", "POST"])
def survey_detail(request, slug):
    """Rule `surveys.answer_on_site`: answer a survey on the site as a member; a named survey's answers are shown
    again to change until the close."""
    survey = _survey_on_site(request, slug)
    participant = participant_of(survey, request.user)
    return _answer(
        request,
        survey,
        participant,
        submit=lambda answers: submit_response(survey, user=request.user, answers=answers),
        thanks_url=reverse("surveys:survey_thanks", kwargs={"slug": survey.slug}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def answer_by_link(request, token):
    """The personal link from the mail (by its token, no login): anyone who has it answers as that participant."""
    participant = _participant_by_token(token)
    if participant is None:
        return _invalid_link(request)
    survey = participant.survey
    return _answer(
        request,
        survey,
        participant,
        submit=lambda answers: submit_response(survey, participant=participant, answers=answers),
        thanks_url=reverse("surveys:answer_thanks", kwargs={"token": token}),
    )


def _participant_by_token(token):
    """The participant of a published survey with this link; None for an unknown, tampered or withdrawn one."""
    return (
        Participant.objects.filter(token=token, survey__state=Survey.State.PUBLISHED).select_related("survey").first()
    )


def _invalid_link(request):
    return render(request, "surveys/invalid_link.html", status=404)


def _answer(request, survey, participant, *, submit, thanks_url):
    """The answer page for both ways in: closed or already answered (anonymous) says so; otherwise the form,
    with a named survey's stored answers to change."""
    try:
        ensure_open(survey)
    except SurveyNotOpen as refusal:
        return _not_open(request, survey, str(refusal))
    answered = participant is not None and participant.answered_at is not None
    if answered and survey.is_anonymous:
        return _already_answered(request, survey)
    response = Response.objects.filter(participant=participant).first() if answered else None
    questions = survey.questions.all()
    sections = list(survey.sections.all())
    form = AnswerForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        sections=sections,
        answers=response.answers if response else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            submit(form.answers())
        except SurveyNotOpen as refusal:
            return _not_open(request, survey, str(refusal))
        except AlreadyAnswered:
            return _already_answered(request, survey)
        except InvalidAnswers as refusal:
            for message in refusal.error.messages:
                form.add_error(None, message)
        except NotAllowed:
            refuse(request.user, "surveys.answer_on_site")
        else:
            return redirect(thanks_url)
    return render(
        request,
        "surveys/answer.html",
        {"survey": survey, "form": form, "response": response, "question_count": len(form.questions.questions)},
    )


def _not_open(request, survey, message):
    return render(request, "surveys/not_open.html", {"survey": survey, "message": message})


def _already_answered(request, survey):
    return render(request, "surveys/already_answered.html", {"survey": survey})


@require_GET
def survey_thanks(request, slug):
    """Rule `surveys.answer_on_site`: the thanks after answering on the site (the form again before answering)."""
    survey = _survey_on_site(request, slug)
    participant = participant_of(survey, request.user)
    if participant is None or participant.answered_at is None:
        return redirect(survey.get_absolute_url())
    return _thanks(request, survey, edit_url=survey.get_absolute_url())


@require_GET
def answer_thanks(request, token):
    """The thanks after answering by the personal link (by its token, no login)."""
    participant = _participant_by_token(token)
    if participant is None:
        return _invalid_link(request)
    edit_url = reverse("surveys:answer_by_link", kwargs={"token": token})
    if participant.answered_at is None:
        return redirect(edit_url)
    return _thanks(request, participant.survey, edit_url=edit_url)


def _thanks(request, survey, *, edit_url):
    return render(
        request,
        "surveys/thanks.html",
        {
            "survey": survey,
            "may_change": not survey.is_anonymous and survey.is_open(),
            "edit_url": edit_url,
            "may_see_results": request.user.has_perm("surveys.view_results", survey),
        },
    )


def _managed_surveys(user):
    """The surveys `user` manages: every one for a regional coordinator, their coalitions' for a coalition's."""
    surveys = Survey.objects.all()
    ids = services.sendable_coalition_ids(user)
    if ids is not None:
        surveys = surveys.filter(coalition__in=ids)
    return surveys


def _managed_survey(request, slug):
    return get_object_or_refuse(request, "surveys.manage_survey", Survey.objects.select_related("coalition"), slug=slug)


# A region's coordinator manages every event's feedback survey too: hundreds within a few years, newest first.
SURVEYS_PER_PAGE = 50


@require_GET
def manage_list(request):
    """Rule `surveys.add_survey_of_own`: the surveys this coordinator manages, with how the answers come in."""
    if not request.user.has_perm("surveys.add_survey_of_own"):
        refuse(request.user, "surveys.add_survey_of_own")
    surveys = services.with_response_numbers(_managed_surveys(request.user).select_related("coalition"))
    page = Paginator(surveys.order_by("-created_at", "-pk"), SURVEYS_PER_PAGE).get_page(request.GET.get("page"))
    for survey in page.object_list:
        survey.response_rate = services.response_rate(survey.answered_count, survey.invited_count)
    return render(
        request,
        "surveys/manage_list.html",
        {"page_obj": page, "surveys": page.object_list, "may_build": request.user.has_perm("surveys.add_survey")},
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
    before = checkstep.composed_before(request, InvitationMail.key, survey=survey.pk)
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
            "invited": survey.participants.filter(invited_at__isnull=False).count(),
        },
    )
