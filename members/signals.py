"""Signals other apps listen to: a member was approved, an account is about to be deleted."""

from django.dispatch import Signal

# Sent by members.services.approve inside its transaction, after the profile is saved as approved:
# sender=Profile, profile=<Profile>. Receivers' writes commit or roll back with the approval; a
# receiver that causes side effects outside the database should wrap them in transaction.on_commit.
profile_approved = Signal()

# Sent by members.services.delete_account inside its transaction, just before the user is deleted:
# sender=User, user=<User>. Receivers scrub copies of personal data (names, addresses typed into
# their own rows); rows that point at the user with SET_NULL stay, anonymised, for the counts.
account_deleting = Signal()
