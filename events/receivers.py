"""The events app's answers to the members app's signals: each receiver calls an events service."""

from . import services


def forget_deleted_account(sender, user, **kwargs):
    """A deleted account leaves its registrations and invitations without its name, answers or address."""
    services.forget_account(user)
