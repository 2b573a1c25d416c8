"""Demo data of the groups: Borsele's two working groups and its MDO, and a sounding-board group on Walcheren.

Runs after the members and network demos (it uses Borsele's and Walcheren's people and the coalition coordinator's
login) and before the events, whose demo of the groups' meetings (events.group_meetings_demo) writes their notes
and cases. Every kind of action state is there, one overdue, each with its history; the demo member
(member@example.org, on Walcheren) is in the sounding-board group, the coalition coordinator (coalition@example.org)
coordinates a working group. Idempotent: a group that exists is left alone, with everything in it.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from members.models import Profile, Theme
from network.demo import COALITION_COORDINATOR_EMAIL
from network.models import Coalition, partner_people

from .models import Action, ActionChange, Document, Group, Membership
from .services import readable_value

REGIONAL_COORDINATOR = "coordinator@example.org"
DEMO_MEMBER = "member@example.org"
DEMO_LOGINS = (REGIONAL_COORDINATOR, DEMO_MEMBER, COALITION_COORDINATOR_EMAIL)

# The slugs the bench and the events' demo of the meetings use.
EARLY_SIGNALLING = "vroegsignalering-en-tijdige-ondersteuning"
FITTING_OFFERINGS = "passend-en-afgestemd-aanbod"
SOUNDING_BOARD = "klankbordgroep-professionals-walcheren"
MDO = "mdo-kansrijke-start-borsele"
REPORT_COALITION = "borsele"  # the coalition whose look back and ahead has every kind of entry

# (slug, name, kind, coalition slug, joining, focus point names, purpose)
GROUPS = [
    (
        EARLY_SIGNALLING,
        "Vroegsignalering en tijdige ondersteuning",
        Group.Kind.WORKING_GROUP,
        "borsele",
        Group.Joining.ON_REQUEST,
        ["Vroegsignalering"],
        "Zorgen rond zwangerschap en gezin zien we vroeg en bespreken we op tijd. We maken werkafspraken over de "
        "signaleringskaart en de warme overdracht van verloskundige en kraamzorg naar de JGZ.",
    ),
    (
        FITTING_OFFERINGS,
        "Passend en afgestemd aanbod",
        Group.Kind.WORKING_GROUP,
        "borsele",
        Group.Joining.OPEN,
        ["Armoede en schulden"],
        "Ouders vinden het aanbod dat bij hen past, en de partners stemmen hun aanbod op elkaar af: de sociale "
        "kaart, de digitale klantroute voor ouders en snelle lijnen naar schuldhulp.",
    ),
    (
        SOUNDING_BOARD,
        "Klankbordgroep professionals",
        Group.Kind.SOUNDING_BOARD,
        "walcheren",
        Group.Joining.BY_INVITATION,
        ["Vroegsignalering", "Mentale gezondheid"],
        "Professionals uit de praktijk geven de coalitie gevraagd en ongevraagd advies: werkt wat we bedenken "
        "ook in het dagelijks werk met gezinnen?",
    ),
    (
        MDO,
        "MDO Kansrijke Start Borsele",
        Group.Kind.CASE_CONSULTATION,
        "borsele",
        Group.Joining.BY_INVITATION,
        ["Vroegsignalering", "Armoede en schulden"],
        "Een denktank van verloskundige, kraamzorg, JGZ, maatschappelijk werk en schuldhulp: we bespreken "
        "situaties anoniem, als thema en vraag, en leggen elkaar ons aanbod uit.",
    ),
]

# Who is in each group: (number of coordinators, number of members) drawn from the coalition's people, and
# the demo logins who take part.
SIZES = {EARLY_SIGNALLING: (1, 6), FITTING_OFFERINGS: (1, 4), SOUNDING_BOARD: (1, 5), MDO: (1, 5)}
LOGIN_ROLES = {
    FITTING_OFFERINGS: [(COALITION_COORDINATOR_EMAIL, Membership.Role.COORDINATOR)],
    SOUNDING_BOARD: [(DEMO_MEMBER, Membership.Role.MEMBER)],
    MDO: [(DEMO_MEMBER, Membership.Role.MEMBER)],
}

DONE, DROPPED, OPEN, IN_PROGRESS = (Action.Status.DONE, Action.Status.DROPPED, Action.Status.OPEN,
                                    Action.Status.IN_PROGRESS)  # fmt: skip

# (group slug, title, status, due in days from today (None: no date), closed days ago, made days ago, progress,
#  result link). Every state, one action overdue, one without a due date.
ACTIONS = [
    (EARLY_SIGNALLING, "Signaleringskaart verspreiden onder alle partners", DONE, -45, 40, 120,
     "Verstuurd aan alle partners en besproken in de teams.", "https://www.kansrijkestartzeeland.example.org/kaart"),
    (EARLY_SIGNALLING, "Werkafspraken warme overdracht van verloskundige naar JGZ op papier zetten", IN_PROGRESS, 21,
     None, 90, "Eerste versie besproken met de JGZ; de kraamzorg leest mee.", ""),
    (EARLY_SIGNALLING, "Scholing 'Vroegsignalering in de zwangerschap' plannen met de GGD", OPEN, 45, None, 20, "", ""),
    (EARLY_SIGNALLING, "Overzicht maken van de wachttijden bij het maatschappelijk werk", OPEN, -10, None, 75,
     "", ""),
    (EARLY_SIGNALLING, "Eigen app voor signalen laten bouwen", DROPPED, 30, 70, 130,
     "Niet nodig: de signaleringskaart doet wat we zochten.", ""),
    (FITTING_OFFERINGS, "Sociale kaart Borsele bijwerken, per levensfase", DONE, -25, 20, 100,
     "Alle partners hebben hun aanbod nagekeken.", ""),
    (FITTING_OFFERINGS, "Digitale klantroute voor ouders testen met vijf gezinnen", IN_PROGRESS, 30, None, 60,
     "Drie van de vijf gesprekken gehouden.", ""),
    (FITTING_OFFERINGS, "Afspraak met schuldhulp over een snelle doorverwijzing", OPEN, 14, None, 20, "", ""),
    (FITTING_OFFERINGS, "Folder over het aanbod in de kraamperiode laten vertalen", OPEN, None, None, 20, "", ""),
    (SOUNDING_BOARD, "Reactie geven op het concept-werkplan", DONE, -30, 32, 80,
     "Reactie verstuurd aan de trekkers.", ""),
    (SOUNDING_BOARD, "Vragenlijst voor professionals uitproberen", OPEN, 20, None, 15, "", ""),
    (MDO, "Werkwijze en toestemmingsformulier van het MDO vastleggen", DONE, -60, 55, 110,
     "Vastgesteld; het formulier blijft in het eigen dossier van de professional.", ""),
]  # fmt: skip


def _people(coalition, count, *, start=0, exclude=()):
    """`count` approved people of `coalition` (its municipalities and partners), not the demo logins: by id, from
    the `start`-th on and round again, so groups of one coalition share some members and not all."""
    pool = list(
        Profile.objects.approved()
        .filter(partner_people(coalitions=[coalition]))
        .exclude(user__email__in=DEMO_LOGINS)
        .exclude(pk__in=exclude)
        .distinct()
        .order_by("pk")
    )
    if len(pool) < count:  # a small database (tests): anyone approved
        pool += list(
            Profile.objects.approved()
            .exclude(user__email__in=DEMO_LOGINS)
            .exclude(pk__in=[*exclude, *(profile.pk for profile in pool)])
            .order_by("pk")[: count - len(pool)]
        )
    return [pool[(start + index) % len(pool)] for index in range(min(count, len(pool)))]


def _memberships(group, coalition, by, now, *, start):
    coordinators, members = SIZES[group.slug]
    people = _people(coalition, coordinators + members, start=start)
    rows = [
        Membership(
            group=group,
            profile=profile,
            role=Membership.Role.COORDINATOR if index < coordinators else Membership.Role.MEMBER,
            joined_at=now - timedelta(days=150 - index),
            decided_by=by,
        )
        for index, profile in enumerate(people)
    ]
    logins = {profile.user.email: profile for profile in Profile.objects.filter(user__email__in=DEMO_LOGINS)}
    for email, role in LOGIN_ROLES.get(group.slug, []):
        if email in logins:
            rows.append(Membership(group=group, profile=logins[email], role=role, joined_at=now - timedelta(days=100)))
    if group.joining == Group.Joining.ON_REQUEST:
        # Someone has asked to join and waits for a group coordinator.
        rows += [
            Membership(group=group, profile=profile, state=Membership.State.REQUESTED, message="Ik werk als "
                       "jeugdverpleegkundige in Borsele en wil graag meedenken.")
            for profile in _people(coalition, 1, start=start, exclude=[profile.pk for profile in people])
        ]  # fmt: skip
    if group.joining == Group.Joining.BY_INVITATION and group.kind == Group.Kind.SOUNDING_BOARD:
        rows += [
            Membership(group=group, profile=profile, state=Membership.State.INVITED, invited_by=by,
                       message="Jouw ervaring met jonge ouders is hier welkom.")
            for profile in _people(coalition, 1, start=start, exclude=[profile.pk for profile in people])
        ]  # fmt: skip
    Membership.objects.bulk_create(rows)
    return [row.profile for row in rows if row.state == Membership.State.ACTIVE]


def _history(action, *, by, made_at, closed_at, status, progress):
    """The steps an action went through: made, started, and finished or dropped, as groups.services records them
    ({field: [old, new]} in the readable values of groups.services.readable_value)."""
    owners = readable_value("owners", list(action.owners.all()))
    due = readable_value("due_on", action.due_on)
    open_, in_progress = readable_value("status", OPEN), readable_value("status", IN_PROGRESS)
    steps = [(made_at, {"title": ["", action.title], "owners": ["", owners], "due_on": ["", due]}, "")]
    if status != OPEN:
        started_at = made_at + (closed_at - made_at) / 3 if closed_at else made_at + timedelta(days=7)
        steps.append((started_at, {"status": [open_, in_progress]}, "Opgepakt."))
    if status in (DONE, DROPPED):
        steps.append((closed_at, {"status": [in_progress, readable_value("status", status)]}, progress))
    elif progress:
        steps.append((min(made_at + timedelta(days=14), timezone.now()), {"progress_note": ["", progress]}, ""))
    ActionChange.objects.bulk_create(
        ActionChange(action=action, at=at, by=by, changes=changes, note=note) for at, changes, note in steps
    )


def _actions(group, members, by, now):
    today = timezone.localdate()
    made = []
    for index, (slug, title, status, due, closed, made_days, progress, result) in enumerate(ACTIONS):
        if slug != group.slug:
            continue
        closed_on = today - timedelta(days=closed) if closed is not None else None
        action = Action.objects.create(
            group=group,
            title=title,
            status=status,
            due_on=today + timedelta(days=due) if due is not None else None,
            closed_on=closed_on,
            progress_note=progress,
            result_url=result,
            created_by=by,
        )
        action.owners.set({members[index % len(members)], members[(index + 2) % len(members)]})
        made_at = now - timedelta(days=made_days)
        closed_at = now - timedelta(days=closed) if closed is not None else None
        Action.objects.filter(pk=action.pk).update(created_at=made_at, updated_at=closed_at or made_at)
        _history(action, by=by, made_at=made_at, closed_at=closed_at, status=status, progress=progress)
        made.append(action)
    return made


# (group slug, title, file name, text): documents the groups share (plain text, so the demo needs no PDF maker).
DOCUMENTS = [
    (
        EARLY_SIGNALLING,
        "Signaleringskaart (versie 1)",
        "signaleringskaart-v1.txt",
        "Signaleringskaart Kansrijke Start Borsele\n\nZie je zorgen over geld, wonen, gezondheid of veiligheid?\n"
        "1. Bespreek het met de ouders.\n2. Bel de contactpersoon van de werkgroep.\n3. Leg vast wat je afspreekt.",
    ),
    (
        FITTING_OFFERINGS,
        "Verslag test digitale klantroute",
        "verslag-test-klantroute.txt",
        "Vijf gezinnen probeerden de klantroute. Ze vonden het aanbod rond de geboorte snel; het aanbod voor de "
        "zwangerschap minder.",
    ),
]


def _documents(group, by):
    for slug, title, name, text in DOCUMENTS:
        if slug == group.slug:
            document = Document(group=group, title=title, uploaded_by=by)
            document.file.save(name, ContentFile(text.encode()), save=True)
            # A done action's result is the document it made.
            action = group.actions.filter(status=DONE, result_url="").order_by("pk").first()
            if action is not None:
                Action.objects.filter(pk=action.pk).update(result_document=document)


def seed(*, stdout=None):
    """Create the demo groups once (idempotent: a group that exists is left alone)."""
    by = get_user_model().objects.filter(email=REGIONAL_COORDINATOR).first()
    coalitions = Coalition.objects.in_bulk({group[3] for group in GROUPS}, field_name="slug")
    themes = {theme.name: theme for theme in Theme.objects.all()}
    now = timezone.now()
    made = 0
    for position, (slug, name, kind, coalition_slug, joining, focus, purpose) in enumerate(GROUPS):
        coalition = coalitions.get(coalition_slug)
        if coalition is None or Group.objects.filter(slug=slug).exists():
            continue
        group = Group.objects.create(
            slug=slug, name=name, kind=kind, coalition=coalition, joining=joining, purpose=purpose, created_by=by
        )
        group.focus_points.set([themes[theme] for theme in focus if theme in themes])
        members = _memberships(group, coalition, by, now, start=position * 4)
        if members:
            _actions(group, members, by, now)
        _documents(group, by)
        made += 1
    if stdout is not None and made:
        stdout.write(f"Groups: {made} groups with their members and actions.")
