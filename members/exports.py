"""The members and organisations CSVs: which rows and cells leave the portal (the privacy rules live here).

`coalition.exports.csv_response` writes them (formula guard, `;`, UTF-8 with BOM); the admin's actions call
`profiles_csv` and `organisations_csv`.
"""

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coalition.exports import csv_response

from .models import Discipline, Level, Profile, Visibility, name_order

PROFILE_CSV_HEADER = [
    _("first name"),
    _("last name"),
    _("job title"),
    _("level"),
    _("discipline"),
    _("organisation"),
    _("municipalities"),
    _("themes"),
    _("team phone"),
    _("direct phone"),
    _("e-mail"),
    _("availability"),
    _("approval"),
    _("details last confirmed"),
]

ORGANISATION_CSV_HEADER = [
    _("name"),
    _("kind of organisation"),
    _("municipalities served"),
    # (here the columns in ORGANISATION_CSV_COLUMNS)
    _("general phone line"),
    _("e-mail"),
    _("website"),
    _("address"),
    _("contacts"),
]


def profile_csv_rows(queryset):
    """Rows of the members CSV. A CSV leaves the portal, so it carries only what every approved
    member may see: direct phone and e-mail only where the person shows them to all members,
    and no contact details at all for people who are not listed or not approved."""
    rows = queryset.select_related("user", "organisation").prefetch_related("municipalities", "themes")
    for profile in rows.order_by(*name_order()):  # the Dutch way, whatever the admin list was sorted by
        public = profile.is_approved and profile.is_listed
        yield [
            profile.first_name,
            profile.last_name,
            profile.job_title,
            profile.get_level_display(),
            profile.get_discipline_display(),
            profile.organisation.name if profile.organisation else "",
            ", ".join(m.name for m in profile.municipalities.all()),
            ", ".join(t.name for t in profile.themes.all()),
            profile.team_phone if public else "",
            profile.direct_phone if public and profile.phone_visibility == Visibility.MEMBERS else "",
            profile.user.email if public and profile.email_visibility == Visibility.MEMBERS else "",
            profile.availability if public else "",
            profile.get_status_display(),
            timezone.localtime(profile.details_confirmed_at).date().isoformat(),
        ]


# Columns a higher layer adds to the organisations CSV, in its AppConfig.ready() (the network: the coalitions an
# organisation is a partner of, with circle and signature): (header, the prefetch its cells need, cell(organisation)).
ORGANISATION_CSV_COLUMNS = []


def organisation_csv_header():
    extra = [header for header, _prefetch, _cell in ORGANISATION_CSV_COLUMNS]
    return [*ORGANISATION_CSV_HEADER[:3], *extra, *ORGANISATION_CSV_HEADER[3:]]


def organisation_csv_rows(queryset, *, viewer):
    """Rows of the organisations CSV; of the contacts who keep a page current, only those `viewer` may see."""
    contacts = (
        Profile.objects.all() if viewer.has_perm("members.view_all_details") else Profile.objects.visible_to(viewer)
    )
    visible_contacts = Prefetch("contacts", queryset=contacts, to_attr="visible_contacts")
    prefetches = [prefetch for _header, prefetch, _cell in ORGANISATION_CSV_COLUMNS if prefetch]
    for organisation in queryset.prefetch_related("municipalities", visible_contacts, *prefetches):
        yield [
            organisation.name,
            organisation.get_discipline_display(),
            ", ".join(m.name for m in organisation.municipalities.all()),
            *(cell(organisation) for _header, _prefetch, cell in ORGANISATION_CSV_COLUMNS),
            organisation.phone,
            organisation.email,
            organisation.website,
            organisation.address,
            ", ".join(p.full_name for p in organisation.visible_contacts),
        ]


def profiles_csv(queryset):
    """The members CSV download of these profiles (only what every approved member may see)."""
    filename = f"members-{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, PROFILE_CSV_HEADER, profile_csv_rows(queryset))


def organisations_csv(queryset, *, viewer):
    """The organisations CSV download, as `viewer` may see it."""
    filename = f"organisations-{timezone.localdate().isoformat()}.csv"
    return csv_response(filename, organisation_csv_header(), organisation_csv_rows(queryset, viewer=viewer))


# --- "Download my data", readable -------------------------------------------------------------------------------

# What each key of services.export_data (and of the sections other apps add to it) is called for a person. A key
# missing here is shown as it is: a new section is still exported, only its words wait for a label.
EXPORT_LABELS = {
    # sections
    "account": _("Account"),
    "profile": _("Profile"),
    "event_registrations": _("Registrations for events"),
    "coalitions": _("Coalitions"),
    "tips": _("Tips sent to the editorial team"),
    "journal_subscription": _("Subscription to the journal"),
    "groups": _("Groups"),
    "cases": _("Cases put to a case consultation"),
    "exported_at": _("Downloaded at"),
    # fields
    "email": _("e-mail address"),
    "first_name": _("first name"),
    "last_name": _("last name"),
    "date_joined": _("account created at"),
    "last_login": _("last logged in at"),
    "job_title": _("job title"),
    "level": _("level"),
    "discipline": _("discipline"),
    "organisation": _("organisation"),
    "municipalities": _("municipalities worked in"),
    "themes": _("themes"),
    "direct_phone": _("direct phone"),
    "team_phone": _("team phone"),
    "availability": _("availability"),
    "bio": _("short bio"),
    "photo": _("photo"),
    "is_ambassador": _("ambassador"),
    "status": _("approval"),
    "phone_visibility": _("who sees my direct phone"),
    "email_visibility": _("who sees my e-mail address"),
    "is_listed": _("listed in the directory"),
    "details_confirmed_at": _("details last confirmed"),
    "created_at": _("created at"),
    "contact_for_organisations": _("contact for the organisations"),
    "event": _("event"),
    "state": _("state"),
    "registered_at": _("registered at"),
    "name": _("name"),
    "coalition_phase": _("phase of the coalition"),
    "answers": _("answers to the intake questions"),
    "appears_on_participant_list": _("appears on the participant list"),
    "checked_in": _("checked in"),
    "feedback": _("feedback"),
    "score": _("score"),
    "valuable": _("what was valuable"),
    "improve": _("what could be better"),
    "trekker_terms": _("trekker terms"),
    "coalition": _("coalition"),
    "role": _("role"),
    "starts_on": _("starts on"),
    "ends_on": _("ends on"),
    "coordinates": _("coalitions you coordinate"),
    "joining_requests": _("joining requests"),
    "message": _("message"),
    "asked_at": _("asked at"),
    "what": _("what"),
    "who": _("who"),
    "why_now": _("why now"),
    "phone": _("phone"),
    "receives_journal": _("receives the journal"),
    "receives_invitations": _("receives invitations"),
    "confirmed_at": _("confirmed at"),
    "group_memberships": _("groups you are in"),
    "group": _("group"),
    "group_role": _("role in the group"),
    "membership_state": _("membership"),
    "notifications": _("mails about this group"),
    "joined_at": _("joined at"),
    "group_actions": _("actions that are yours"),
    "action_status": _("status"),
    "due_on": _("due date"),
    "progress": _("progress"),
    "theme": _("theme"),
    "question": _("question"),
    "advice": _("advice"),
    "submitted_at": _("submitted at"),
}

# The stored codes of choices, by the key they appear under, and how a person reads them. The members' own choices
# come from their models; the sections of other apps name theirs here (the same words as their models' labels).
EXPORT_CHOICES = {
    "discipline": dict(Discipline.choices),
    "level": dict(Level.choices),
    "status": dict(Profile.Status.choices),
    "phone_visibility": dict(Visibility.choices),
    "email_visibility": dict(Visibility.choices),
    "state": {
        "confirmed": _("Confirmed"),
        "waiting": _("On the waiting list"),
        "cancelled": _("Cancelled"),
        "open": _("Open"),
        "accepted": _("Accepted"),
        "declined": _("Declined"),
    },
    "role": {"content": _("Trekker (content)"), "policy": _("Trekker (policy)"), "deputy": _("Deputy")},
    "group_role": {"member": _("Member"), "coordinator": _("Group coordinator")},
    "membership_state": {"requested": _("Asked to join"), "invited": _("Invited"), "active": _("Member")},
    "notifications": {"each": _("A mail for each new thing"), "digest": _("One daily digest"), "off": _("No mails")},
    "action_status": {
        "open": pgettext_lazy("action status", "Open"),
        "in_progress": pgettext_lazy("action status", "In progress"),
        "done": pgettext_lazy("action status", "Done"),
        "dropped": pgettext_lazy("action status", "Dropped"),
    },
}


def readable_member_data(data):
    """The person's data (services.export_data) as they read it: labelled keys in their language, dates written out,
    choices by their label, yes and no. The JSON download and the page 'My data' both show this."""
    return {_label(key): _readable(key, value) for key, value in data.items()}


def _label(key):
    return str(EXPORT_LABELS.get(key, key.replace("_", " ")))


def _readable(key, value):
    if isinstance(value, dict):
        return readable_member_data(value)
    if isinstance(value, list):
        return [_readable(key, item) for item in value]
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value is None:
        return ""
    if isinstance(value, str):
        if key in EXPORT_CHOICES:
            return str(EXPORT_CHOICES[key].get(value, value))
        return _readable_date(value)
    return value


def _readable_date(text):
    """An ISO date or time as "6 dec. 2026" or "zondag 6 december 2026, 14:00" (local time); any other text as is."""
    if len(text) < 10 or not text[:4].isdigit() or text[4] != "-":
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) == 10:
        return date_format(moment.date(), "SHORT_DATE_FORMAT")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATETIME_FORMAT")


@dataclass
class DataNode:
    """One entry of the page 'My data': a label with a text, or with the entries it holds (a section, a record)."""

    label: str
    text: str = ""
    fields: list = dc_field(default_factory=list)  # a record's own labelled entries
    records: list = dc_field(default_factory=list)  # a list's items, each a list of DataNodes or a text


def data_nodes(mapping):
    """The readable export (readable_member_data) as the tree the page 'My data' shows."""
    return [_data_node(label, value) for label, value in mapping.items()]


def _data_node(label, value):
    if isinstance(value, dict):
        return DataNode(label, fields=data_nodes(value))
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return DataNode(label, text=", ".join(str(item) for item in value))
        return DataNode(label, records=[data_nodes(item) if isinstance(item, dict) else item for item in value])
    return DataNode(label, text=str(value))
