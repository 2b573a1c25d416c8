"""Working groups, sounding-board groups and case consultations (MDO): members, actions, documents, notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups")
