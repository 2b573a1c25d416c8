"""Views of the surveys: thin, each asks its rule, binds a form and calls a service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coalition.access import get_object_or_refuse

from .exports import survey_csv
from .models import MIN_GROUP, Survey
from .results import BREAKDOWNS, survey_results

# --- Results (issue 17, point 3) -----------------------------------------------------------------------------------


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
