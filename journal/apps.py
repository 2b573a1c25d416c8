"""The community journal: editions, stories, tips, the editorial team and subscribers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = _("Community journal")

    def ready(self):
        # Models (and what imports them) load only once every app is registered, so not at the top of apps.py.
        from members.services import EXPORTERS  # noqa: PLC0415 — apps' ready(): models load after apps.py
        from members.signals import account_deleting, profile_approved  # noqa: PLC0415 — apps' ready()
        from network.audiences import SOURCES, add_source  # noqa: PLC0415 — apps' ready()
        from network.sections import PAGE_SECTIONS  # noqa: PLC0415 — apps' ready()

        # The edition's mass mail kind registers itself with the check step on import.
        from . import mailings, receivers, services  # noqa: PLC0415 — apps' ready(): models load after apps.py
        from .network_hooks import coalition_stories  # noqa: PLC0415 — apps' ready(): models load after apps.py

        profile_approved.connect(receivers.subscribe_approved_member, dispatch_uid="journal.subscribe_approved_member")
        account_deleting.connect(receivers.forget_deleted_account, dispatch_uid="journal.forget_deleted_account")
        # "Download my data" holds what this app keeps about a person too.
        for section in (("tips", services.export_tips), ("journal_subscription", services.export_subscription)):
            if section not in EXPORTERS:
                EXPORTERS.append(section)
        # A coalition's page lists the published stories that mention it: the network asks, the journal answers.
        if coalition_stories not in PAGE_SECTIONS:
            PAGE_SECTIONS.append(coalition_stories)
        # Announcements, invitations and surveys can go to the journal's subscribers too.
        if mailings.SUBSCRIBERS_SOURCE.key not in SOURCES:
            add_source(mailings.SUBSCRIBERS_SOURCE)
