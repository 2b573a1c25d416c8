"""URLs of groups (included under /groups/)."""

from django.urls import path

from . import report_views

# from . import views  — the pages add their paths here

app_name = "groups"
urlpatterns = []

# The look back and ahead of a coalition (groups.report_views): on screen, printable, and as a PDF.
urlpatterns += [
    path("report/<slug:slug>/", report_views.report, name="report"),
    path("report/<slug:slug>/pdf/", report_views.report_download, name="report_pdf"),
]
