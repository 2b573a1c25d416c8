"""The community journal: editions, stories, tips, the editorial team and subscribers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "journal"
    verbose_name = _("Community journal")

    def ready(self):
        from members.services import EXPORTERS
        from members.signals import account_deleting, profile_approved

        from .services import export_subscription, export_tips

        profile_approved.connect(subscribe_approved_member, dispatch_uid="journal.subscribe_approved_member")
        account_deleting.connect(forget_deleted_account, dispatch_uid="journal.forget_deleted_account")
        # "Download my data" holds what this app keeps about a person too.
        for section in (("tips", export_tips), ("journal_subscription", export_subscription)):
            if section not in EXPORTERS:
                EXPORTERS.append(section)


def subscribe_approved_member(sender, profile, **kwargs):
    """Approved members receive the journal and invitations by default."""
    from .services import subscribe_member

    subscribe_member(profile.user)


def forget_deleted_account(sender, user, **kwargs):
    """A deleted account leaves no subscription behind, and its tips keep no copy of its address."""
    from .models import Subscriber, Tip

    Subscriber.objects.filter(user=user).delete()
    Subscriber.objects.filter(email__iexact=user.email).delete()
    Tip.objects.filter(sender=user).update(name="", email="", phone="")
