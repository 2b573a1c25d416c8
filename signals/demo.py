"""Demo signals with their cards in several Zeeland municipalities (run by seed_demo after the network's demo)."""

from members.models import Discipline, Municipality, Offering, Profile, Theme
from network.models import Coalition

from .models import Signal, SignalCard, SignalContact

# (slug, name, urgent, emergency numbers, themes, description, first steps, not to do, disciplines of the contacts)
SIGNALS = [
    (
        "geldzorgen-en-schulden",
        "Geldzorgen of schulden",
        False,
        "",
        ["Armoede en schulden"],
        "Ouders vertellen dat ze rekeningen niet kunnen betalen, ze schrikken van post of zeggen dat er aan het eind "
        "van de maand geen geld meer is voor eten of luiers.",
        "Vraag rustig door: 'Hoe gaat het met geld op dit moment?' Zeg dat veel ouders dit hebben en dat er snel "
        "hulp is. Bel met toestemming de schuldhulp voor een intake, het liefst terwijl de ouder erbij is.",
        "Geef geen eigen geldadvies en beloof niet dat schulden verdwijnen. Wacht niet tot de ouder zelf belt.",
        [Discipline.DEBT_COUNSELLING, Discipline.SOCIAL_WORK],
    ),
    (
        "dreigende-huisuitzetting",
        "Dreigende huisuitzetting",
        False,
        "",
        ["Armoede en schulden"],
        "Een gezin heeft een huurachterstand, een brief van de verhuurder of de deurwaarder, of zegt dat ze "
        "misschien het huis uit moeten.",
        "Vraag of er een datum is genoemd. Bel dezelfde dag het sociaal team of maatschappelijk werk: hoe eerder, "
        "hoe vaker een uitzetting te voorkomen is.",
        "Stuur het gezin niet alleen naar een website. Laat het niet liggen tot na het weekend.",
        [Discipline.SOCIAL_WORK, Discipline.MUNICIPALITY],
    ),
    (
        "psychische-klachten-rond-zwangerschap",
        "Psychische klachten rond zwangerschap en geboorte",
        False,
        "",
        ["Mentale gezondheid"],
        "Een (aanstaande) moeder of vader is somber, angstig, slaapt slecht of zegt niet van de baby te kunnen "
        "genieten.",
        "Neem het serieus en vraag hoe lang het al zo is. Bespreek het met de verloskundige of huisarts en bel het "
        "perinataal team voor overleg.",
        "Zeg niet dat het vanzelf overgaat of dat 'alle moeders dat hebben'.",
        [Discipline.MENTAL_HEALTH, Discipline.MIDWIFERY],
    ),
    (
        "huiselijk-geweld",
        "Huiselijk geweld",
        True,
        "112\nVeilig Thuis 0800-2000",
        ["Veilig opgroeien"],
        "Je ziet verwondingen, hoort over ruzies met slaan of dreigen, of een ouder is bang voor de partner.",
        "Is er acuut gevaar? Bel 112. Anders: volg de meldcode, bespreek het met een collega en vraag Veilig Thuis "
        "om advies (0800-2000, dag en nacht, gratis).",
        "Spreek de vermoedelijke pleger niet aan en beloof geen geheimhouding die je niet kunt houden.",
        [Discipline.YOUTH_HEALTH_CARE, Discipline.SOCIAL_WORK],
    ),
    (
        "taalbarriere",
        "Taalbarrière",
        False,
        "",
        ["Vroegsignalering"],
        "Ouders begrijpen de informatie niet goed of spreken weinig Nederlands, en zeggen toch vaak 'ja'.",
        "Gebruik een professionele tolk (telefonisch kan ook). Controleer of de boodschap is aangekomen: laat de "
        "ouder in eigen woorden zeggen wat de afspraak is.",
        "Laat kinderen niet tolken.",
        [Discipline.YOUTH_HEALTH_CARE, Discipline.SOCIAL_WORK],
    ),
    (
        "eenzaamheid",
        "Eenzaamheid",
        False,
        "",
        ["Mentale gezondheid"],
        "Een ouder heeft weinig mensen om zich heen, zegt zich alleen te voelen of komt nauwelijks buiten.",
        "Vraag wie er helpt als het even niet gaat. Wijs op een oudergroep of buurtactiviteit en bel het "
        "welzijnswerk om mee te denken.",
        "Ga er niet van uit dat een partner of familie wel helpt.",
        [Discipline.SOCIAL_WORK, Discipline.MATERNITY_CARE],
    ),
    (
        "middelengebruik",
        "Middelengebruik",
        False,
        "",
        ["Gezonde leefstijl"],
        "Je ruikt alcohol, ziet tekenen van drugsgebruik, of een zwangere vertelt te roken of te blowen.",
        "Bespreek het zonder oordeel en vertel wat het voor de baby kan betekenen. Bied hulp bij stoppen aan en "
        "overleg met de verloskundige of huisarts.",
        "Dreig niet met melding als eerste stap; dat sluit het gesprek.",
        [Discipline.MIDWIFERY, Discipline.GENERAL_PRACTICE],
    ),
    (
        "zorgmijding",
        "Zorgmijding",
        False,
        "",
        ["Vroegsignalering"],
        "Een zwangere of gezin komt niet op afspraken, is moeilijk bereikbaar of wil geen hulp.",
        "Zoek uit waarom: angst, geld, eerdere ervaringen? Maak één vaste contactpersoon en overleg met de JGZ of "
        "de verloskundige hoe je het gezin wel bereikt.",
        "Sluit het dossier niet na één gemiste afspraak.",
        [Discipline.YOUTH_HEALTH_CARE, Discipline.MIDWIFERY],
    ),
]

# Municipalities with a card of their own, and a coalition whose card holds in all its municipalities.
CARD_MUNICIPALITIES = ["Borsele", "Goes", "Terneuzen"]
CARD_COALITIONS = ["walcheren"]

ROLES = {
    Discipline.DEBT_COUNSELLING: "intake schuldhulp, bel voor 10:00",
    Discipline.SOCIAL_WORK: "maatschappelijk werk, inloop en overleg",
    Discipline.MUNICIPALITY: "sociaal team van de gemeente",
    Discipline.MENTAL_HEALTH: "overleg perinatale psychiatrie",
    Discipline.MIDWIFERY: "verloskundige, overleg over de zwangerschap",
    Discipline.YOUTH_HEALTH_CARE: "jeugdverpleegkundige, aandachtsfunctionaris",
    Discipline.MATERNITY_CARE: "kraamverzorgende, vraagbaak in de kraamweek",
    Discipline.GENERAL_PRACTICE: "huisarts, overleg",
}


def _contact(discipline, municipality_ids, taken):
    """An approved, listed member of a fitting organisation that serves the place (not named twice on a card)."""
    return (
        Profile.objects.approved()
        .filter(is_listed=True, organisation__discipline=discipline, organisation__municipalities__in=municipality_ids)
        .exclude(pk__in=taken)
        .select_related("organisation", "user")
        .order_by("pk")
        .first()
    )


def _fill(card, disciplines, theme_ids):
    places = card.municipality_ids()
    taken = []
    for position, discipline in enumerate(disciplines):
        profile = _contact(discipline, places, taken)
        if profile is None:
            continue
        taken.append(profile.pk)
        SignalContact.objects.create(card=card, profile=profile, role=ROLES[discipline], position=position)
    offerings = (
        Offering.objects.active()
        .filter(themes__in=theme_ids)
        .filter(municipalities__in=places)
        .distinct()
        .order_by("pk")[:3]
    )
    card.offerings.set(offerings)


def seed(*, stdout=None):
    """Create the demo signals and cards (idempotent: a card that exists is left alone)."""
    themes = {theme.name: theme for theme in Theme.objects.all()}
    municipalities = Municipality.objects.in_bulk(CARD_MUNICIPALITIES, field_name="name")
    coalitions = Coalition.objects.in_bulk(CARD_COALITIONS, field_name="slug")
    made = 0
    for position, (slug, name, urgent, numbers, focus, description, first, not_to_do, disciplines) in enumerate(
        SIGNALS
    ):
        signal, _created = Signal.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "is_urgent": urgent,
                "emergency_numbers": numbers,
                "description": description,
                "first_steps": first,
                "not_to_do": not_to_do,
                "position": position,
            },
        )
        theme_ids = [themes[theme].pk for theme in focus if theme in themes]
        signal.themes.set(theme_ids)
        places = [{"municipality": m} for m in municipalities.values()] + [
            {"coalition": c} for c in coalitions.values()
        ]
        for place in places:
            card, created = SignalCard.objects.get_or_create(signal=signal, **place)
            if created:
                _fill(card, disciplines, theme_ids)
                made += 1
    if stdout is not None and made:
        stdout.write(f"Signals: {len(SIGNALS)} signals, {made} new cards.")
    return made
