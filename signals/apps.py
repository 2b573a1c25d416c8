"""Signals a professional may notice, and per municipality what to do first and whom to call."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignalsConfig(AppConfig):
    name = "signals"
    verbose_name = _("Signal route")

    def ready(self):
        from members.signals import account_deleting  # noqa: PLC0415 — apps' ready()

        account_deleting.connect(_report_leaving_account, dispatch_uid="signals.report_leaving_account")


def _report_leaving_account(sender, user, **kwargs):
    from .services import report_leaving_account  # noqa: PLC0415 — apps.py is imported before any model exists

    report_leaving_account(user)
