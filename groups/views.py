"""Pages of groups: the list, a group's page, joining and members, notifications, the action list and documents."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalition.access import get_object_or_refuse, permission_required
from coalition.rules import DomainError, refuse
from network.sections import Section

from . import services
from .forms import (
    ActionFilterForm,
    ActionForm,
    ActionStatusForm,
    DocumentForm,
    GroupFilterForm,
    InviteForm,
    JoinForm,
    LeaveForm,
    NotificationsForm,
)
from .models import Action, Document, Group, Membership
from .rules import group_roles
from .sections import group_sections


def _form_error(form, error):
    """A service's refusal shown where it belongs: at its field when the form has it, else above the form."""
    form.add_error(getattr(error, "field", None) if getattr(error, "field", None) in form.fields else None, str(error))


def _own_membership(group, user):
    """(state, role) of the person in this group, or (None, None)."""
    return group_roles(user).get(group.pk, (None, None))


# --- The list and a group's page ------------------------------------------------------------------------------


@require_GET
@permission_required("groups.view_group_page")
def group_list(request):
    form = GroupFilterForm(request.GET or None)
    user = request.user
    groups = (
        Group.objects.active()
        .select_related("coalition")
        .annotate(member_count=Count("memberships", filter=Q(memberships__state=Membership.State.ACTIVE)))
    )
    if form.is_bound and form.is_valid():
        groups = form.filter(groups)
    roles = group_roles(user)
    groups = list(groups.order_by("coalition__name", "name", "pk"))
    for group in groups:
        group.own_state = roles.get(group.pk, (None, None))[0]
    # The person's own groups first (active, then asked or invited), each part in the order above.
    order = {Membership.State.ACTIVE: 0, Membership.State.INVITED: 1, Membership.State.REQUESTED: 1}
    groups.sort(key=lambda group: order.get(group.own_state, 2))
    return render(
        request,
        "groups/group_list.html",
        {
            "form": form,
            "own_groups": [g for g in groups if g.own_state],
            "other_groups": [g for g in groups if not g.own_state],
            "is_filtered": form.is_bound and any(form.data.values()),
            "count": len(groups),
        },
    )


def _page_group(slug):
    return get_object_or_404(
        Group.objects.select_related("coalition").prefetch_related(
            "focus_points",
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("profile__user", "profile__organisation").order_by(
                    "profile__sort_surname", "profile__sort_first_name", "pk"
                ),
                to_attr="all_memberships",
            ),
        ),
        slug=slug,
    )


def _with_cards(profiles, user):
    """Contact details only as each person's visibility allows; a link only when their page opens for `user`."""
    for profile in profiles:
        profile.card = profile.contact_card(user)
        profile.show_link = user.has_perm("members.view_member", profile)
    return profiles


@require_GET
@permission_required("groups.view_group_page")
def group_detail(request, slug):
    group = _page_group(slug)
    user = request.user
    state, _role = _own_membership(group, user)
    active = [m for m in group.all_memberships if m.is_active]
    coordinators = _with_cards([m.profile for m in active if m.is_coordinator], user)
    may_see_inside = user.has_perm("groups.view_inside", group)
    may_manage = user.has_perm("groups.manage_group", group)
    context = {
        "group": group,
        "coordinators": coordinators,
        "own_state": state,
        "is_member": state == Membership.State.ACTIVE,
        "is_invited": state == Membership.State.INVITED,
        "has_asked": state == Membership.State.REQUESTED,
        "may_join": user.has_perm("groups.join", group),
        "may_see_inside": may_see_inside,
        "may_manage": may_manage,
        "member_count": len(active),
    }
    if may_see_inside:
        context["members"] = _with_cards([m.profile for m in active], user)
        context["sections"] = group_sections(group, user)
        if may_manage:
            context["requests"] = [m for m in group.all_memberships if m.state == Membership.State.REQUESTED]
    if state == Membership.State.ACTIVE:
        own = next(m for m in group.all_memberships if m.profile.user_id == user.pk)
        context["notifications_form"] = NotificationsForm(initial={"notifications": own.notifications})
    return render(request, "groups/group_detail.html", context)


# --- Joining, invitations, leaving ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("groups.view_group_page")
def join(request, slug):
    """Rule: approved members see the page; the service decides (groups.join) and says why when it refuses."""
    group = get_object_or_404(Group, slug=slug)
    # An empty message posts nothing else: bound on POST, whatever it holds.
    form = JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.join(group, by=request.user, message=form.cleaned_data["message"])
        except DomainError as error:
            _form_error(form, error)
        else:
            if membership.is_active:
                messages.success(request, _("Welcome: you are now a member of %(group)s.") % {"group": group})
            else:
                messages.success(
                    request,
                    _("Your request to join %(group)s has been sent. A group coordinator will answer it.")
                    % {"group": group},
                )
            return redirect(group)
    return render(request, "groups/join.html", {"group": group, "form": form})


@require_POST
def answer_invitation(request, slug):
    group = get_object_or_refuse(request, "groups.accept_invitation", Group.objects.all(), slug=slug)
    try:
        if request.POST.get("action") == "decline":
            services.decline_invitation(group, by=request.user)
            messages.success(request, _("You declined the invitation to %(group)s.") % {"group": group})
        else:
            services.accept_invitation(group, by=request.user)
            messages.success(request, _("Welcome: you are now a member of %(group)s.") % {"group": group})
    except DomainError as error:
        messages.error(request, str(error))
    return redirect(group)


@require_http_methods(["GET", "POST"])
def leave(request, slug):
    group = get_object_or_refuse(request, "groups.leave", Group.objects.all(), slug=slug)
    membership = Membership.objects.select_related("profile").get(group=group, profile__user=request.user)
    needs_successor = (
        membership.is_coordinator
        and not Membership.objects.coordinators().filter(group=group).exclude(pk=membership.pk).exists()
    )
    form = LeaveForm(
        request.POST if request.method == "POST" else None,
        group=group,
        profile=membership.profile,
        needs_successor=needs_successor,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.leave(group, by=request.user, successor=form.cleaned_data.get("successor"))
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("You have left %(group)s.") % {"group": group})
            return redirect(group)
    return render(request, "groups/leave.html", {"group": group, "form": form, "needs_successor": needs_successor})


@require_POST
def choose_notifications(request, slug):
    group = get_object_or_refuse(request, "groups.choose_notifications", Group.objects.all(), slug=slug)
    form = NotificationsForm(request.POST)
    if form.is_valid():
        services.set_notifications(group, by=request.user, notifications=form.cleaned_data["notifications"])
        messages.success(request, _("Saved: how you hear about %(group)s.") % {"group": group})
    else:
        messages.error(request, _("Choose one of the options."))
    return redirect(reverse("groups:group_detail", kwargs={"slug": group.slug}) + "#notifications")


# --- Managing the members -------------------------------------------------------------------------------------

MEMBER_ACTIONS = {
    "accept": services.accept_request,
    "decline": services.decline_request,
    "make_coordinator": services.make_coordinator,
    "unmake_coordinator": services.unmake_coordinator,
    "remove": services.remove_member,
}


def _done_message(action):
    # Each message written out for the catalogue (makemessages reads only literal strings).
    return {
        "accept": _("%(name)s is now a member."),
        "decline": _("The request of %(name)s is declined; we mailed them."),
        "make_coordinator": _("%(name)s is now a group coordinator."),
        "unmake_coordinator": _("%(name)s is no longer a group coordinator."),
        "remove": _("%(name)s is no longer in the group."),
    }[action]


@require_http_methods(["GET", "POST"])
def manage_members(request, slug):
    group = get_object_or_refuse(request, "groups.manage_group", Group.objects.select_related("coalition"), slug=slug)
    action = request.POST.get("action") if request.method == "POST" else None
    invite_form = InviteForm(
        request.POST if action == "invite" else None, group=group, search=request.GET.get("q", ""), prefix="invite"
    )
    if action == "invite" and invite_form.is_valid():
        data = invite_form.cleaned_data
        try:
            services.invite(group, profile=data["profile"], by=request.user, message=data["message"])
        except DomainError as error:
            _form_error(invite_form, error)
        else:
            messages.success(request, _("%(name)s is invited; we told them.") % {"name": data["profile"].full_name})
            return redirect("groups:manage_members", slug=slug)
    elif action in MEMBER_ACTIONS:
        membership = Membership.objects.filter(group=group, pk=request.POST.get("membership") or 0).first()
        if membership is None:
            messages.error(request, _("This membership no longer exists; someone else may have answered it already."))
        else:
            try:
                MEMBER_ACTIONS[action](membership, by=request.user)
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _done_message(action) % {"name": membership.profile.full_name})
        return redirect("groups:manage_members", slug=slug)
    memberships = list(
        Membership.objects.filter(group=group)
        .select_related("profile__organisation", "profile__user")
        .annotate(
            has_other_coordinator=Exists(
                Membership.objects.coordinators().filter(group=OuterRef("group")).exclude(pk=OuterRef("pk"))
            )
        )
        .order_by("profile__sort_surname", "profile__sort_first_name", "pk")
    )
    return render(
        request,
        "groups/manage_members.html",
        {
            "group": group,
            "invite_form": invite_form,
            "form": invite_form,
            "members": [m for m in memberships if m.is_active],
            "requests": [m for m in memberships if m.state == Membership.State.REQUESTED],
            "invited": [m for m in memberships if m.state == Membership.State.INVITED],
        },
    )


# --- The one-click stop in every notification mail ------------------------------------------------------------


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def stop_notifications(request, token):
    """Rule: anyone holding the signed link, no login. GET only asks (a mail scanner that follows links stops
    nothing); POST switches this person's mails about these groups off, from the page's button or from the mail
    program's one-click (RFC 8058, without a CSRF token or a session: the signed link is the proof)."""
    try:
        profile, groups = services.read_stop_token(token)
    except DomainError as refusal:
        return render(request, "groups/stop_notifications.html", {"error": str(refusal)}, status=400)
    context = {"token": token, "profile": profile, "groups": groups}
    if request.method == "POST":
        services.stop_notifications(profile, groups)
        context["stopped"] = True
    return render(request, "groups/stop_notifications.html", context)


# --- The action list, an action's page and history, documents, and the sections they add ----------------------
# (Kept apart from the group pages so both helpers' parts merge cleanly; the imports go to the top on merging.)


ACTION_PAGE_SIZE = 50
# The group page shows this many open actions and documents; the rest is one link away.
SECTION_ACTIONS = 10
SECTION_DOCUMENTS = 5


def _action_error(form, error):
    """A service's refusal where it belongs: at its field when the form has it, else above the form."""
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _group(request, permission, slug):
    return get_object_or_refuse(request, permission, Group.objects.select_related("coalition"), slug=slug)


def _own_profile_of(user):
    return getattr(user, "profile", None) if user.is_authenticated else None


@require_GET
def action_list(request, slug):
    """Rule `groups.view_inside`: the whole action list, filtered, overdue first."""
    group = _group(request, "groups.view_inside", slug)
    form = ActionFilterForm(request.GET or None, group=group)
    actions = services.actions_in_order(form.filter(group.actions.all(), profile=_own_profile_of(request.user)))
    page = Paginator(actions, ACTION_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/action_list.html",
        {
            "group": group,
            "form": form,
            "page": page,
            "actions": page.object_list,
            "can_keep": request.user.has_perm("groups.keep_actions", group),
            "is_filtered": form.is_bound and any(form.data.get(name) for name in form.fields),
        },
    )


@require_http_methods(["GET", "POST"])
def action_create(request, slug):
    """Rule `groups.keep_actions`: every member of the group adds actions, and those who manage it."""
    group = _group(request, "groups.keep_actions", slug)
    form = ActionForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.create_action(
                group,
                by=request.user,
                title=data["title"],
                owners=data["owners"],
                due_on=data["due_on"],
                description=data["description"],
            )
        except services.GroupError as error:
            _action_error(form, error)
        else:
            messages.success(request, _("The action is on the list; its owners are told."))
            return redirect(action)
    return render(request, "groups/action_form.html", {"group": group, "form": form})


def _history(action):
    """The action's steps, newest first, each with (label, from, to) rows."""
    changes = action.changes.select_related("by").order_by("-at", "-pk")
    return [(change, services.change_rows(change)) for change in changes]


@require_http_methods(["GET", "POST"])
def action_detail(request, slug, pk):
    """Rule `groups.view_inside` to read; changing it (the form on the page) asks `groups.keep_actions`."""
    group = _group(request, "groups.view_inside", slug)
    action = get_object_or_404(
        Action.objects.select_related("group", "result_document", "created_by").prefetch_related("owners"),
        group=group,
        pk=pk,
    )
    can_keep = request.user.has_perm("groups.keep_actions", action)
    if request.method == "POST" and not can_keep:
        refuse(request.user, "groups.keep_actions")
    form = ActionForm(request.POST or None, group=group, action=action) if can_keep else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.update_action(
                action,
                by=request.user,
                note=data["note"],
                **{field: data[field] for field in services.TRACKED_FIELDS},
            )
        except services.GroupError as error:
            _action_error(form, error)
        else:
            if change is None:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("The action is saved; its history shows what changed."))
            return redirect(action)
    return render(
        request,
        "groups/action_detail.html",
        {
            "group": group,
            "action": action,
            "form": form,
            "can_keep": can_keep,
            "history": _history(action),
            "statuses": [(value, label) for value, label in Action.Status.choices if value != action.status],
        },
    )


@require_POST
def action_status(request, slug, pk):
    """Rule `groups.keep_actions`: the quick status buttons on an action's page."""
    group = _group(request, "groups.keep_actions", slug)
    action = get_object_or_404(Action, group=group, pk=pk)
    form = ActionStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses."))
        return redirect(action)
    try:
        services.update_action(action, by=request.user, status=form.cleaned_data["status"])
    except services.GroupError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The action is now: %(status)s.") % {"status": Action.Status(form.cleaned_data["status"]).label},
        )
    return redirect(action)


@require_GET
def document_list(request, slug):
    """Rule `groups.view_inside`: the group's documents, newest first."""
    group = _group(request, "groups.view_inside", slug)
    return render(
        request,
        "groups/document_list.html",
        {
            "group": group,
            "documents": list(group.documents.select_related("uploaded_by")),
            "can_share": request.user.has_perm("groups.share_document", group),
            "can_remove": request.user.has_perm("groups.remove_document", group),
        },
    )


@require_http_methods(["GET", "POST"])
def document_upload(request, slug):
    """Rule `groups.share_document`: the group's members and those who manage it."""
    group = _group(request, "groups.share_document", slug)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_document(
                group, by=request.user, title=form.cleaned_data["title"], file=form.cleaned_data["file"]
            )
        except services.GroupError as error:
            _action_error(form, error)
        else:
            messages.success(request, _("The document is shared with the group."))
            return redirect("groups:document_list", slug=group.slug)
    return render(request, "groups/document_form.html", {"group": group, "form": form})


@require_GET
def document_download(request, slug, pk):
    """Rule `groups.view_inside`: a private file, served only here and only to those who may see inside."""
    document = get_object_or_refuse(
        request, "groups.view_inside", Document.objects.select_related("group"), group__slug=slug, pk=pk
    )
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


@require_http_methods(["GET", "POST"])
def document_delete(request, slug, pk):
    """Rule `groups.remove_document`: the group's coordinators and those who manage the group."""
    document = get_object_or_refuse(
        request, "groups.remove_document", Document.objects.select_related("group"), group__slug=slug, pk=pk
    )
    if request.method == "POST":
        services.remove_document(document, by=request.user)
        messages.success(request, _("The document %(title)s is removed.") % {"title": document.title})
        return redirect("groups:document_list", slug=document.group.slug)
    return render(
        request,
        "groups/document_confirm_delete.html",
        {"group": document.group, "document": document, "results_of": list(document.results_of.only("title"))},
    )


def actions_section(group, user):
    """The group page's open actions (groups.sections.GROUP_SECTIONS): overdue first, a few, and a link to all."""
    if not user.has_perm("groups.view_inside", group):
        return None
    unfinished = group.actions.unfinished()
    actions = list(services.actions_in_order(unfinished)[:SECTION_ACTIONS])
    counts = unfinished.aggregate(
        total=models.Count("pk"), overdue=models.Count("pk", filter=models.Q(due_on__lt=timezone.localdate()))
    )
    return Section(
        title=pgettext_lazy("a group's section", "Actions"),
        template="groups/includes/actions_section.html",
        context={
            "group": group,
            "actions": actions,
            "total": counts["total"],
            "overdue": counts["overdue"],
            "can_keep": user.has_perm("groups.keep_actions", group),
        },
    )


def documents_section(group, user):
    """The group page's latest documents (groups.sections.GROUP_SECTIONS)."""
    if not user.has_perm("groups.view_inside", group):
        return None
    documents = list(group.documents.all()[: SECTION_DOCUMENTS + 1])
    return Section(
        title=_("Documents"),
        template="groups/includes/documents_section.html",
        context={
            "group": group,
            "documents": documents[:SECTION_DOCUMENTS],
            "has_more": len(documents) > SECTION_DOCUMENTS,
            "can_share": user.has_perm("groups.share_document", group),
        },
    )


def my_actions_section(profile, user):
    """ "My actions" on a member's own page (members.views.OWN_PAGE_SECTIONS): their unfinished actions across
    their groups, overdue first; nothing for someone in no group."""
    if profile is None or not profile.group_memberships.filter(state=Membership.State.ACTIVE).exists():
        return None
    return Section(
        title=_("My actions"),
        template="groups/includes/actions_mine.html",
        context={"actions": list(services.unfinished_actions_of(profile))},
    )
