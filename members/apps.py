"""People, organisations, municipalities, themes and offerings for parents."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and organisations")

    def ready(self):
        from .signals import restore_trigram_cost  # noqa: PLC0415 — apps' ready()

        post_migrate.connect(restore_trigram_cost, sender=self)
