"""What waits for a coordinator today: each item counted, its first rows, and where it is handled.

A regional coordinator sees the whole region; a coalition coordinator their own coalitions only (the people who
work in their municipalities, their coalitions' joining requests, events, groups and surveys). Mailings and tips
follow their own rules (coalition.view_mailing, journal.view_tips). Every item costs the same two queries (a
count and its first rows), however much waits, so the page has a fixed number of queries.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.models import Mailing
from events.models import Event
from groups.models import Action
from journal.models import Tip
from members.models import OUTDATED_AFTER, Offering, Profile, offering_outdated_after
from network.models import JoinRequest
from network.rules import coordinated_municipality_ids
from surveys.models import Survey
from surveys.services import response_rate, with_response_numbers

from .scope import Scope

# How many rows of each item the page shows; the count and the link lead to the rest.
ROWS = 5
# A mailing that finished with failures stays on the list this long (then the admin's outbox keeps it).
FAILED_MAILINGS_FOR = datetime.timedelta(days=30)


@dataclass
class Item:
    """One heading of the to-do page: how many wait, the first few, and the page where they are handled."""

    key: str
    title: str
    count: int
    rows: list
    template: str
    url: str = ""
    link_label: str = ""
    empty: str = field(default_factory=lambda: str(_("Nothing waiting.")))


@dataclass
class Todo:
    scope: Scope
    items: list[Item]

    @property
    def waiting(self) -> int:
        return sum(1 for item in self.items if item.count)


def build(user, *, now: datetime.datetime | None = None) -> Todo:
    """The to-do of `user` (a regional or a coalition coordinator), in the order the page shows it."""
    now = now or timezone.now()
    scope = Scope.for_user(user)
    places = None if scope.regional else coordinated_municipality_ids(user)
    items = [
        _pending_members(scope, places),
        _join_requests(scope),
        _tips(user),
        _upcoming_events(scope, now),
        _mailings(user, now),
        _overdue_actions(scope, now),
        _outdated_offerings(scope, places, now),
        _outdated_profiles(user, scope, places, now),
        _open_surveys(scope, now),
    ]
    return Todo(scope=scope, items=[item for item in items if item is not None])


def _in_coalitions(queryset: QuerySet, scope: Scope, path: str = "coalition_id") -> QuerySet:
    """Narrowed to the coalitions the person coordinates (a regional coordinator keeps everything)."""
    return queryset if scope.regional else queryset.filter(**{f"{path}__in": scope.detailed_ids})


def _working_in(queryset: QuerySet, places, relation: str) -> QuerySet:
    """Narrowed to the rows with one of `places` among the municipalities of their many-to-many `relation` (None:
    every row); a semi-join, so a row in two of the places is counted once."""
    if places is None:
        return queryset
    through = queryset.model._meta.get_field(relation).remote_field.through
    owner = f"{queryset.model._meta.model_name}_id"
    return queryset.filter(Exists(through.objects.filter(**{owner: OuterRef("pk")}, municipality_id__in=places)))


def _item(key, title, queryset, template, *, counted=None, **kwargs) -> Item:
    """An item of `queryset`: its count (of `counted`, the same rows without the annotations, when given) and its
    first rows."""
    count = (queryset if counted is None else counted).count()
    return Item(key=key, title=title, count=count, rows=list(queryset[:ROWS]), template=template, **kwargs)


def _pending_members(scope, places) -> Item:
    # The same people the pending page lists for this person (members.approve_profile asks their municipalities).
    pending = _working_in(Profile.objects.pending(), places, "municipalities").select_related("user", "organisation")
    return _item(
        "pending",
        _("Members awaiting approval"),
        pending.order_by("created_at", "pk"),
        "cockpit/includes/pending.html",
        url=reverse("members:pending"),
        link_label=_("All members awaiting approval"),
    )


def _join_requests(scope) -> Item:
    requests = _in_coalitions(JoinRequest.objects.filter(state=JoinRequest.State.OPEN), scope)
    if scope.regional:
        url = reverse("admin:network_joinrequest_changelist") + "?state__exact=open"
    elif len(scope.detailed) == 1:
        url = reverse("network:join_request_list", args=[scope.detailed[0].slug])
    else:
        url = ""
    return _item(
        "join_requests",
        _("Organisations asking to join"),
        requests.select_related("coalition", "organisation").order_by("created_at", "pk"),
        "cockpit/includes/join_requests.html",
        url=url,
        link_label=_("All joining requests"),
    )


def _tips(user) -> Item | None:
    if not user.has_perm("journal.view_tips"):
        return None
    return _item(
        "tips",
        _("New tips for the journal"),
        Tip.objects.filter(state=Tip.State.NEW).order_by("-created_at", "-pk"),
        "cockpit/includes/tips.html",
        url=reverse("journal:tip_list"),
        link_label=_("All tips"),
    )


def _upcoming_events(scope, now) -> Item:
    events = _in_coalitions(Event.objects.published().upcoming(now), scope)
    item = _item(
        "events",
        _("Upcoming events"),
        events.with_counts().select_related("coalition"),
        "cockpit/includes/events.html",
        counted=events,
        url=reverse("events:event_list"),
        link_label=_("All events"),
    )
    for event in item.rows:
        event.fill_rate = event.confirmed_count * 100 // event.capacity if event.capacity else None
    return item


def _mailings(user, now) -> Item | None:
    if not user.has_perm("coalition.view_mailing"):
        return None
    states = Mailing.State
    mailings = Mailing.objects.filter(
        Q(state__in=[states.QUEUED, states.SENDING])
        | Q(state=states.SENT_WITH_FAILURES, finished_at__gte=now - FAILED_MAILINGS_FOR)
    )
    counts = mailings.aggregate(total=Count("pk"), failed=Count("pk", filter=Q(state=states.SENT_WITH_FAILURES)))
    rows = list(mailings.with_progress().order_by("-queued_at", "-pk")[:ROWS])
    may_retry = user.has_perm("coalition.change_mailing")
    for mailing in rows:
        mailing.may_retry = may_retry and mailing.failed_count > 0
    item = Item(
        key="mailings",
        title=_("Mailings in progress and failed"),
        count=counts["total"],
        rows=rows,
        template="cockpit/includes/mailings.html",
        url=reverse("admin:coalition_mailing_changelist"),
        link_label=_("The outbox"),
    )
    item.failed = counts["failed"]
    return item


def _overdue_actions(scope, now) -> Item:
    actions = _in_coalitions(Action.objects.overdue(timezone.localdate(now)), scope, "group__coalition_id")
    return _item(
        "actions",
        _("Overdue actions of groups"),
        actions.select_related("group").order_by("due_on", "pk"),
        "cockpit/includes/actions.html",
        url=reverse("groups:group_list"),
        link_label=_("All groups"),
    )


def _outdated_offerings(scope, places, now) -> Item:
    outdated = Q(confirmed_at__lt=now - offering_outdated_after()) | ~Q(needs_review="")
    offerings = _working_in(Offering.objects.active().filter(outdated), places, "municipalities")
    item = _item(
        "offerings",
        _("Offerings possibly outdated"),
        offerings.select_related("organisation").order_by("confirmed_at", "pk"),
        "cockpit/includes/offerings.html",
        url=reverse("members:offering_list"),
        link_label=_("Support for parents"),
    )
    for offering in item.rows:
        # Regional coordinators edit any offering; a coalition coordinator calls its organisation's contacts.
        offering.handled_at = (
            reverse("members:offering_edit", args=[offering.organisation.slug, offering.pk])
            if scope.regional
            else reverse("members:organisation_detail", args=[offering.organisation.slug])
        )
    return item


def _outdated_profiles(user, scope, places, now) -> Item:
    # Only the people this person may see at all (a coalition coordinator does not see unlisted people).
    outdated = Profile.objects.visible_to(user).filter(details_confirmed_at__lt=now - OUTDATED_AFTER)
    profiles = _working_in(outdated, places, "municipalities")
    return _item(
        "profiles",
        _("Profiles possibly outdated"),
        profiles.select_related("organisation").order_by("details_confirmed_at", "pk"),
        "cockpit/includes/profiles.html",
        url=reverse("members:profile_list"),
        link_label=_("The member directory"),
    )


def _open_surveys(scope, now) -> Item:
    surveys = _in_coalitions(Survey.objects.open(now), scope)
    item = _item(
        "surveys",
        _("Open surveys"),
        with_response_numbers(surveys.select_related("coalition")).order_by("closes_at", "pk"),
        "cockpit/includes/surveys.html",
        counted=surveys,
        url=reverse("surveys:manage_list"),
        link_label=_("All surveys you manage"),
    )
    for survey in item.rows:
        survey.response_rate = response_rate(survey.answered_count, survey.invited_count)
    return item
