"""Working groups, sounding-board groups and case consultations (MDO): members, actions, documents, notifications."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Groups")

    def ready(self):
        # The action list and documents (H2): their parts of a group's page, and "My actions" on a member's own
        # page (members never imports groups: it offers a registry).
        from members.views import OWN_PAGE_SECTIONS  # noqa: PLC0415 — the apps are loaded only now

        from . import sections, views  # noqa: PLC0415 — views import models, loaded only now

        sections.GROUP_SECTIONS.extend([views.actions_section, views.documents_section])
        OWN_PAGE_SECTIONS.append(views.my_actions_section)
