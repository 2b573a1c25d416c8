"""URLs of groups (included under /groups/)."""

from django.urls import path

from . import views

app_name = "groups"
urlpatterns = []

# The action list and documents (H2).
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
