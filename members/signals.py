"""Signals the members app sends so other apps can react to what happens to people."""

from django.dispatch import Signal

# Sent by members.services when a coordinator approves someone: sender=Profile, profile=<the Profile>.
# The journal subscribes newly approved members to its mailings.
profile_approved = Signal()
