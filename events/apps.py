"""Mini-events: workshops, work visits and meetings, with registrations and a waiting list."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        # Models (and what imports them) load only once every app is registered, so not at the top of apps.py.
        from groups.sections import GROUP_SECTIONS, MEETINGS  # noqa: PLC0415 — apps' ready()
        from journal.services import EDITION_MAIL_SECTIONS  # noqa: PLC0415 — apps' ready(): models load after apps.py
        from members.services import EXPORTERS  # noqa: PLC0415 — apps' ready(): models load after apps.py
        from members.signals import account_deleting  # noqa: PLC0415 — apps' ready()
        from network.sections import LAST_ACTIVITY, PAGE_SECTIONS  # noqa: PLC0415 — apps' ready()

        from . import mailings, receivers, services  # noqa: PLC0415 — apps' ready(): models load after apps.py
        from .group_hooks import group_meetings, meetings  # noqa: PLC0415 — apps' ready()
        from .journal_hooks import edition_events_for_mail  # noqa: PLC0415 — apps' ready()
        from .network_hooks import coalition_events, last_events  # noqa: PLC0415 — apps' ready()

        # The mass mails of the events are kinds of the check step (importing mailings registers them and their
        # topics); the participants of events and the subscribers who want invitations are groups for segments.
        mailings.register_sources()
        account_deleting.connect(receivers.forget_deleted_account, dispatch_uid="events.forget_account")
        # The edition mail lists the edition's upcoming events: the journal asks, this app answers.
        EDITION_MAIL_SECTIONS["events"] = edition_events_for_mail
        # "Download my data" holds what this app keeps about a person too.
        for section in (("event_registrations", services.export_registrations), ("cases", services.export_cases)):
            if section not in EXPORTERS:
                EXPORTERS.append(section)
        # A coalition's page lists its upcoming events and the regional overview its last one: the network asks.
        for registry, entry in ((PAGE_SECTIONS, coalition_events), (LAST_ACTIVITY, last_events)):
            if entry not in registry:
                registry.append(entry)
        # A group's page lists its meetings, and the look back and ahead their decisions: groups asks.
        for registry, entry in ((GROUP_SECTIONS, group_meetings), (MEETINGS, meetings)):
            if entry not in registry:
                registry.append(entry)
