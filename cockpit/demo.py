"""Demo history for the impact page: two years of approvals, partners, signatures, phase changes, events with
check-ins and feedback, tips and subscribers, so that every chart of the cockpit shows something real.

Runs last in seed_demo, on top of every app's own demo. History is the past, so rows are written directly (no
service that mails) but valid: the constraints hold, and what a form would refuse is not made. Every date is
relative to today (as the events demo's are) and every draw comes from a `random.Random` with a fixed seed, keyed
per person or per event where the order could change, so a second run leaves the same rows. Rows are found again
by a stable key (an e-mail address, a slug, a note); the moments of events made earlier are moved with today.
"""

import random
import re
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from coalition.roles import COORDINATOR, MEMBER
from events import services as events_services
from events.models import Event, Registration
from journal import services as journal_services
from journal.models import Edition, State, Story, Subscriber, Tip
from members.demo import DEMO_PASSWORD, FIRST_NAMES, JOB_TITLES, LAST_NAMES
from members.models import Discipline, Level, Municipality, Organisation, Profile, Theme, User, Visibility
from members.services import reindex_profiles
from network.audiences import Person
from network.models import (
    Circle,
    CircleChange,
    Coalition,
    Declaration,
    Partnership,
    Phase,
    PhaseChange,
    Signature,
    coalition_of,
)
from surveys import services as surveys_services
from surveys.demo import UPDATE_BATCH
from surveys.models import Participant, Response, Survey, SurveyQuestion, clean_answers
from surveys.services import place_people

REGIONAL_COORDINATOR = "coordinator@example.org"
DEMO_LOGINS = {"coordinator@example.org": 34, "coalition@example.org": 30, "member@example.org": 26}  # months ago
HISTORY_MONTHS = 24

# --- People -----------------------------------------------------------------------------------------------------

# Members who joined over the last two years, beside the members demo's 40 (whose approvals are spread too).
NEW_MEMBERS = 64
# Their addresses are numbered from here (the members demo's go up to 39).
NEW_MEMBER_NUMBERS = 100
MORE_FIRST_NAMES = ["Yvonne", "Jolanda", "Rik", "Hanneke", "Aïcha", "Corné", "Liza", "Marika", "Ilse", "Stijn"]
MORE_LAST_NAMES = ["van Bremen", "Slager", "Brueren", "Pieterse", "de Smit", "Louwerse", "Traas", "Kosten"]

# Organisations that became partners during the last two years: (name, discipline, municipalities, months ago).
NEW_PARTNERS = [
    ("Emergis, POP-poli", Discipline.MENTAL_HEALTH, ["Goes", "Middelburg", "Vlissingen"], 22),
    ("Kraamzorg De Eilanden", Discipline.MATERNITY_CARE, ["Schouwen-Duiveland", "Tholen"], 20),
    ("Humanitas Thuisadministratie Zeeland", Discipline.DEBT_COUNSELLING, ["Borsele", "Goes", "Terneuzen"], 18),
    ("Gemeente Schouwen-Duiveland, Sociaal Domein", Discipline.MUNICIPALITY, ["Schouwen-Duiveland"], 17),
    ("Huisartsenpraktijk Goes-Oost", Discipline.GENERAL_PRACTICE, ["Goes"], 15),
    ("Kinderopvang Kindwijs", Discipline.CHILDCARE, ["Hulst", "Sluis", "Terneuzen"], 13),
    ("Gemeente Veere, team Samenleving", Discipline.MUNICIPALITY, ["Veere"], 12),
    ("Jeugdzorg Zeeland, team Bevelanden", Discipline.YOUTH_CARE, ["Goes", "Noord-Beveland", "Kapelle"], 10),
    ("Basisschool De Regenboog", Discipline.EDUCATION, ["Kapelle"], 8),
    ("Verloskundigenpraktijk Tholen", Discipline.MIDWIFERY, ["Tholen"], 7),
    ("Gemeente Kapelle, Jeugd en Gezin", Discipline.MUNICIPALITY, ["Kapelle", "Reimerswaal"], 5),
    ("Bibliotheek Oosterschelde, BoekStart", Discipline.EDUCATION, ["Goes", "Schouwen-Duiveland"], 3),
]

# Declarations signed during the last two years: (coalition slug, version, title, months ago, share signing).
NEW_DECLARATIONS = [
    ("walcheren", 2, "Intentieverklaring Kansrijk Walcheren 2025–2028", 18, 0.9),
    ("zeeuws-vlaanderen", 1, "Intentieverklaring Kansrijk Zeeuws-Vlaanderen", 9, 0.8),
    ("de-bevelanden", 1, "Intentieverklaring Kansrijk de Bevelanden", 4, 0.6),
]
DIRECTORS = [
    ("drs. E. Wisse", "directeur-bestuurder"),
    ("C. Louwerse", "wethouder"),
    ("mr. L. Dekker-Traas", "bestuurder"),
    ("R. Minnaard", "manager zorg"),
    ("dr. S. de Kraker", "voorzitter raad van bestuur"),
    ("J. Geldof", "regiomanager"),
]

# Phase steps of the last two years, on top of each coalition's history in the network demo, ending in the phase
# it has there: (months ago, phase, note). A coalition whose own history reaches past the first step keeps it.
PHASE_STEPS = {
    "borsele": [
        (21, Phase.EMBEDDING, "Kansrijke Start staat in het lokaal gezondheidsbeleid en in de subsidieafspraken."),
        (11, Phase.CARRYING_OUT, "Nieuw uitvoeringsplan: opnieuw aan de slag, nu ook met armoede en schulden."),
    ],
    "walcheren": [
        (16, Phase.CARRYING_OUT, "Nieuw actieplan 2025–2027, met perinatale mentale gezondheid als speerpunt."),
        (5, Phase.EMBEDDING, "Het actieplan is opgenomen in de contracten met de partners."),
    ],
    "de-bevelanden": [
        (20, Phase.FORMING, "Na de wisseling van trekker is het kernteam opnieuw samengesteld."),
        (8, Phase.PLANNING, "Het kernteam schrijft met de partners een werkplan voor twee jaar."),
    ],
    "schouwen-duiveland-tholen": [
        (19, Phase.PLANNING, "De partners stellen samen een nieuw werkplan voor 2025–2026 op."),
        (10, Phase.CARRYING_OUT, "Het nieuwe werkplan is gestart; het MDO gaat door."),
    ],
    "zeeuws-vlaanderen": [
        (23, Phase.FORMING, "Terneuzen sluit zich aan: de coalitie vormt zich opnieuw, met drie gemeenten."),
        (13, Phase.PLANNING, "Eén werkplan voor Hulst, Sluis en Terneuzen in de maak."),
    ],
}

# --- Events -----------------------------------------------------------------------------------------------------

# A regional event each month, in this order round: (kind, title, description, theme slugs).
REGIONAL_EVENTS = [
    (Event.Kind.ONLINE_MEETING, "Online regio-overleg: hoe staan de coalities ervoor?",
     "Een uur bijpraten met de trekkers van alle coalities.", ["kansengelijkheid"]),
    (Event.Kind.WORKSHOP, "Workshop: het gesprek over geldzorgen",
     "Oefenen met de eerste vraag over geld, met een schuldhulpverlener.", ["armoede-en-schulden"]),
    (Event.Kind.PRESENTATION, "Presentatie: de eerste 1000 dagen in Zeeland in cijfers",
     "De GGD laat zien hoe het gaat met zwangeren en jonge gezinnen in de regio.", ["vroegsignalering"]),
    (Event.Kind.SERIOUS_GAME, "Serious game: de keten rond een zwangere in zorgen",
     "Wie ziet wat, en wie belt wie? Samen spelen verloskundige, kraamzorg, JGZ en wijkteam de keten na.",
     ["vroegsignalering", "veilig-opgroeien"]),
    (Event.Kind.WORK_VISIT, "Werkbezoek: de POP-poli van het ziekenhuis",
     "Een middag mee met het team dat zwangeren met psychische klachten begeleidt.", ["mentale-gezondheid"]),
    (Event.Kind.ONLINE_MEETING, "Online kennissessie: perinatale mentale gezondheid",
     "Herkennen, bespreken en verwijzen: wat werkt in de spreekkamer?", ["mentale-gezondheid"]),
    (Event.Kind.WORKSHOP, "Workshop: warme overdracht van kraamzorg naar JGZ",
     "Hoe komt wat de kraamverzorgende thuis ziet goed bij het consultatiebureau?", ["vroegsignalering"]),
    (Event.Kind.PRESENTATION, "Presentatie: impact laten zien aan de gemeenteraad",
     "Welke cijfers en verhalen overtuigen een raad? Met voorbeelden uit andere regio's.", ["kansengelijkheid"]),
    (Event.Kind.WORKSHOP, "Workshop: huiselijk geweld rond de zwangerschap",
     "Signalen herkennen en de meldcode toepassen, met Veilig Thuis.", ["veilig-opgroeien"]),
    (Event.Kind.WORK_VISIT, "Werkbezoek: een dag mee met de schuldhulpverlener",
     "Van de eerste brief tot een betalingsregeling: zo werkt schuldhulp.", ["armoede-en-schulden"]),
    (Event.Kind.ONLINE_MEETING, "Online kennissessie: stoppen met roken rond de zwangerschap",
     "Het gesprek over roken, met de verloskundige en de huisarts.", ["gezonde-leefstijl"]),
    (Event.Kind.SERIOUS_GAME, "Serious game: rondkomen met een baby",
     "Speel een maand als jong gezin met een krap budget.", ["armoede-en-schulden", "kansengelijkheid"]),
]  # fmt: skip

# A local event each month in one of the coalitions, in turn: (kind, title, description); {name} is the coalition.
LOCAL_EVENTS = [
    (Event.Kind.PARTNER_MEETING, "Partnerbijeenkomst {name}",
     "Terugblik, vooruitblik en samen lunchen met alle partners van de coalitie."),
    (Event.Kind.WORKSHOP, "Casustafel medisch en sociaal domein ({name})",
     "Verloskundigen, kraamzorg en JGZ bespreken met wijkteam en schuldhulp een geanonimiseerde casus."),
    (Event.Kind.WORK_VISIT, "Werkbezoek bij een partner van {name}",
     "Kijken in elkaars keuken: hoe werkt de ander, en wanneer bel je elkaar?"),
    (Event.Kind.PRESENTATION, "De digitale klantroute van {name}",
     "Wat staat er in de route voor ouders, en hoe gebruik je haar in je werk?"),
]  # fmt: skip
# How many people register for an event of each kind (at least 10, so at least five check in and answer).
FILL = {
    Event.Kind.ONLINE_MEETING: (18, 30),
    Event.Kind.WORKSHOP: (12, 20),
    Event.Kind.PRESENTATION: (16, 28),
    Event.Kind.SERIOUS_GAME: (10, 16),
    Event.Kind.WORK_VISIT: (10, 14),
    Event.Kind.PARTNER_MEETING: (14, 24),
}
# The average score of each kind (out of 5); the scores rise a little over the two years.
SCORE = {
    Event.Kind.ONLINE_MEETING: 3.4,
    Event.Kind.WORKSHOP: 4.0,
    Event.Kind.PRESENTATION: 3.6,
    Event.Kind.SERIOUS_GAME: 4.3,
    Event.Kind.WORK_VISIT: 4.4,
    Event.Kind.PARTNER_MEETING: 3.9,
}
VALUABLE = [
    "Ik weet nu wie ik bij de schuldhulp kan bellen.",
    "Het gesprek met collega's uit het sociaal domein.",
    "De casus uit de praktijk maakte het concreet.",
    "Eindelijk gezichten bij de namen.",
    "",
]
IMPROVE = ["Meer tijd voor vragen.", "Graag een vervolg.", "Een andere tijd, na de spreekuren.", "", ""]

# --- The journal ------------------------------------------------------------------------------------------------

TIPS = [
    "Het consultatiebureau in Middelburg houdt een inloop voor vaders op zaterdag.",
    "In Hulst koken jonge moeders samen met de diëtist van de JGZ.",
    "Een kraamverzorgende die Tigrinya spreekt en tolkt bij het kraambezoek.",
    "In Goes houden schuldhulp en verloskundigen samen een spreekuur.",
    "De bibliotheek deelt BoekStart-koffertjes uit op het consultatiebureau.",
    "Een huisarts in Veere vraagt bij elk zwangerschapsgesprek naar geldzorgen.",
    "De POP-poli start een lotgenotengroep voor ouders na een traumatische bevalling.",
    "Een basisschool in Kapelle opent een peuterochtend met de JGZ.",
    "Vrijwilligers van Humanitas helpen zwangeren met de kinderopvangtoeslag.",
    "Het wijkteam in Vlissingen heeft een vaste contactpersoon voor de kraamzorg.",
    "Een verloskundige uit Tholen maakt een podcast over de eerste 1000 dagen.",
    "Een MDO in Zierikzee waar de huisarts elke maand aanschuift.",
    "Terneuzen geeft jonge ouders een welkomstpakket met de klantroute erin.",
    "Een sportschool biedt zwangerschapsgym aan voor een prikje.",
    "Twee jongerenwerkers die tienermoeders naar de verloskundige begeleiden.",
    "Het kindcentrum De Vuurtoren leest voor in vijf talen.",
]
READERS = [
    ("Hanna de Wit", "h.dewit@example.net"),
    ("Joost Kodde", "j.kodde@example.net"),
    ("Willemijn Verhage", "willemijn.verhage@example.net"),
    ("Ahmed Bakkali", "a.bakkali@example.net"),
    ("Petra Louwerse", "petra.louwerse@example.net"),
    ("Marco Dieleman", "m.dieleman@example.net"),
    ("Els Polderman", "els.polderman@example.net"),
    ("Tessa Minnaard", "tessa.minnaard@example.net"),
    ("Gerrit Hoogerwerf", "g.hoogerwerf@example.net"),
    ("Naima Ouali", "naima.ouali@example.net"),
    ("Carolien Traas", "c.traas@example.net"),
    ("Ruben de Jonge", "ruben.dejonge@example.net"),
    ("Miranda Schippers", "m.schippers@example.net"),
    ("Dirk Wisse", "dirk.wisse@example.net"),
    ("Yara Boogaard", "yara.boogaard@example.net"),
    ("Frank Lievense", "f.lievense@example.net"),
    ("Ingrid Koster", "ingrid.koster@example.net"),
    ("Bas van Damme", "bas.vandamme@example.net"),
]


def _month_start(months_ago: int) -> date:
    """The first day of the month `months_ago` months before this one."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


def _day(months_ago: int, day: int) -> date:
    """A day of the month `months_ago` months back, never after today."""
    return min(_month_start(months_ago).replace(day=min(day, 28)), timezone.localdate())


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour=hour, minute=minute)))


def _before_today(rng: random.Random, *, months: float, at_least_days: int = 1) -> datetime:
    """A moment `months` back (a fraction of a month too), at a working hour; never today or later."""
    days = max(round(months * 30.4), at_least_days)
    return _moment(timezone.localdate() - timedelta(days=days), rng.randint(8, 17), rng.choice([0, 15, 30, 45]))


# --- Members ----------------------------------------------------------------------------------------------------


def _organisations_with_new_partners():
    municipalities = Municipality.objects.in_bulk(field_name="name")
    for name, discipline, places, _months in NEW_PARTNERS:
        slug = slugify(name)
        organisation, created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "discipline": discipline,
                "phone": f"0113-{400000 + len(slug) * 1000 + len(name)}",
                "email": f"info@{slug}.example.org",
                "website": f"https://{slug}.example.org",
                "address": f"Kerkplein {len(name) % 20 + 1}\n{places[0]}",
                "description": f"{name} is sinds kort partner van Kansrijke Start.",
            },
        )
        if created:
            organisation.municipalities.set([municipalities[place] for place in places if place in municipalities])
    return list(
        Organisation.objects.exclude(slug__startswith="bench-org-").prefetch_related("municipalities").order_by("pk")
    )


def _new_members(organisations):
    """NEW_MEMBERS approved members across the organisations (made once each, by address)."""
    themes = list(Theme.objects.order_by("pk"))
    group = Group.objects.get(name=MEMBER)
    password = make_password(DEMO_PASSWORD)
    first_names, last_names = [*FIRST_NAMES, *MORE_FIRST_NAMES], [*LAST_NAMES, *MORE_LAST_NAMES]
    made = []
    for n in range(NEW_MEMBERS):
        first = first_names[(n * 7 + 3) % len(first_names)]
        last = last_names[(n * 11 + 5) % len(last_names)]
        email = f"{slugify(first)}.{slugify(last).replace('-', '')}{NEW_MEMBER_NUMBERS + n}@example.org"
        organisation = organisations[(n * 5 + 2) % len(organisations)]
        person_rng = random.Random(email)  # noqa: S311 (the same demo data on every run)
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last, "password": password}
        )
        if not created:
            continue
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        user.groups.add(group)
        profile = Profile.objects.create(
            user=user,
            first_name=first,
            last_name=last,
            job_title=person_rng.choice(JOB_TITLES[organisation.discipline]),
            discipline=organisation.discipline,
            organisation=organisation,
            direct_phone=f"06-{person_rng.randint(10000000, 99999999)}",
            availability="bereikbaar op werkdagen 9:00–16:00" if n % 3 else "",
            level=[Level.PRACTICE, Level.PRACTICE, Level.POLICY, Level.MANAGEMENT][n % 4],
            status=Profile.Status.APPROVED,
            phone_visibility=Visibility.COORDINATORS if n % 5 == 0 else Visibility.MEMBERS,
        )
        served = list(organisation.municipalities.all())
        # Borsele, the demo coalition coordinator's coalition, is one small municipality: half of those who could
        # work there do, so its own figures (the pulse's, say) reach the privacy minimum.
        borsele = [place for place in served if place.slug == "borsele"]
        if borsele and n % 2 == 0:
            profile.municipalities.set(borsele)
        elif served:
            profile.municipalities.set(person_rng.sample(served, k=min(len(served), person_rng.randint(1, 2))))
        profile.themes.set(person_rng.sample(themes, k=min(len(themes), person_rng.randint(1, 2))))
        made.append(profile.pk)
    reindex_profiles(Profile.objects.filter(pk__in=made))
    return len(made)


def _number_in(email: str) -> int | None:
    """The number the demos put in a made-up address (anouk.devos12@example.org: 12), or None."""
    found = re.search(r"(\d+)@", email)
    return int(found.group(1)) if found else None


def _approvals():
    """Spread the approvals over the last years: the demo logins long ago, the members demo's 40 over 30 months, the
    newer members over the last two years; the pending sign-ups of the last days. Returns {profile id: approved}.

    A member whose details were last confirmed long ago (the members demo's "possibly outdated") was approved before.
    """
    now = timezone.now()
    approved_at = {}
    profiles = Profile.objects.exclude(user__email__startswith="bench").select_related("user").order_by("pk")
    for profile in profiles:
        email = profile.user.email
        rng = random.Random(f"approval-{email}")  # noqa: S311 (the same demo data on every run)
        number = _number_in(email)
        is_newer = number is not None and number >= NEW_MEMBER_NUMBERS
        stale = (now - profile.details_confirmed_at).days > 250
        if email in DEMO_LOGINS:
            months = DEMO_LOGINS[email]
        elif is_newer:
            months = rng.uniform(0.2, HISTORY_MONTHS - 0.5)
        else:
            months = rng.uniform(11, 30) if stale else rng.uniform(0.5, 30)
        if profile.status == Profile.Status.PENDING:
            created, changed = _before_today(rng, months=0, at_least_days=rng.randint(1, 4)), None
        else:
            changed = _before_today(rng, months=months)
            created = changed - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
        if profile.status == Profile.Status.APPROVED:
            approved_at[profile.pk] = changed
        confirmed = profile.details_confirmed_at
        if is_newer:
            confirmed = changed + (now - changed) * rng.random() * (0.2 if number % 10 == 3 else 1)
        confirmed = max(confirmed, changed or created)
        Profile.objects.filter(pk=profile.pk).update(
            created_at=created, status_changed_at=changed, details_confirmed_at=confirmed
        )
        User.objects.filter(pk=profile.user_id).update(date_joined=created)
    return approved_at


# --- The network ------------------------------------------------------------------------------------------------


def _phase_history(by):
    """Add PHASE_STEPS to each coalition's history (found again by their note) and set its current phase."""
    coalitions = Coalition.objects.in_bulk(list(PHASE_STEPS), field_name="slug")
    for slug, steps in PHASE_STEPS.items():
        coalition = coalitions.get(slug)
        if coalition is None:
            continue
        notes = [note for _months, _phase, note in steps]
        earlier = coalition.phase_changes.exclude(note__in=notes).order_by("-changed_on", "-pk").first()
        first_day = _day(steps[0][0], 1 + len(slug) % 20)
        if earlier is None or earlier.changed_on >= first_day:
            continue
        for months, phase, note in steps:
            on = _day(months, 1 + len(note) % 25)
            change = PhaseChange.objects.filter(coalition=coalition, note=note).first()
            if change is None:
                PhaseChange.objects.create(coalition=coalition, phase=phase, changed_on=on, note=note, changed_by=by)
            elif (change.phase, change.changed_on) != (phase, on):
                PhaseChange.objects.filter(pk=change.pk).update(phase=phase, changed_on=on)
        latest = coalition.phase_changes.order_by("-changed_on", "-pk").first()
        Coalition.objects.filter(pk=coalition.pk).update(phase=latest.phase, phase_since=latest.changed_on)


def _phase_on(histories, coalition_id, day):
    """The phase a coalition was in on `day`, from its history (sorted oldest first)."""
    phase = ""
    for changed_on, changed_to in histories.get(coalition_id, []):
        if changed_on > day:
            break
        phase = changed_to
    return phase


def _partners(organisations):
    """The new organisations become partners of the coalitions of their municipalities, spread over two years."""
    by_name = {organisation.name: organisation for organisation in organisations}
    coalitions = list(Coalition.objects.prefetch_related("municipalities").order_by("pk"))
    made = []
    for name, _discipline, places, months in NEW_PARTNERS:
        organisation = by_name[name]
        for position, coalition in enumerate(coalitions):
            if not {m.name for m in coalition.municipalities.all()} & set(places):
                continue
            since = max(_day(months, 3 + position * 4), coalition.started_on or date.min)
            circle = Circle.INNER if (len(name) + position) % 3 else Circle.OUTER
            partnership, _created = Partnership.objects.update_or_create(
                coalition=coalition, organisation=organisation, defaults={"since": since, "circle": circle}
            )
            CircleChange.objects.update_or_create(
                partnership=partnership, defaults={"circle": circle, "changed_on": since}
            )
            contacts = [p for p in organisation.people.all() if p.status == Profile.Status.APPROVED]
            partnership.contact_persons.set(contacts[:1])
            made.append(partnership)
    return made


def _sign(declaration, partnership, signed_on, index):
    name, function = DIRECTORS[index % len(DIRECTORS)]
    signature, created = Signature.objects.get_or_create(
        declaration=declaration,
        partnership=partnership,
        defaults={"signed_by_name": name, "signed_by_function": function, "signed_on": signed_on},
    )
    if not created and signature.signed_on != signed_on:
        Signature.objects.filter(pk=signature.pk).update(signed_on=signed_on)


def _declarations(new_partnerships):
    """New declarations of the last two years, signed over the weeks after; new partners sign the latest version."""
    today = timezone.localdate()
    text = (
        "Wij, de bestuurders van de partners van deze coalitie, spreken uit dat wij samen werken aan een kansrijke "
        "start voor ieder kind, en onze medewerkers daarvoor de ruimte geven."
    )
    coalitions = Coalition.objects.in_bulk([d[0] for d in NEW_DECLARATIONS], field_name="slug")
    for slug, version, title, months, share in NEW_DECLARATIONS:
        coalition = coalitions.get(slug)
        if coalition is None:
            continue
        dated_on = _day(months, 12)
        declaration, _created = Declaration.objects.update_or_create(
            coalition=coalition, version=version, defaults={"title": title, "dated_on": dated_on, "text": text}
        )
        partners = list(coalition.partnerships.filter(since__lte=dated_on).order_by("organisation__name"))
        for index, partnership in enumerate(partners[: round(len(partners) * share)]):
            _sign(declaration, partnership, min(dated_on + timedelta(days=(index * 5) % 42), today), index)
    for index, partnership in enumerate(new_partnerships):
        latest = partnership.coalition.declarations.order_by("-version").first()
        signed_on = partnership.since + timedelta(days=30 + index % 20)
        if latest is not None and latest.dated_on <= partnership.since and signed_on < today and index % 4:
            _sign(latest, partnership, signed_on, index)


# --- Events -----------------------------------------------------------------------------------------------------


def _event_plan():
    """(slug, months ago, day, coalition slug or None, kind, title, description, themes) of each past event."""
    coalitions = list(
        Coalition.objects.exclude(started_on=None)
        .order_by("started_on", "pk")
        .values_list("slug", "name", "started_on")
    )
    plan = []
    for months in range(HISTORY_MONTHS, -1, -1):
        kind, title, description, themes = REGIONAL_EVENTS[months % len(REGIONAL_EVENTS)]
        plan.append((f"terugblik-regio-{months}", months, 10 + months % 9, None, kind, title, description, themes))
        month = _month_start(months)
        running = [(slug, name) for slug, name, started_on in coalitions if started_on <= month]
        if running:
            slug, name = running[months % len(running)]
            kind, title, description = LOCAL_EVENTS[months % len(LOCAL_EVENTS)]
            plan.append(
                (f"terugblik-{slug}-{months}", months, 18 + months % 8, slug, kind, title.format(name=name),
                 description, [])
            )  # fmt: skip
    return plan


def _event(slug, starts_at, coalition, kind, title, description, themes, host):
    """The event of `slug`, made or moved to `starts_at`."""
    hours = 1 if kind == Event.Kind.ONLINE_MEETING else 3 if kind == Event.Kind.PARTNER_MEETING else 2
    online = kind == Event.Kind.ONLINE_MEETING
    event, _created = Event.objects.update_or_create(
        slug=slug,
        defaults={
            "title": title,
            "kind": kind,
            "state": Event.State.PUBLISHED,
            "coalition": coalition,
            "host": host,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=hours),
            "venue": "" if online else ("Wijkcentrum De Schakel" if coalition is None else "Buurthuis De Kroon"),
            "address": "" if online else ("Stationsplein 4\n4461 HP Goes" if coalition is None else "Dorpsstraat 12"),
            "meeting_url": f"https://meet.example.org/{slug}" if online else "",
            "capacity": None,
            "cancellation_deadline": starts_at - timedelta(days=1),
            "description": description,
        },
    )
    event.themes.set(list(Theme.objects.filter(slug__in=themes)) if themes else [])
    return event


def _move(event, starts_at):
    """An event made on an earlier day moves with today: its registrations and feedback move along."""
    shift = starts_at - event.starts_at
    if not shift:
        return
    Registration.objects.filter(event=event).update(
        registered_at=F("registered_at") + shift,
        confirmed_at=F("confirmed_at") + shift,
        cancelled_at=F("cancelled_at") + shift,
        checked_in_at=F("checked_in_at") + shift,
    )
    if event.feedback_survey_id:
        Response.objects.filter(survey_id=event.feedback_survey_id).update(submitted_at=F("submitted_at") + shift)
        Participant.objects.filter(survey_id=event.feedback_survey_id).update(
            invited_at=F("invited_at") + shift, answered_at=F("answered_at") + shift
        )


def _attend(event, people, *, coalition_of_person, histories, progress):
    """Registrations (a few cancelled), check-ins and feedback of one past event, made once."""
    rng = random.Random(event.slug)  # noqa: S311 (the same demo data on every run)
    day = timezone.localtime(event.starts_at).date()
    registrations = []
    for position, profile in enumerate(people):
        when = event.starts_at - timedelta(days=rng.randint(7, 35), minutes=position * 7)
        cancelled = rng.random() < 0.06
        coalition = coalition_of_person.get(profile.pk)
        registrations.append(
            Registration(
                event=event,
                profile=profile,
                name=profile.full_name,
                organisation=profile.organisation,
                organisation_name=profile.organisation.name if profile.organisation else "",
                discipline=profile.discipline,
                coalition=coalition,
                coalition_phase=_phase_on(histories, coalition.pk, day) if coalition else "",
                state=Registration.State.CANCELLED if cancelled else Registration.State.CONFIRMED,
                consent_to_list=rng.random() < 0.8,
                registered_at=when,
                confirmed_at=when,
                cancelled_at=event.starts_at - timedelta(days=2) if cancelled else None,
            )
        )
    Registration.objects.bulk_create(registrations)
    confirmed = [r for r in registrations if r.state == Registration.State.CONFIRMED]
    present = [r for r in confirmed if rng.random() < 0.87] or confirmed
    Registration.objects.filter(pk__in=[r.pk for r in present]).update(
        checked_in=True, checked_in_at=event.starts_at - timedelta(minutes=5)
    )
    answering = [r for r in present if rng.random() < 0.65]
    answering += [r for r in present if r not in answering][: max(0, 5 - len(answering))]
    if not answering:
        return len(present), 0
    survey = events_services.ensure_feedback_survey(event)
    score_question, valuable_question, improve_question = survey.questions.order_by("position", "pk")
    answered_at = event.ends_at + timedelta(days=1)
    places = place_people(
        survey,
        [Person(email=r.profile.user.email, name=r.name, profile_id=r.profile_id) for r in answering],
        invited_at=event.ends_at,
    )
    mean = SCORE[event.kind] + 0.35 * progress
    responses = []
    for position, registration in enumerate(answering):
        place = places[registration.profile.user.email.strip().lower()]
        place.answered_at = answered_at + timedelta(minutes=position * 13)
        answers = {str(score_question.pk): max(1, min(5, round(rng.gauss(mean, 0.8))))}
        for question, texts in ((valuable_question, VALUABLE), (improve_question, IMPROVE)):
            text = rng.choice(texts)
            if text:
                answers[str(question.pk)] = text
        responses.append(
            Response(
                survey=survey,
                participant=place,
                answers=answers,
                coalition=registration.coalition,
                coalition_phase=registration.coalition_phase,
                discipline=registration.discipline,
                submitted_at=place.answered_at,
            )
        )
    Participant.objects.bulk_update(
        [response.participant for response in responses], ["answered_at"], batch_size=UPDATE_BATCH
    )
    Response.objects.bulk_create(responses)
    return len(present), len(responses)


def _events(approved_at):
    """A regional and a local event in each of the last 24 months, with the people who came and what they said."""
    now = timezone.now()
    profiles = list(
        Profile.objects.approved()
        .exclude(user__email__startswith="bench")
        .exclude(user__email__in=["member@example.org"])  # the demo login's registrations are the events demo's
        .select_related("user", "organisation")
        .order_by("pk")
    )
    coalitions = Coalition.objects.in_bulk(field_name="slug")
    coalition_of_person = {profile.pk: coalition_of(profile) for profile in profiles}
    histories = {}
    for coalition_id, changed_on, phase in PhaseChange.objects.order_by("changed_on", "pk").values_list(
        "coalition_id", "changed_on", "phase"
    ):
        histories.setdefault(coalition_id, []).append((changed_on, phase))
    hosts = {}
    for partnership in Partnership.objects.select_related("organisation").order_by("pk"):
        hosts.setdefault(partnership.coalition_id, []).append(partnership.organisation)
    made = checked_in = answered = 0
    for slug, months, day, coalition_slug, kind, title, description, themes in _event_plan():
        coalition = coalitions.get(coalition_slug)
        starts_at = _moment(_month_start(months).replace(day=day), 13 if kind != Event.Kind.WORKSHOP else 15)
        if starts_at > now - timedelta(days=1):
            continue
        rng = random.Random(slug)  # noqa: S311 (the same demo data on every run)
        candidates = [p for p in profiles if p.pk in approved_at and approved_at[p.pk] < starts_at - timedelta(days=7)]
        if coalition is not None:
            own = [p for p in candidates if coalition_of_person.get(p.pk) == coalition]
            others = [p for p in candidates if p not in own]
            candidates = own + rng.sample(others, min(len(others), max(6, len(own) // 2, 14 - len(own))))
        low, high = FILL[kind]
        people = rng.sample(candidates, min(len(candidates), rng.randint(low, high)))
        people.sort(key=lambda profile: profile.pk)
        host_list = hosts.get(coalition.pk, []) if coalition else []
        host = host_list[months % len(host_list)] if host_list else None
        if len(people) < 10:
            continue  # too few members yet for an event worth showing
        existing = Event.objects.filter(slug=slug).first()
        if existing is not None:
            _move(existing, starts_at)
        event = _event(slug, starts_at, coalition, kind, title, description, themes, host)
        made += 1
        if Registration.objects.filter(event=event).exists():
            continue
        came, said = _attend(
            event,
            people,
            coalition_of_person=coalition_of_person,
            histories=histories,
            progress=1 - months / HISTORY_MONTHS,
        )
        checked_in += came
        answered += said
    return made, checked_in, answered


# --- The journal ------------------------------------------------------------------------------------------------


def _journal_start():
    """When the journal began: a month before its first edition (or a year ago, without one)."""
    first = Edition.objects.published().order_by("published_at").values_list("published_at", flat=True).first()
    return (first or timezone.now() - timedelta(days=335)) - timedelta(days=30)


def _subscribers(approved_at):
    """Members subscribed when they were approved (not before the journal began); readers from outside over time."""
    start = _journal_start()
    rng = random.Random("lezers")  # noqa: S311 (the same demo data on every run)
    # As the journal demo does for the members there were: every approved member receives it.
    unsubscribed = Profile.objects.filter(pk__in=approved_at, user__journal_subscription__isnull=True)
    for profile in unsubscribed.select_related("user"):
        journal_services.subscribe_member(profile.user)
    for subscriber in Subscriber.objects.filter(user__profile__isnull=False).values("pk", "user__profile"):
        approved = approved_at.get(subscriber["user__profile"])
        if approved is None:
            continue
        when = max(approved, start + timedelta(days=subscriber["pk"] % 20, hours=3))
        Subscriber.objects.filter(pk=subscriber["pk"]).update(confirmed_at=when, created_at=when)
    span = max((timezone.now() - start).days, 1)
    for index, (name, email) in enumerate(READERS):
        when = start + timedelta(days=round(span * (index + 0.5) / len(READERS)), hours=rng.randint(8, 20))
        subscriber, _created = Subscriber.objects.get_or_create(
            email=email, defaults={"name": name, "wants_invitations": index % 3 == 0, "confirmed_at": when}
        )
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmed_at=when, created_at=when - timedelta(minutes=9))


def _tips():
    """Tips over the months since the journal began; the older ones used in a story or declined."""
    start = _journal_start()
    span = max((timezone.now() - start).days, 1)
    stories = list(Story.objects.filter(state=State.PUBLISHED, edition__state=State.PUBLISHED).order_by("published_at"))
    senders = list(Profile.objects.approved().exclude(user__email__startswith="bench").select_related("user")[:30])
    for index, what in enumerate(TIPS):
        received = start + timedelta(days=round(span * (index + 0.3) / len(TIPS)), hours=10 + index % 7)
        later = [story for story in stories if story.published_at and story.published_at > received]
        age = (timezone.now() - received).days
        if age > 120 and later and index % 3 != 2:
            state, story = Tip.State.USED, later[index % len(later)]
        elif age > 60:
            state, story = (Tip.State.DECLINED if index % 2 else Tip.State.CONSIDERING), None
        else:
            state, story = Tip.State.NEW, None
        sender = senders[index % len(senders)] if senders else None
        tip, _created = Tip.objects.get_or_create(
            what=what,
            defaults={
                "sender": sender.user if sender else None,
                "name": sender.full_name if sender else "Anouk de Vries",
                "email": sender.user.email if sender else "anouk.devries@example.net",
                "state": state,
                "story": story,
                "sender_notified_at": story.published_at if story else None,
            },
        )
        Tip.objects.filter(pk=tip.pk).update(created_at=received)
    # The journal demo's own tips came in over its first months.
    for position, pk in enumerate(Tip.objects.exclude(what__in=TIPS).order_by("pk").values_list("pk", flat=True)):
        Tip.objects.filter(pk=pk).update(created_at=start + timedelta(days=20 + position * 31, hours=11))


# --- The network pulse ------------------------------------------------------------------------------------------

IMPROVEMENTS = [
    "Een vast aanspreekpunt bij het sociaal wijkteam.",
    "Vaker samen een casus bespreken.",
    "Weten wie er nieuw is in de coalitie.",
    "Een kortere lijn met de huisartsen.",
]


def _pulse_answers(approved_at):
    """The members the pulse demo did not know yet answer each year's pulse too, if approved before it opened, so
    every coalition's pulse has enough answers to show. Once per pulse: a pulse that invited them is left alone."""
    now = timezone.now()
    for survey in surveys_services.pulses().order_by("opens_at"):
        people = list(
            Profile.objects.filter(pk__in=[pk for pk, at in approved_at.items() if at < survey.opens_at])
            .select_related("user")
            .order_by("pk")
        )
        invited = set(Participant.objects.filter(survey=survey).values_list("profile_id", flat=True))
        newcomers = [profile for profile in people if profile.pk not in invited]
        if Participant.objects.filter(survey=survey).count() >= len(people) or not newcomers:
            continue
        year = timezone.localtime(survey.opens_at).year
        better = 1 if year >= timezone.localdate().year else 0
        closed = survey.closes_at is not None and survey.closes_at <= now
        until = min(survey.closes_at or now, now) - timedelta(hours=1)
        rng = random.Random(f"pulse-newcomers-{year}")  # noqa: S311 (the same demo data on every run)
        questions = list(survey.questions.order_by("position", "pk"))
        participants = Participant.objects.bulk_create(
            Participant(
                survey=survey,
                profile=profile,
                email=profile.user.email,
                name=profile.full_name,
                invited_at=survey.sent_at or survey.opens_at,
            )
            for profile in newcomers
        )
        responses = []
        for participant, profile in zip(participants, newcomers, strict=True):
            if rng.random() > (0.8 if closed else 0.65):
                continue
            coalition = coalition_of(profile)
            answers = {}
            for question in questions:
                if question.kind == SurveyQuestion.Kind.SEVERAL_CHOICES:
                    others = [choice for choice in question.choices if choice != "Geen"]
                    chosen = set(
                        rng.sample(others, rng.choices([0, 1, 2, 3], weights=[3 - better, 4, 3, 1 + better])[0])
                    )
                    answers[str(question.pk)] = [choice for choice in others if choice in chosen] or ["Geen"]
                elif question.kind in (SurveyQuestion.Kind.SCALE, SurveyQuestion.Kind.NUMBER):
                    low, high = int(question.min_value or 1), int(question.max_value or 5)
                    answers[str(question.pk)] = max(low, min(high, round(rng.gauss(3.1 + better * 0.5, 0.9))))
                elif question.kind == SurveyQuestion.Kind.LONG_TEXT and rng.random() < 0.3:
                    answers[str(question.pk)] = rng.choice(IMPROVEMENTS)
            participant.answered_at = survey.opens_at + (until - survey.opens_at) * rng.random()
            responses.append(
                Response(
                    survey=survey,
                    participant=participant,
                    answers=clean_answers(questions, answers),  # as the form would take them
                    coalition=coalition,
                    coalition_phase=coalition.phase if coalition else "",
                    discipline=profile.discipline,
                    submitted_at=participant.answered_at,
                )
            )
        Participant.objects.bulk_update(
            [response.participant for response in responses], ["answered_at"], batch_size=UPDATE_BATCH
        )
        Response.objects.bulk_create(responses)
    # As the nightly task does (and the surveys demo did): answers to a pulse closed long ago are cut loose.
    surveys_services.detach_responses(now=now)


def seed_people(*, stdout=None):
    """The organisations and members who joined over the last two years (idempotent).

    seed_demo calls this before the events demo, which draws its participants from every approved member: so both
    runs of seed_demo see the same members, and the history's people are the ones registered for events.
    """
    organisations = _organisations_with_new_partners()
    made = _new_members(organisations)
    if stdout is not None and made:
        stdout.write(f"History: {made} members who joined over the last two years.")


def seed(*, stdout=None):
    """Add two years of history to the demo (idempotent)."""
    seed_people(stdout=stdout)
    by = User.objects.filter(email=REGIONAL_COORDINATOR, groups__name=COORDINATOR).first()
    organisations = _organisations_with_new_partners()
    approved_at = _approvals()
    _phase_history(by)
    new_partnerships = _partners(organisations)
    _declarations(new_partnerships)
    events, checked_in, answered = _events(approved_at)
    _subscribers(approved_at)
    _tips()
    _pulse_answers(approved_at)
    # What the nightly task does to history this old: the personal data of events long past is cut loose.
    events_services.detach_personal_data()
    if stdout is not None:
        stdout.write(
            f"History: {len(new_partnerships)} new partnerships, {events} past events ({checked_in} check-ins and "
            f"{answered} feedback answers made now) over {HISTORY_MONTHS} months."
        )


# --- Benchmarks ---------------------------------------------------------------------------------------------------

BENCH_EVENT = "bench-event-"


def seed_bench(*, events=0, registrations=0, stdout=None):
    """`events` past events over the last two years with `registrations` registrations among the bench members
    (seed_demo --members), most checked in, half of those with feedback: bulk inserts, for bench/impact.py and
    bench/pages.py. Events that exist (by slug) are kept with their registrations; only missing ones are made."""
    if not events:
        return 0
    rng = random.Random(500)  # noqa: S311 (the same benchmark data on every run)
    people = list(
        Profile.objects.approved()
        .filter(user__email__startswith="bench")
        .values_list("pk", "discipline", "organisation_id", "first_name", "last_name", "user__email")
        .order_by("pk")
    ) or list(
        Profile.objects.approved()
        .values_list("pk", "discipline", "organisation_id", "first_name", "last_name", "user__email")
        .order_by("pk")
    )
    coalitions = list(Coalition.objects.exclude(slug__startswith="bench-coalition-").order_by("pk"))
    existing = set(Event.objects.filter(slug__startswith=BENCH_EVENT).values_list("slug", flat=True))
    kinds = [kind for kind in Event.Kind.values if kind != Event.Kind.GROUP_MEETING]
    now = timezone.now()
    new = []
    for n in range(events):
        slug = f"{BENCH_EVENT}{n}"
        if slug in existing:
            continue
        starts_at = (now - timedelta(days=2 + n * 729 // events)).replace(hour=9 + n % 8, minute=0, second=0)
        new.append(
            Event(
                slug=slug,
                title=f"Benchmarkbijeenkomst {n}",
                kind=kinds[n % len(kinds)],
                state=Event.State.PUBLISHED,
                coalition=coalitions[n % len(coalitions)] if coalitions and n % 3 else None,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                venue="Wijkcentrum De Schakel",
            )
        )
    Event.objects.bulk_create(new, batch_size=1000)
    if not new or not people:
        return 0
    per_event = max(1, min(len(people), registrations // events))
    rows, phases = [], {coalition.pk: coalition.phase for coalition in coalitions}
    for event in new:
        for pk, discipline, organisation_id, first, last, _email in rng.sample(people, per_event):
            coalition_id = event.coalition_id or (coalitions[pk % len(coalitions)].pk if coalitions else None)
            checked_in = rng.random() < 0.85
            rows.append(
                Registration(
                    event=event,
                    profile_id=pk,
                    name=f"{first} {last}",
                    organisation_id=organisation_id,
                    discipline=discipline,
                    coalition_id=coalition_id,
                    coalition_phase=phases.get(coalition_id, ""),
                    state=Registration.State.CONFIRMED,
                    registered_at=event.starts_at - timedelta(days=20),
                    confirmed_at=event.starts_at - timedelta(days=20),
                    checked_in=checked_in,
                    checked_in_at=event.starts_at if checked_in else None,
                )
            )
    Registration.objects.bulk_create(rows, batch_size=5000)
    _bench_feedback(new, rows, {pk: email for pk, *_rest, email in people}, rng)
    events_services.detach_personal_data()  # as for the demo's history: old events keep their counts only
    if stdout is not None:
        stdout.write(f"Built {len(new)} past events and {len(rows)} registrations for benchmarks.")
    return len(rows)


def _bench_feedback(events, registrations, emails, rng):
    """A feedback survey per event, as events.services makes it, answered by half of those who checked in."""
    surveys = Survey.objects.bulk_create(
        [
            Survey(
                title=events_services.FEEDBACK_TITLE.format(title=event.title)[:200],
                slug=f"{Survey.Kind.FEEDBACK}-{event.slug}",
                kind=Survey.Kind.FEEDBACK,
                introduction=events_services.FEEDBACK_INTRODUCTION.format(title=event.title),
                coalition_id=event.coalition_id,
                state=Survey.State.PUBLISHED,
                opens_at=event.starts_at,
                closes_at=event.ends_at + events_services.FEEDBACK_OPEN_AFTER_END,
                results_for=Survey.ResultsFor.COALITION,
            )
            for event in events
        ],
        batch_size=1000,
    )
    questions = SurveyQuestion.objects.bulk_create(
        [
            SurveyQuestion(survey=survey, position=position, **question)
            for survey in surveys
            for position, question in enumerate(events_services.FEEDBACK_QUESTIONS, start=1)
        ],
        batch_size=3000,
    )
    score_of = {question.survey_id: question.pk for question in questions if question.position == 1}
    for event, survey in zip(events, surveys, strict=True):
        event.feedback_survey = survey
    Event.objects.bulk_update(events, ["feedback_survey"], batch_size=1000)
    survey_of = {event.pk: survey for event, survey in zip(events, surveys, strict=True)}
    answering = [r for r in registrations if r.checked_in and rng.random() < 0.5]
    participants = Participant.objects.bulk_create(
        [
            Participant(
                survey=survey_of[r.event_id],
                profile_id=r.profile_id,
                email=emails[r.profile_id],
                name=r.name,
                invited_at=r.checked_in_at,
                answered_at=r.checked_in_at + timedelta(days=1),
            )
            for r in answering
        ],
        batch_size=5000,
    )
    Response.objects.bulk_create(
        [
            Response(
                survey=participant.survey,
                participant=participant,
                answers={str(score_of[participant.survey_id]): rng.choice([3, 4, 4, 5, 5, 2])},
                coalition_id=r.coalition_id,
                coalition_phase=r.coalition_phase,
                discipline=r.discipline,
                submitted_at=participant.answered_at,
            )
            for participant, r in zip(participants, answering, strict=True)
        ],
        batch_size=5000,
    )
