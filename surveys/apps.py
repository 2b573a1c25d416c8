"""Asking the network: questions of every type, shared by the events' intake and the surveys."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self):
        # Models (and what imports them) load only once every app is registered, so not at the top of apps.py.
        from members.services import EXPORTERS  # noqa: PLC0415 — apps' ready(): models load after apps.py
        from members.signals import account_deleting  # noqa: PLC0415 — apps' ready()

        from . import receivers, services  # noqa: PLC0415 — apps' ready(): models load after apps.py

        # A deleted account leaves no named answer behind it; "download my data" holds the person's surveys.
        account_deleting.connect(receivers.forget_deleted_account, dispatch_uid="surveys.forget_account")
        if ("surveys", services.export_surveys) not in EXPORTERS:
            EXPORTERS.append(("surveys", services.export_surveys))
        # Importing the mailings registers the survey mails with the check step, and their topic.
        from . import mailings  # noqa: F401, PLC0415 — apps' ready(): models load after apps.py
