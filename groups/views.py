"""Pages of groups: the list, a group's page, joining and members, the action list, documents, notifications."""


# --- The action list, an action's page and history, documents, and the sections they add (H2) -----------------
# (Kept apart from the group pages so both helpers' parts merge cleanly; the imports go to the top on merging.)

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coalition.access import get_object_or_refuse
from coalition.rules import refuse
from network.sections import Section

from . import services
from .forms import ActionFilterForm, ActionForm, ActionStatusForm, DocumentForm
from .models import Action, Document, Group, Membership

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
        except services.ActionError as error:
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
        except services.ActionError as error:
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
    except services.ActionError as error:
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
        except services.ActionError as error:
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
        title=_("Actions"),
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
