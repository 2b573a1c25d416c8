"""URLs of groups (included under /groups/)."""

from django.urls import path

from . import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="group_list"),
    # Three segments: no group's address (one segment, or a slug and a fixed word) ever matches it.
    path("mail/stop/<str:token>/", views.stop_notifications, name="stop_notifications"),
    path("<slug:slug>/", views.group_detail, name="group_detail"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/invitation/", views.answer_invitation, name="answer_invitation"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/notifications/", views.choose_notifications, name="choose_notifications"),
    path("<slug:slug>/members/", views.manage_members, name="manage_members"),
]
