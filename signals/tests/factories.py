"""Factories of the signals app's models; people, places and offerings come from the members app's factories."""

import factory

from members.tests.factories import MunicipalityFactory
from signals.models import Signal, SignalCard, SignalContact


class SignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signal

    name = factory.Sequence(lambda n: f"Signaal {n}")
    slug = factory.Sequence(lambda n: f"signaal-{n}")
    description = "Wat je kunt zien of horen."
    first_steps = "Vraag rustig door en bel de contactpersoon."
    not_to_do = "Beloof niets wat je niet kunt waarmaken."
    position = factory.Sequence(lambda n: n)


class SignalCardFactory(factory.django.DjangoModelFactory):
    """A card for one municipality unless `coalition=` is given (then `municipality=None` too)."""

    class Meta:
        model = SignalCard

    signal = factory.SubFactory(SignalFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    coalition = None
    local_note = ""


class SignalContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignalContact

    card = factory.SubFactory(SignalCardFactory)
    role = "intake, bel voor 10:00"
    position = 0
