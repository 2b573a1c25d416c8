"""Demo data of the groups' meetings: past meetings with their notes (decisions, actions made and closed, linked) and
upcoming ones, among them an MDO meeting with two anonymised cases.

Runs after the groups demo (groups.demo makes the groups, their members and actions) and the events demo. It lives
in the events app because meetings, notes and cases are events' models and groups may not import events. Idempotent:
a meeting that exists is left alone, with its notes and cases.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from groups import demo as groups_demo
from groups.models import Action, Group, Membership

from .models import Case, Event, MeetingNotes

VENUES = {
    "borsele": ("Gemeentehuis Borsele, Heinkenszand", "Stenevate 10\n4451 HZ Heinkenszand"),
    "walcheren": ("Stadskantoor Middelburg", "Kanaalweg 3\n4337 PA Middelburg"),
}

# (group slug, event slug, title, days from today, hour, decisions (Markdown), other notes, actions created,
#  actions closed, notes sent to the group). Actions are named by their title in groups.demo.ACTIONS.
MEETINGS = [
    (
        groups_demo.EARLY_SIGNALLING,
        "werkgroep-vroegsignalering-startoverleg",
        "Werkgroep Vroegsignalering: startoverleg",
        -120,
        15,
        "- We werken met één **signaleringskaart** voor alle partners.\n"
        "- De verloskundige draagt een gezin met zorgen *warm* over aan de JGZ, met toestemming van de ouders.\n"
        "- We laten geen eigen app bouwen voordat we weten of de kaart volstaat.",
        "Iedere partner vertelde hoe zij nu signalen opvangen. Het verschil tussen de teams is groot.",
        [
            "Signaleringskaart verspreiden onder alle partners",
            "Werkafspraken warme overdracht van verloskundige naar JGZ op papier zetten",
            "Eigen app voor signalen laten bouwen",
        ],
        [],
        True,
    ),
    (
        groups_demo.EARLY_SIGNALLING,
        "werkgroep-vroegsignalering-overleg-najaar",
        "Werkgroep Vroegsignalering: overleg",
        -40,
        15,
        "- De signaleringskaart is verspreid en besproken in alle teams.\n"
        "- We bouwen **geen** eigen app: de kaart doet wat we zochten.\n"
        "- We brengen de wachttijden bij het maatschappelijk werk in kaart, zodat we ouders eerlijk kunnen zeggen "
        "hoe lang het duurt.",
        "",
        ["Overzicht maken van de wachttijden bij het maatschappelijk werk"],
        ["Signaleringskaart verspreiden onder alle partners", "Eigen app voor signalen laten bouwen"],
        True,
    ),
    (groups_demo.EARLY_SIGNALLING, "werkgroep-vroegsignalering-overleg-winter", "Werkgroep Vroegsignalering: overleg",
     25, 15, "", "", [], [], False),
    (
        groups_demo.FITTING_OFFERINGS,
        "werkgroep-passend-aanbod-overleg",
        "Werkgroep Passend aanbod: overleg",
        -20,
        10,
        "- De sociale kaart van Borsele is bijgewerkt en staat per levensfase in het portaal.\n"
        "- We testen de digitale klantroute met vijf gezinnen voordat we haar breed bekendmaken.\n"
        "- Schuldhulp en maatschappelijk werk spreken een snelle doorverwijzing af.",
        "",
        [
            "Afspraak met schuldhulp over een snelle doorverwijzing",
            "Folder over het aanbod in de kraamperiode laten vertalen",
        ],
        ["Sociale kaart Borsele bijwerken, per levensfase"],
        False,  # not sent yet: the coordinator can try the check step
    ),
    (groups_demo.FITTING_OFFERINGS, "werkgroep-passend-aanbod-overleg-2", "Werkgroep Passend aanbod: overleg", 35,
     10, "", "", [], [], False),
    (
        groups_demo.SOUNDING_BOARD,
        "klankbordgroep-walcheren-werkplan",
        "Klankbordgroep professionals: het werkplan",
        -32,
        16,
        "- Het werkplan is herkenbaar; maak de rol van de kinderopvang concreter.\n"
        "- Vraag professionals in een korte vragenlijst wat zij missen.",
        "",
        ["Vragenlijst voor professionals uitproberen"],
        ["Reactie geven op het concept-werkplan"],
        True,
    ),
    (
        groups_demo.MDO,
        "mdo-borsele-werkwijze",
        "MDO Kansrijke Start Borsele: werkwijze",
        -55,
        13,
        "- Een situatie komt in het MDO alleen als **thema en vraag**, zonder namen of andere gegevens.\n"
        "- De professional vraagt toestemming en houdt die bij in het eigen dossier.\n"
        "- Elke bijeenkomst legt één partner haar aanbod uit.",
        "De kraamzorg legde uit hoe de overdracht naar de JGZ nu loopt.",
        [],
        ["Werkwijze en toestemmingsformulier van het MDO vastleggen"],
        True,
    ),
    (groups_demo.MDO, "mdo-borsele-casusoverleg", "MDO Kansrijke Start Borsele: casusoverleg", 12, 13, "", "", [], [],
     False),
]  # fmt: skip

# The cases on the coming MDO meeting: a theme and a question, nothing that identifies a family.
MDO_MEETING = "mdo-borsele-casusoverleg"
NOTES_MEETING = "werkgroep-vroegsignalering-startoverleg"  # a past meeting with notes (the bench reads it)
CASES = [
    (
        "Geldzorgen rond de geboorte",
        "Ouders van een baby van drie maanden hebben sinds kort grote geldzorgen en durven geen hulp te vragen. Hoe "
        "bereiken we hen zonder dat zij zich bekeken voelen, en wie van ons zet de eerste stap?",
    ),
    (
        "Somberheid na een zware bevalling",
        "Een moeder voelt zich zes weken na een zware bevalling somber; de kraamzorg is inmiddels weg. Hoe houden we "
        "samen zicht op het gezin, en wanneer betrekken we de huisarts?",
    ),
]


def _at(days, hour):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour=hour)))


def seed(*, stdout=None):
    """Create the groups' demo meetings once (idempotent: a meeting that exists is left alone)."""
    groups = Group.objects.select_related("coalition").in_bulk({meeting[0] for meeting in MEETINGS}, field_name="slug")
    actions = {(action.group_id, action.title): action for action in Action.objects.filter(group__in=groups.values())}
    made = 0
    for slug, event_slug, title, days, hour, decisions, summary, created, closed, sent in MEETINGS:
        group = groups.get(slug)
        if group is None or Event.objects.filter(slug=event_slug).exists():
            continue
        starts_at = _at(days, hour)
        venue, address = VENUES.get(group.coalition.slug if group.coalition else "", ("", ""))
        event = Event.objects.create(
            slug=event_slug,
            title=title,
            kind=Event.Kind.GROUP_MEETING,
            group=group,
            group_only=True,
            coalition=group.coalition,
            state=Event.State.PUBLISHED,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            venue=venue,
            address=address,
            description=group.purpose,
        )
        event.themes.set(group.focus_points.all())
        coordinator = Membership.objects.coordinators().filter(group=group).select_related("profile__user").first()
        if decisions:
            notes = MeetingNotes.objects.create(
                event=event,
                decisions=decisions,
                summary=summary,
                written_by=coordinator.profile.user if coordinator else None,
            )
            written_at = event.ends_at + timedelta(days=1)
            MeetingNotes.objects.filter(pk=notes.pk).update(
                written_at=written_at, updated_at=written_at, sent_at=written_at if sent else None
            )
            notes.actions_created.set([actions[group.pk, name] for name in created if (group.pk, name) in actions])
            notes.actions_closed.set([actions[group.pk, name] for name in closed if (group.pk, name) in actions])
        if event_slug == MDO_MEETING:
            members = list(Membership.objects.active().filter(group=group).select_related("profile").order_by("pk"))
            for index, (theme, question) in enumerate(CASES):
                case = Case(
                    event=event,
                    theme=theme,
                    question=question,
                    submitted_by=members[(index + 1) % len(members)].profile if members else None,
                )
                case.full_clean()  # the demo passes the identifier check (groups.privacy) as a typed case must
                case.save()
        made += 1
    if stdout is not None and made:
        stdout.write(f"Group meetings: {made} meetings with their notes and cases.")
