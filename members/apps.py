"""People, organisations, municipalities, themes and offerings for parents."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from coalition.fragments import watch_table


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and organisations")

    def ready(self):
        from .models import Municipality, Organisation, Theme  # noqa: PLC0415 — apps' ready()
        from .signals import restore_trigram_cost  # noqa: PLC0415 — apps' ready()

        post_migrate.connect(restore_trigram_cost, sender=self)
        # The long selects of every filter bar and form (members.forms.LongSelect) keep these tables' names.
        for model in (Organisation, Municipality, Theme):
            watch_table(model)
