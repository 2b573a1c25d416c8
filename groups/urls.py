"""URLs of groups (included under /groups/)."""

from django.urls import path

from . import report_views, views

app_name = "groups"
urlpatterns = []

# The look back and ahead of a coalition (groups.report_views): on screen, printable, and as a PDF. "report" is a
# reserved group slug (groups.models.RESERVED_SLUGS), so no group hides these.
urlpatterns += [
    path("report/<slug:slug>/", report_views.report, name="report"),
    path("report/<slug:slug>/pdf/", report_views.report_download, name="report_pdf"),
]

# The action list and documents.
urlpatterns += [
    path("<slug:slug>/actions/", views.action_list, name="action_list"),
    path("<slug:slug>/actions/new/", views.action_create, name="action_create"),
    path("<slug:slug>/actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("<slug:slug>/actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("<slug:slug>/documents/", views.document_list, name="document_list"),
    path("<slug:slug>/documents/new/", views.document_upload, name="document_upload"),
    path("<slug:slug>/documents/<int:pk>/", views.document_download, name="document_download"),
    path("<slug:slug>/documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]
