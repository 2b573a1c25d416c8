"""URLs of the community journal (fixed pages first: an edition's slug may not shadow them)."""

from django.urls import path

from . import views
from .feeds import EditionFeed

app_name = "journal"
urlpatterns = [
    path("", views.edition_list, name="edition_list"),
    path("feed/", EditionFeed(), name="feed"),
    path("desk/", views.desk, name="desk"),
    path("desk/preview-links/<int:pk>/revoke/", views.revoke_preview, name="revoke_preview"),
    path("tips/", views.tip_list, name="tip_list"),
    path("tips/new/", views.tip_create, name="tip_create"),
    path("tips/mail/", views.tip_mail, name="tip_mail"),
    path("tips/thanks/", views.tip_thanks, name="tip_thanks"),
    path("tips/<int:pk>/", views.tip_detail, name="tip_detail"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/check-your-mail/", views.subscribe_done, name="subscribe_done"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("subscription/", views.subscription, name="subscription"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("preview/<str:token>/magazine/", views.preview_attachment, name="preview_attachment"),
    path("preview/<str:token>/<slug:slug>/", views.preview_story, name="preview_story"),
    path("preview/<str:token>/<slug:slug>/magazine/", views.preview_attachment, name="preview_story_attachment"),
    path("<slug:slug>/", views.edition_detail, name="edition_detail"),
    path("<slug:edition_slug>/<slug:slug>/", views.story_detail, name="story_detail"),
    path("<slug:edition_slug>/<slug:slug>/magazine/", views.story_attachment, name="story_attachment"),
]
