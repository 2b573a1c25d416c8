"""What a cockpit page covers: the coalitions a coordinator may see in detail, the one chosen (or the whole
region), and the period the impact figures count over, in months or quarters."""

import datetime
from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coalition.rules import is_coordinator
from members.forms import LongSelect
from network.forms import DateInput
from network.models import Coalition
from network.rules import coordinated_coalition_ids

# The longest period the impact page counts over: five council periods' worth of quarters stays readable.
LONGEST_PERIOD_YEARS = 5
# Up to this many months a period is shown per month; longer ones per quarter.
MONTHLY_UP_TO = 13


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Bucket:
    """One stretch of the period (a month or a quarter): its label and its first and last day."""

    label: str
    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def default(cls, today: datetime.date | None = None) -> "Period":
        """The last two years: the 24 whole months up to and including this one."""
        today = today or timezone.localdate()
        return cls(start=_add_months(_first_of_month(today), -23), end=today)

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def per_quarter(self) -> bool:
        return self.months > MONTHLY_UP_TO

    @cached_property
    def buckets(self) -> list[Bucket]:
        """The months (or quarters) of the period in order; the first and last are cut to the period."""
        step = 3 if self.per_quarter else 1
        first = _first_of_month(self.start)
        if step == 3:
            first = first.replace(month=(first.month - 1) // 3 * 3 + 1)
        buckets = []
        while first <= self.end:
            following = _add_months(first, step)
            last = following - datetime.timedelta(days=1)
            if step == 3:
                label = _("Q%(quarter)d %(year)d") % {"quarter": (first.month - 1) // 3 + 1, "year": first.year}
            else:
                label = date_format(first, "YEAR_MONTH_FORMAT")
            buckets.append(Bucket(label, max(first, self.start), min(last, self.end)))
            first = following
        return buckets

    @property
    def key(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def bucket_of(self, day: datetime.date) -> int | None:
        """The index of the bucket `day` falls in, or None outside the period."""
        for index, bucket in enumerate(self.buckets):
            if bucket.start <= day <= bucket.end:
                return index
        return None


def detailed_coalitions(user):
    """The coalitions whose own figures `user` may see, by name: every one for a regional coordinator, their own for
    a coalition coordinator (what Scope.detailed holds and what the impact page offers to choose)."""
    coalitions = Coalition.objects.only("name", "slug").order_by("name")
    return coalitions if is_coordinator(user) else coalitions.filter(pk__in=coordinated_coalition_ids(user))


@dataclass(frozen=True)
class Scope:
    """The part of the network a page covers, for the person looking.

    `coalition` is the chosen coalition, or None for the whole region. `detailed` holds the coalitions whose own
    rows may be shown (every coalition for a regional coordinator, their own for a coalition coordinator): a
    breakdown per coalition lists those and puts the rest of the region together, never another coalition's
    detail.
    """

    coalition: Coalition | None
    detailed: tuple[Coalition, ...]
    regional: bool

    @classmethod
    def for_user(cls, user, coalition: Coalition | None = None) -> "Scope":
        return cls(coalition=coalition, detailed=tuple(detailed_coalitions(user)), regional=is_coordinator(user))

    @property
    def detailed_ids(self) -> set[int]:
        return {coalition.pk for coalition in self.detailed}

    @property
    def key(self) -> str:
        """What the cached figures depend on: the coalition counted, and whose detail may be shown."""
        shown = "all" if self.regional else "-".join(str(pk) for pk in sorted(self.detailed_ids))
        return f"{self.coalition.pk if self.coalition else 'region'}:{shown}"


class ScopeForm(forms.Form):
    """The impact page's choices (GET): a coalition or the whole region, and the period."""

    coalition = forms.ModelChoiceField(
        label=_("Coalition"),
        required=False,
        queryset=Coalition.objects.none(),
        empty_label=_("The whole region"),
        to_field_name="slug",
        widget=LongSelect(label_field="name"),
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["coalition"].queryset = detailed_coalitions(user)

    def clean(self):
        data = super().clean()
        default = Period.default()
        start, end = data.get("start") or default.start, data.get("end") or default.end
        if "start" in self.errors or "end" in self.errors:
            return data
        if end > timezone.localdate():
            self.add_error("end", _("The period cannot end in the future."))
        elif start > end:
            self.add_error("start", _("The period must start before it ends."))
        elif _add_months(start, 12 * LONGEST_PERIOD_YEARS) <= end:
            self.add_error("start", _("Choose a period of at most %(years)d years.") % {"years": LONGEST_PERIOD_YEARS})
        data["period"] = Period(start=start, end=end)
        return data

    def scope_and_period(self) -> tuple[Scope, Period]:
        """What the page shows: the valid choices, or the defaults (the region, the last two years) if refused."""
        if self.is_bound and self.is_valid():
            return Scope.for_user(self.user, self.cleaned_data["coalition"]), self.cleaned_data["period"]
        return Scope.for_user(self.user), Period.default()
