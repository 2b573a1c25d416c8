"""The regional overview as rows: one per coalition, for the page and for its CSV (names of trekkers, no contacts)."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Coalition, Partnership, Phase, Trekker
from .sections import last_activity

PHASE_ORDER = {phase.value: position for position, phase in enumerate(Phase)}


@dataclass
class OverviewRow:
    coalition: Coalition
    trekkers: list
    declaration: object
    last_activity: object

    @property
    def has_trekker(self):
        return bool(self.trekkers)

    @property
    def partner_count(self):
        return self.coalition.inner_count + self.coalition.outer_count

    @property
    def declaration_status(self):
        declaration = self.declaration
        if declaration is None:
            return _("No declaration yet")
        return _("Version %(version)s: signed by %(signed)s of %(partners)s partners") % {
            "version": declaration.version,
            "signed": declaration.signature_count,
            "partners": self.partner_count,
        }


# Sort keys of the overview's columns (?sort=<key>, or -<key> for the reverse order).
SORT_KEYS = {
    "name": lambda row: row.coalition.name.casefold(),
    "phase": lambda row: (PHASE_ORDER[row.coalition.phase], row.coalition.name.casefold()),
    "since": lambda row: (row.coalition.phase_since is None, row.coalition.phase_since or 0),
    "trekkers": lambda row: (len(row.trekkers), row.coalition.name.casefold()),
    "partners": lambda row: (row.partner_count, row.coalition.name.casefold()),
    "declaration": lambda row: (
        row.declaration.signature_count / max(row.partner_count, 1) if row.declaration else -1,
        row.coalition.name.casefold(),
    ),
    "event": lambda row: (row.last_activity is None, row.last_activity.on if row.last_activity else 0),
    "requests": lambda row: (row.coalition.open_request_count, row.coalition.name.casefold()),
}


def overview(*, sort="name"):
    """Every coalition with its phase, current trekkers, partners per circle, declaration and open requests.

    The number of queries does not depend on the number of coalitions (Coalition.objects.with_summary()).
    """
    coalitions = list(Coalition.objects.with_summary())
    activities = last_activity(coalitions)
    rows = [
        OverviewRow(
            coalition=coalition,
            trekkers=coalition.current_trekkers,
            declaration=coalition.current_declaration,
            last_activity=activities.get(coalition.pk),
        )
        for coalition in coalitions
    ]
    key = sort.removeprefix("-")
    if key in SORT_KEYS:
        rows.sort(key=SORT_KEYS[key], reverse=sort.startswith("-"))
    return rows


def _date(value):
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def overview_table(rows):
    """The header and rows of the overview's CSV."""
    header = [
        _("Coalition"),
        _("Municipalities"),
        _("Phase"),
        _("In this phase since"),
        _("Trekkers"),
        _("Without a current trekker"),
        _("Inner circle"),
        _("Outer circle"),
        _("Declaration of intent"),
        _("Last event"),
        _("Open joining requests"),
    ]
    table = []
    for row in rows:
        coalition = row.coalition
        table.append(
            [
                coalition.name,
                ", ".join(m.name for m in coalition.municipalities.all()),
                coalition.get_phase_display(),
                _date(coalition.phase_since),
                "; ".join(f"{t.profile} ({Trekker.Role(t.role).label})" for t in row.trekkers),
                "" if row.has_trekker else _("yes"),
                coalition.inner_count,
                coalition.outer_count,
                row.declaration_status,
                f"{_date(row.last_activity.on)} {row.last_activity.title}" if row.last_activity else "",
                coalition.open_request_count,
            ]
        )
    return header, table


def _partnerships_cell(organisation):
    """'Kansrijke Start Borsele (Inner circle, signed version 1 on 2022-01-20); …' for one organisation."""
    cells = []
    for partnership in organisation.partnerships.all():
        facts = [partnership.get_circle_display()] + [
            _("signed version %(version)s on %(date)s")
            % {"version": signature.declaration.version, "date": signature.signed_on.isoformat()}
            for signature in partnership.signatures.all()
        ]
        cells.append(f"{partnership.coalition.name} ({', '.join(str(fact) for fact in facts)})")
    return "; ".join(cells)


# The organisations CSV's column about coalitions (members.exports.ORGANISATION_CSV_COLUMNS).
PARTNERSHIPS_COLUMN = (
    gettext_lazy("coalitions (circle, declaration of intent signed)"),
    Prefetch(
        "partnerships",
        queryset=Partnership.objects.select_related("coalition")
        .prefetch_related("signatures__declaration")
        .order_by("coalition__name"),
    ),
    _partnerships_cell,
)
