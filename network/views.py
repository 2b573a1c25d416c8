"""Pages of the network: the coalitions, a coalition's page, asking to join, answering requests, the phase, the
regional overview and its CSV."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coalition import ratelimits
from coalition.access import get_object_or_refuse, permission_required
from coalition.exports import csv_response
from coalition.markdown import render_markdown
from coalition.rules import is_approved_member

from . import services
from .exports import SORT_KEYS, overview, overview_table
from .forms import AcceptJoinRequestForm, CoalitionFilterForm, DeclineJoinRequestForm, JoinRequestForm, PhaseChangeForm
from .models import (
    Circle,
    Coalition,
    CoalitionCoordinator,
    Declaration,
    JoinRequest,
    Partnership,
    Phase,
    Signature,
    Trekker,
)
from .sections import Section, page_sections


def _form_error(form, error):
    """A service's refusal shown where it belongs: at its field when the form has it, else above the form."""
    form.add_error(error.field if error.field in form.fields else None, str(error))


# --- The public list and a coalition's page -------------------------------------------------------


@require_GET
def coalition_list(request):
    form = CoalitionFilterForm(request.GET or None)
    coalitions = Coalition.objects.with_summary()
    if form.is_bound and form.is_valid():
        coalitions = form.filter(coalitions)
    return render(
        request,
        "network/coalition_list.html",
        {"form": form, "coalitions": list(coalitions), "is_filtered": form.is_bound and any(form.data.values())},
    )


def _page_coalition(slug):
    return get_object_or_404(
        Coalition.objects.with_counts().prefetch_related(
            "municipalities",
            "focus_points",
            "phase_changes",
            Prefetch(
                "trekkers",
                queryset=Trekker.objects.select_related("profile__user", "profile__organisation").order_by(
                    "role", "-starts_on"
                ),
                to_attr="all_trekkers",
            ),
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.select_related("organisation").order_by("organisation__name"),
                to_attr="all_partnerships",
            ),
            Prefetch(
                "declarations",
                queryset=Declaration.objects.order_by("-version").prefetch_related(
                    Prefetch("signatures", queryset=Signature.objects.select_related("partnership__organisation"))
                ),
                to_attr="all_declarations",
            ),
            Prefetch(
                "coordinators",
                queryset=CoalitionCoordinator.objects.select_related("user__profile__organisation"),
                to_attr="all_coordinators",
            ),
        ),
        slug=slug,
    )


def _people(coalition, user):
    """Current trekkers, those who left without a successor, and whom to contact meanwhile; contact details
    only as each person's visibility allows, and never for visitors or people not (yet) approved."""
    show_contacts = is_approved_member(user)
    current = [t for t in coalition.all_trekkers if t.is_current and t.profile_id]
    current_roles = {t.role for t in current}
    # A trekker role (content, policy) whose last holder left and nobody took over yet.
    left = {}
    for trekker in coalition.all_trekkers:
        if (
            trekker.role != Trekker.Role.DEPUTY
            and trekker.role not in current_roles
            and trekker.ends_on
            and not trekker.is_current
            and trekker.role not in left
        ):
            left[trekker.role] = trekker
    meanwhile = []
    if left:
        meanwhile = [t.profile for t in current] or [
            c.user.profile for c in coalition.all_coordinators if hasattr(c.user, "profile")
        ]
    for profile in [t.profile for t in current] + meanwhile:
        profile.card = profile.contact_card(user) if show_contacts else None
        # The directory's own rule decides whether this person's page opens for the visitor.
        profile.show_link = user.has_perm("members.view_member", profile)
    return current, list(left.values()), meanwhile


def _declarations(coalition):
    """Each partner with its signature of each version, newest version first: who signed which version."""
    declarations = coalition.all_declarations
    signed = {(s.declaration_id, s.partnership_id): s for d in declarations for s in d.signatures.all()}
    return [
        (partnership, [signed.get((d.pk, partnership.pk)) for d in declarations])
        for partnership in coalition.all_partnerships
    ]


@require_GET
def coalition_detail(request, slug):
    coalition = _page_coalition(slug)
    trekkers, left, meanwhile = _people(coalition, request.user)
    user = request.user
    context = {
        "coalition": coalition,
        "phases": Phase.choices,
        "vision_html": mark_safe(render_markdown(coalition.vision)),  # sanitised by nh3
        "goals_html": mark_safe(render_markdown(coalition.goals)),  # sanitised by nh3
        "trekkers": trekkers,
        "left": left,
        "meanwhile": meanwhile,
        "inner": [p for p in coalition.all_partnerships if p.circle == Circle.INNER],
        "outer": [p for p in coalition.all_partnerships if p.circle == Circle.OUTER],
        "declarations": coalition.all_declarations,
        "signatures": _declarations(coalition),
        "may_download": user.has_perm("network.view_declaration_file"),
        "can_manage": user.has_perm("network.change_coalition", coalition),
        "can_decide": user.has_perm("network.decide_join_request", coalition),
        "sections": page_sections(coalition, user),
    }
    return render(request, "network/coalition_detail.html", context)


@require_GET
def declaration_pdf(request, slug, pk):
    declaration = get_object_or_refuse(
        request, "network.view_declaration_file", Declaration.objects.filter(coalition__slug=slug), pk=pk
    )
    if not declaration.pdf:
        raise Http404
    try:
        handle = declaration.pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="application/pdf", filename=f"{slug}-v{declaration.version}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


def organisation_partnerships(organisation, user):
    """For an organisation's page (members.views.ORGANISATION_PAGE_SECTIONS): its coalitions, circles, signatures."""
    partnerships = list(
        organisation.partnerships.select_related("coalition")
        # The newest signature first (the model's own order, by organisation, ties within one partnership).
        .prefetch_related(
            Prefetch(
                "signatures",
                queryset=Signature.objects.select_related("declaration").order_by("-declaration__version", "-pk"),
            )
        )
        .order_by("coalition__name")
    )
    if not partnerships:
        return None
    return Section(
        title=_("Partner in coalitions"),
        template="network/includes/organisation_partnerships.html",
        context={"partnerships": partnerships},
    )


# --- Asking to join, and answering -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request, slug):
    coalition = get_object_or_404(Coalition, slug=slug)
    user = request.user
    form = JoinRequestForm(request.POST or None, coalition=coalition, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if user.is_authenticated:
            profile = getattr(user, "profile", None)
            name, email = (profile.full_name if profile else "") or user.get_full_name() or user.email, user.email
        else:
            name, email = data["name"], data["email"]
        try:
            services.request_to_join(
                coalition,
                organisation=data["organisation"],
                organisation_name=data["organisation_name"],
                name=name,
                email=email,
                message=data["message"],
                requester=user,
                client=ratelimits.client_address(request),
            )
        except services.NetworkError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Thank you. The trekkers of %(coalition)s have your request and will answer you by e-mail.")
                % {"coalition": coalition},
            )
            return redirect(coalition)
    return render(request, "network/join.html", {"coalition": coalition, "form": form})


@require_GET
def join_request_list(request, slug):
    coalition = get_object_or_refuse(request, "network.decide_join_request", Coalition.objects.all(), slug=slug)
    requests = coalition.join_requests.select_related("organisation", "decided_by")
    return render(
        request,
        "network/join_request_list.html",
        {
            "coalition": coalition,
            "open_requests": [r for r in requests if r.is_open],
            "answered": [r for r in requests if not r.is_open][:50],
        },
    )


@require_http_methods(["GET", "POST"])
def join_request_detail(request, slug, pk):
    join_request = get_object_or_refuse(
        request,
        "network.decide_join_request",
        JoinRequest.objects.select_related("coalition", "organisation", "decided_by", "partnership"),
        coalition__slug=slug,
        pk=pk,
    )
    action = request.POST.get("action") if request.method == "POST" else None
    accept_form = AcceptJoinRequestForm(
        request.POST if action == "accept" else None, join_request=join_request, prefix="accept"
    )
    decline_form = DeclineJoinRequestForm(request.POST if action == "decline" else None, prefix="decline")
    form = {"accept": accept_form, "decline": decline_form}.get(action)
    if form is not None and join_request.is_open and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "accept":
                services.accept_join_request(
                    join_request,
                    circle=data["circle"],
                    organisation=data.get("organisation"),
                    discipline=data.get("discipline", ""),
                    by=request.user,
                )
                done = _("%(organisation)s is now a partner of %(coalition)s; we mailed %(name)s.")
            else:
                services.decline_join_request(join_request, reason=data["reason"], by=request.user)
                done = _("The request of %(organisation)s is declined; we mailed %(name)s the reason.")
        except services.NetworkError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                done
                % {
                    "organisation": join_request.organisation_label,
                    "coalition": join_request.coalition,
                    "name": join_request.name,
                },
            )
            return redirect("network:join_request_list", slug=slug)
    return render(
        request,
        "network/join_request_detail.html",
        {
            "coalition": join_request.coalition,
            "join_request": join_request,
            "accept_form": accept_form,
            "decline_form": decline_form,
            "form": form,
        },
    )


# --- Managing a coalition ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def change_phase(request, slug):
    coalition = get_object_or_refuse(request, "network.change_phase", Coalition.objects.all(), slug=slug)
    form = PhaseChangeForm(request.POST or None, coalition=coalition)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_phase(
                coalition, phase=data["phase"], on=data["changed_on"], note=data["note"], by=request.user
            )
        except services.NetworkError as error:
            _form_error(form, error)
        else:
            coalition.refresh_from_db(fields=["phase"])
            messages.success(
                request,
                _("%(coalition)s is now in the phase %(phase)s.")
                % {"coalition": coalition, "phase": coalition.get_phase_display()},
            )
            return redirect(coalition)
    history = coalition.phase_changes.select_related("changed_by")
    return render(request, "network/change_phase.html", {"coalition": coalition, "form": form, "history": history})


# --- The regional overview ---------------------------------------------------------------------------


def _sort(request):
    sort = request.GET.get("sort", "name")
    return sort if sort.removeprefix("-") in SORT_KEYS else "name"


@require_GET
@permission_required("network.view_regional_overview")
def regional_overview(request):
    sort = _sort(request)
    rows = overview(sort=sort)
    columns = [
        ("name", _("Coalition")),
        ("phase", _("Phase")),
        ("since", _("Since")),
        ("trekkers", _("Trekkers")),
        ("partners", _("Partners (inner / outer)")),
        ("declaration", _("Declaration of intent")),
        ("event", _("Last event")),
        ("requests", _("Open joining requests")),
    ]
    headers = [
        {
            "key": key,
            "label": label,
            "sorted": sort.removeprefix("-") == key,
            "descending": sort == f"-{key}",
            "next": f"-{key}" if sort == key else key,
        }
        for key, label in columns
    ]
    return render(
        request,
        "network/regional_overview.html",
        {
            "rows": rows,
            "headers": headers,
            "sort": sort,
            "phases": [(phase, sum(1 for r in rows if r.coalition.phase == phase)) for phase in Phase],
            "without_trekker": sum(1 for r in rows if not r.has_trekker),
            "csv_url": reverse("network:regional_overview_csv") + f"?sort={sort}",
        },
    )


@require_GET
@permission_required("network.view_regional_overview")
def regional_overview_csv(request):
    header, table = overview_table(overview(sort=_sort(request)))
    return csv_response("coalitions.csv", header, table)
