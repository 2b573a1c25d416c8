"""Who may do what with signals (django-rules; see coalition/rules.py).

Every approved member reads the signal route and its cards; visitors, guests and pending people see nothing of it,
since the cards name people. Regional coordinators edit every signal and card; a coalition coordinator edits the
cards of their coalition and of its municipalities (the signals themselves, shared by the region, stay regional).
"""

import rules
from django.utils.translation import gettext_lazy as _

from coalition.rules import add_model_perms, explain, is_approved_member, is_coordinator
from network.rules import coordinated_coalition_ids, coordinated_municipality_ids, is_coalition_coordinator

from .models import SignalCard, SignalContact


def card_of(obj):
    if isinstance(obj, SignalContact):
        return obj.card
    return obj if isinstance(obj, SignalCard) else None


def editable_places(user):
    """(everything, coalition ids, municipality ids) whose cards `user` edits."""
    if is_coordinator(user):
        return True, set(), set()
    return False, coordinated_coalition_ids(user), coordinated_municipality_ids(user)


@rules.predicate
def manages_card(user, obj=None):
    """Coordinator of the coalition the card (or contact) belongs to, or of the card's municipality's coalition.

    Without an object: whether `user` coordinates any coalition (the admin's lists, then narrowed).
    """
    if obj is None:
        return is_coalition_coordinator(user)
    card = card_of(obj)
    if card is None:
        return False
    if card.coalition_id is not None:
        return card.coalition_id in coordinated_coalition_ids(user)
    return card.municipality_id in coordinated_municipality_ids(user)


@rules.predicate
def coordinates_any_coalition(user):
    """Coordinator of some coalition: reads the region's signals (to place a card), whichever signal is asked."""
    return bool(coordinated_coalition_ids(user))


edits_cards = is_coordinator | manages_card

rules.add_perm("signals.view_route", is_approved_member)
rules.add_perm("signals", is_coordinator | coordinates_any_coalition)
add_model_perms("signals.signal", view=is_coordinator | coordinates_any_coalition, add=is_coordinator,
                change=is_coordinator, delete=is_coordinator)  # fmt: skip
add_model_perms("signals.signalcard", view=edits_cards, add=edits_cards, change=edits_cards, delete=edits_cards)
add_model_perms("signals.signalcontact", view=edits_cards, add=edits_cards, change=edits_cards,
                delete=edits_cards)  # fmt: skip

explain("signals.view_route", _("The signal route is for approved members of the network."))
explain(
    "signals.change_signalcard",
    _("Only regional coordinators and the coordinators of this card's coalition can change it."),
)
