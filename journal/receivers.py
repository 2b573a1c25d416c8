"""The journal's answers to the members app's signals: each receiver calls a journal service."""

from . import services


def subscribe_approved_member(sender, profile, **kwargs):
    """Approved members receive the journal and invitations by default."""
    services.subscribe_member(profile.user)


def forget_deleted_account(sender, user, **kwargs):
    """A deleted account leaves no subscription behind, and its tips keep no copy of its address."""
    services.forget_account(user)
