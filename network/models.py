"""The regional network: local coalitions with their phase, trekkers, partners, declarations and joining requests."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.models import ConstraintErrorsAtFields, account_field
from coalition.roles import is_coordinator
from coalition.storage import PrivateStorage, validate_pdf
from members.models import Municipality, Organisation, Profile, Theme

# /coalitions/<slug>/ may not take these: a page of the network lives there.
RESERVED_SLUGS = {"overview"}


class Circle(models.TextChoices):
    """A partner's place in a coalition: the inner circle works on it actively, the outer circle stays informed."""

    INNER = "inner", _("Inner circle")
    OUTER = "outer", _("Outer circle")


def partner_people(*, coalitions=(), circle=""):
    """Who belongs to coalitions, as a filter on profiles: the people of their partner organisations (in `circle`
    when given), and without a circle also everyone working in their municipalities. No coalitions: every
    coalition (then only the circle narrows)."""
    partnerships = Partnership.objects.all()
    if coalitions:
        partnerships = partnerships.filter(coalition__in=coalitions)
    if circle:
        partnerships = partnerships.filter(circle=circle)
    people = Q(organisation__in=partnerships.values("organisation_id"))
    if coalitions and not circle:
        places = Profile.municipalities.through.objects.filter(municipality__coalition_link__coalition__in=coalitions)
        people |= Q(pk__in=places.values("profile_id"))
    return people


class Phase(models.TextChoices):
    """How far a coalition is, in the order coalitions go through them: the one list of phases."""

    EXPLORING = "exploring", _("Exploring")
    FORMING = "forming", _("Forming")
    PLANNING = "planning", _("Planning")
    CARRYING_OUT = "carrying_out", _("Carrying out")
    EMBEDDING = "embedding", _("Embedding")

    @property
    def next(self):
        """The phase after this one, or None for the last."""
        phases = list(type(self))
        position = phases.index(self)
        return phases[position + 1] if position + 1 < len(phases) else None


def validate_coalition_slug(value):
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This web address is reserved for a page of the network; choose another."))


def _count(model, link, **filters):
    """A subquery counting `model` rows of each coalition (a join per count would multiply the rows)."""
    rows = model.objects.filter(**{link: OuterRef("pk")}, **filters).order_by().values(link)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


class CoalitionQuerySet(models.QuerySet):
    def managed_by(self, user):
        """The coalitions `user` manages: all for a regional coordinator, their own for a coalition coordinator."""
        if is_coordinator(user):
            return self.all()
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(coordinators__user=user)

    def with_counts(self):
        """Partners per circle and open joining requests, one subquery each."""
        return self.annotate(
            inner_count=_count(Partnership, "coalition", circle=Circle.INNER),
            outer_count=_count(Partnership, "coalition", circle=Circle.OUTER),
            open_request_count=_count(JoinRequest, "coalition", state=JoinRequest.State.OPEN),
        )

    def with_summary(self):
        """Everything the coalition list and the regional overview show, in a number of queries that does not grow."""
        return self.with_counts().prefetch_related(
            "municipalities",
            Prefetch(
                "trekkers",
                queryset=Trekker.objects.current().select_related("profile"),
                to_attr="current_trekkers",
            ),
            Prefetch(
                "declarations",
                queryset=Declaration.objects.annotate(signature_count=Count("signatures")).order_by("-version"),
                to_attr="declarations_newest_first",
            ),
        )


class Coalition(models.Model):
    """A local Kansrijke Start coalition of one or more municipalities."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(
        _("web address"),
        max_length=100,
        unique=True,
        validators=[validate_coalition_slug],
        help_text=_("The last part of the coalition's page address: lower-case letters, digits and hyphens."),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        through="CoalitionMunicipality",
        related_name="coalitions",
        verbose_name=_("municipalities"),
    )
    description = models.TextField(
        _("short description"), max_length=600, blank=True, help_text=_("One or two sentences for the public list.")
    )
    vision = models.TextField(_("vision"), blank=True, help_text=_("Markdown: **bold**, *italic*, lists and links."))
    goals = models.TextField(_("goals"), blank=True, help_text=_("Markdown: **bold**, *italic*, lists and links."))
    focus_points = models.ManyToManyField(Theme, blank=True, related_name="coalitions", verbose_name=_("focus points"))
    started_on = models.DateField(_("started on"), null=True, blank=True)
    funding_tranche = models.CharField(
        _("funding tranche"), max_length=100, blank=True, help_text=_("For example: third tranche (2021).")
    )
    # The latest phase change, kept here by network.services.change_phase so lists need no subquery.
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, default=Phase.EXPLORING, editable=False)
    phase_since = models.DateField(_("in this phase since"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CoalitionQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        verbose_name = _("coalition")
        verbose_name_plural = _("coalitions")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("network:coalition_detail", kwargs={"slug": self.slug})

    @property
    def next_phase(self):
        return Phase(self.phase).next

    @property
    def current_declaration(self):
        """The newest version of the declaration of intent (with `with_summary()`, no query)."""
        newest = getattr(self, "declarations_newest_first", None)
        if newest is None:
            newest = list(self.declarations.annotate(signature_count=Count("signatures")).order_by("-version")[:1])
        return newest[0] if newest else None

    @property
    def has_current_trekker(self):
        trekkers = getattr(self, "current_trekkers", None)
        if trekkers is None:
            return self.trekkers.current().exists()
        return bool(trekkers)


# `coalition_of` in one statement: the coalitions of the municipalities the person works in and those their
# organisation is a partner of; the preferred one first, then one by place, then by name and id. Written as SQL
# because an event registration asks it for every registrant: the ORM spent about 2 ms of CPU composing the
# statement PostgreSQL answers in a tenth of that.
COALITION_OF_SQL = """
    SELECT coalition.* FROM {coalition} AS coalition
    LEFT JOIN (
        SELECT DISTINCT link.coalition_id FROM {coalition_municipality} AS link
        JOIN {profile_municipalities} AS worked ON worked.municipality_id = link.municipality_id
        WHERE worked.profile_id = %(profile)s
    ) AS by_place ON by_place.coalition_id = coalition.id
    WHERE by_place.coalition_id IS NOT NULL
       OR coalition.id IN (SELECT coalition_id FROM {partnership} WHERE organisation_id = %(organisation)s)
    ORDER BY CASE WHEN coalition.id = %(prefer)s THEN 0 ELSE 1 END,
             CASE WHEN by_place.coalition_id IS NULL THEN 1 ELSE 0 END,
             lower(coalition.name), coalition.id
    LIMIT 1
"""


def coalition_of(profile, *, prefer=None, organisation=None):
    """The coalition a person counts for, e.g. on an event registration; None when they belong to none.

    A coalition's people are those working in its municipalities and those of its partner organisations (as
    `partner_people` says). One person can belong to several: `prefer` (a coalition or its id, e.g. the event's
    own) wins when they belong to it; else the coalition of a municipality they work in, else one their
    organisation is a partner of; ties go by name, then id, so the answer is the same every time. One query.
    Someone without a profile (an event's guest) counts by `organisation` alone, if it is a partner.
    """
    if profile is not None and profile.pk is None:
        profile = None
    organisation_id = profile.organisation_id if profile is not None else getattr(organisation, "pk", organisation)
    if profile is None and organisation_id is None:
        return None
    table = {
        "coalition": Coalition,
        "coalition_municipality": CoalitionMunicipality,
        "profile_municipalities": Profile.municipalities.through,
        "partnership": Partnership,
    }
    quote = connection.ops.quote_name
    sql = COALITION_OF_SQL.format(**{name: quote(model._meta.db_table) for name, model in table.items()})
    params = {
        "profile": profile.pk if profile is not None else None,
        "organisation": organisation_id,
        "prefer": getattr(prefer, "pk", prefer),
    }
    return next(iter(Coalition.objects.raw(sql, params)), None)


class CoalitionMunicipality(models.Model):
    """A municipality's place in a coalition. The one-to-one field is the database's guarantee: one coalition each."""

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="municipality_links", verbose_name=_("coalition")
    )
    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="coalition_link", verbose_name=_("municipality")
    )

    class Meta:
        verbose_name = _("municipality of a coalition")
        verbose_name_plural = _("municipalities of coalitions")

    def __str__(self):
        return str(self.municipality)


class PhaseChange(models.Model):
    """A dated step of a coalition from one phase to the next (or back), with who recorded it and why."""

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="phase_changes", verbose_name=_("coalition")
    )
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    changed_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    changed_by = account_field(_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-pk"]
        verbose_name = _("phase change")
        verbose_name_plural = _("phase history")

    def __str__(self):
        return f"{self.get_phase_display()} ({self.changed_on:%d-%m-%Y})"


class TrekkerQuerySet(models.QuerySet):
    def current(self, on=None):
        """Trekkers and deputies whose term includes `on` (today by default)."""
        on = on or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), starts_on__lte=on, profile__isnull=False)


class Trekker(ConstraintErrorsAtFields, models.Model):
    """A member who leads a coalition for a while: for its content, its policy, or as a deputy."""

    class Role(models.TextChoices):
        CONTENT = "content", _("Trekker (content)")
        POLICY = "policy", _("Trekker (policy)")
        DEPUTY = "deputy", _("Deputy")

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="trekkers", verbose_name=_("coalition")
    )
    # SET_NULL: a deleted account leaves the term (and the coalition's history) without the person.
    profile = models.ForeignKey(
        Profile,
        on_delete=models.SET_NULL,
        null=True,
        related_name="trekker_terms",
        verbose_name=_("member"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    starts_on = models.DateField(_("start date"), default=timezone.localdate)
    ends_on = models.DateField(_("end date"), null=True, blank=True)

    objects = TrekkerQuerySet.as_manager()
    constraint_error_fields = {"ends_before_start": "ends_on"}

    class Meta:
        ordering = ["role", "starts_on", "pk"]
        verbose_name = _("trekker")
        verbose_name_plural = _("trekkers")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="trekker_ends_after_start",
                violation_error_code="ends_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self):
        return f"{self.profile or _('(deleted account)')} – {self.get_role_display()}"

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)

    def clean(self):
        errors = {}
        if self.profile_id and not (self.profile.is_approved and self.profile.user.is_active):
            errors["profile"] = _("Only approved members of the network can be trekkers.")
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date cannot be before the start date.")
        if errors:
            raise ValidationError(errors)


class Partnership(ConstraintErrorsAtFields, models.Model):
    """An organisation's membership of one coalition: its circle, since when, and who its contact persons are."""

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("coalition")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("organisation")
    )
    circle = models.CharField(_("circle"), max_length=8, choices=Circle.choices, default=Circle.OUTER)
    since = models.DateField(_("partner since"), default=timezone.localdate)
    contact_persons = models.ManyToManyField(
        Profile, blank=True, related_name="partnership_contacts", verbose_name=_("contact persons")
    )

    constraint_error_fields = {"partner_twice": "organisation"}

    class Meta:
        ordering = ["circle", "organisation__name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "organisation"],
                name="partnership_once_per_coalition",
                violation_error_code="partner_twice",
                violation_error_message=_("This organisation is already a partner of this coalition."),
            )
        ]

    def __str__(self):
        return str(self.organisation)

    def clean(self):
        if (
            self.coalition_id
            and self.organisation_id
            and Partnership.objects.filter(coalition_id=self.coalition_id, organisation_id=self.organisation_id)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"organisation": _("This organisation is already a partner of this coalition.")})


class CircleChange(models.Model):
    """A partner moved into a circle (or joined in it) on a date: the partnership's history."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="circle_changes", verbose_name=_("partnership")
    )
    circle = models.CharField(_("circle"), max_length=8, choices=Circle.choices)
    changed_on = models.DateField(_("date"))
    changed_by = account_field(_("recorded by"))

    class Meta:
        ordering = ["-changed_on", "-pk"]
        verbose_name = _("circle change")
        verbose_name_plural = _("circle history")

    def __str__(self):
        return f"{self.get_circle_display()} ({self.changed_on:%d-%m-%Y})"


declaration_storage = PrivateStorage("network")


class Declaration(ConstraintErrorsAtFields, models.Model):
    """One version of a coalition's declaration of intent: its text, a PDF, or both."""

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("coalition")
    )
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    text = models.TextField(_("text"), blank=True)
    pdf = models.FileField(
        _("PDF"),
        upload_to="declarations/%Y/",
        storage=declaration_storage,
        blank=True,
        max_length=300,
        validators=[validate_pdf],
    )
    dated_on = models.DateField(_("date"))

    constraint_error_fields = {"version_taken": "version"}

    class Meta:
        ordering = ["coalition", "-version"]
        verbose_name = _("declaration of intent")
        verbose_name_plural = _("declarations of intent")
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "version"],
                name="declaration_version_once_per_coalition",
                violation_error_code="version_taken",
                violation_error_message=_("This coalition already has a declaration with this version number."),
            )
        ]

    def __str__(self):
        return _("%(title)s, version %(version)s") % {"title": self.title, "version": self.version}

    def get_pdf_url(self):
        return reverse("network:declaration_pdf", kwargs={"slug": self.coalition.slug, "pk": self.pk})

    def clean(self):
        errors = {}
        if not self.text.strip() and not self.pdf:
            errors["text"] = _("Give the text of the declaration, a PDF of it, or both.")
        if (
            self.coalition_id
            and Declaration.objects.filter(coalition_id=self.coalition_id, version=self.version)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["version"] = _("This coalition already has a declaration with this version number.")
        if errors:
            raise ValidationError(errors)


class Signature(ConstraintErrorsAtFields, models.Model):
    """A partner signed one version of the declaration: by whom (a director, often without an account) and when."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("declaration")
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("partner")
    )
    # Blank only for signatures carried over from the old per-organisation date; forms require both.
    signed_by_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_by_function = models.CharField(_("function"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"))

    constraint_error_fields = {"signed_twice": "partnership"}

    class Meta:
        ordering = ["partnership__organisation__name"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "partnership"],
                name="signature_once_per_partner",
                violation_error_code="signed_twice",
                violation_error_message=_("This partner has already signed this version."),
            )
        ]

    def __str__(self):
        return f"{self.partnership} – {self.declaration}"

    def clean(self):
        if not (self.declaration_id and self.partnership_id):
            return
        if self.partnership.coalition_id != self.declaration.coalition_id:
            raise ValidationError(
                {"partnership": _("Only partners of this coalition can sign its declaration of intent.")}
            )
        if (
            Signature.objects.filter(declaration_id=self.declaration_id, partnership_id=self.partnership_id)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError({"partnership": _("This partner has already signed this version.")})


class JoinRequest(ConstraintErrorsAtFields, models.Model):
    """An organisation asks to join a coalition; its trekkers and coordinators accept or decline."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="join_requests", verbose_name=_("coalition")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="join_requests",
        verbose_name=_("organisation"),
    )
    organisation_name = models.CharField(_("organisation (as typed)"), max_length=200, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="join_requests",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    message = models.TextField(_("message"), max_length=3000, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = account_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), max_length=2000, blank=True)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partnership"),
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    constraint_error_fields = {"no_organisation": "organisation", "asked_twice": "organisation"}

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("joining request")
        verbose_name_plural = _("joining requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(organisation_name=""),
                name="join_request_names_org",
                violation_error_code="no_organisation",
                violation_error_message=_("Choose your organisation, or type its name if it is not in the list."),
            ),
            # One open request per organisation and coalition: a second click does not mail everyone again.
            models.UniqueConstraint(
                fields=["coalition", "organisation"],
                condition=Q(state="open"),
                name="join_request_open_once",
                violation_error_code="asked_twice",
                violation_error_message=_(
                    "This organisation has already asked to join; the trekkers will answer soon."
                ),
            ),
        ]

    def __str__(self):
        return _("%(organisation)s asks to join %(coalition)s") % {
            "organisation": self.organisation_label,
            "coalition": self.coalition,
        }

    @property
    def organisation_label(self):
        return self.organisation.name if self.organisation_id else self.organisation_name

    @property
    def is_open(self):
        return self.state == self.State.OPEN


class CoalitionCoordinator(ConstraintErrorsAtFields, models.Model):
    """A person who manages one coalition: its page, phase, trekkers, partners, declarations and joining requests."""

    coalition = models.ForeignKey(
        Coalition, on_delete=models.CASCADE, related_name="coordinators", verbose_name=_("coalition")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coalition_roles", verbose_name=_("person")
    )
    appointed_on = models.DateField(_("appointed on"), default=timezone.localdate)

    constraint_error_fields = {"coordinator_twice": "user"}

    class Meta:
        ordering = ["coalition", "user__last_name"]
        verbose_name = _("coalition coordinator")
        verbose_name_plural = _("coalition coordinators")
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "user"],
                name="coalition_coordinator_once",
                violation_error_code="coordinator_twice",
                violation_error_message=_("This person already coordinates this coalition."),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.coalition}"
