"""The demo's signals: eight, the urgent one with its numbers, contacts who work where their card holds."""

import pytest

from members import demo as members_demo
from network import demo as network_demo
from signals import demo
from signals.models import Signal, SignalCard, SignalContact

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_eight_signals_with_valid_cards_and_running_it_again_changes_nothing():
    members_demo.seed()
    network_demo.seed()
    assert demo.seed() > 0
    counts = (Signal.objects.count(), SignalCard.objects.count(), SignalContact.objects.count())
    assert demo.seed() == 0
    assert (Signal.objects.count(), SignalCard.objects.count(), SignalContact.objects.count()) == counts
    assert counts[0] == 8
    violence = Signal.objects.get(slug="huiselijk-geweld")
    assert violence.is_urgent
    assert [number.tel for number in violence.emergency_list] == ["112", "08002000"]
    for signal in Signal.objects.all():
        signal.full_clean()
    assert SignalCard.objects.filter(coalition__slug="walcheren").count() == 8
    for contact in SignalContact.objects.select_related("card__coalition", "profile__organisation", "profile__user"):
        contact.full_clean()  # an approved member of an organisation serving the card's place
    assert SignalCard.objects.filter(offerings__isnull=False).distinct().count() >= 8
