"""Working groups, sounding-board groups and case consultations (MDO): members, actions, documents, notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups")

    def ready(self):
        # Models (and what imports them) load only once every app is registered, so not at the top of apps.py.
        from members.services import EXPORTERS  # noqa: PLC0415 — apps' ready(): models load after apps.py
        from members.views import OWN_PAGE_SECTIONS  # noqa: PLC0415 — apps' ready()
        from network.audiences import SOURCES, add_source  # noqa: PLC0415 — apps' ready()
        from network.sections import PAGE_SECTIONS  # noqa: PLC0415 — apps' ready()

        from . import sections, services, views  # noqa: PLC0415 — apps' ready()
        from .network_hooks import GROUP_MEMBERS_SOURCE, coalition_groups  # noqa: PLC0415 — apps' ready()

        for registry, entry in (
            # The inside of a group's page: its open actions and latest documents.
            (sections.GROUP_SECTIONS, views.actions_section),
            (sections.GROUP_SECTIONS, views.documents_section),
            # "My actions" on a member's own page (members never imports groups: it offers a registry).
            (OWN_PAGE_SECTIONS, views.my_actions_section),
            # A coalition's page lists its groups: the network asks, groups answer.
            (PAGE_SECTIONS, coalition_groups),
            # "Download my data" holds the person's groups and actions too.
            (EXPORTERS, ("groups", services.export_member_data)),
        ):
            if entry not in registry:
                registry.append(entry)
        # Announcements, invitations and surveys can go to the members of chosen groups (issue 17's audiences).
        if GROUP_MEMBERS_SOURCE.key not in SOURCES:
            add_source(GROUP_MEMBERS_SOURCE)
