"""Demo data of the members app: Zeeland's municipalities, organisations, members and offerings."""

import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from coalition.roles import COORDINATOR, MEMBER

from .models import (
    Access,
    Discipline,
    Level,
    LifePhase,
    Municipality,
    Offering,
    Organisation,
    Profile,
    Theme,
    User,
    Visibility,
)
from .services import reindex_offerings, reindex_profiles

DEMO_PASSWORD = "kansrijke-start-demo"  # noqa: S105 (public demo login, printed by seed_demo)

MUNICIPALITIES = [
    "Borsele", "Goes", "Hulst", "Kapelle", "Middelburg", "Noord-Beveland", "Reimerswaal",
    "Schouwen-Duiveland", "Sluis", "Terneuzen", "Tholen", "Veere", "Vlissingen",
]  # fmt: skip

THEMES = [
    ("Vroegsignalering", "Zorgen rond zwangerschap en gezin vroeg zien en bespreken."),
    ("Armoede en schulden", "Geldzorgen herkennen en snel de weg naar hulp vinden."),
    ("Mentale gezondheid", "Psychische klachten rond zwangerschap en jonge ouders."),
    ("Gezonde leefstijl", "Roken, alcohol, voeding en bewegen rond de zwangerschap."),
    ("Veilig opgroeien", "Huiselijk geweld en onveiligheid voorkomen en aanpakken."),
    ("Kinderwens", "Goed voorbereid zwanger worden, ook ongepland of ongewenst."),
]

# (name, discipline, municipalities (None = all)); their coalitions and circles come from the network's demo
ORGANISATIONS = [
    ("Verloskundigenpraktijk De Schelde", Discipline.MIDWIFERY, ["Vlissingen", "Middelburg", "Veere"]),
    ("Verloskundigen Bevelanden", Discipline.MIDWIFERY, ["Goes", "Kapelle", "Borsele", "Noord-Beveland"]),
    ("Verloskundigenpraktijk Land van Hulst", Discipline.MIDWIFERY, ["Hulst", "Terneuzen"]),
    ("Kraamzorg Zeeuwse Kust", Discipline.MATERNITY_CARE, None),
    ("Kraamzorg Oosterschelde", Discipline.MATERNITY_CARE, ["Schouwen-Duiveland", "Tholen", "Goes"]),
    ("Geboortecentrum Zeeuwse Delta", Discipline.OBSTETRICS, None),
    ("JGZ Zeeland, team Walcheren", Discipline.YOUTH_HEALTH_CARE, ["Middelburg", "Vlissingen", "Veere"]),
    ("JGZ Zeeland, team Oosterschelde", Discipline.YOUTH_HEALTH_CARE, ["Goes", "Kapelle", "Reimerswaal"]),
    (
        "JGZ Zeeland, team Zeeuws-Vlaanderen",
        Discipline.YOUTH_HEALTH_CARE,
        ["Sluis", "Terneuzen", "Hulst"],
    ),
    ("Huisartsenpraktijk Het Veerse Meer", Discipline.GENERAL_PRACTICE, ["Veere"]),
    ("Maatschappelijk Werk De Bevelanden", Discipline.SOCIAL_WORK, ["Goes", "Kapelle", "Reimerswaal"]),
    ("Welzijn Zeeuws-Vlaanderen", Discipline.SOCIAL_WORK, ["Sluis", "Terneuzen", "Hulst"]),
    ("Schuldhulp Zeeland Samen", Discipline.DEBT_COUNSELLING, None),
    ("Perinataal Team Delta Psyche", Discipline.MENTAL_HEALTH, None),
    ("Kinderopvang De Zeesterren", Discipline.CHILDCARE, ["Vlissingen", "Middelburg"]),
    ("Kindcentrum De Vuurtoren", Discipline.EDUCATION, ["Terneuzen"]),
    ("Jeugdteam Schouwen-Duiveland", Discipline.YOUTH_CARE, ["Schouwen-Duiveland"]),
    ("Gemeente Goes, team Jeugd en Gezin", Discipline.MUNICIPALITY, ["Goes"]),
    ("Gemeente Middelburg, Sociaal Domein", Discipline.MUNICIPALITY, ["Middelburg"]),
    ("Stichting Zwanger in Zeeland", Discipline.OTHER, None),
]

JOB_TITLES = {
    Discipline.MIDWIFERY: ["Verloskundige", "Praktijkverloskundige", "Echoscopist"],
    Discipline.MATERNITY_CARE: ["Kraamverzorgende", "Teamleider kraamzorg", "Partusassistent"],
    Discipline.OBSTETRICS: ["Klinisch verloskundige", "Gynaecoloog", "Medisch maatschappelijk werker"],
    Discipline.YOUTH_HEALTH_CARE: ["JGZ-verpleegkundige", "Jeugdarts", "Prenataal voorlichter"],
    Discipline.GENERAL_PRACTICE: ["Huisarts", "Praktijkondersteuner GGZ"],
    Discipline.SOCIAL_WORK: ["Maatschappelijk werker", "Gezinscoach", "Buurtwerker"],
    Discipline.DEBT_COUNSELLING: ["Schuldhulpverlener", "Budgetcoach", "Vrijwilliger thuisadministratie"],
    Discipline.MENTAL_HEALTH: ["GZ-psycholoog", "Sociaal-psychiatrisch verpleegkundige"],
    Discipline.CHILDCARE: ["Pedagogisch medewerker", "Locatiemanager"],
    Discipline.EDUCATION: ["Intern begeleider", "Directeur kindcentrum"],
    Discipline.YOUTH_CARE: ["Jeugdconsulent", "Gedragswetenschapper"],
    Discipline.MUNICIPALITY: ["Beleidsadviseur jeugd", "Wijkregisseur", "Programmamanager Kansrijke Start"],
    Discipline.OTHER: ["Coördinator", "Ervaringsdeskundige"],
}

FIRST_NAMES = [
    "Anouk", "Renée", "Joëlle", "Daniëlle", "Özlem", "Fatima", "Sanne", "Marieke", "Lotte", "Inge",
    "Bram", "Jeroen", "Kees", "Sjoerd", "Thijs", "Noor", "Chloë", "Esmée", "Hélène", "Wouter",
    "Nathalie", "Ilse", "Mehmet", "Samira", "Pieter", "Femke", "Karin", "Romée", "Gijs", "Maaike",
]  # fmt: skip
LAST_NAMES = [
    "de Vos", "Jansen", "van der Hoek", "Boogaard", "Verhage", "Kodde", "Minnaard", "de Jonge", "Wisse",
    "Dekker", "van Damme", "Schippers", "Geldof", "de Kraker", "Bakker", "Yılmaz", "El Amrani", "Meulmeester",
    "Koster", "Lievense", "Dieleman", "Verburg", "Goedegebuure", "Polderman", "Hoogerwerf",
]  # fmt: skip
AVAILABILITY = [
    "bereikbaar ma–do 8:30–17:00", "bereikbaar ma, di en do", "bereikbaar op werkdagen 9:00–16:00",
    "bereikbaar di–vr, bel bij spoed het teamnummer", "",
]  # fmt: skip

OFFERINGS = [
    (
        "Preconceptiespreekuur",
        LifePhase.WISH,
        Discipline.MIDWIFERY,
        Access.SELF_REFERRAL,
        "",
        ["Kinderwens", "Gezonde leefstijl"],
    ),
    (
        "Stoppen met roken voor je zwanger wordt",
        LifePhase.WISH,
        Discipline.GENERAL_PRACTICE,
        Access.SELF_REFERRAL,
        "",
        ["Gezonde leefstijl"],
    ),
    (
        "Gesprek over anticonceptie en kinderwens",
        LifePhase.WISH,
        Discipline.YOUTH_HEALTH_CARE,
        Access.SELF_REFERRAL,
        "",
        ["Kinderwens"],
    ),
    (
        "Prenataal huisbezoek",
        LifePhase.PREGNANCY,
        Discipline.YOUTH_HEALTH_CARE,
        Access.REFERRAL,
        "verloskundige of huisarts",
        ["Vroegsignalering"],
    ),
    (
        "Zwangerschapscursus Samen Bevallen",
        LifePhase.PREGNANCY,
        Discipline.MIDWIFERY,
        Access.SELF_REFERRAL,
        "",
        ["Gezonde leefstijl"],
    ),
    (
        "Geldzorgen-spreekuur voor aanstaande ouders",
        LifePhase.PREGNANCY,
        Discipline.DEBT_COUNSELLING,
        Access.SELF_REFERRAL,
        "",
        ["Armoede en schulden"],
    ),
    (
        "Perinatale ggz-consultatie",
        LifePhase.PREGNANCY,
        Discipline.MENTAL_HEALTH,
        Access.REFERRAL,
        "verloskundige, huisarts of gynaecoloog",
        ["Mentale gezondheid"],
    ),
    ("Kraamzorg thuis", LifePhase.BIRTH, Discipline.MATERNITY_CARE, Access.SELF_REFERRAL, "", ["Vroegsignalering"]),
    (
        "Extra kraamzorg bij zorgen in het gezin",
        LifePhase.BIRTH,
        Discipline.MATERNITY_CARE,
        Access.REFERRAL,
        "verloskundige of JGZ",
        ["Veilig opgroeien"],
    ),
    ("Borstvoedingsspreekuur", LifePhase.BIRTH, Discipline.OBSTETRICS, Access.SELF_REFERRAL, "", ["Gezonde leefstijl"]),
    (
        "Huisbezoek JGZ na de geboorte",
        LifePhase.FIRST_YEAR,
        Discipline.YOUTH_HEALTH_CARE,
        Access.SELF_REFERRAL,
        "",
        ["Vroegsignalering"],
    ),
    (
        "Gezinscoaching Stevig Ouderschap",
        LifePhase.FIRST_YEAR,
        Discipline.SOCIAL_WORK,
        Access.REFERRAL,
        "JGZ of huisarts",
        ["Veilig opgroeien", "Mentale gezondheid"],
    ),
    (
        "Thuisadministratie op orde",
        LifePhase.FIRST_YEAR,
        Discipline.DEBT_COUNSELLING,
        Access.SELF_REFERRAL,
        "",
        ["Armoede en schulden"],
    ),
    (
        "Peuterspeelgroep met VVE",
        LifePhase.SECOND_YEAR,
        Discipline.CHILDCARE,
        Access.REFERRAL,
        "consultatiebureau",
        ["Kansengelijkheid"],
    ),
    ("Opvoedspreekuur", LifePhase.SECOND_YEAR, Discipline.YOUTH_CARE, Access.SELF_REFERRAL, "", ["Veilig opgroeien"]),
    (
        "Taal en voorlezen thuis",
        LifePhase.SECOND_YEAR,
        Discipline.EDUCATION,
        Access.SELF_REFERRAL,
        "",
        ["Kansengelijkheid"],
    ),
]


# Mostly practitioners, some managers, policy or project leads and board members.
DEMO_LEVELS = [Level.PRACTICE, Level.PRACTICE, Level.MANAGEMENT, Level.PRACTICE, Level.POLICY, Level.BOARD]


def _phone(rng):
    return f"0113-{rng.randint(200000, 699999)}"


def _demo_user(email, first_name, last_name, *, role, is_staff=False):
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "is_staff": is_staff}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.update_or_create(
        user=user,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "status": Profile.Status.APPROVED,
            "status_changed_at": timezone.now(),
        },
    )
    return user


def _places():
    municipalities = {}
    for name in MUNICIPALITIES:
        municipalities[name], _ = Municipality.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    themes = {}
    for name, description in [*THEMES, ("Kansengelijkheid", "Elk kind een goede start, ongeacht waar het opgroeit.")]:
        themes[name], _ = Theme.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "description": description}
        )
    return municipalities, themes


def _organisations(rng, municipalities):
    organisations = []
    for index, (name, discipline, serves) in enumerate(ORGANISATIONS):
        slug = slugify(name)
        organisation, created = Organisation.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "discipline": discipline,
                "phone": _phone(rng),
                "email": f"info.{slug.replace('-', '')[:20]}@example.org",
                "website": f"https://{slug}.example.org",
                "address": f"{['Markt', 'Kerkstraat', 'Stationsplein', 'Havenweg'][index % 4]} {index + 1}\n"
                f"{(serves or MUNICIPALITIES)[0]}",
                "description": f"{name} werkt in de coalitie Kansrijke Start samen aan de eerste 1000 dagen.",
            },
        )
        if created:
            organisation.municipalities.set([municipalities[m] for m in (serves or MUNICIPALITIES)])
        organisations.append(organisation)
    return organisations


def _members(rng, organisations, municipalities, themes):
    """About 40 members spread over the organisations, with a mix of privacy choices."""
    group = Group.objects.get(name=MEMBER)
    password = make_password(DEMO_PASSWORD)
    now = timezone.now()
    theme_list = list(themes.values())
    for index in range(40):
        first = FIRST_NAMES[index % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
        email = f"{slugify(first)}.{slugify(last).replace('-', '')}{index}@example.org"
        organisation = organisations[index % len(organisations)]
        status = Profile.Status.APPROVED
        if index in (37, 38):
            status = Profile.Status.PENDING
        elif index == 39:
            status = Profile.Status.DECLINED
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last, "password": password}
        )
        if not created:
            continue
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if status == Profile.Status.APPROVED:
            user.groups.add(group)
        profile = Profile.objects.create(
            user=user,
            first_name=first,
            last_name=last,
            job_title=rng.choice(JOB_TITLES[organisation.discipline]),
            discipline=organisation.discipline,
            organisation=organisation,
            direct_phone=f"06-{rng.randint(10000000, 99999999)}",
            team_phone=_phone(rng) if index % 3 else "",
            availability=AVAILABILITY[index % len(AVAILABILITY)],
            bio="",
            is_ambassador=index % 9 == 0,
            level=DEMO_LEVELS[index % len(DEMO_LEVELS)],
            status=status,
            status_changed_at=now if status != Profile.Status.PENDING else None,
            phone_visibility=Visibility.COORDINATORS if index % 4 == 0 else Visibility.MEMBERS,
            email_visibility=Visibility.COORDINATORS if index % 6 == 0 else Visibility.MEMBERS,
            is_listed=index % 13 != 5,
            # A few have not confirmed their details for a long time.
            details_confirmed_at=now - timedelta(days=300 if index % 10 == 3 else rng.randint(0, 150)),
        )
        served = list(organisation.municipalities.all())
        profile.municipalities.set(rng.sample(served, k=min(len(served), rng.randint(1, 3))))
        profile.themes.set(rng.sample(theme_list, k=rng.randint(1, 3)))
        if index < len(organisations):
            organisation.contacts.add(profile)


# Offerings that serve more than one phase of the route, besides the phase they are listed with above.
MORE_PHASES = {
    "Kraamzorg thuis": [LifePhase.PREGNANCY],
    "Borstvoedingsspreekuur": [LifePhase.PREGNANCY, LifePhase.FIRST_YEAR],
    "Opvoedspreekuur": [LifePhase.FIRST_YEAR],
    "Preconceptiespreekuur": [LifePhase.PREGNANCY],
}
# Every third offering was last confirmed long ago, so the route and the admin show "possibly outdated".
OUTDATED_EVERY = 3


def _offerings(rng, organisations, themes):
    by_discipline = {}
    for organisation in organisations:
        by_discipline.setdefault(organisation.discipline, []).append(organisation)
    now = timezone.now()
    for index, (title, phase, discipline, access, referral_by, theme_names) in enumerate(OFFERINGS):
        organisation = by_discipline[discipline][0]
        phases = {phase, *MORE_PHASES.get(title, [])}
        outdated = index % OUTDATED_EVERY == OUTDATED_EVERY - 1
        offering, created = Offering.objects.get_or_create(
            organisation=organisation,
            title=title,
            defaults={
                "description": f"{title}: {organisation.name} helpt (aanstaande) ouders hierbij, dichtbij huis.",
                "life_phases": [p for p in LifePhase.values if p in phases],
                "target_group": "(aanstaande) ouders" if phase != LifePhase.WISH else "mensen met een kinderwens",
                "access": access,
                "referral_by": referral_by,
                "phone": organisation.phone,
                "email": organisation.email,
                "address": organisation.address,
                "contact_person": organisation.contacts.order_by("pk").first(),
                "conditions": "Gratis." if access == Access.SELF_REFERRAL else "Na verwijzing, vergoed.",
                "confirmed_at": now - timedelta(days=300 + index) if outdated else now - timedelta(days=20 + index),
            },
        )
        if created:
            offering.municipalities.set(organisation.municipalities.all() if rng.random() < 0.5 else [])
            offering.themes.set([themes[name] for name in theme_names])
    reindex_offerings(Offering.objects.all())


def _bulk(rng, *, extra_members, extra_organisations, municipalities, themes, stdout):
    """Many organisations and members for benchmarks: bulk inserts, one password hash, no per-row queries."""
    muni_list = list(municipalities.values())
    theme_list = list(themes.values())
    disciplines = [choice for choice, _label in Discipline.choices]
    existing = set(Organisation.objects.filter(slug__startswith="bench-org-").values_list("slug", flat=True))
    new_orgs = [
        Organisation(
            name=f"Benchmarkorganisatie {n}",
            slug=f"bench-org-{n}",
            discipline=disciplines[n % len(disciplines)],
            phone=_phone(rng),
            email=f"bench{n}@example.org",
        )
        for n in range(extra_organisations)
        if f"bench-org-{n}" not in existing
    ]
    Organisation.objects.bulk_create(new_orgs, batch_size=1000)
    organisations = list(Organisation.objects.only("pk", "name", "discipline"))
    through = Organisation.municipalities.through
    created_slugs = {o.slug for o in new_orgs}
    through.objects.bulk_create(
        [
            through(organisation_id=o.pk, municipality_id=rng.choice(muni_list).pk)
            for o in Organisation.objects.filter(slug__in=created_slugs).only("pk")
        ],
        batch_size=1000,
    )

    existing_emails = set(User.objects.filter(email__startswith="bench").values_list("email", flat=True))
    wanted = [n for n in range(extra_members) if f"bench{n}@example.org" not in existing_emails]
    if not wanted:
        return
    password = make_password(DEMO_PASSWORD)
    now = timezone.now()
    User.objects.bulk_create(
        [
            User(
                email=f"bench{n}@example.org",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                password=password,
            )
            for n in wanted
        ],
        batch_size=2000,
    )
    users = list(
        User.objects.filter(email__in=[f"bench{n}@example.org" for n in wanted]).only("pk", "first_name", "last_name")
    )
    member_group = Group.objects.get(name=MEMBER)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=member_group.pk) for u in users], batch_size=5000
    )
    profiles, m2m = [], []
    for user in users:
        organisation = rng.choice(organisations)
        muni = rng.sample(muni_list, k=rng.randint(1, 2))
        theme = rng.sample(theme_list, k=rng.randint(1, 2))
        job = rng.choice(JOB_TITLES.get(organisation.discipline, JOB_TITLES[Discipline.OTHER]))
        profile = Profile(
            user_id=user.pk,
            first_name=user.first_name,
            last_name=user.last_name,
            job_title=job,
            discipline=organisation.discipline,
            organisation=organisation,
            direct_phone=f"06-{rng.randint(10000000, 99999999)}",
            team_phone=_phone(rng),
            status=Profile.Status.APPROVED,
            status_changed_at=now,
            phone_visibility=Visibility.COORDINATORS if rng.random() < 0.2 else Visibility.MEMBERS,
            details_confirmed_at=now - timedelta(days=rng.randint(0, 330)),
        )
        # The same search document as every saved profile gets (Profile.build_search_text), without its queries.
        profile.search_text = profile.build_search_text(themes=theme, municipalities=muni)
        profiles.append(profile)
        m2m.append((muni, theme))
    Profile.objects.bulk_create(profiles, batch_size=2000)
    # bulk_create returns primary keys on PostgreSQL and SQLite (3.35+), so no re-read is needed.
    pm, pt = Profile.municipalities.through, Profile.themes.through
    pm.objects.bulk_create(
        [pm(profile_id=p.pk, municipality_id=m.pk) for p, (muni, _t) in zip(profiles, m2m, strict=True) for m in muni],
        batch_size=5000,
    )
    pt.objects.bulk_create(
        [pt(profile_id=p.pk, theme_id=t.pk) for p, (_m, theme) in zip(profiles, m2m, strict=True) for t in theme],
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        # Fresh statistics, so the planner uses the search indexes right away instead of after autovacuum.
        with connection.cursor() as cursor:
            for model in (Profile, pm, pt, User, Organisation):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    if stdout:
        stdout.write(f"Built {len(new_orgs)} organisations and {len(profiles)} members for benchmarks.")


def seed(*, extra_members=0, extra_organisations=0, stdout=None):
    """Create the demo data (idempotent); return the logins as (role, e-mail, password)."""
    rng = random.Random(1000)  # noqa: S311 (the same demo data on every run)
    municipalities, themes = _places()
    organisations = _organisations(rng, municipalities)
    _demo_user("coordinator@example.org", "Carla", "de Coördinator", role=COORDINATOR, is_staff=True)
    member = _demo_user("member@example.org", "Mirjam", "van der Meer", role=MEMBER)
    member_profile = member.profile
    if not member_profile.organisation_id:
        member_profile.organisation = organisations[0]
        member_profile.job_title = "Verloskundige"
        member_profile.discipline = Discipline.MIDWIFERY
        member_profile.direct_phone = "06-12345678"
        member_profile.availability = "bereikbaar ma–do 8:30–17:00"
        member_profile.save()
        member_profile.municipalities.set([municipalities["Vlissingen"], municipalities["Middelburg"]])
        organisations[0].contacts.add(member_profile)
    _members(rng, organisations, municipalities, themes)
    _offerings(rng, organisations, themes)
    reindex_profiles(Profile.objects.exclude(user__email__startswith="bench"))
    if extra_members or extra_organisations:
        _bulk(
            rng,
            extra_members=extra_members,
            extra_organisations=extra_organisations,
            municipalities=municipalities,
            themes=themes,
            stdout=stdout,
        )
    if stdout:
        count = Profile.objects.count()
        stdout.write(f"Members: {count} profiles, {Organisation.objects.count()} organisations.")
    return [
        ("coordinator", "coordinator@example.org", DEMO_PASSWORD),
        ("member", "member@example.org", DEMO_PASSWORD),
    ]
