"""The portal's URLs: each app's urls.py under its prefix, accounts, admin, language switch."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from members import views as members_views
from members.models import Profile

from . import views

# Uploads are served by views, with DEBUG on or off: a person's photo only to those who may see the person
# (members.views.profile_photo), logos and covers to everyone (views.public_media). See README, "Uploads".
MEDIA_PREFIX = settings.MEDIA_URL.lstrip("/")
PHOTOS = Profile._meta.get_field("photo").upload_to

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("mail/bounces/", views.mail_bounces, name="mail_bounces"),
    path("mail/check/<int:pk>/", views.mail_check, name="mail_check"),
    path("mail/check/<int:pk>/mail.html", views.mail_check_frame, name="mail_check_frame"),
    path("mail/unsubscribe/<str:token>/", views.mail_unsubscribe, name="mail_unsubscribe"),
    path("mail/preferences/", views.mail_preferences, name="mail_preferences"),
    path("mail/preferences/<str:token>/", views.mail_preferences_link, name="mail_preferences_link"),
    path(
        "privacy/",
        TemplateView.as_view(
            template_name="pages/privacy.html", extra_context={"retention_months": settings.EVENT_RETENTION_MONTHS}
        ),
        name="privacy",
    ),
    path("accessibility/", TemplateView.as_view(template_name="pages/accessibility.html"), name="accessibility"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path(f"{MEDIA_PREFIX}{PHOTOS}<path:name>", members_views.profile_photo, name="profile_photo"),
    path(f"{MEDIA_PREFIX}<path:name>", views.public_media, name="public_media"),
    path("", include("members.urls")),
    path("coalitions/", include("network.urls")),
    path("signals/", include("signals.urls")),
    path("groups/", include("groups.urls")),
    path("surveys/", include("surveys.urls")),
    path("journal/", include("journal.urls")),
    path("events/", include("events.urls")),
    path("announcements/", include("announcements.urls")),
    path("cockpit/", include("cockpit.urls")),
]

handler403 = "coalition.views.permission_denied"

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME
