"""The impact page, its figures as CSV and the whole report as a PDF for the council."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coalition.access import permission_required

from .impact import report
from .scope import ScopeForm


@never_cache
@require_GET
@permission_required("cockpit.view_impact")
def impact(request):
    form = ScopeForm(request.GET or None, user=request.user)
    scope, period = form.scope_and_period()
    return render(
        request,
        "cockpit/impact.html",
        {"form": form, "scope": scope, "period": period, "sections": report(scope, period)},
    )


@never_cache
@require_GET
@permission_required("cockpit.view_impact")
def impact_csv(request):
    raise NotImplementedError


@never_cache
@require_GET
@permission_required("cockpit.view_impact")
def impact_pdf(request):
    raise NotImplementedError
