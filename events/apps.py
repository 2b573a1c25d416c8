"""Mini-events: workshops, work visits and meetings, with registrations and a waiting list."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _forget_account(sender, user, **kwargs):
    from .services import forget_account

    forget_account(user)


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from journal.services import EDITION_MAIL_SECTIONS
        from members.services import EXPORTERS
        from members.signals import account_deleting

        from .journal_hooks import edition_events_for_mail
        from .services import export_registrations

        account_deleting.connect(_forget_account, dispatch_uid="events.forget_account")
        # The edition mail lists the edition's upcoming events: the journal asks, this app answers.
        EDITION_MAIL_SECTIONS["events"] = edition_events_for_mail
        # "Download my data" holds what this app keeps about a person too.
        if ("event_registrations", export_registrations) not in EXPORTERS:
            EXPORTERS.append(("event_registrations", export_registrations))
