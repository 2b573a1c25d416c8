"""The site-wide app: outbox, roles, home page and health check."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoalitionConfig(AppConfig):
    name = "coalition"
    verbose_name = _("Coalition")

    def ready(self):
        from . import roles

        post_migrate.connect(roles.sync_role_permissions, dispatch_uid="coalition.sync_role_permissions")

        # "Download my data" must hold everything about a person, also what the journal and events keep.
        from members.services import EXPORTERS

        from .privacy import EXPORTERS as OTHER_APPS

        for section in OTHER_APPS:
            if section not in EXPORTERS:
                EXPORTERS.append(section)
