"""The impact page, its figures as CSV and the whole report as a PDF for the council.

All three read the same choices (ScopeForm, GET) and draw the same `report`: what the page shows is what the
files hold. A refused choice leaves the page on the defaults (the region, the last two years) with the error at
its field; the download buttons carry the choices the page shows, never the refused ones.
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coalition.access import permission_required

from . import exports, pdf, presentation
from .impact import report
from .scope import Period, ScopeForm


def _choices(request):
    """The form as filled in (or the default period in its fields), and the scope and period it gives."""
    default = Period.default()
    form = ScopeForm(request.GET or None, user=request.user, initial={"start": default.start, "end": default.end})
    scope, period = form.scope_and_period()
    return form, scope, period


def _shown(sections) -> list[dict]:
    """Each section with its figures as the page draws them: the table's text, and whether there is a chart."""
    return [
        {
            "section": section,
            "figures": [
                {
                    "figure": figure,
                    "rows": presentation.table_rows(figure),
                    "has_chart": bool(figure.chart) and not figure.is_empty,
                    "data_id": f"figure-{figure.key}-data",
                }
                for figure in section.figures
            ],
        }
        for section in sections
    ]


@never_cache
@require_GET
@permission_required("cockpit.view_impact")
def impact(request):
    form, scope, period = _choices(request)
    sections = _shown(report(scope, period))
    query = "?" + urlencode(presentation.choices(scope, period))
    return render(
        request,
        "cockpit/impact.html",
        {
            "form": form,
            "scope": scope,
            "scope_name": presentation.scope_name(scope),
            "period": period,
            "period_text": presentation.period_text(period),
            "sections": sections,
            "has_charts": any(entry["has_chart"] for shown in sections for entry in shown["figures"]),
            "intro": presentation.intro(),
            "privacy": presentation.privacy(),
            "hidden_note": presentation.hidden_note(),
            "csv_url": reverse("cockpit:impact_csv") + query,
            "pdf_url": reverse("cockpit:impact_pdf") + query,
        },
    )


@never_cache
@require_GET
@permission_required("cockpit.view_impact")
def impact_csv(request):
    _form, scope, period = _choices(request)
    return exports.figures_csv(report(scope, period), filename=presentation.filename(scope, period, "csv"))


@never_cache
@require_GET
@permission_required("cockpit.view_impact")
def impact_pdf(request):
    _form, scope, period = _choices(request)
    content = pdf.render_pdf(report(scope, period), scope=scope, period=period, generated=timezone.localdate())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{presentation.filename(scope, period, "pdf")}"'
    return response
