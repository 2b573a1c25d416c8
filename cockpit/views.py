"""The cockpit's to-do page: what waits for the coordinator today, each item linking to where it is handled."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coalition.access import permission_required


@never_cache
@require_GET
@permission_required("cockpit.view_cockpit")
def todo(request):
    return render(request, "cockpit/todo.html", {})
