"""URLs of the announcements."""

from django.urls import path

from . import views

app_name = "announcements"
urlpatterns = [
    path("", views.announcement_list, name="announcement_list"),
    path("new/", views.announcement_compose, name="announcement_new"),
    path("<int:pk>/", views.announcement_detail, name="announcement_detail"),
    path("<int:pk>/edit/", views.announcement_compose, name="announcement_edit"),
    path("<int:pk>/attachment", views.announcement_attachment, name="attachment"),
    path("<int:pk>/attachment/<str:token>", views.attachment_link, name="attachment_link"),
]
