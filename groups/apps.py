"""Working groups, sounding-board groups and case consultations (MDO): members, actions, documents, notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups")

    def ready(self):
        # Models (and what imports them) load only once every app is registered, so not at the top of apps.py.
        from network.audiences import SOURCES, add_source  # noqa: PLC0415 — apps' ready(): models load after apps.py
        from network.sections import PAGE_SECTIONS  # noqa: PLC0415 — apps' ready()

        from .network_hooks import GROUP_MEMBERS_SOURCE, coalition_groups  # noqa: PLC0415 — apps' ready()

        # A coalition's page lists its groups: the network asks, groups answer.
        if coalition_groups not in PAGE_SECTIONS:
            PAGE_SECTIONS.append(coalition_groups)
        # Announcements, invitations and surveys can go to the members of chosen groups (issue 17's audiences).
        if GROUP_MEMBERS_SOURCE.key not in SOURCES:
            add_source(GROUP_MEMBERS_SOURCE)
