"""The impact figures of the network, for a scope (a coalition or the region) and a period.

Each figure is counted in the database (aggregation, never a loop over rows in Python where SQL can count) and
hides counts of fewer than five people (cockpit.figures.people). The whole report takes the same number of
queries however much data there is, and is cached per scope, period and language until data it reads changes
(cockpit.invalidation).

What belongs to a coalition, as the rest of the portal says it: a member works in one of its municipalities or
for one of its partner organisations (network.models.partner_people, as mail to a coalition reaches them); an
organisation is its partner (Partnership); an event, a survey and a declaration are its own (their coalition); an
edition, a story or a subscriber names it (their coalitions).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Lower
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.models import Event, Registration
from journal.models import Edition, Story, Subscriber, Tip
from members.models import DOMAIN_OF_DISCIPLINE, Discipline, Domain, Profile
from network.models import Circle, Coalition, Partnership, Phase, PhaseChange, Signature, partner_people
from surveys.models import MIN_GROUP, SurveyQuestion
from surveys.results import groups_to_show
from surveys.services import pulse_trend

from . import invalidation
from .figures import HIDDEN, Figure, Section, people
from .scope import Period, Scope

# How long a computed report is kept at most: writes that send no signal (bulk updates, the retention tasks) show
# after this long; every other change shows at once (cockpit.invalidation).
CACHE_SECONDS = 60 * 60

# The breakdowns per coalition: events without a coalition, and (for a coalition coordinator looking at the region)
# every coalition they do not coordinate, together.
REGIONAL = 0
OTHERS = -1


def report(scope: Scope, period: Period) -> list[Section]:
    """Every section of the impact page, in the order the page shows them (cached; see the module docstring)."""
    key = ":".join(
        [
            "cockpit:impact",
            str(invalidation.version()),
            scope.key,
            period.key,
            f"{timezone.localdate():%Y%m%d}",  # what has been held or published depends on the day
            translation.get_language() or "",
        ]
    )
    sections = cache.get(key)
    if sections is None:
        sections = Report(scope, period).sections()
        cache.set(key, sections, CACHE_SECONDS)
    return sections


# --- Expressions ------------------------------------------------------------------------------------------------


def _moment(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in the portal's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class JSONNumber(Func):
    """The number a JSON object holds under a key taken from another column (a response's answer to the question
    whose id is the key): NULL when the answer is missing or not a number. The stored answers of a scale are whole
    numbers, those of a number question whole numbers or decimal text ("2.5")."""

    output_field = FloatField()

    def _parts(self, compiler):
        document, document_params = compiler.compile(self.source_expressions[0])
        key, key_params = compiler.compile(self.source_expressions[1])
        return document, key, (*document_params, *key_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        document, key, params = self._parts(compiler)
        value = f"({document} -> CAST({key} AS text))"
        text = f"({document} ->> CAST({key} AS text))"
        sql = (
            f"CASE WHEN jsonb_typeof{value} = 'number' THEN CAST({text} AS double precision) "
            f"WHEN jsonb_typeof{value} = 'string' AND {text} ~ '^-?[0-9]+([.][0-9]+)?$' "
            f"THEN CAST({text} AS double precision) END"
        )
        return sql, params * 5

    def as_sql(self, compiler, connection, **extra_context):
        # SQLite (the development default): JSON1's json_type and json_extract.
        document, key, params = self._parts(compiler)
        path = f"('$.\"' || {key} || '\"')"
        value = f"json_extract({document}, {path})"
        sql = (
            f"CASE WHEN json_type({document}, {path}) IN ('integer', 'real') THEN {value} "
            f"WHEN json_type({document}, {path}) = 'text' AND {value} GLOB '*[0-9]*' "
            f"AND NOT {value} GLOB '*[^0-9.-]*' THEN CAST({value} AS REAL) END"
        )
        return sql, params * 6


# One key per person among registrations: the member; a guest by address; an anonymised registration (after the
# retention period, or a deleted account) is nobody's any more and counts as one person of its own.
PERSON = Case(
    When(profile__isnull=False, then=Concat(Value("p"), Cast("profile_id", CharField()))),
    When(email__gt="", then=Concat(Value("g"), Lower("email"))),
    default=Concat(Value("r"), Cast("pk", CharField())),
    output_field=CharField(),
)


def _domain_disciplines(domain: Domain) -> list[str]:
    return [discipline.value for discipline in domain.disciplines]


def _rounded(total, count) -> float:
    return float((Decimal(str(total)) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _average(total, count):
    """An average score as shown: None without answers, HIDDEN over fewer than MIN_GROUP."""
    if not count:
        return None
    if count < MIN_GROUP:
        return HIDDEN
    return _rounded(total, count)


def _partition(counts: dict) -> dict:
    """Counts of people that add up to a total shown elsewhere (the members by discipline add up to the members at
    the end of the period): 1 to 4 hidden, and while the hidden ones add up to fewer than MIN_GROUP the smallest
    shown one is hidden too (surveys.results.groups_to_show), so that the total minus the shown ones never gives a
    hidden count away."""
    _shown, merged = groups_to_show({key: count for key, count in counts.items() if count})
    return {key: HIDDEN if key in merged else people(count) for key, count in counts.items()}


def _answer_count(point, answer):
    """How many gave `answer` in one year's pulse: None without a pulse that year, HIDDEN when the year shows
    nothing of the question (pulse_trend's own minimum) or when fewer than MIN_GROUP gave it."""
    if point is None:
        return None
    return HIDDEN if point.is_hidden else people(point.distribution.get(answer, 0))


class Report:
    """The figures of one scope and period; `sections()` counts them (a fixed number of queries)."""

    def __init__(self, scope: Scope, period: Period):
        self.scope = scope
        self.period = period
        self.coalition = scope.coalition
        self.now = timezone.now()
        self.buckets = period.buckets
        self.labels = [str(bucket.label) for bucket in self.buckets]
        self.starts = _moment(period.start)
        self.ends = _moment(period.end + datetime.timedelta(days=1))
        self.time_column = _("Quarter") if period.per_quarter else _("Month")
        # For "per %(stretch)s", which Dutch says without an article ("elke maand" but "elk kwartaal").
        self.stretch = _("quarter") if period.per_quarter else _("month")

    def sections(self) -> list[Section]:
        return [
            Section("network", _("The network"), self.network()),
            Section("meeting", _("Meeting each other"), self.meeting()),
            Section("satisfaction", _("Satisfaction"), self.satisfaction()),
            Section("journal", _("The journal"), self.journal()),
            Section("coalitions", _("Coalitions"), self.coalitions()),
        ]

    # --- Helpers --------------------------------------------------------------------------------------------

    def _bucket(self, field: str, *, dates: bool = False):
        """The index of the bucket a moment (or a day) falls in; -1 before the period, NULL after it."""
        ends = [bucket.end + datetime.timedelta(days=1) for bucket in self.buckets]
        if not dates:
            ends = [_moment(day) for day in ends]
        first = self.period.start if dates else self.starts
        whens = [When(**{f"{field}__lt": first}, then=Value(-1))]
        whens += [When(**{f"{field}__lt": end}, then=Value(index)) for index, end in enumerate(ends)]
        return Case(*whens, default=Value(None), output_field=IntegerField())

    def _running(self, counts: dict) -> list[int]:
        """Cumulative counts at the end of each bucket, from counts per bucket (-1: before the period)."""
        total, running = counts.get(-1, 0), []
        for index in range(len(self.buckets)):
            total += counts.get(index, 0)
            running.append(total)
        return running

    def _per_bucket(self, queryset, field: str, aggregate, *, dates: bool = False) -> dict:
        rows = queryset.annotate(bucket=self._bucket(field, dates=dates)).values("bucket").order_by()
        return {row["bucket"]: row["n"] for row in rows.annotate(n=aggregate)}

    def _in_period(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.starts, f"{field}__lt": self.ends})

    def _coalition_rows(self) -> list[tuple[int, str]]:
        """(key, label) of the rows of a breakdown per coalition: the chosen coalition; else each coalition whose
        detail may be shown, and for a coalition coordinator the rest of the region together."""
        if self.coalition is not None:
            return [(self.coalition.pk, self.coalition.name)]
        rows = [(coalition.pk, coalition.name) for coalition in self.scope.detailed]
        if not self.scope.regional:
            rows.append((OTHERS, _("Other coalitions")))
        return rows

    def _coalition_key(self, field: str):
        """A coalition breakdown's row of a row of `field` (a coalition id): itself if its detail may be shown,
        REGIONAL without a coalition, else OTHERS. In SQL, so distinct people are counted per row."""
        shown = [key for key, _label in self._coalition_rows() if key > 0]
        return Case(
            When(**{f"{field}__isnull": True}, then=Value(REGIONAL)),
            When(**{f"{field}__in": shown}, then=F(field)),
            default=Value(OTHERS),
            output_field=IntegerField(),
        )

    # --- The network ----------------------------------------------------------------------------------------

    def _members(self):
        members = Profile.objects.approved()
        if self.coalition is not None:
            members = members.filter(partner_people(coalitions=[self.coalition]))
        # Approved when the approval last changed; older rows without that date since they signed up.
        return members.annotate(approved_at=Coalesce("status_changed_at", "created_at"))

    def network(self) -> list[Figure]:
        members = self._running(self._per_bucket(self._members(), "approved_at", Count("pk")))
        partnerships = Partnership.objects.all()
        if self.coalition is not None:
            partnerships = partnerships.filter(coalition=self.coalition)
        # An organisation counts from its first partnership (a partner of two coalitions is one organisation).
        first_since: dict[int, datetime.date] = {}
        disciplines: dict[int, str] = {}
        rows = partnerships.values_list("organisation_id", "since", "organisation__discipline").order_by()
        for organisation_id, since, discipline in rows:
            first_since[organisation_id] = min(since, first_since.get(organisation_id, since))
            disciplines[organisation_id] = discipline
        joined: dict[int, int] = {}
        for since in first_since.values():
            index = -1 if since < self.period.start else self.period.bucket_of(since)
            if index is not None:
                joined[index] = joined.get(index, 0) + 1
        organisations = self._running(joined)
        return [
            Figure(
                key="members_over_time",
                section="network",
                title=_("Approved members"),
                description=_("Approved members of the network per %(stretch)s, counted on its last day.")
                % {"stretch": self.stretch},
                columns=[self.time_column, _("Approved members")],
                rows=[(label, people(count)) for label, count in zip(self.labels, members, strict=True)],
                chart="line",
                note=_(
                    "Counted from the day each member was approved. Members who have left since, or whose account "
                    "was deactivated, are not counted at any time."
                ),
            ),
            Figure(
                key="partners_over_time",
                section="network",
                title=_("Partner organisations"),
                description=_("Partner organisations per %(stretch)s, counted on its last day.")
                % {"stretch": self.stretch},
                columns=[self.time_column, _("Partner organisations")],
                rows=list(zip(self.labels, organisations, strict=True)),
                chart="line",
                note=_(
                    "An organisation counts once, from the date of its first partnership. Partnerships that ended "
                    "are no longer in the portal and are not counted."
                ),
            ),
            *self._members_by_discipline(),
            self._partners_by_domain(first_since, disciplines),
            self._partners_per_circle(),
            self._declarations(),
        ]

    def _members_by_discipline(self) -> list[Figure]:
        rows = self._members().filter(approved_at__lt=self.ends).values("discipline").order_by().annotate(n=Count("pk"))
        known = {discipline.value for discipline in Discipline}
        by_discipline: dict[str, int] = {}
        for row in rows:
            discipline = row["discipline"] if row["discipline"] in known else ""
            by_discipline[discipline] = by_discipline.get(discipline, 0) + row["n"]
        # Domains first (their total is the members at the end of the period), then the disciplines within each
        # domain (their total is the domain's); a hidden domain hides its disciplines, which would add up to it.
        groups = {domain.value: _domain_disciplines(domain) for domain in Domain}
        groups[""] = [Discipline.OTHER.value, ""]
        domain_counts = {
            domain: sum(by_discipline.get(discipline, 0) for discipline in disciplines)
            for domain, disciplines in groups.items()
        }
        domains = _partition(domain_counts)
        shown: dict[str, object] = {}
        for domain, disciplines in groups.items():
            parts = _partition({discipline: by_discipline.get(discipline, 0) for discipline in disciplines})
            if domains[domain] == HIDDEN:
                parts = {discipline: HIDDEN if count else 0 for discipline, count in parts.items()}
            shown.update(parts)
        at_end = {"date": date_format(self.period.end, "DATE_FORMAT")}
        return [
            Figure(
                key="members_by_discipline",
                section="network",
                title=_("Members by discipline"),
                description=_("Approved members on %(date)s by the discipline they work in.") % at_end,
                columns=[_("Discipline"), _("Members")],
                rows=[(str(discipline.label), shown[discipline.value]) for discipline in Discipline]
                + [(_("Not given"), shown[""])],
                chart="horizontal",
            ),
            Figure(
                key="members_by_domain",
                section="network",
                title=_("Members by domain"),
                description=_("Approved members on %(date)s by the domain their discipline belongs to.") % at_end,
                columns=[_("Domain"), _("Members")],
                rows=[(str(domain.label), domains[domain.value]) for domain in Domain]
                + [(_("Other or not given"), domains[""])],
                chart="bar",
                note=_(
                    "Medical: midwifery, maternity care, hospital obstetrics, youth health care, general practice "
                    "and mental health care. Social: social work, debt counselling and youth care. Education: "
                    "schools and childcare. The discipline “other” belongs to no domain."
                ),
            ),
        ]

    def _partners_by_domain(self, first_since: dict, disciplines: dict) -> Figure:
        """Partner organisations on the period's last day by the domain of their discipline (organisations are not
        people: no count is hidden)."""
        counts: dict[str, int] = {}
        for organisation_id, since in first_since.items():
            if since <= self.period.end:
                domain = DOMAIN_OF_DISCIPLINE.get(disciplines[organisation_id], "")
                counts[domain] = counts.get(domain, 0) + 1
        return Figure(
            key="partners_by_domain",
            section="network",
            title=_("Partner organisations by domain"),
            description=_("Partner organisations on %(date)s by the domain of their discipline.")
            % {"date": date_format(self.period.end, "DATE_FORMAT")},
            columns=[_("Domain"), _("Partner organisations")],
            rows=[(str(domain.label), counts.get(domain, 0)) for domain in Domain]
            + [(_("Other or not given"), counts.get("", 0))],
            chart="bar",
            note=_("An organisation that is a partner of several coalitions counts once."),
        )

    def _partners_per_circle(self) -> Figure:
        partnerships = Partnership.objects.filter(since__lte=self.period.end)
        if self.coalition is not None:
            partnerships = partnerships.filter(coalition=self.coalition)
        rows = partnerships.annotate(row=self._coalition_key("coalition_id")).values("row", "circle").order_by()
        counts = {(row["row"], row["circle"]): row["n"] for row in rows.annotate(n=Count("pk"))}
        return Figure(
            key="partners_per_circle",
            section="network",
            title=_("Partners per circle"),
            description=_("Partner organisations of each coalition on %(date)s, in the inner and the outer circle.")
            % {"date": date_format(self.period.end, "DATE_FORMAT")},
            columns=[_("Coalition"), str(Circle.INNER.label), str(Circle.OUTER.label)],
            rows=[
                (label, counts.get((key, Circle.INNER), 0), counts.get((key, Circle.OUTER), 0))
                for key, label in self._coalition_rows()
            ],
            chart="stacked",
            note=_(
                "Each partner in the circle it is in now. An organisation that is a partner of several coalitions "
                "counts in each."
            ),
        )

    def _declarations(self) -> Figure:
        signatures = Signature.objects.filter(signed_on__gte=self.period.start, signed_on__lte=self.period.end)
        if self.coalition is not None:
            signatures = signatures.filter(declaration__coalition=self.coalition)
        counts = self._per_bucket(signatures, "signed_on", Count("pk"), dates=True)
        return Figure(
            key="declarations_signed",
            section="network",
            title=_("Declarations of intent signed"),
            description=_("Partners that signed a declaration of intent, per %(stretch)s.") % {"stretch": self.stretch},
            columns=[self.time_column, _("Signatures")],
            rows=[(label, counts.get(index, 0)) for index, label in enumerate(self.labels)],
            chart="bar",
            note=_("A signature is a partner organisation's, of one version of its coalition's declaration."),
        )

    # --- Meeting each other ---------------------------------------------------------------------------------

    def _held(self, prefix: str = "") -> Q:
        """Events held in the period: published (not cancelled, not a draft), ended, started in the period."""
        held = Q(**{f"{prefix}state": Event.State.PUBLISHED, f"{prefix}ends_at__lt": self.now})
        held &= self._in_period(f"{prefix}starts_at")
        if self.coalition is not None:
            held &= Q(**{f"{prefix}coalition": self.coalition})
        return held

    def _attendances(self):
        """Who was there: the checked-in; at an event where nobody was checked in, the confirmed."""
        checks_in = Exists(
            Registration.objects.filter(event=OuterRef("event"), checked_in=True).exclude(
                state=Registration.State.CANCELLED
            )
        )
        return (
            Registration.objects.filter(self._held("event__"))
            .annotate(event_checks_in=checks_in, person=PERSON)
            .filter(
                (Q(checked_in=True) & ~Q(state=Registration.State.CANCELLED))
                | Q(event_checks_in=False, state=Registration.State.CONFIRMED)
            )
        )

    def meeting(self) -> list[Figure]:
        events = (
            Event.objects.filter(self._held())
            .annotate(bucket=self._bucket("starts_at"), row=self._coalition_key("coalition_id"))
            .values("bucket", "kind", "row")
            .order_by()
            .annotate(n=Count("pk"))
        )
        per_bucket, per_kind, per_row = {}, {}, {}
        for row in events:
            for counts, key in ((per_bucket, row["bucket"]), (per_kind, row["kind"]), (per_row, row["row"])):
                counts[key] = counts.get(key, 0) + row["n"]
        attendances = self._attendances()
        distinct = Count("person", distinct=True)
        reached_per_bucket = self._per_bucket(attendances, "event__starts_at", distinct)
        reached_per_kind = {
            row["event__kind"]: row["n"] for row in attendances.values("event__kind").order_by().annotate(n=distinct)
        }
        reached_per_row = {
            row["row"]: row["n"]
            for row in attendances.annotate(row=self._coalition_key("event__coalition_id"))
            .values("row")
            .order_by()
            .annotate(n=distinct)
        }
        coalition_rows = self._coalition_rows()
        if self.coalition is None:
            coalition_rows.append((REGIONAL, _("Regional events")))
        reached = _("People reached")
        held = _("Events held")
        note = _(
            "Every event held counts, a group's own meetings included. People reached: those checked in; at an "
            "event where nobody was checked in, those registered and confirmed. After the retention period a "
            "registration no longer says whose it was and counts as one person."
        )
        return [
            Figure(
                key="events_held",
                section="meeting",
                title=_("Events held and people reached"),
                description=_("Events held per %(stretch)s, and how many different people took part.")
                % {"stretch": self.stretch},
                columns=[self.time_column, held, reached],
                rows=[
                    (label, per_bucket.get(index, 0), people(reached_per_bucket.get(index, 0)))
                    for index, label in enumerate(self.labels)
                ],
                chart="bar",
                note=note,
            ),
            Figure(
                key="events_by_kind",
                section="meeting",
                title=_("Events by kind"),
                description=_("Events held in the period by kind, and how many different people took part."),
                columns=[_("Kind"), held, reached],
                rows=[
                    (str(kind.label), per_kind.get(kind.value, 0), people(reached_per_kind.get(kind.value, 0)))
                    for kind in Event.Kind
                ],
                chart="horizontal",
                note=note,
            ),
            Figure(
                key="events_by_coalition",
                section="meeting",
                title=_("Events by coalition"),
                description=_("Events held in the period by the coalition that held them, and the people reached."),
                columns=[_("Coalition"), held, reached],
                rows=[
                    (label, per_row.get(key, 0), people(reached_per_row.get(key, 0))) for key, label in coalition_rows
                ],
                chart="horizontal",
                note=note,
            ),
            self._domain_pairs(),
        ]

    def _domain_pairs(self) -> Figure:
        checked_in = Registration.objects.filter(self._held("event__"), checked_in=True).exclude(
            state=Registration.State.CANCELLED
        )
        domain = Case(
            *(When(discipline__in=_domain_disciplines(domain), then=Value(domain.value)) for domain in Domain),
            default=Value(""),
            output_field=CharField(),
        )
        # Which domains were checked in at each event (a few rows per event), then per pair the events with both.
        present: dict[str, set[int]] = {}
        for event_id, value in checked_in.annotate(domain=domain).values_list("event_id", "domain").distinct():
            present.setdefault(value, set()).add(event_id)
        pairs = list(combinations(Domain, 2))
        met = {(first, second): present.get(first, set()) & present.get(second, set()) for first, second in pairs}
        counts = checked_in.annotate(person=PERSON).aggregate(
            **{
                f"{first.value}_{second.value}": Count(
                    "person",
                    distinct=True,
                    filter=Q(event_id__in=sorted(events))
                    & Q(discipline__in=_domain_disciplines(first) + _domain_disciplines(second)),
                )
                for (first, second), events in met.items()
            }
        )
        return Figure(
            key="domain_pairs",
            section="meeting",
            title=_("Domains that met"),
            description=_(
                "For each pair of domains: at how many events held in the period people of both were checked in, "
                "and how many different people of the two domains took part in those events."
            ),
            columns=[_("Domains"), _("Events where both met"), _("People of the two domains")],
            rows=[
                (
                    pgettext("two domains", "%(first)s × %(second)s") % {"first": first.label, "second": second.label},
                    len(met[first, second]),
                    people(counts[f"{first.value}_{second.value}"]),
                )
                for first, second in pairs
            ],
            chart="horizontal",
            note=_(
                "Counted from check-ins at events only, never from anyone's contacts. A person's domain is that of "
                "the discipline they registered with; guests without a member account have none."
            ),
        )

    # --- Satisfaction ---------------------------------------------------------------------------------------

    def _scores(self):
        """Each answer to the score of a held event's feedback: the first scale or number question of its survey
        (as events.services.feedback_summary reads it)."""
        first_score = SurveyQuestion.objects.filter(
            survey=OuterRef("survey"), kind__in=(SurveyQuestion.Kind.SCALE, SurveyQuestion.Kind.NUMBER)
        ).order_by("position", "pk")
        return (
            SurveyQuestion.objects.filter(self._held("survey__feedback_event__"))
            .filter(pk=Subquery(first_score.values("pk")[:1]))
            .annotate(score=JSONNumber(F("survey__responses__answers"), F("pk")))
            .filter(score__isnull=False)
        )

    def satisfaction(self) -> list[Figure]:
        scores = self._scores()
        per_bucket = {
            row["bucket"]: (row["total"], row["n"])
            for row in scores.annotate(bucket=self._bucket("survey__feedback_event__starts_at"))
            .values("bucket")
            .order_by()
            .annotate(total=Sum("score"), n=Count("score"))
        }
        per_kind = {
            row["survey__feedback_event__kind"]: (row["total"], row["n"])
            for row in scores.values("survey__feedback_event__kind")
            .order_by()
            .annotate(total=Sum("score"), n=Count("score"))
        }
        score = _("Average score")
        note = _(
            "The score question of each event's feedback (1 to 5), every answer counting once; an average over "
            "fewer than %(minimum)d answers is not shown."
        ) % {"minimum": MIN_GROUP}
        return [
            Figure(
                key="feedback_over_time",
                section="satisfaction",
                title=_("Event feedback over time"),
                description=_("The average score participants gave the events held, per %(stretch)s.")
                % {"stretch": self.stretch},
                columns=[self.time_column, score],
                rows=[(label, _average(*per_bucket.get(index, (0, 0)))) for index, label in enumerate(self.labels)],
                chart="line",
                unit="1–5",
                note=note,
            ),
            Figure(
                key="feedback_by_kind",
                section="satisfaction",
                title=_("Event feedback by kind"),
                description=_("The average score participants gave the events held in the period, by kind."),
                columns=[_("Kind"), score],
                rows=[(str(kind.label), _average(*per_kind.get(kind.value, (0, 0)))) for kind in Event.Kind],
                chart="horizontal",
                unit="1–5",
                note=note,
            ),
            *self._pulse(),
        ]

    def _pulse(self) -> list[Figure]:
        """The yearly network pulse, year over year, as surveys.services.pulse_trend gives it (a year with fewer
        than MIN_GROUP answers to a question shows nothing of it)."""
        trend = pulse_trend(coalition=self.coalition)
        years = [year for year in trend.years if year <= self.period.end.year]
        numbers = [
            line for line in trend.questions if line.kind in (SurveyQuestion.Kind.NUMBER, SurveyQuestion.Kind.SCALE)
        ]
        note = _(
            "Every year's pulse, up to the end of the period; a question answered by fewer than %(minimum)d "
            "people in a year shows nothing that year."
        ) % {"minimum": MIN_GROUP}
        figures = []
        if numbers:
            rows = []
            for year in years:
                row = [str(year)]
                for line in numbers:
                    point = next((point for point in line.points if point.year == year), None)
                    if point is None or (point.average is None and not point.is_hidden):
                        row.append(None)
                    else:
                        row.append(HIDDEN if point.is_hidden else float(point.average))
                rows.append(tuple(row))
            figures.append(
                Figure(
                    key="pulse_scores",
                    section="satisfaction",
                    title=_("Network pulse: reaching each other"),
                    description=_("The average answer to each scored question of the yearly network pulse."),
                    columns=[_("Year"), *(line.label for line in numbers)],
                    rows=rows,
                    chart="bar",
                    unit="1–5",
                    note=note,
                )
            )
        choices = [
            line
            for line in trend.questions
            if line.kind in (SurveyQuestion.Kind.ONE_CHOICE, SurveyQuestion.Kind.SEVERAL_CHOICES)
        ]
        for number, line in enumerate(choices, start=1):
            points = {point.year: point for point in line.points if point.year in years}
            answers: list[str] = []
            for point in points.values():
                answers += [answer for answer in point.distribution if answer not in answers]
            figures.append(
                Figure(
                    key=f"pulse_choices_{number}",
                    section="satisfaction",
                    title=_("Network pulse: %(question)s") % {"question": line.label},
                    description=_("How many people gave each answer, per year of the network pulse."),
                    columns=[_("Answer"), *(str(year) for year in years)],
                    rows=[(answer, *(_answer_count(points.get(year), answer) for year in years)) for answer in answers],
                    chart="bar",
                    note=note,
                )
            )
        return figures

    # --- The journal ----------------------------------------------------------------------------------------

    def journal(self) -> list[Figure]:
        editions = Edition.objects.filter(
            self._in_period("published_at"), state=Edition.State.PUBLISHED, published_at__lte=self.now
        )
        stories = Story.objects.published().filter(self._in_period("edition__published_at"))
        subscribers = Subscriber.objects.confirmed().exclude(user__is_active=False)
        if self.coalition is not None:
            editions = editions.filter(coalitions=self.coalition)
            stories = stories.filter(coalitions=self.coalition)
            subscribers = subscribers.filter(coalitions=self.coalition)
        published = self._per_bucket(editions, "published_at", Count("pk", distinct=True))
        by_kind = {row["kind"]: row["n"] for row in stories.values("kind").order_by().annotate(n=Count("pk"))}
        tips = (
            Tip.objects.filter(self._in_period("created_at"))
            .annotate(bucket=self._bucket("created_at"))
            .values("bucket")
            .order_by()
            .annotate(received=Count("pk"), used=Count("pk", filter=Q(state=Tip.State.USED)))
        )
        tips = {row["bucket"]: (row["received"], row["used"]) for row in tips}
        # A subscriber counts from confirming until they stopped the journal (the last change of an unsubscribed one).
        ends = [_moment(bucket.end + datetime.timedelta(days=1)) for bucket in self.buckets]
        following = subscribers.aggregate(
            **{
                f"at_{index}": Count(
                    "pk",
                    distinct=True,
                    filter=Q(confirmed_at__lt=end) & (Q(wants_journal=True) | Q(changed_at__gte=end)),
                )
                for index, end in enumerate(ends)
            }
        )
        stretch = {"stretch": self.stretch}
        tips_note = _("Tips are sent to the editorial team of the whole region; they belong to no coalition.")
        return [
            Figure(
                key="editions_published",
                section="journal",
                title=_("Editions published"),
                description=_("Journal editions published per %(stretch)s.") % stretch,
                columns=[self.time_column, _("Editions")],
                rows=[(label, published.get(index, 0)) for index, label in enumerate(self.labels)],
                chart="bar",
            ),
            Figure(
                key="stories_by_kind",
                section="journal",
                title=_("Stories by kind"),
                description=_("Stories in the editions published in the period, by kind."),
                columns=[_("Kind"), _("Stories")],
                rows=[(str(kind.label), by_kind.get(kind.value, 0)) for kind in Story.Kind],
                chart="horizontal",
            ),
            Figure(
                key="tips",
                section="journal",
                title=_("Tips received and used"),
                description=_("Tips the editorial team received per %(stretch)s, and how many of them became a story.")
                % stretch,
                columns=[self.time_column, _("Received"), _("Used in a story")],
                rows=[(label, *tips.get(index, (0, 0))) for index, label in enumerate(self.labels)],
                chart="bar",
                note=tips_note if self.coalition is not None else "",
            ),
            Figure(
                key="subscribers_over_time",
                section="journal",
                title=_("Journal subscribers"),
                description=_("Confirmed subscribers to the journal per %(stretch)s, counted on its last day.")
                % stretch,
                columns=[self.time_column, _("Subscribers")],
                rows=[(label, people(following[f"at_{index}"])) for index, label in enumerate(self.labels)],
                chart="line",
                note=_(
                    "For one coalition: the subscribers who follow it. Someone who stopped the journal counts until "
                    "their last change; a deleted account not at all."
                ),
            ),
        ]

    # --- Coalitions -----------------------------------------------------------------------------------------

    def coalitions(self) -> list[Figure]:
        coalitions = Coalition.objects.order_by()
        changes = PhaseChange.objects.order_by("coalition_id", "changed_on", "pk")
        if self.coalition is not None:
            coalitions = coalitions.filter(pk=self.coalition.pk)
            changes = changes.filter(coalition=self.coalition)
        history: dict[int, list[tuple[datetime.date, str]]] = {}
        for coalition_id, phase, changed_on in changes.values_list("coalition_id", "phase", "changed_on"):
            history.setdefault(coalition_id, []).append((changed_on, phase))
        started = dict(coalitions.values_list("pk", "started_on"))
        unknown = ""
        rows = []
        for label, bucket in zip(self.labels, self.buckets, strict=True):
            counts = dict.fromkeys([*Phase.values, unknown], 0)
            for coalition_id, started_on in started.items():
                phases = [phase for changed_on, phase in history.get(coalition_id, []) if changed_on <= bucket.end]
                if phases:
                    counts[phases[-1]] += 1
                elif started_on is not None and started_on <= bucket.end:
                    counts[unknown] += 1
            rows.append((label, *(counts[phase] for phase in Phase.values), counts[unknown]))
        return [
            Figure(
                key="coalitions_by_phase",
                section="coalitions",
                title=_("Coalitions by phase"),
                description=_("Coalitions in each phase per %(stretch)s, counted on its last day.")
                % {"stretch": self.stretch},
                columns=[self.time_column, *(str(phase.label) for phase in Phase), _("Phase not recorded")],
                rows=rows,
                chart="stacked",
                note=_(
                    "From each coalition's phase history. A coalition that had started but whose first phase was "
                    "not recorded yet counts as “phase not recorded”; before its start date (or, without "
                    "one, before its first recorded phase) it does not count."
                ),
            )
        ]
