"""Pages of the look back and ahead: a coalition's report on screen (printable) and as a PDF.

Rule `groups.view_report`, asked with the coalition: the regional coordinators for every coalition, a coalition's
coordinators for their own. Its period's form is read from the query string (the page is a GET, so it can be
bookmarked and printed as shown); it lives here rather than in groups/forms.py because it belongs to these two views.
"""

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coalition.markdown import render_markdown
from coalition.rules import refuse
from network.forms import DateInput
from network.models import Coalition

from . import report_pdf
from .reports import default_since, look_back

PERMISSION = "groups.view_report"


class ReportPeriodForm(forms.Form):
    since = forms.DateField(
        label=_("Since"),
        widget=DateInput,
        help_text=_("Actions done and meetings held from this date on; open and overdue actions are those of today."),
    )

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise forms.ValidationError(_("Choose today or an earlier date: the report looks back."), code="future")
        return since


def _coalition_for(request, slug):
    """The coalition of the address, if the person may see its report; 404 if there is none, else 403 (or log in)."""
    coalition = get_object_or_404(Coalition, slug=slug)
    if not request.user.has_perm(PERMISSION, coalition):
        refuse(request.user, PERMISSION)
    return coalition


def _period(request):
    """The period's form and the date it gives: the one asked for, or six months ago (also when it is wrong, so the
    page still shows a report beside the error)."""
    fallback = default_since()
    if "since" not in request.GET:
        return ReportPeriodForm(initial={"since": fallback}), fallback
    form = ReportPeriodForm(request.GET)
    return form, form.cleaned_data["since"] if form.is_valid() else fallback


@never_cache
@require_GET
def report(request, slug):
    coalition = _coalition_for(request, slug)
    form, since = _period(request)
    result = look_back(coalition, since=since)
    now = timezone.now()
    for entry in result.groups:
        # Decisions are Markdown typed in the notes: rendered once here, sanitised by nh3 (coalition.markdown).
        entry.meeting_rows = [
            {
                "meeting": meeting,
                "is_planned": meeting.starts_at > now,
                "decisions_html": mark_safe(render_markdown(meeting.decisions)),  # sanitised by nh3
            }
            for meeting in entry.meetings
        ]
    pdf_url = reverse("groups:report_pdf", kwargs={"slug": coalition.slug}) + "?" + urlencode({"since": since})
    return render(
        request,
        "groups/report.html",
        {"coalition": coalition, "report": result, "form": form, "pdf_url": pdf_url},
    )


@never_cache
@require_GET
def report_download(request, slug):
    coalition = _coalition_for(request, slug)
    _form, since = _period(request)
    result = look_back(coalition, since=since)
    response = HttpResponse(report_pdf.render_pdf(result), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_pdf.filename(result)}"'
    return response
