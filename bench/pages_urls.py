"""The bench server's URLs (bench/pages_settings.py): the portal's own, plus two reference pages.

- `/__bench__/ok`: a view answering "ok" through the same middleware as every page: the bare view each page
  is compared with;
- `/__bench__/static-rows`: 25 static rows inside base.html: what the page frame itself costs.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from coalition import urls as portal_urls

BARE = "/__bench__/ok"
STATIC_ROWS = "/__bench__/static-rows"


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


STATIC_ROWS_TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<ul>{% for i in rows %}<li>Row {{ i }}</li>{% endfor %}</ul>'
    "{% endblock %}"
)


def static_rows(request):
    return HttpResponse(STATIC_ROWS_TEMPLATE.render({"rows": range(25)}, request))


urlpatterns = [
    path(BARE.lstrip("/"), bare, name="bench_bare"),
    path(STATIC_ROWS.lstrip("/"), static_rows, name="bench_static_rows"),
    *portal_urls.urlpatterns,
]
handler403 = portal_urls.handler403
