"""Announcements: news a coordinator writes for a part of the network (a coalition's outer circle, the region)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "announcements"
    verbose_name = _("Announcements")

    def ready(self):
        # The mass mail kind registers itself with the check step; it needs the models, so not at the top.
        from . import mailings  # noqa: F401, PLC0415 — apps' ready(): models load after apps.py
