"""The members and organisations CSVs: which rows and cells leave the portal (the privacy rules live here).

`coalition.exports.csv_response` writes them (formula guard, `;`, UTF-8 with BOM); the admin's actions call
`profiles_csv` and `organisations_csv`.
"""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.exports import csv_response

from .models import Profile, Visibility

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
    for profile in queryset.select_related("user", "organisation").prefetch_related("municipalities", "themes"):
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
