"""Demo data of the events app: upcoming and past events of every kind, waiting lists, invitations, and the
feedback of past events (answers to each event's feedback survey)."""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from journal.models import Edition
from members.models import Organisation, Profile, Theme
from network.models import Coalition, coalition_of
from surveys import demo as surveys_demo
from surveys.models import Participant as SurveyParticipant
from surveys.models import Response as SurveyResponse
from surveys.models import Survey

from . import services
from .models import (
    Event,
    IntakeQuestion,
    Invitation,
    ProgrammeItem,
    Registration,
    Series,
    Session,
    new_token,
)

# The intake questions of some demo events (the regional meeting asks which topic to discuss, as the Utrecht
# meeting did), each (label, kind, required, choices), and the answers people give, drawn per type.
WORKSHOP_QUESTIONS = [("Wat wil je na afloop kunnen?", IntakeQuestion.Kind.LONG_TEXT, False, [])]
EVENT_QUESTIONS = {
    "online-regio-overleg": [
        (
            "Over welk onderwerp wil je het hebben?",
            IntakeQuestion.Kind.ONE_CHOICE,
            True,
            ["Armoede en schulden", "Vroegsignalering in de zwangerschap", "Samenwerking met de kinderopvang"],
        ),
        ("Hoe ver is je coalitie, in je eigen woorden?", IntakeQuestion.Kind.LONG_TEXT, False, []),
        ("Wil je in een deelsessie je eigen aanpak kort laten zien?", IntakeQuestion.Kind.YES_NO, False, []),
    ],
    # The regional meeting with breakouts asked everyone beforehand what they wanted to learn (field report).
    "regionale-online-bijeenkomst-projectleiders": [
        (
            "Welke vraag wil je in de deelsessie bespreken?",
            IntakeQuestion.Kind.ONE_CHOICE,
            False,
            ["Hoe bereiken we gezinnen met geldzorgen eerder?", "Hoe houden we de coalitie na de startfase gaande?"],
        ),
        ("Wat wil je van de andere projectleiders leren?", IntakeQuestion.Kind.LONG_TEXT, False, []),
    ],
    "werkbezoek-kraamzorg": [
        ("Met hoeveel collega's kom je?", IntakeQuestion.Kind.NUMBER, True, []),
        (
            "Waar wil je bij de kraamzorg vooral meer over weten?",
            IntakeQuestion.Kind.SEVERAL_CHOICES,
            False,
            ["Het kraambed thuis", "Signalen van zorg", "Overdracht aan de jeugdgezondheidszorg"],
        ),
    ],
}
PROGRESS = [
    "We hebben het convenant getekend en werken aan een gezamenlijk zorgpad.",
    "We zijn net begonnen: de eerste partners zitten aan tafel.",
    "Vroegsignalering loopt; armoede en schulden pakken we nu op.",
    "Onze coalitie is stevig, we willen vooral leren van andere regio's.",
    "We zoeken nog naar een goede rol voor de kinderopvang.",
]
LEARN = ["Een zorg bespreekbaar maken.", "Weten naar wie ik kan verwijzen.", "Sneller de juiste partner bellen.", ""]
VALUABLE = [
    "De casus uit de praktijk en het gesprek met collega's.",
    "Ik weet nu wie ik bij de schuldhulp kan bellen.",
    "Het serious game maakte het heel concreet.",
]
IMPROVE = ["Meer tijd voor vragen.", "Graag een vervolg in het voorjaar.", ""]

# The demo login's own registrations, and nothing else (README, Events, "Demo"): a confirmed seat, a
# place on a full event's waiting list, and a past event they attended and can still give feedback on.
DEMO_MEMBER = "member@example.org"
DEMO_MEMBER_PLACES = {
    "workshop-vroegsignalering": Registration.State.CONFIRMED,
    "online-regio-overleg": Registration.State.WAITING,
    "workshop-mentale-gezondheid-2": Registration.State.CONFIRMED,
}

# The coalition (network/demo.py, by slug) of some demo events; the others are regional.
EVENT_COALITIONS = {
    "workshop-vroegsignalering": "borsele",
    "werkbezoek-kraamzorg": "walcheren",
    "workshop-mentale-gezondheid-2": "borsele",
    "serious-game-veilig-opgroeien": "walcheren",
}

# The themes (members/demo.py, by slug) each demo event is about.
EVENT_THEMES = {
    "workshop-vroegsignalering": ["vroegsignalering"],
    "werkbezoek-kraamzorg": ["vroegsignalering", "gezonde-leefstijl"],
    "presentatie-geldzorgen": ["armoede-en-schulden"],
    "online-regio-overleg": ["kansengelijkheid"],
    "serious-game-armoede": ["armoede-en-schulden", "kansengelijkheid"],
    "workshop-mentale-gezondheid-2": ["mentale-gezondheid"],
    "serious-game-veilig-opgroeien": ["veilig-opgroeien"],
    "online-kennissessie-leefstijl": ["gezonde-leefstijl"],
}

# (slug, title, kind, days from today, start hour, hours, capacity, fill, place or online, description)
EVENTS = [
    ("workshop-vroegsignalering", "Workshop vroegsignalering met de verloskundige", Event.Kind.WORKSHOP,
     12, 14, 2, 12, 16, "place", "Hoe zie je zorgen rond de zwangerschap vroeg, en hoe bespreek je ze?"),
    ("werkbezoek-kraamzorg", "Werkbezoek bij de kraamzorg", Event.Kind.WORK_VISIT,
     20, 10, 3, 15, 6, "place", "Een ochtend mee met een kraamverzorgende: wat zie je thuis?"),
    ("presentatie-geldzorgen", "Presentatie: geldzorgen bij jonge ouders", Event.Kind.PRESENTATION,
     27, 15, 2, 40, 10, "place", "Schuldhulpverlening vertelt hoe je geldzorgen herkent en waar je naar verwijst."),
    ("online-regio-overleg", "Online regionaal overleg Kansrijke Start", Event.Kind.ONLINE_MEETING,
     6, 12, 1, 20, 24, "online", "Een uur bijpraten over de stand van zaken in elke gemeente."),
    ("serious-game-armoede", "Serious game: rondkomen met een baby", Event.Kind.SERIOUS_GAME,
     34, 13, 3, 24, 8, "place", "Speel een maand als jong gezin met een krap budget."),
    ("halfjaarlijkse-partnerbijeenkomst", "Halfjaarlijkse bijeenkomst van alle partners", Event.Kind.PARTNER_MEETING,
     45, 16, 3, None, 20, "place", "Terugblik, vooruitblik en ontmoeting met alle partners van de coalitie."),
    ("workshop-mentale-gezondheid-2", "Workshop mentale gezondheid rond de zwangerschap", Event.Kind.WORKSHOP,
     -40, 14, 2, 20, 18, "place", "Signalen van psychische klachten en de weg naar passende hulp."),
    ("serious-game-veilig-opgroeien", "Serious game: veilig opgroeien", Event.Kind.SERIOUS_GAME,
     -75, 13, 3, 16, 14, "place", "Samen beslissen bij zorgen over veiligheid in een gezin."),
    ("online-kennissessie-leefstijl", "Online kennissessie gezonde leefstijl", Event.Kind.ONLINE_MEETING,
     -20, 12, 1, None, 22, "online", "Roken, alcohol en voeding: wat werkt in het gesprek met ouders?"),
    ("halfjaarlijkse-partnerbijeenkomst-vorige", "Halfjaarlijkse bijeenkomst van alle partners",
     Event.Kind.PARTNER_MEETING, -137, 16, 3, None, 18, "place",
     "Terugblik, vooruitblik en ontmoeting met alle partners van de coalitie."),
]  # fmt: skip

# The series of the half-yearly partner meeting: its coming date and the one before.
SERIES = {
    "slug": "halfjaarlijkse-partnerbijeenkomst",
    "title": "Halfjaarlijkse partnerbijeenkomst",
    "description": "Elk half jaar komen alle partners van de coalitie samen: terugblik, vooruitblik en ontmoeting.",
    "events": ["halfjaarlijkse-partnerbijeenkomst", "halfjaarlijkse-partnerbijeenkomst-vorige"],
}


def _at(days, hour):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour=hour)))


def _profiles():
    return list(
        Profile.objects.approved()
        .exclude(user__email__startswith="bench")
        .select_related("user", "organisation")
        .order_by("pk")
    )


def _organisations():
    return list(Organisation.objects.order_by("pk")[:10])


def _editions():
    return list(Edition.objects.order_by("-number")[:3])


def _questions(event, kind, slug):
    """The event's intake questions as the demo has them (the same rows on every run, others removed)."""
    wanted = EVENT_QUESTIONS.get(slug, WORKSHOP_QUESTIONS if kind == Event.Kind.WORKSHOP else [])
    questions = []
    for position, (label, question_kind, required, choices) in enumerate(wanted):
        question, _created = IntakeQuestion.objects.update_or_create(
            event=event,
            position=position,
            defaults={"label": label, "kind": question_kind, "required": required, "choices": choices},
        )
        questions.append(question)
    IntakeQuestion.objects.filter(event=event, position__gte=len(wanted)).delete()
    return questions


def _answers(questions, progress, rng):
    """An answer to each question, of its type; the same random draws whatever the questions are."""
    draws = {
        IntakeQuestion.Kind.LONG_TEXT: (progress, rng.choice(LEARN)),
        IntakeQuestion.Kind.YES_NO: rng.random() < 0.3,
        IntakeQuestion.Kind.NUMBER: rng.choice([0, 1, 1, 2]),
        "choice": rng.random(),
    }
    answers = {}
    for question in questions:
        if question.kind == IntakeQuestion.Kind.LONG_TEXT:
            value = draws[question.kind][0 if "coalitie" in question.label else 1]
        elif question.kind == IntakeQuestion.Kind.ONE_CHOICE:
            value = question.choices[int(draws["choice"] * len(question.choices))]
        elif question.kind == IntakeQuestion.Kind.SEVERAL_CHOICES:
            value = question.choices[: 1 + int(draws["choice"] * len(question.choices))]
        else:
            value = draws.get(question.kind, "")
        if value not in ("", []):
            answers[str(question.pk)] = value
    return answers


def _register(event, profile, state, when, rng, questions, answer_rng):
    coalition = coalition_of(profile, prefer=event.coalition_id)
    # Drawn from `rng` as the fixed coalition question's answer always was, so every later draw of the demo (who
    # is checked in, who gives feedback) stays as it was; the other answers come from a generator of their own.
    progress = rng.choice(PROGRESS)
    registration, _created = Registration.objects.get_or_create(
        event=event,
        profile=profile,
        defaults={
            "name": profile.full_name,
            "organisation": profile.organisation,
            "organisation_name": profile.organisation.name if profile.organisation else "",
            "discipline": profile.discipline,
            "coalition": coalition,
            "coalition_phase": coalition.phase if coalition else "",
            "state": state,
            "answers": _answers(questions, progress, answer_rng),
            "consent_to_list": rng.random() < 0.8,
            "registered_at": when,
            "confirmed_at": when if state == Registration.State.CONFIRMED else None,
            "waiting_since": when if state == Registration.State.WAITING else None,
        },
    )
    return registration


# The half-yearly partner meeting's earliest date (beside its last and its coming one in EVENTS), and the
# accreditation points of past events, so the demo has certificates with and without points.
EARLIER_EDITIONS = [
    ("halfjaarlijkse-partnerbijeenkomst-voorjaar", "Halfjaarlijkse bijeenkomst van alle partners", -320, 16, 3, 16),
]
ACCREDITATION = {
    "halfjaarlijkse-partnerbijeenkomst-vorige": (Decimal(3), "Kwaliteitsregister V&VN"),
    "workshop-mentale-gezondheid-2": (Decimal("2.5"), "Kwaliteitsregister V&VN"),
}


def attach_needs_inventory():
    """The surveys' demo needs inventory ("what do you want to learn") is the regional meeting's: its coordinators
    find its results among the meeting's links. Idempotent; nothing when the surveys' demo was not seeded."""
    survey = Survey.objects.filter(slug=surveys_demo.NEEDS_SLUG, kind=Survey.Kind.NEEDS, needs_event=None).first()
    if survey is not None:
        Event.objects.filter(slug=PROGRAMME_MEETING["slug"], needs_survey__isnull=True).update(needs_survey=survey)


def give_feedback(registration, *, score, valuable, improve):
    """The participant's answers to the event's feedback survey, given the day after it (as the old feedback was,
    and as the migration of events/0011 turned it into a survey's response). Written directly, not through
    surveys.services.submit_response: the survey of an event long past has closed. Idempotent: once per person."""
    event = registration.event
    participant = services.feedback_participant(registration)
    score_question, valuable_question, improve_question = participant.survey.questions.order_by("position", "pk")
    answered_at = event.ends_at + timedelta(days=1)
    SurveyResponse.objects.update_or_create(
        participant=participant,
        defaults={
            "survey_id": participant.survey_id,
            "answers": {
                str(score_question.pk): score,
                str(valuable_question.pk): valuable,
                str(improve_question.pk): improve,
            },
            "coalition": registration.coalition,
            "coalition_phase": registration.coalition_phase,
            "discipline": registration.discipline,
            "submitted_at": answered_at,
        },
    )
    SurveyParticipant.objects.filter(pk=participant.pk).update(answered_at=answered_at)


def seed_series_certificates(series, *, profiles, rng):
    """The half-yearly partner meeting as a series with two past dates and a coming one; the past dates have
    check-ins (so their participants, and the demo member at the past workshop, have certificates to download)
    and feedback, one has accreditation points. Idempotent like seed()."""
    for slug, title, days, hour, hours, fill in EARLIER_EDITIONS:
        starts_at = _at(days, hour)
        event, _created = Event.objects.update_or_create(
            slug=slug,
            defaults={
                "title": title,
                "kind": Event.Kind.PARTNER_MEETING,
                "state": Event.State.PUBLISHED,
                "series": series,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=hours),
                "venue": "Wijkcentrum De Schakel",
                "address": "Stationsplein 4\n4461 HP Goes",
                "description": "Terugblik, vooruitblik en ontmoeting met alle partners van de coalitie.",
            },
        )
        questions = _questions(event, event.kind, slug)
        answer_rng = random.Random(days)  # noqa: S311 (the same answers on every run)
        chosen = rng.sample(profiles, min(fill, len(profiles))) if profiles else []
        for position, profile in enumerate(chosen):
            when = starts_at - timedelta(days=30) + timedelta(minutes=position * 7)
            registration = _register(event, profile, Registration.State.CONFIRMED, when, rng, questions, answer_rng)
            checked_in, gives_feedback = rng.random() < 0.85, rng.random() < 0.6
            score, valuable, improve = rng.choice([3, 4, 4, 5, 5]), rng.choice(VALUABLE), rng.choice(IMPROVE)
            if not checked_in:
                continue
            Registration.objects.filter(pk=registration.pk).update(checked_in=True, checked_in_at=starts_at)
            if gives_feedback:
                give_feedback(registration, score=score, valuable=valuable, improve=improve)
    for slug, (points, registry) in ACCREDITATION.items():
        Event.objects.filter(slug=slug).update(accreditation_points=points, accreditation_registry=registry)


# The work visit open to guests, and its confirmed guest from the ministry (issue 16).
GUEST_EVENT = "werkbezoek-kraamzorg"
MINISTRY_GUEST = {
    "name": "Sanne Bakker",
    "email": "s.bakker@minvws.example.org",
    "function": "beleidsmedewerker",
    "organisation_name": "Ministerie van VWS",
}


def seed_guests():
    """The work visit is open to guests and a policy officer of the ministry has a confirmed seat (idempotent)."""
    event = Event.objects.filter(slug=GUEST_EVENT).first()
    if event is None:
        return
    Event.objects.filter(pk=event.pk).update(open_to_guests=True)
    when = event.starts_at - timedelta(days=20)
    Registration.objects.get_or_create(
        event=event,
        email=MINISTRY_GUEST["email"],
        state=Registration.State.CONFIRMED,
        defaults={
            "name": MINISTRY_GUEST["name"],
            "function": MINISTRY_GUEST["function"],
            "organisation_name": MINISTRY_GUEST["organisation_name"],
            "consent_to_list": True,
            "registered_at": when,
            "confirmed_at": when,
            "address_confirmed_at": when,
            "token": new_token(),
        },
    )


def seed(*, stdout=None):
    """Create or refresh the demo events (idempotent: events by slug, registrations per member)."""
    rng = random.Random(6)  # noqa: S311 (the same demo data on every run)
    answer_rng = random.Random(16)  # noqa: S311 (the same answers on every run)
    profiles = _profiles()
    demo_member = next((p for p in profiles if p.user.email == DEMO_MEMBER), None)
    # Everyone else is drawn at random; the demo member only where DEMO_MEMBER_PLACES says.
    profiles = [p for p in profiles if p != demo_member]
    organisations = _organisations()
    editions = _editions()
    now = timezone.now()
    coalitions = Coalition.objects.in_bulk(list(EVENT_COALITIONS.values()), field_name="slug")
    themes = Theme.objects.in_bulk({slug for slugs in EVENT_THEMES.values() for slug in slugs}, field_name="slug")
    for index, (slug, title, kind, days, hour, hours, capacity, fill, place, description) in enumerate(EVENTS):
        starts_at = _at(days, hour)
        host = organisations[index % len(organisations)] if organisations else None
        co_host = organisations[(index + 3) % len(organisations)] if len(organisations) > 3 and index % 2 else None
        event, _created = Event.objects.update_or_create(
            slug=slug,
            defaults={
                "title": title,
                "kind": kind,
                "state": Event.State.PUBLISHED,
                "edition": editions[index % len(editions)] if editions and index % 3 != 2 else None,
                "coalition": coalitions.get(EVENT_COALITIONS.get(slug)),
                "host": host,
                "co_host": co_host,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=hours),
                "venue": "" if place == "online" else "Wijkcentrum De Schakel",
                "address": "" if place == "online" else "Stationsplein 4\n4461 HP Goes",
                "meeting_url": "https://meet.example.org/kansrijke-start-" + slug if place == "online" else "",
                "capacity": capacity,
                "max_per_organisation": 3 if kind == Event.Kind.WORKSHOP else None,
                "cancellation_deadline": starts_at - timedelta(days=1),
                "description": description,
            },
        )
        questions = _questions(event, kind, slug)
        event.themes.set([themes[t] for t in EVENT_THEMES.get(slug, []) if t in themes])
        if not profiles:
            continue
        chosen = rng.sample(profiles, min(fill, len(profiles)))
        place = DEMO_MEMBER_PLACES.get(slug)
        if demo_member and place:
            # First in line for a seat, or last in line behind a full house for a waiting-list place.
            chosen.insert(0 if place == Registration.State.CONFIRMED else len(chosen), demo_member)
        past = starts_at < now
        for position, profile in enumerate(chosen):
            has_seat = capacity is None or position < capacity
            when = starts_at - timedelta(days=30) + timedelta(minutes=position * 7)
            state = Registration.State.CONFIRMED if has_seat else Registration.State.WAITING
            registration = _register(event, profile, state, when, rng, questions, answer_rng)
            # Draw the same random numbers on every run, whatever is already there, so a second run matches.
            checked_in, gives_feedback = rng.random() < 0.85, rng.random() < 0.6
            score, valuable, improve = rng.choice([3, 4, 4, 5, 5]), rng.choice(VALUABLE), rng.choice(IMPROVE)
            if profile == demo_member:
                # A run on older demo data fixes the state; the demo member's feedback is theirs to give.
                Registration.objects.filter(pk=registration.pk).exclude(state=state).update(
                    state=state,
                    confirmed_at=when if state == Registration.State.CONFIRMED else None,
                    waiting_since=when if state == Registration.State.WAITING else None,
                )
                checked_in, gives_feedback = True, False
            if past and registration.is_confirmed:
                if checked_in:
                    Registration.objects.filter(pk=registration.pk).update(checked_in=True, checked_in_at=starts_at)
                if gives_feedback:
                    give_feedback(registration, score=score, valuable=valuable, improve=improve)
        if not past and index in (1, 2):
            # Invitations with every kind of answer.
            answers = [Invitation.Answer.COMING, Invitation.Answer.NOT_COMING, Invitation.Answer.NO_ANSWER]
            for n, profile in enumerate(rng.sample(profiles, min(12, len(profiles)))):
                Invitation.objects.get_or_create(
                    event=event,
                    email=profile.user.email.lower(),
                    defaults={
                        "profile": profile,
                        "name": profile.full_name,
                        "answer": answers[n % 3],
                        "invited_at": starts_at - timedelta(days=14),
                        "answered_at": None
                        if answers[n % 3] == Invitation.Answer.NO_ANSWER
                        else starts_at - timedelta(days=12),
                    },
                )
    seed_programme_meeting(profiles, rng)
    attach_needs_inventory()
    series, _created = Series.objects.update_or_create(
        slug=SERIES["slug"], defaults={"title": SERIES["title"], "description": SERIES["description"]}
    )
    Event.objects.filter(slug__in=SERIES["events"]).update(series=series)
    seed_series_certificates(series, profiles=profiles, rng=rng)
    if demo_member:
        # Older demo data drew the demo member into other events too.
        Registration.objects.filter(profile=demo_member, event__slug__in=[e[0] for e in EVENTS]).exclude(
            event__slug__in=DEMO_MEMBER_PLACES
        ).delete()
    seed_guests()
    if stdout:
        stdout.write(
            f"Events: {Event.objects.count()} events, {Registration.objects.count()} registrations, "
            f"{Invitation.objects.count()} invitations, "
            f"{SurveyResponse.objects.filter(survey__feedback_event__isnull=False).count()} feedback answers."
        )


# The regional online meeting of the field reports (issue 16, point 10): the project leads were asked what they
# wanted to learn, the programme is built around the two most urgent questions, one breakout each.
PROGRAMME_MEETING = {
    "slug": "regionale-online-bijeenkomst-projectleiders",
    "title": "Regionale online bijeenkomst projectleiders",
    "description": (
        "Voor de projectleiders van alle gemeenten in de regio. Vooraf vroegen we wat je wilt leren; "
        "de twee meest gestelde vragen zijn de deelsessies."
    ),
    "days": 16,
    "hour": 13,
    "minutes": 150,
    "capacity": 30,
    "fill": 18,
}
# (title, capacity, room, link, description)
PROGRAMME_SESSIONS = [
    ("Armoede en schulden bespreekbaar maken", 12, "Breakout-ruimte 1", "https://meet.example.org/ks-deelsessie-armoede",
     "Hoe begin je het gesprek over geld, en wie in de coalitie pakt het op?"),
    ("De kraamzorg in de coalitie", 12, "Breakout-ruimte 2", "https://meet.example.org/ks-deelsessie-kraamzorg",
     "Wat ziet de kraamverzorgende thuis, en hoe komt dat signaal bij de JGZ?"),
]  # fmt: skip
# (minutes from the start, minutes, title, guest speakers, session index or None, room)
PROGRAMME_ITEMS = [
    (0, 15, "Welkom en opening", "Marieke de Vries, GGD regio Utrecht", None, "Plenair"),
    (15, 15, "Wat vroegen jullie? De twee meest urgente vragen", "Jeroen Bakker, Pharos", None, "Plenair"),
    (30, 75, "Deelsessie: armoede en schulden bespreekbaar maken", "Fatima El Amrani, Schuldhulpmaatje", 0, ""),
    (30, 75, "Deelsessie: de kraamzorg in de coalitie", "Sandra Jansen, Kraamzorg De Eilanden", 1, ""),
    (105, 45, "Plenaire afsluiting: wat nemen we mee?", "Marieke de Vries, GGD regio Utrecht\nJeroen Bakker, Pharos",
     None, "Plenair"),
]  # fmt: skip


def seed_programme_meeting(profiles, rng):
    """The regional online meeting with its programme, two breakout sessions and guest speakers (idempotent)."""
    meeting = PROGRAMME_MEETING
    starts_at = _at(meeting["days"], meeting["hour"])
    event, _created = Event.objects.update_or_create(
        slug=meeting["slug"],
        defaults={
            "title": meeting["title"],
            "kind": Event.Kind.ONLINE_MEETING,
            "state": Event.State.PUBLISHED,
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=meeting["minutes"]),
            "venue": "",
            "address": "",
            "meeting_url": "https://meet.example.org/ks-projectleiders",
            "capacity": meeting["capacity"],
            "cancellation_deadline": starts_at - timedelta(days=1),
            "description": meeting["description"],
        },
    )
    sessions = []
    for position, (title, capacity, room, link, description) in enumerate(PROGRAMME_SESSIONS):
        session, _created = Session.objects.update_or_create(
            event=event,
            title=title,
            defaults={
                "capacity": capacity,
                "room": room,
                "meeting_url": link,
                "description": description,
                "position": position,
            },
        )
        sessions.append(session)
    for offset, minutes, title, guests, session_index, room in PROGRAMME_ITEMS:
        item_start = starts_at + timedelta(minutes=offset)
        ProgrammeItem.objects.update_or_create(
            event=event,
            title=title,
            defaults={
                "starts_at": item_start,
                "ends_at": item_start + timedelta(minutes=minutes),
                "guest_speakers": guests,
                "session": sessions[session_index] if session_index is not None else None,
                "room": room,
            },
        )
    if not profiles:
        return event
    chosen = rng.sample(profiles, min(meeting["fill"], len(profiles)))
    # The opening's host is a member of the network too: a speaker with a profile.
    opening = ProgrammeItem.objects.get(event=event, title=PROGRAMME_ITEMS[0][2])
    opening.speakers.set(chosen[:1])
    questions = _questions(event, event.kind, meeting["slug"])
    answer_rng = random.Random(21)  # noqa: S311 (the same answers on every run)
    for position, profile in enumerate(chosen):
        when = starts_at - timedelta(days=21) + timedelta(minutes=position * 11)
        registration = _register(event, profile, Registration.State.CONFIRMED, when, rng, questions, answer_rng)
        # Two in three chose a session when registering (alternating); the rest the coordinator places.
        if registration.session_id is None and position % 3:
            Registration.objects.filter(pk=registration.pk).update(session=sessions[position % 2])
    return event
