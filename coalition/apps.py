"""The site-wide app: outbox, roles, home page and health check."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoalitionConfig(AppConfig):
    name = "coalition"
    verbose_name = _("Coalition")

    def ready(self):
        from allauth.account.signals import email_confirmed  # noqa: PLC0415 — apps' ready(): allauth's models

        from . import bounces, roles  # noqa: PLC0415 — apps' ready(): roles imports auth's Group, a model

        post_migrate.connect(roles.sync_roles, dispatch_uid="coalition.sync_roles")
        # Confirming an address again takes it off the suppression list (issue 15): the mail reached the person.
        email_confirmed.connect(bounces.clear_on_confirmation, dispatch_uid="coalition.clear_suppression")
