"""URLs of the directory, organisations and offerings (included at the site root)."""

from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("members/", views.profile_list, name="profile_list"),
    path("members/me/", views.me, name="me"),
    path("members/me/preview/", views.me_preview, name="me_preview"),
    path("members/me/export/", views.me_export, name="me_export"),
    path("members/me/data/", views.me_data, name="me_data"),
    path("members/me/delete/", views.me_delete, name="me_delete"),
    path("members/pending/", views.pending, name="pending"),
    path("members/confirm/<str:token>/", views.confirm_details, name="confirm_details"),
    path("members/<int:pk>/", views.profile_detail, name="profile_detail"),
    path("members/<int:pk>/vcard/", views.profile_vcard, name="profile_vcard"),
    path("members/<int:pk>/approve/", views.approve_profile, name="approve"),
    path("members/<int:pk>/decline/", views.decline_profile, name="decline"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/offerings/new/", views.offering_edit, name="offering_create"),
    path("organisations/<slug:slug>/offerings/<int:pk>/edit/", views.offering_edit, name="offering_edit"),
    path("offerings/", views.offering_list, name="offering_list"),
    path("offerings/print/", views.offering_print, name="offering_print"),
    path("offerings/confirm/<str:token>/", views.offering_confirm, name="offering_confirm"),
]
