"""Demo data of the network: Zeeland's 13 municipalities in seven local coalitions, each in its own phase.

Runs after the members demo (it uses its municipalities, themes, organisations and members). Idempotent:
every row is looked up before it is made, and the phase history is written once per coalition. A database
migrated from before the network (network migration 0002 gave each municipality a coalition of its own) is
tidied: the demo coalitions take their municipalities over and the emptied coalitions go.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db.models import Count

from coalition.roles import COORDINATOR, MEMBER
from members.demo import DEMO_PASSWORD, _demo_user  # the members demo's way to make a login
from members.models import Discipline, Municipality, Organisation, Profile, Theme
from members.services import reindex_profiles

from . import services
from .models import (
    Circle,
    CircleChange,
    Coalition,
    CoalitionCoordinator,
    CoalitionMunicipality,
    Declaration,
    JoinRequest,
    Partnership,
    Phase,
    Signature,
    Trekker,
)

COALITION_COORDINATOR_EMAIL = "coalition@example.org"

# (name, slug, municipalities, started on, funding tranche, focus points, phase history, description)
COALITIONS = [
    (
        "Kansrijke Start Borsele",
        "borsele",
        ["Borsele"],
        date(2021, 2, 4),
        "tweede tranche (2020)",
        ["Vroegsignalering", "Armoede en schulden"],
        [
            (Phase.EXPLORING, date(2020, 9, 1), "Eerste verkenning met de gemeente, de JGZ en de verloskundigen."),
            (Phase.FORMING, date(2021, 2, 4), "Startbijeenkomst met alle partners: elkaar leren kennen."),
            (Phase.PLANNING, date(2021, 6, 15), "Twee speerpunten gekozen, elk met een werkgroep."),
            (Phase.CARRYING_OUT, date(2022, 1, 20), "De bestuurders tekenden de intentieverklaring."),
        ],
        "Een binnenkring van actieve partners en een buitenkring die op de hoogte blijft; elk half jaar komen "
        "alle partners samen.",
    ),
    (
        "Kansrijk Walcheren",
        "walcheren",
        ["Middelburg", "Vlissingen"],
        date(2018, 9, 1),
        "eerste tranche (2018)",
        ["Vroegsignalering", "Mentale gezondheid", "Veilig opgroeien"],
        [
            (Phase.EXPLORING, date(2018, 3, 1), "Middelburg en Vlissingen verkennen een gezamenlijke aanpak."),
            (Phase.FORMING, date(2018, 9, 1), "Samenwerkingsovereenkomst van beide gemeenten getekend."),
            (Phase.PLANNING, date(2019, 4, 1), "Actieplan 2019–2022 vastgesteld."),
            (Phase.CARRYING_OUT, date(2019, 11, 1), ""),
            (Phase.EMBEDDING, date(2024, 1, 15), "De aanpak is opgenomen in het beleid en de contracten."),
        ],
        "Twee gemeenten, één coalitie: de aanpak is ingebed in beleid en dagelijks werk.",
    ),
    (
        "Kansrijke Start Veere",
        "veere",
        ["Veere"],
        date(2025, 9, 1),
        "derde tranche (2025)",
        ["Gezonde leefstijl"],
        [(Phase.EXPLORING, date(2025, 9, 1), "Impuls aangevraagd; eerste gesprekken met de huisartsen.")],
        "Net begonnen: wie doet er mee, en wat is er al?",
    ),
    (
        "Kansrijk de Bevelanden",
        "de-bevelanden",
        ["Goes", "Noord-Beveland"],
        date(2022, 5, 1),
        "tweede tranche (2021)",
        ["Armoede en schulden", "Kinderwens"],
        [
            (Phase.EXPLORING, date(2022, 5, 1), ""),
            (Phase.FORMING, date(2023, 1, 17), "Kernteam gevormd."),
            (Phase.PLANNING, date(2024, 6, 3), "Werkplan in de maak, met de partners."),
        ],
        "Goes en Noord-Beveland werken samen aan een plan voor de eerste 1000 dagen.",
    ),
    (
        "Kansrijke Start Kapelle en Reimerswaal",
        "kapelle-reimerswaal",
        ["Kapelle", "Reimerswaal"],
        date(2024, 3, 1),
        "derde tranche (2023)",
        ["Vroegsignalering"],
        [
            (Phase.EXPLORING, date(2024, 3, 1), ""),
            (Phase.FORMING, date(2025, 2, 10), "Eerste bijeenkomst met de partners."),
        ],
        "Twee buurgemeenten vormen samen een coalitie.",
    ),
    (
        "Kansrijke Start Schouwen-Duiveland en Tholen",
        "schouwen-duiveland-tholen",
        ["Schouwen-Duiveland", "Tholen"],
        date(2020, 6, 1),
        "eerste tranche (2019)",
        ["Veilig opgroeien", "Mentale gezondheid"],
        [
            (Phase.EXPLORING, date(2019, 10, 1), ""),
            (Phase.FORMING, date(2020, 6, 1), ""),
            (Phase.PLANNING, date(2021, 3, 1), ""),
            (Phase.CARRYING_OUT, date(2022, 9, 1), "Uitvoering gestart, met een MDO."),
        ],
        "De trekkers zijn vertrokken; de regio zoekt met de partners naar opvolging.",
    ),
    (
        "Kansrijk Zeeuws-Vlaanderen",
        "zeeuws-vlaanderen",
        ["Hulst", "Sluis", "Terneuzen"],
        date(2021, 9, 1),
        "tweede tranche (2021)",
        ["Armoede en schulden", "Kansengelijkheid"],
        [
            (Phase.EXPLORING, date(2021, 1, 11), ""),
            (Phase.FORMING, date(2021, 9, 1), ""),
            (Phase.PLANNING, date(2023, 5, 22), "Drie gemeenten, één werkplan."),
        ],
        "Hulst, Sluis en Terneuzen trekken samen op.",
    ),
]

# (coalition slug, organisation, nth approved member of it, role, start, end)
TREKKERS = [
    ("borsele", "Verloskundigen Bevelanden", 0, Trekker.Role.CONTENT, date(2021, 2, 4), None),
    ("borsele", "Kraamzorg Zeeuwse Kust", 1, Trekker.Role.DEPUTY, date(2023, 1, 1), None),
    ("walcheren", "JGZ Zeeland, team Walcheren", 0, Trekker.Role.CONTENT, date(2018, 9, 1), None),
    ("walcheren", "Gemeente Middelburg, Sociaal Domein", 0, Trekker.Role.POLICY, date(2018, 9, 1), None),
    ("walcheren", "Verloskundigenpraktijk De Schelde", 1, Trekker.Role.DEPUTY, date(2022, 3, 1), None),
    ("veere", "Huisartsenpraktijk Het Veerse Meer", 0, Trekker.Role.CONTENT, date(2025, 9, 1), None),
    ("de-bevelanden", "JGZ Zeeland, team Oosterschelde", 0, Trekker.Role.CONTENT, date(2022, 5, 1), date(2024, 2, 29)),
    ("de-bevelanden", "Maatschappelijk Werk De Bevelanden", 1, Trekker.Role.CONTENT, date(2024, 3, 1), None),
    ("de-bevelanden", "Gemeente Goes, team Jeugd en Gezin", 0, Trekker.Role.POLICY, date(2022, 5, 1), None),
    ("kapelle-reimerswaal", "Maatschappelijk Werk De Bevelanden", 0, Trekker.Role.CONTENT, date(2024, 3, 1), None),
    ("kapelle-reimerswaal", "JGZ Zeeland, team Oosterschelde", 1, Trekker.Role.POLICY, date(2024, 3, 1), None),
    # Both trekkers left and nobody took over: the overview flags this coalition.
    ("schouwen-duiveland-tholen", "Jeugdteam Schouwen-Duiveland", 0, Trekker.Role.CONTENT, date(2020, 6, 1),
     date(2025, 10, 31)),
    ("schouwen-duiveland-tholen", "Kraamzorg Oosterschelde", 0, Trekker.Role.POLICY, date(2020, 6, 1),
     date(2025, 6, 30)),
    ("zeeuws-vlaanderen", "JGZ Zeeland, team Zeeuws-Vlaanderen", 0, Trekker.Role.CONTENT, date(2021, 9, 1), None),
    ("zeeuws-vlaanderen", "Welzijn Zeeuws-Vlaanderen", 0, Trekker.Role.POLICY, date(2021, 9, 1), None),
]  # fmt: skip

# Local partners that stay informed (the outer circle); the other local partners work in the inner circle.
OUTER_CIRCLE = {
    "Huisartsenpraktijk Het Veerse Meer",
    "Welzijn Zeeuws-Vlaanderen",
    "Kinderopvang De Zeesterren",
    "Kindcentrum De Vuurtoren",
    "Jeugdteam Schouwen-Duiveland",
}

# Organisations that are not partners yet, so their joining requests are open.
NOT_YET = {("walcheren", "Kinderopvang De Zeesterren"), ("zeeuws-vlaanderen", "Kindcentrum De Vuurtoren")}

# A partner that moved from the outer to the inner circle, and when.
MOVED_INWARDS = {("borsele", "Schuldhulp Zeeland Samen"): date(2023, 5, 1)}

DIRECTORS = [
    ("drs. J. Visser", "directeur-bestuurder"),
    ("M. de Klerk-Bakker", "bestuurder"),
    ("ir. P. Jansen", "directeur"),
    ("A. Koster", "wethouder"),
    ("dr. H. Meulenberg", "voorzitter raad van bestuur"),
]

# The smallest PDF a viewer opens: one empty page.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _regional_coordinator():
    return get_user_model().objects.filter(groups__name=COORDINATOR).order_by("pk").first()


def _nth_member(organisation, n):
    members = list(Profile.objects.approved().filter(organisation=organisation).order_by("pk")[: n + 1])
    return members[min(n, len(members) - 1)] if members else None


def _coalition_coordinator(borsele_municipality):
    """The demo login of a coalition coordinator: the policy trekker of Borsele, at the municipality."""
    organisation, _created = Organisation.objects.get_or_create(
        slug="gemeente-borsele-jeugd-en-gezin",
        defaults={
            "name": "Gemeente Borsele, Jeugd en Gezin",
            "discipline": Discipline.MUNICIPALITY,
            "phone": "0113-238000",
            "email": "jeugd.borsele@example.org",
        },
    )
    organisation.municipalities.add(borsele_municipality)
    user = _demo_user(COALITION_COORDINATOR_EMAIL, "Sanne", "de Wit", role=MEMBER)
    profile = user.profile
    if not profile.organisation_id:
        profile.organisation = organisation
        profile.job_title = "Beleidsadviseur jeugd en gezin"
        profile.discipline = Discipline.MUNICIPALITY
        profile.team_phone = "0113-238010"
        profile.availability = "bereikbaar ma, di en do"
        profile.save()
        profile.municipalities.set([borsele_municipality])
        organisation.contacts.add(profile)
        reindex_profiles(Profile.objects.filter(pk=profile.pk))
    return user


def _coalitions(by, municipalities, themes):
    coalitions = {}
    for name, slug, places, started_on, tranche, focus, history, description in COALITIONS:
        details = {
            "name": name,
            "started_on": started_on,
            "funding_tranche": tranche,
            "description": description,
            "vision": f"Elk kind in {', '.join(places)} krijgt een **kansrijke start**: we signaleren vroeg, "
            "kennen elkaar en verwijzen warm door.",
            "goals": "- Vroegsignalering in de zwangerschap\n- Eén route naar hulp voor ouders\n"
            "- Partners kennen elkaar bij naam",
        }
        coalition, created = Coalition.objects.get_or_create(slug=slug, defaults=details)
        if not created and coalition.started_on is None:
            # Made by the migration from an older database: it becomes the demo coalition.
            Coalition.objects.filter(pk=coalition.pk).update(**details)
            coalition.refresh_from_db()
            created = True
        for place in places:
            CoalitionMunicipality.objects.update_or_create(
                municipality=municipalities[place], defaults={"coalition": coalition}
            )
        if created:
            coalition.focus_points.set([themes[theme] for theme in focus])
        first = coalition.phase_changes.order_by("changed_on", "pk").first()
        if first is None or first.changed_on != history[0][1]:
            coalition.phase_changes.all().delete()
            Coalition.objects.filter(pk=coalition.pk).update(phase=Phase.EXPLORING, phase_since=None)
            for phase, on, note in history:
                services.change_phase(coalition, phase=phase, on=on, note=note, by=by)
        coalitions[slug] = coalition
    # Coalitions of one municipality each, made by the migration from an older database, now emptied.
    Coalition.objects.annotate(places=Count("municipality_links")).filter(
        places=0, trekkers__isnull=True, coordinators__isnull=True
    ).delete()
    return coalitions


def _partners(coalitions, organisations):
    """Every organisation serving a coalition's municipalities is a partner; regional ones in different circles."""
    everywhere = Municipality.objects.count()
    for position, (slug, coalition) in enumerate(coalitions.items()):
        places = set(coalition.municipalities.values_list("pk", flat=True))
        for index, organisation in enumerate(organisations):
            served = {m.pk for m in organisation.municipalities.all()}
            if not served & places or (slug, organisation.name) in NOT_YET:
                continue
            regional = len(served) == everywhere
            circle = Circle.OUTER if organisation.name in OUTER_CIRCLE else Circle.INNER
            if regional:
                circle = Circle.INNER if (position + index) % 2 == 0 else Circle.OUTER
            moved = MOVED_INWARDS.get((slug, organisation.name))
            since = coalition.started_on
            partnership, created = Partnership.objects.get_or_create(
                coalition=coalition,
                organisation=organisation,
                defaults={"circle": Circle.OUTER if moved else circle, "since": since},
            )
            if not created:
                continue
            CircleChange.objects.create(partnership=partnership, circle=partnership.circle, changed_on=since)
            if moved:
                partnership.circle = Circle.INNER
                partnership.save(update_fields=["circle"])
                CircleChange.objects.create(partnership=partnership, circle=Circle.INNER, changed_on=moved)
            contacts = [p for p in organisation.contacts.all() if p.is_approved]
            partnership.contact_persons.set(contacts[:1])


def _trekkers(coalitions, organisations_by_name):
    for slug, organisation_name, nth, role, starts_on, ends_on in TREKKERS:
        profile = _nth_member(organisations_by_name[organisation_name], nth)
        if profile is not None:
            Trekker.objects.get_or_create(
                coalition=coalitions[slug],
                profile=profile,
                role=role,
                starts_on=starts_on,
                defaults={"ends_on": ends_on},
            )


def _declarations(coalitions):
    """Borsele signed in 2022 and half its partners signed the renewed version of 2025; Walcheren signed in 2019."""
    for slug, versions in {
        "borsele": [
            (1, "Intentieverklaring Kansrijke Start Borsele", date(2022, 1, 20), 1.0),
            (2, "Intentieverklaring Kansrijke Start Borsele 2025–2028", date(2025, 3, 10), 0.5),
        ],
        "walcheren": [(1, "Intentieverklaring Kansrijk Walcheren", date(2019, 11, 1), 1.0)],
    }.items():
        coalition = coalitions[slug]
        for version, title, dated_on, share in versions:
            declaration, created = Declaration.objects.get_or_create(
                coalition=coalition,
                version=version,
                defaults={
                    "title": title,
                    "dated_on": dated_on,
                    "text": "Wij, de bestuurders van de partners van deze coalitie, spreken uit dat wij samen "
                    "werken aan een kansrijke start voor ieder kind, en onze medewerkers daarvoor de ruimte geven.",
                },
            )
            if created and version == 2:
                declaration.pdf.save(f"{slug}-v{version}.pdf", ContentFile(DEMO_PDF), save=True)
            partners = list(coalition.partnerships.filter(since__lte=dated_on).order_by("organisation__name"))
            for index, partnership in enumerate(partners[: round(len(partners) * share)]):
                name, function = DIRECTORS[index % len(DIRECTORS)]
                Signature.objects.get_or_create(
                    declaration=declaration,
                    partnership=partnership,
                    defaults={"signed_by_name": name, "signed_by_function": function, "signed_on": dated_on},
                )


def _join_requests(coalitions, organisations_by_name):
    walcheren, bevelanden = coalitions["walcheren"], coalitions["de-bevelanden"]
    zeesterren = organisations_by_name["Kinderopvang De Zeesterren"]
    vuurtoren = organisations_by_name["Kindcentrum De Vuurtoren"]
    contact = _nth_member(vuurtoren, 0)
    requests = [
        (walcheren, zeesterren, "", "Joyce Hoekstra", "j.hoekstra@example.org", None,
         "Wij zien veel jonge ouders en willen graag aansluiten bij de werkgroep vroegsignalering."),
        (coalitions["zeeuws-vlaanderen"], vuurtoren, "", str(contact) if contact else "Kindcentrum De Vuurtoren",
         contact.user.email if contact else "info@example.org", contact.user if contact else None,
         "Als kindcentrum willen we meedenken over voorlezen en taal in de eerste jaren."),
        (coalitions["borsele"], None, "Peuterspeelzaal De Zandloper", "Fatima El Amrani", "f.elamrani@example.org",
         None, "Wij horen graag hoe we kunnen aansluiten."),
    ]  # fmt: skip
    for coalition, organisation, typed, name, email, requester, message in requests:
        JoinRequest.objects.get_or_create(
            coalition=coalition,
            organisation=organisation,
            organisation_name=typed,
            email=email,
            defaults={"name": name, "message": message, "requester": requester},
        )
    JoinRequest.objects.get_or_create(
        coalition=bevelanden,
        organisation=None,
        organisation_name="Sportschool FitGoes",
        email="info@fitgoes.example.org",
        defaults={
            "name": "Ruud Maas",
            "message": "Wij bieden zwangerschapsgym aan.",
            "state": JoinRequest.State.DECLINED,
            "decline_reason": "De coalitie richt zich op zorg en ondersteuning; we nodigen je graag uit voor de "
            "open bijeenkomst in het voorjaar.",
        },
    )


def seed(*, stdout=None):
    """Create the network's demo data (idempotent); return the coalition coordinator's login."""
    by = _regional_coordinator()
    municipalities = {m.name: m for m in Municipality.objects.all()}
    themes = {t.name: t for t in Theme.objects.all()}
    cc_user = _coalition_coordinator(municipalities["Borsele"])
    coalitions = _coalitions(by, municipalities, themes)
    organisations = list(Organisation.objects.prefetch_related("municipalities", "contacts").order_by("pk"))
    organisations_by_name = {organisation.name: organisation for organisation in organisations}
    _partners(coalitions, organisations)
    Trekker.objects.get_or_create(
        coalition=coalitions["borsele"],
        profile=cc_user.profile,
        role=Trekker.Role.POLICY,
        starts_on=date(2021, 2, 4),
    )
    _trekkers(coalitions, organisations_by_name)
    _declarations(coalitions)
    _join_requests(coalitions, organisations_by_name)
    if not CoalitionCoordinator.objects.filter(coalition=coalitions["borsele"], user=cc_user).exists():
        services.appoint_coalition_coordinator(coalitions["borsele"], user=cc_user, by=by)
    if stdout:
        stdout.write(
            f"Network: {Coalition.objects.count()} coalitions, {Partnership.objects.count()} partnerships, "
            f"{JoinRequest.objects.filter(state=JoinRequest.State.OPEN).count()} open joining requests."
        )
    return [("coalition coordinator", COALITION_COORDINATOR_EMAIL, DEMO_PASSWORD)]
