"""URLs of groups (included under /groups/)."""

from django.urls import path

from . import report_views, views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="group_list"),
    # "report" and "mail" are reserved group slugs (groups.models.RESERVED_SLUGS), so no group's pages hide these.
    # The look back and ahead of a coalition (groups.report_views): on screen, printable, and as a PDF.
    path("report/<slug:slug>/", report_views.report, name="report"),
    path("report/<slug:slug>/pdf/", report_views.report_download, name="report_pdf"),
    path("mail/stop/<str:token>/", views.stop_notifications, name="stop_notifications"),
    # A group: its page, joining, members and how one hears about it.
    path("<slug:slug>/", views.group_detail, name="group_detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/invitation/", views.answer_invitation, name="answer_invitation"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/notifications/", views.choose_notifications, name="choose_notifications"),
    path("<slug:slug>/members/", views.manage_members, name="manage_members"),
    # Its action list and documents.
    path("<slug:slug>/actions/", views.action_list, name="action_list"),
    path("<slug:slug>/actions/new/", views.action_create, name="action_create"),
    path("<slug:slug>/actions/<int:pk>/", views.action_detail, name="action_detail"),
    path("<slug:slug>/actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("<slug:slug>/documents/", views.document_list, name="document_list"),
    path("<slug:slug>/documents/new/", views.document_upload, name="document_upload"),
    path("<slug:slug>/documents/<int:pk>/", views.document_download, name="document_download"),
    path("<slug:slug>/documents/<int:pk>/delete/", views.document_delete, name="document_delete"),
]
