"""The coordinator's cockpit: today's work on one page, and the network's impact in figures anyone can read."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "cockpit"
    verbose_name = _("Cockpit")

    def ready(self):
        # Imported here: the app registry is ready only now.
        from . import invalidation  # noqa: PLC0415 — apps' ready()

        invalidation.connect(self.apps)
