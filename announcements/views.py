"""Announcements on the site: the list, composing (then the check step), reading, and the attachment."""

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from coalition import checkstep
from coalition.access import get_object_or_refuse
from coalition.rules import NotAllowed, refuse
from network.audiences import Segment
from network.forms import SegmentForm
from network.models import Coalition

from .forms import AnnouncementForm
from .mailings import AnnouncementMail
from .models import Announcement
from .rules import managed_coalition_ids
from .services import AlreadySent, save_draft


@require_GET
def announcement_list(request):
    """Rule `announcements.view_announcement_list`. Coordinators: the announcements they manage, drafts and sent,
    with their numbers; everyone: the announcements they received, newest first."""
    if not request.user.has_perm("announcements.view_announcement_list"):
        refuse(request.user, "announcements.view_announcement_list")
    managed = None
    if request.user.has_perm("announcements.add_announcement"):
        managed = list(
            Announcement.objects.manageable_by(request.user, coalition_ids=managed_coalition_ids(request.user))
            .select_related("coalition")
            .with_progress()
            .order_by("-sent_at", "-created_at", "-pk")
        )
    received = list(
        Announcement.objects.received_by(request.user).select_related("coalition").order_by("-sent_at", "-pk")
    )
    return render(request, "announcements/announcement_list.html", {"managed": managed, "received": received})


def _segment_form(request, announcement):
    """Who it goes to: any part of the network for a regional coordinator, their own coalitions otherwise."""
    ids = managed_coalition_ids(request.user)
    limited = ids is not None
    return SegmentForm(
        request.POST if request.method == "POST" else None,
        coalitions=Coalition.objects.filter(pk__in=ids) if limited else None,
        # The added groups (subscribers, participants) reach beyond a coalition: regional coordinators only.
        sources=() if limited else None,
        initial=Segment.from_params(announcement.segment).initial() if announcement.segment else None,
    )


@require_http_methods(["GET", "POST"])
def announcement_compose(request, pk=None):
    """Rules `announcements.add_announcement` (new) and `announcements.manage_announcement` (a draft). "Check and
    send" saves the draft and opens the check step; "Save draft" only saves."""
    if pk is None:
        if not request.user.has_perm("announcements.add_announcement"):
            refuse(request.user, "announcements.add_announcement")
        announcement = Announcement()
    else:
        announcement = get_object_or_refuse(
            request, "announcements.manage_announcement", Announcement.objects.select_related("coalition"), pk=pk
        )
        if announcement.is_sent:
            messages.info(request, _("This announcement was sent already; it can no longer be changed."))
            return redirect(announcement)
    form = AnnouncementForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=announcement,
    )
    segment_form = _segment_form(request, announcement)
    # One page, one note on the asterisk: the announcement form's (it always has required fields) explains both.
    segment_form.required_note_above = True
    if request.method == "POST":
        forms_valid = form.is_valid()  # both validated, so every error shows at once
        if segment_form.is_valid() and forms_valid:
            response = _save_and_check(request, form, segment_form)
            if response:
                return response
    return render(
        request,
        "announcements/announcement_form.html",
        {"announcement": announcement, "form": form, "segment_form": segment_form},
    )


def _save_and_check(request, form, segment_form):
    """Save the draft and, for "Check and send", open the check step; None when a message went to the form."""
    checking = request.POST.get("action") != "save"
    try:
        with transaction.atomic():
            announcement = save_draft(form.save(commit=False), segment=segment_form.segment(), by=request.user)
            check = None
            if checking:
                check = checkstep.open_check(AnnouncementMail.key, {"announcement": announcement.pk}, by=request.user)
    except AlreadySent as refusal:
        messages.info(request, str(refusal))
        return redirect(form.instance)
    except NotAllowed as refusal:
        _forget_new(form)
        segment_form.add_error("coalitions" if "coalitions" in segment_form.fields else None, str(refusal))
        return None
    except checkstep.CheckError as refusal:
        _forget_new(form)
        segment_form.add_error(None, str(refusal))
        return None
    if check is None:
        messages.success(request, _("The draft is saved."))
        return redirect(announcement)
    return redirect(check.get_absolute_url())


def _forget_new(form):
    """After a rollback a new announcement has no row: the form is shown again as new (its file not kept)."""
    if form.instance.pk is not None and not Announcement.objects.filter(pk=form.instance.pk).exists():
        if form.instance.attachment:
            form.instance.attachment.delete(save=False)
        form.instance.pk = None
        form.instance._state.adding = True


@require_GET
def announcement_detail(request, pk):
    """Rule `announcements.view_announcement`: those it was sent to, and the coordinators who manage it."""
    announcement = get_object_or_refuse(
        request,
        "announcements.view_announcement",
        Announcement.objects.select_related("coalition", "created_by").with_progress(),
        pk=pk,
    )
    may_manage = request.user.has_perm("announcements.manage_announcement", announcement)
    return render(
        request, "announcements/announcement_detail.html", {"announcement": announcement, "may_manage": may_manage}
    )


@require_GET
def announcement_attachment(request, pk):
    """Rule `announcements.view_announcement`: the attachment, only to those who may read the announcement."""
    announcement = get_object_or_refuse(request, "announcements.view_announcement", Announcement.objects, pk=pk)
    return _attachment_response(announcement)


@never_cache
@require_GET
def attachment_link(request, pk, token):
    """The attachment through a recipient's own signed link from the mail, without logging in: for the journal
    subscribers an announcement reaches, who have no account. Valid while the mail counts as having reached that
    address (a genuine token of another announcement, or a forged one, is a 404 like a missing file)."""
    announcement = Announcement.objects.filter(pk=pk).first()
    address = announcement.address_of_attachment_token(token) if announcement else None
    if address is None or not announcement.reached(address):
        raise Http404
    return _attachment_response(announcement)


def _attachment_response(announcement):
    if not announcement.attachment:
        raise Http404
    try:
        handle = announcement.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=announcement.attachment_name)
