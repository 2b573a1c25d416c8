"""Asking the network: questions of every type, shared by the events' intake and the surveys."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        # Importing the mailings registers the survey mails with the check step, and their topic; models (and
        # what imports them) load only once every app is registered, so not at the top of apps.py.
        from . import mailings  # noqa: F401, PLC0415 — apps' ready(): models load after apps.py
