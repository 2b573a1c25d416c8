"""Demo data of the journal: published editions (the first one at Christmas), stories of every kind, tips, a team."""

import io
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from members.models import Organisation, Profile, Theme
from network.models import Coalition

from . import services
from .models import Edition, EditorialMembership, State, Story, Subscriber, Tip

DEMO_LOGINS = {"coordinator@example.org", "member@example.org"}

# Which demo coalitions (network/demo.py, by slug) an edition or a story (edition slug, story slug) is about,
# so their coalition pages list stories. Tags are only added: running the demo again changes nothing.
COALITION_TAGS = {
    "zomer-kraamweek": ["walcheren"],
    ("kersteditie", "practice-1"): ["borsele"],
    ("voorjaar-geldzorgen", "interview-2"): ["borsele", "de-bevelanden"],
}

# A one-page PDF, so the magazine story has a real file to open.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 60>>stream\nBT /F1 24 Tf 72 760 Td (Kansrijke Start magazine) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

EDITIONS = [
    {
        "number": 1,
        "slug": "kersteditie",
        "title": "Kersteditie: samen rond de eerste 1000 dagen",
        "theme": "Vroegsignalering",
        "date": (12, 18),
        "years_ago": 1,
        "introduction": (
            "De eerste editie van ons gemeenschapsjournaal, net voor de kerst. We zetten mensen uit de keten op het "
            "podium: de verloskundige die 's nachts klaarstaat, de kraamverzorgende die als eerste ziet dat het thuis "
            "niet goed gaat, en de schuldhulpverlener die samen met het consultatiebureau één gesprek voert."
        ),
    },
    {
        "number": 2,
        "slug": "voorjaar-geldzorgen",
        "title": "Voorjaarseditie: geldzorgen bespreekbaar maken",
        "theme": "Armoede en schulden",
        "date": (3, 12),
        "years_ago": 0,
        "introduction": (
            "Eén op de tien gezinnen met een baby heeft geldzorgen. Hoe vraag je ernaar zonder te beschamen? "
            "Professionals uit de wijk delen wat werkt."
        ),
    },
    {
        "number": 3,
        "slug": "zomer-kraamweek",
        "title": "Zomereditie: de kraamweek als kans",
        "theme": "Kraamzorg en overdracht",
        "date": (6, 20),
        "years_ago": 0,
        "introduction": (
            "De kraamweek is het moment waarop veel samenkomt. Deze editie gaat over een warme overdracht van "
            "kraamzorg naar jeugdgezondheidszorg."
        ),
    },
]

STORIES = [
    (Story.Kind.ARTICLE, "Eén gesprek in plaats van drie loketten", "Hoe de wijkteams en het consultatiebureau samen "
     "één keukentafelgesprek voeren."),
    (Story.Kind.FILM, "Een nacht met de verloskundige", "Een korte film over een dienst van twaalf uur."),
    (Story.Kind.PANEL, "Panel: wie signaleert, wie handelt?", "Vier professionals over "
     "verantwoordelijkheid in de keten."),
    (Story.Kind.INTERVIEW, "‘Vraag gewoon hoe het met de post gaat’", "Een schuldhulpverlener over de eerste vraag."),
    (Story.Kind.PRACTICE, "Praktijkvoorbeeld: de inloop voor jonge vaders", "Elke dinsdag koffie, "
     "vragen en een weegschaal."),
    (Story.Kind.MAGAZINE, "Het magazine om te bewaren", "Alle verhalen van deze editie in één pdf, om te printen."),
]  # fmt: skip

BODY = (
    "## Waarom dit verhaal\n\n"
    "In de eerste 1000 dagen leggen ouders en kind de basis. Professionals zien elkaar vaak pas als het "
    "al misgaat. Dit verhaal laat zien wat er gebeurt als je **eerder** samen optrekt.\n\n"
    "- Korte lijnen tussen verloskunde, kraamzorg en JGZ\n"
    "- Eén aanspreekpunt voor het gezin\n"
    "- Ruimte om door te vragen\n\n"
    "> ‘Het mooiste is dat ouders merken dat we elkaar kennen.’\n\n"
    "Meer weten? Kijk op [de website van Kansrijke Start](https://www.kansrijkestart.nl)."
)

FILMS = ["https://www.youtube.com/watch?v=aqz-KE-bpKQ", "https://vimeo.com/76979871"]

TIPS = [
    (Tip.State.NEW, "Het consultatiebureau in Goes start een spreekuur in het Arabisch.", "JGZ Goes", "Start in maart"),
    (Tip.State.CONSIDERING, "Een huisarts die standaard naar geldzorgen vraagt bij de 6-wekencontrole.", "", ""),
    (Tip.State.ASSIGNED, "De kraamzorg maakt een overdrachtsvideo voor ouders die slecht Nederlands spreken.", "", ""),
    (Tip.State.USED, "De inloop voor jonge vaders bestaat een jaar.", "Buurthuis De Kroon", "Jubileum"),
    (Tip.State.DECLINED, "Een commerciële babybeurs zoekt publiciteit.", "", ""),
]


COVER_COLOURS = {1: ("#0b5d7a", "#b4451f"), 2: ("#2f6b3a", "#f2c14e"), 3: ("#b4451f", "#0b5d7a")}


def _cover(number):
    """A simple generated cover (circles on a coloured field), so the demo needs no image files."""
    background, accent = COVER_COLOURS.get(number, ("#0b5d7a", "#b4451f"))
    image = Image.new("RGB", (1200, 900), background)
    draw = ImageDraw.Draw(image)
    for index in range(5):
        radius = 120 + index * 60
        draw.ellipse((700 - radius, 450 - radius, 700 + radius, 450 + radius), outline=accent, width=18)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name=f"demo-cover-{number}.jpg")


def _team_users():
    profiles = (
        Profile.objects.approved()
        .exclude(user__email__in=DEMO_LOGINS)
        .exclude(user__email__startswith="bench")
        .select_related("user")
        .order_by("pk")[:5]
    )
    return [profile.user for profile in profiles]


def _team(today):
    users = _team_users()
    for index, user in enumerate(users[:4]):
        EditorialMembership.objects.get_or_create(
            user=user,
            start_date=today.replace(day=1) - timedelta(days=90),
            defaults={"role": ["eindredactie", "films", "interviews", "fotografie"][index]},
        )
    if len(users) > 4:
        # A former member: the team rotates.
        EditorialMembership.objects.get_or_create(
            user=users[4],
            start_date=today - timedelta(days=400),
            defaults={"end_date": today - timedelta(days=91), "role": "eindredactie"},
        )
    services.sync_editorial_team()
    return users[:4]


def _edition(spec, now, team, people, organisations):
    year = now.year - spec["years_ago"]
    month, day = spec["date"]
    published_at = timezone.make_aware(datetime(year, month, day, 9, 0))
    if published_at > now:
        published_at = now - timedelta(days=7 * (4 - spec["number"]))
    theme = Theme.objects.filter(name=spec["theme"]).first()
    edition, created = Edition.objects.get_or_create(
        slug=spec["slug"],
        defaults={
            "number": spec["number"],
            "title": spec["title"],
            "introduction": spec["introduction"],
            "theme": theme,
            "state": State.PUBLISHED,
            "published_at": published_at,
            "cover_alt": "",
        },
    )
    if not created:
        return edition
    edition.cover.save(f"demo-cover-{edition.number}.jpg", _cover(edition.number), save=False)
    edition.cover_alt = "Gekleurde cirkels: het beeldmerk van het gemeenschapsjournaal"
    edition.save(update_fields=["cover", "cover_alt"])
    for order, (kind, title, lead) in enumerate(STORIES, start=1):
        story = Story.objects.create(
            edition=edition,
            kind=kind,
            title=title,
            slug=f"{kind}-{edition.number}",
            lead=lead,
            body=BODY,
            order=order,
            state=State.PUBLISHED,
            published_at=published_at,
            video_url=FILMS[edition.number % 2] if kind == Story.Kind.FILM else "",
        )
        if kind == Story.Kind.MAGAZINE:
            story.attachment.save(f"magazine-{edition.number}.pdf", ContentFile(DEMO_PDF), save=True)
        story.authors.set([team[order % len(team)].profile] if team else [])
        story.featured_people.set(people[order % max(len(people), 1) :][:2])
        story.featured_organisations.set(organisations[order % max(len(organisations), 1) :][:1])
    return edition


def _draft_edition(team):
    edition, created = Edition.objects.get_or_create(
        slug="najaar-werk-in-uitvoering",
        defaults={
            "number": 4,
            "title": "Najaarseditie (in voorbereiding)",
            "introduction": "Wordt aan gewerkt door de redactie.",
            "state": State.DRAFT,
        },
    )
    if created:
        Story.objects.create(
            edition=edition,
            kind=Story.Kind.INTERVIEW,
            title="Interview met de wethouder",
            slug="wethouder",
            state=State.REVIEW,
        )
        Story.objects.create(edition=edition, kind=Story.Kind.ARTICLE, title="Nog te schrijven", slug="concept")
    return edition


def _tips(team, story):
    for state, what, who, why_now in TIPS:
        if Tip.objects.filter(what=what).exists():
            continue
        Tip.objects.create(
            what=what,
            who=who,
            why_now=why_now,
            name="Anouk de Vries",
            email="anouk.devries@example.net",
            state=state,
            assigned_to=team[0] if team and state in {Tip.State.ASSIGNED, Tip.State.USED} else None,
            story=story if state == Tip.State.USED else None,
            sender_notified_at=timezone.now() if state == Tip.State.USED else None,
        )


def _subscribers():
    for user in Profile.objects.approved().exclude(user__email__startswith="bench").select_related("user"):
        if not Subscriber.objects.filter(user=user.user).exists():
            services.subscribe_member(user.user)
    Subscriber.objects.get_or_create(
        email="lezer@example.net",
        defaults={"name": "Lotte Lezer", "confirmed_at": timezone.now(), "wants_invitations": False},
    )
    Subscriber.objects.get_or_create(email="onbevestigd@example.net", defaults={"name": "Nog Niet Bevestigd"})
    _follow_coalitions()


def _follow_coalitions():
    """Some readers follow the coalitions the demo stories are about (their stories come first in the mail); the
    rest follow the whole region. Once anyone follows a coalition this is done: a rerun changes nothing."""
    if Subscriber.coalitions.through.objects.exists():
        return
    slugs = sorted({slug for tagged in COALITION_TAGS.values() for slug in tagged})
    coalitions = list(Coalition.objects.filter(slug__in=slugs).order_by("slug"))
    if not coalitions:
        return
    readers = Subscriber.objects.confirmed().order_by("email")
    for index, reader in enumerate(readers):
        if index % 3 == 0:
            reader.coalitions.add(coalitions[(index // 3) % len(coalitions)])


def _tag_coalitions():
    coalitions = Coalition.objects.in_bulk(
        [slug for slugs in COALITION_TAGS.values() for slug in slugs], field_name="slug"
    )
    for target, slugs in COALITION_TAGS.items():
        if isinstance(target, tuple):
            row = Story.objects.filter(edition__slug=target[0], slug=target[1]).first()
        else:
            row = Edition.objects.filter(slug=target).first()
        if row is not None:
            row.coalitions.add(*[coalitions[slug] for slug in slugs if slug in coalitions])


def seed(*, stdout=None):
    """Create the journal's demo data; running it again changes nothing."""
    now = timezone.now()
    team = _team(timezone.localdate())
    people = list(Profile.objects.approved().exclude(user__email__startswith="bench").order_by("pk")[:12])
    organisations = list(Organisation.objects.exclude(slug__startswith="bench").order_by("pk")[:8])
    editions = [_edition(spec, now, team, people, organisations) for spec in EDITIONS]
    _draft_edition(team)
    practice = Story.objects.filter(edition=editions[0], kind=Story.Kind.PRACTICE).first()
    _tips(team, practice)
    _subscribers()
    _tag_coalitions()
    if stdout:
        stdout.write(
            f"Journal: {Edition.objects.count()} editions, {Story.objects.count()} stories, "
            f"{Tip.objects.count()} tips, "
            f"{len(team)} on the editorial team, {Subscriber.objects.count()} subscribers."
        )
