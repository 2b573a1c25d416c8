"""The community journal: editions, stories, tips, the editorial team and subscribers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = _("Community journal")

    def ready(self):
        from members.signals import profile_approved

        profile_approved.connect(subscribe_approved_member, dispatch_uid="journal.subscribe_approved_member")


def subscribe_approved_member(sender, profile, **kwargs):
    """Approved members receive the journal and invitations by default."""
    from .services import subscribe_member

    subscribe_member(profile.user)
