"""The portal's URLs for the sending tests, with stand-ins for the survey pages other parts of issue 17 add (the
personal answer link, the survey's own page, its results): the links the sending makes must resolve before those
are merged. A name the surveys' urls.py already has is never stood in for, so after the merge this adds nothing.
"""

from django.http import HttpResponse
from django.urls import include, path

from coalition.urls import urlpatterns as portal_urlpatterns
from surveys import urls as survey_urls


def stand_in(request, **kwargs):
    return HttpResponse("stand-in")


_PENDING = [
    path("answer/<str:token>/", stand_in, name="answer"),
    path("<slug:slug>/results/", stand_in, name="results"),
    path("<slug:slug>/", stand_in, name="survey_detail"),
]
_named = {pattern.name for pattern in survey_urls.urlpatterns}
_surveys = [*survey_urls.urlpatterns, *(pattern for pattern in _PENDING if pattern.name not in _named)]

urlpatterns = [
    path("surveys/", include((_surveys, "surveys"))),
    *(pattern for pattern in portal_urlpatterns if str(getattr(pattern, "pattern", "")) != "surveys/"),
]
handler403 = "coalition.views.permission_denied"
