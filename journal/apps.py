"""The community journal: editions, stories, tips, the editorial team and subscribers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = _("Community journal")
