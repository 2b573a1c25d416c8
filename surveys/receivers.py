"""The surveys app's answers to the members app's signals: each receiver calls a surveys service."""

from . import services


def forget_deleted_account(sender, user, **kwargs):
    """A deleted account's named answers are cut loose from it; its participations keep only the counts."""
    services.forget_account(user)
