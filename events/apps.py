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
        try:
            from members.signals import account_deleting
        except ImportError:  # the members app publishes the signal; without it there is nothing to hear
            return
        account_deleting.connect(_forget_account, dispatch_uid="events.forget_account")
