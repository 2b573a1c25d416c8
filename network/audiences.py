"""Who a mail to "a part of the network" reaches: the one rule for invitations, announcements and surveys.

A coordinator chooses a Segment: coalitions, a circle, levels, disciplines, municipalities, organisations and
themes of approved members, plus groups that other apps add (journal subscribers, the participants of events,
the members of a working group) through `add_source()`. Within one criterion the choices add up (midwives or
youth health care); between criteria they narrow down (midwives in Utrecht); the added groups come on top. A
coalition's people are those of its partner organisations and those working in its municipalities; with a
circle, the people of partners in that circle. Who is then left out of a particular mail (unsubscribed,
bounced) is the check step's business (coalition.checkstep.screen).
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms

from members.models import Profile, name_order

from .models import partner_people


@dataclass(frozen=True)
class Person:
    """One address a segment reaches. `unsubscribe_url` is set by a source whose people unsubscribe through
    their own link (a journal subscriber); otherwise the mail's topic gives the link."""

    email: str
    name: str = ""
    profile_id: int | None = None
    unsubscribe_url: str = ""


@dataclass(frozen=True)
class Source:
    """A group another app adds to segments: its label, the form field that chooses it, and its people."""

    key: str
    field: Callable[[], forms.Field]
    people: Callable[[Any], Iterable[Person]]
    # The value as stored in a segment's params (ids, a flag) and back into what `people` and the field take.
    to_params: Callable[[Any], Any] = lambda value: value
    from_params: Callable[[Any], Any] = lambda value: value


SOURCES: dict[str, Source] = {}


def add_source(source: Source) -> None:
    """Register a group for segments (from an app's AppConfig.ready: journal subscribers, event participants)."""
    SOURCES[source.key] = source


def _ids(values) -> list[int]:
    return sorted(int(getattr(value, "pk", value)) for value in values)


@dataclass(frozen=True)
class Segment:
    """What a coordinator chose. Ids, not objects, so that it is stored as it was chosen (MailCheck.params)."""

    coalitions: tuple[int, ...] = ()
    circle: str = ""
    levels: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    municipalities: tuple[int, ...] = ()
    organisations: tuple[int, ...] = ()
    themes: tuple[int, ...] = ()
    all_members: bool = False
    # Source key -> its value in params form ({"subscribers": True, "events": [3, 4]}).
    sources: dict[str, Any] = field(default_factory=dict)

    @property
    def narrows_members(self) -> bool:
        return any(
            [self.coalitions, self.circle, self.levels, self.disciplines, self.municipalities, self.organisations]
        ) or bool(self.themes)

    @property
    def is_empty(self) -> bool:
        return not (self.all_members or self.narrows_members or any(self.sources.values()))

    def to_params(self) -> dict[str, Any]:
        return {
            "coalitions": list(self.coalitions),
            "circle": self.circle,
            "levels": list(self.levels),
            "disciplines": list(self.disciplines),
            "municipalities": list(self.municipalities),
            "organisations": list(self.organisations),
            "themes": list(self.themes),
            "all_members": self.all_members,
            "sources": dict(self.sources),
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "Segment":
        return cls(
            coalitions=tuple(params.get("coalitions", ())),
            circle=params.get("circle", ""),
            levels=tuple(params.get("levels", ())),
            disciplines=tuple(params.get("disciplines", ())),
            municipalities=tuple(params.get("municipalities", ())),
            organisations=tuple(params.get("organisations", ())),
            themes=tuple(params.get("themes", ())),
            all_members=bool(params.get("all_members")),
            sources={key: value for key, value in params.get("sources", {}).items() if key in SOURCES and value},
        )

    @classmethod
    def from_form(cls, data: dict[str, Any]) -> "Segment":
        """From a SegmentForm's cleaned_data."""
        return cls(
            coalitions=tuple(_ids(data.get("coalitions") or ())),
            circle=data.get("circle") or "",
            levels=tuple(sorted(data.get("levels") or ())),
            disciplines=tuple(sorted(data.get("disciplines") or ())),
            municipalities=tuple(_ids(data.get("municipalities") or ())),
            organisations=tuple(_ids(data.get("organisations") or ())),
            themes=tuple(_ids(data.get("themes") or ())),
            all_members=bool(data.get("all_members")),
            sources={
                key: source.to_params(data[f"source_{key}"])
                for key, source in SOURCES.items()
                if data.get(f"source_{key}")
            },
        )

    def initial(self) -> dict[str, Any]:
        """A SegmentForm's initial data for this segment (composing again after "Change")."""
        initial = {
            "coalitions": list(self.coalitions),
            "circle": self.circle,
            "levels": list(self.levels),
            "disciplines": list(self.disciplines),
            "municipalities": list(self.municipalities),
            "organisations": list(self.organisations),
            "themes": list(self.themes),
            "all_members": self.all_members,
        }
        for key, value in self.sources.items():
            if key in SOURCES:
                initial[f"source_{key}"] = SOURCES[key].from_params(value)
        return initial


def member_profiles(segment: Segment):
    """The approved members a segment chooses, as a queryset (without the added groups)."""
    profiles = Profile.objects.approved()
    if segment.all_members:
        return profiles
    if not segment.narrows_members:
        return profiles.none()
    if segment.disciplines:
        profiles = profiles.filter(discipline__in=segment.disciplines)
    if segment.levels:
        profiles = profiles.filter(level__in=segment.levels)
    if segment.municipalities:
        profiles = profiles.filter(municipalities__in=segment.municipalities)
    if segment.organisations:
        profiles = profiles.filter(organisation__in=segment.organisations)
    if segment.themes:
        profiles = profiles.filter(themes__in=segment.themes)
    if segment.coalitions or segment.circle:
        profiles = profiles.filter(partner_people(coalitions=segment.coalitions, circle=segment.circle))
    # Each person once, without DISTINCT over whole rows (the many-to-many criteria repeat them).
    return Profile.objects.filter(pk__in=profiles.values("pk"))


def people_of(segment: Segment) -> tuple[list[Person], Counter]:
    """Everyone a segment reaches, each address once (members first, in name order), and how many of those chosen
    have no address. A member who is also in an added group keeps their member entry, with the group's
    unsubscribe link when it has one."""
    people: dict[str, Person] = {}
    left_out: Counter = Counter()
    rows = member_profiles(segment).order_by(*name_order()).values_list("pk", "user__email", "first_name", "last_name")
    for pk, email, first_name, last_name in rows:
        if not email:
            left_out["no_address"] += 1
            continue
        name = f"{first_name} {last_name}".strip()
        people.setdefault(email.lower(), Person(email=email.lower(), name=name, profile_id=pk))
    for key, value in segment.sources.items():
        source = SOURCES.get(key)
        if source is None or not value:
            continue
        for person in source.people(source.from_params(value)):
            address = person.email.lower()
            known = people.get(address)
            if known is None:
                people[address] = Person(address, person.name, person.profile_id, person.unsubscribe_url)
            elif person.unsubscribe_url and not known.unsubscribe_url:
                people[address] = Person(address, known.name, known.profile_id, person.unsubscribe_url)
    return list(people.values()), left_out
