"""What changes groups: joining and leaving, the action list and its history, documents, and what members are told.

Every function takes the objects acted on first and the rest keyword-only, runs in one transaction, raises a
DomainError (coalition.rules) with a translated message when a rule says no, and checks the acting person (`by=`)
with the rules (groups/rules.py).
"""

from django.db import transaction

# --- Telling members ------------------------------------------------------------------------------------------


@transaction.atomic
def notify(profiles, *, group, kind, text, url=""):
    """Tell these people something about `group`: a Notice each, mailed at once or in their daily digest, or not at
    all, as each person's membership says (Membership.notifications). `text` is one line in Dutch; `url` a path."""
    raise NotImplementedError  # groups core (memberships and notifications) fills this in
