"""URLs of the surveys: answering (by link or on the site), sending and following them, and their results."""

from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    # Answering (members on the site; anyone with a personal link).
    # Sending and following (coordinators). "manage/" before any "<slug>/" pattern: it is not a survey's slug
    # (the admin refuses the slugs these words take, surveys.admin.RESERVED_SLUGS).
    path("manage/", views.manage_list, name="manage_list"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/send/", views.send, name="send"),
    # Results.
]
