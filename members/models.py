"""People, organisations, municipalities, themes and the offerings for parents."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import F, Func, Q, Value
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from coalition.models import ConstraintErrorsAtFields
from coalition.rules import is_approved_member, is_coordinator


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """An account: the e-mail address is the login, there is no username."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [
            # With profile_approved_user, the directory's count is a merge of two index-only scans (members.views).
            models.Index(fields=["id"], condition=Q(is_active=True), name="user_active"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name


class Theme(models.Model):
    """A focus theme (speerpunt) of the coalition, such as early signalling or poverty and debt."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name


class Discipline(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    MIDWIFERY = "midwifery", _("Midwifery")
    MATERNITY_CARE = "maternity_care", _("Maternity care")
    OBSTETRICS = "obstetrics", _("Hospital obstetrics")
    YOUTH_HEALTH_CARE = "youth_health_care", _("Youth health care (JGZ)")
    GENERAL_PRACTICE = "general_practice", _("General practice")
    SOCIAL_WORK = "social_work", _("Social work")
    DEBT_COUNSELLING = "debt_counselling", _("Debt counselling")
    MENTAL_HEALTH = "mental_health", _("Mental health care")
    CHILDCARE = "childcare", _("Childcare")
    EDUCATION = "education", _("Schools and education")
    YOUTH_CARE = "youth_care", _("Youth care")
    OTHER = "other", _("Other")

    @property
    def domain(self) -> "Domain | None":
        """The domain this discipline works in; None for "other" (it could be any)."""
        return DOMAIN_OF_DISCIPLINE.get(self)


class Domain(models.TextChoices):
    """The four domains Kansrijke Start brings together around the first 1000 days, as the impact figures count
    them (issue 20): whether people of different domains meet is what a council asks about.

    Each discipline belongs to one (`Discipline.domain`), as the network pulse's questions already group them: mental
    health care with the medical domain (it is health care, paid as such); youth care, debt counselling and social
    work with the social domain (the municipality's social domain, Jeugdwet and Wmo); childcare with schools (the
    pulse's "onderwijs" names the childcare and the pre-school). "Other" has no domain.
    """

    MEDICAL = "medical", _("Medical")
    SOCIAL = "social", _("Social")
    EDUCATION = "education", _("Education and childcare")
    MUNICIPALITY = "municipality", _("Municipality")

    @property
    def disciplines(self) -> list[Discipline]:
        return [discipline for discipline, domain in DOMAIN_OF_DISCIPLINE.items() if domain == self]


DOMAIN_OF_DISCIPLINE = {
    Discipline.MUNICIPALITY: Domain.MUNICIPALITY,
    Discipline.MIDWIFERY: Domain.MEDICAL,
    Discipline.MATERNITY_CARE: Domain.MEDICAL,
    Discipline.OBSTETRICS: Domain.MEDICAL,
    Discipline.YOUTH_HEALTH_CARE: Domain.MEDICAL,
    Discipline.GENERAL_PRACTICE: Domain.MEDICAL,
    Discipline.MENTAL_HEALTH: Domain.MEDICAL,
    Discipline.SOCIAL_WORK: Domain.SOCIAL,
    Discipline.DEBT_COUNSELLING: Domain.SOCIAL,
    Discipline.YOUTH_CARE: Domain.SOCIAL,
    Discipline.CHILDCARE: Domain.EDUCATION,
    Discipline.EDUCATION: Domain.EDUCATION,
}


class OrganisationQuerySet(models.QuerySet):
    def editable_by(self, user):
        """The organisations `user` may edit, for lists: the rule members.edit_organisation as a filter.

        Coordinators edit every organisation; an approved member only those they are a contact for.
        """
        if is_coordinator(user):
            return self.all()
        if not is_approved_member(user):
            return self.none()
        return self.filter(contacts__user=user).distinct()


class Organisation(models.Model):
    """A partner organisation; its place in each coalition is a network.Partnership."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    discipline = models.CharField(_("kind of organisation"), max_length=32, choices=Discipline.choices)
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="organisations", verbose_name=_("municipalities served")
    )
    phone = models.CharField(_("general phone line"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    logo_thumbnail = models.ImageField(_("logo thumbnail"), upload_to="logos/thumbs/", blank=True, editable=False)
    contacts = models.ManyToManyField(
        "Profile",
        blank=True,
        related_name="contact_for",
        verbose_name=_("contacts who keep this page current"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        # Names are not unique: the pk makes the order total, so paging shows every organisation once.
        ordering = ["name", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:organisation_detail", kwargs={"slug": self.slug})


class Level(models.TextChoices):
    """The level a person works at (the masterclass's strategic, tactical and operational)."""

    BOARD = "board", _("Board")
    MANAGEMENT = "management", _("Management")
    POLICY = "policy", _("Policy or project lead")
    PRACTICE = "practice", _("Practitioner")


class Visibility(models.TextChoices):
    MEMBERS = "members", _("All approved members")
    COORDINATORS = "coordinators", _("Coordinators only")


class ProfileQuerySet(models.QuerySet):
    # Set by search() on PostgreSQL: what pages() needs to page through the matches cheaply.
    _ranked_search = None

    def _clone(self):
        clone = super()._clone()
        clone._ranked_search = self._ranked_search
        return clone

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for profile in objs:
            profile.set_sort_keys()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if {"first_name", "last_name"} & set(fields):
            objs = list(objs)
            for profile in objs:
                profile.set_sort_keys()
            fields = [*fields, *SORT_KEYS]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        """As QuerySet.update; a name given as text updates its sort key too (an expression cannot)."""
        if isinstance(kwargs.get("last_name"), str):
            kwargs.setdefault("sort_surname", sort_key(surname(kwargs["last_name"])))
        if isinstance(kwargs.get("first_name"), str):
            kwargs.setdefault("sort_first_name", sort_key(kwargs["first_name"]))
        return super().update(**kwargs)

    def approved(self):
        return self.filter(status=Profile.Status.APPROVED, user__is_active=True)

    def pending(self):
        return self.filter(status=Profile.Status.PENDING)

    def visible_to(self, user):
        """The profiles `user` may see: the rule members.view_member as a filter (a test holds the two equal).

        None for anyone but approved members; coordinators see every approved member, listed or not.
        """
        if is_coordinator(user):
            return self.approved()
        if not is_approved_member(user):
            return self.none()
        # An unlisted member still sees their own page.
        return self.approved().filter(Q(is_listed=True) | Q(user=user))

    def search(self, text):
        """Profiles matching every word of `text` in the search document, best matches first.

        The document holds public fields only, so a hidden phone number or address is never found.
        Case and accents are folded on both sides; word order does not matter. PostgreSQL uses
        Dutch full-text search (stemming) plus trigram similarity for typos; other databases
        require each folded word to occur in the document.
        """
        words = fold(text).split()
        if not words:
            return self
        if connections[self.db].vendor == "postgresql":
            folded = " ".join(words)
            query = SearchQuery(folded, config="dutch", search_type="websearch")
            # The match is a function (migration 0007) whose one plan is the two GIN indexes, whatever the
            # statistics: the full-text test on the stored search_vector, the trigram test on search_text.
            matches = SearchMatches(query, Value(folded))
            # Only the matches are ranked, and only for the order: a COUNT of this queryset ranks nothing.
            rank = SearchRank(F("search_vector"), query)
            searched = self.filter(pk__in=matches).order_by(
                rank.desc(),
                TrigramWordSimilarity(folded, "search_text").desc(),
                *name_order(),
            )
            searched._ranked_search = (self, rank)
            return searched
        condition = Q()
        for word in words:
            condition &= Q(search_text__contains=word)
        return self.filter(condition)

    def pages(self):
        """What to give a Paginator: a search's matches as RankedMatches, any other queryset as it is."""
        if self._ranked_search is None:
            return self
        unsearched, rank = self._ranked_search
        return RankedMatches(self, unsearched=unsearched, rank=rank)


class SearchDocument(SearchVector):
    """The Dutch full-text document of `search_text`, stored by PostgreSQL; NULL on other databases.

    Other databases search `search_text` with LIKE (ProfileQuerySet.search) and never read it.
    """

    def __init__(self):
        super().__init__("search_text", config="dutch")

    def as_sql(self, compiler, connection, **extra_context):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)


class SearchMatches(Func):
    """The ids of the profiles whose search document matches, as a subquery: members_profile_matches() of
    migration 0007, which PostgreSQL can only answer from the GIN indexes (see there why it is a function)."""

    function = "members_profile_matches"
    template = "(SELECT match FROM %(function)s(%(expressions)s) AS match)"
    output_field = models.BigIntegerField()


class RankedMatches:
    """A ranked search as a Paginator's list: the costly part of its order is computed only where a page needs it.

    Matches are ordered by full-text rank, then trigram similarity, then name. A rank is cheap (the stored
    search_vector), a similarity is not (the trigrams of a whole document, row by row). One query reads the rank of
    every match: its length is the count, and it tells which ranks a page spans. The page's query then orders only
    the matches with those ranks, which gives the same rows in the same order as ordering every match; it filters by
    their keys instead of searching again, and repeats the visibility filters from before the search.
    """

    def __init__(self, searched, *, unsearched, rank):
        self.searched = searched
        self.unsearched = unsearched
        self.rank = rank

    @cached_property
    def _ranks(self):
        """(rank, pk) of every match, best rank first."""
        rows = self.searched.order_by().annotate(page_rank=self.rank).values_list("page_rank", "pk")
        return sorted(rows, key=lambda row: -row[0])

    def count(self):
        return len(self._ranks)

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, _step = index.indices(self.count())
        if start >= stop:
            return []
        highest, lowest = self._ranks[start][0], self._ranks[stop - 1][0]
        ahead = sum(1 for rank, _pk in self._ranks if rank > highest)
        keys = [pk for rank, pk in self._ranks if lowest <= rank <= highest]
        page = self.unsearched.filter(pk__in=keys).order_by(*self.searched.query.order_by)
        if self.searched.query.select_related:
            page.query.select_related = self.searched.query.select_related
        page = page.prefetch_related(*self.searched._prefetch_related_lookups)
        return list(page[start - ahead : stop - ahead])


def fold(text):
    """Lowercase text without accents, so that search ignores case and accents on every database."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# Words that open a surname without being where it sorts (DESIGN.md §4: "van der Meer" under M): the Dutch
# tussenvoegsels and the particles of neighbouring languages the Dutch register writes the same way. Not "el" or
# "al": in "El Amrani" they are part of the name, and sort under E.
TUSSENVOEGSELS = frozenset(
    [
        "van", "de", "der", "den", "het", "'t", "'s", "te", "ten", "ter", "in", "op", "aan", "bij", "onder", "over",
        "uit", "uijt", "voor", "tot", "toe", "thoe", "vanden", "vander", "von", "vom", "zu", "zum", "zur", "auf",
        "aus", "dem", "le", "la", "les", "du", "des", "di", "da", "del", "della", "dello", "dei", "degli", "dos",
        "das", "do",
    ]
)  # fmt: skip
# Particles written against the name: d'Ancona and l'Ami sort under A.
ATTACHED_PARTICLES = ("d'", "l'")
# Letters NFKD does not take apart, as a Dutch reader files them.
FOLDED_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def surname(last_name):
    """The last name without its tussenvoegsel, as written: "Meer" of "van der Meer" (never empty for a name)."""
    words = (last_name or "").replace("\u2019", "'").split()
    while len(words) > 1 and words[0].casefold() in TUSSENVOEGSELS:
        words.pop(0)
    name = " ".join(words)
    for particle in ATTACHED_PARTICLES:
        if name.casefold().startswith(particle) and len(name) > len(particle):
            return name[len(particle) :]
    return name


def sort_key(name):
    """What a name sorts by: folded (case, accents: É with E), only its letters and digits (spaces and hyphens
    ignored, as dictionaries do). "IJ" stays the two letters i, j, as in Van Dale: IJzerman under I, after
    "Ibrahim" and before "Inge", and every IJ name together; the ligature Ĳ folds to the same two letters."""
    folded = fold(name).translate(FOLDED_LETTERS)
    return "".join(ch for ch in folded if ch.isalnum())[:200]


def first_letter(name):
    """The first letter of a name, "IJ" when it opens with the Dutch digraph (IJsbrand, Ĳzerman; not Ijeoma)."""
    name = unicodedata.normalize("NFKC", (name or "").strip())
    if name[:2].casefold() == "ij" and (len(name) == 2 or name[2].casefold() not in "aeiouy"):
        return "IJ"
    return name[:1].upper()


# The order of people everywhere they are listed: surname without tussenvoegsel, first name, then the id so that
# paging is total. Other apps order rows that point at a profile with name_order("profile__").
def name_order(path=""):
    return [
        F(f"{path}sort_surname").asc(nulls_last=True),
        F(f"{path}sort_first_name").asc(nulls_last=True),
        f"{path}pk",
    ]


SORT_KEYS = ["sort_surname", "sort_first_name"]

# After this long without confirmation a member is asked to confirm their details ...
CONFIRMATION_REQUEST_AFTER = timedelta(days=182)
# ... and after this long the directory marks them as possibly outdated.
OUTDATED_AFTER = timedelta(days=274)


class Profile(models.Model):
    """A professional in the coalition; one per user."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    class SignupAlerts(models.TextChoices):
        EACH = "each", _("A mail at each new sign-up")
        DIGEST = "digest", _("One mail a day with the new sign-ups")
        OFF = "off", _("No mail: I look in the cockpit")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user"))
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    discipline = models.CharField(_("discipline"), max_length=32, choices=Discipline.choices, blank=True)
    level = models.CharField(
        _("level"),
        max_length=12,
        choices=Level.choices,
        blank=True,
        help_text=_("Where you work: on the board, in management, as policy or project lead, or in practice."),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organisation"),
    )
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="profiles", verbose_name=_("municipalities worked in")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="profiles", verbose_name=_("themes"))
    direct_phone = models.CharField(_("direct phone"), max_length=40, blank=True)
    team_phone = models.CharField(_("team phone"), max_length=40, blank=True)
    availability = models.CharField(
        _("availability"), max_length=200, blank=True, help_text=_("For example: reachable Mon–Thu 8:30–17:00")
    )
    photo = models.ImageField(_("photo"), upload_to="photos/", blank=True)
    photo_thumbnail = models.ImageField(_("photo thumbnail"), upload_to="photos/thumbs/", blank=True, editable=False)
    bio = models.TextField(_("short bio"), blank=True, max_length=1000)
    # What the name sorts by (name_order): sort_key() of the surname without tussenvoegsel and of the first name.
    # Kept by save() and the queryset's bulk_create, bulk_update and update; filled for older rows by migration 0008.
    sort_surname = models.CharField(_("surname for sorting"), max_length=200, blank=True, editable=False)
    sort_first_name = models.CharField(_("first name for sorting"), max_length=200, blank=True, editable=False)
    is_ambassador = models.BooleanField(_("ambassador"), default=False)
    status = models.CharField(_("approval"), max_length=10, choices=Status.choices, default=Status.PENDING)
    status_changed_at = models.DateTimeField(_("approval changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval changed by"),
    )
    phone_visibility = models.CharField(
        _("who sees my direct phone"), max_length=16, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    email_visibility = models.CharField(
        _("who sees my e-mail address"), max_length=16, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    is_listed = models.BooleanField(_("listed in the directory"), default=True)
    details_confirmed_at = models.DateTimeField(_("details last confirmed"), default=timezone.now)
    # For those who approve sign-ups (coordinators): how they hear of a new one (members.services.alert_signup).
    # The database's default too: a profile written by an older migration's model (the migration tests) gets it.
    signup_alerts = models.CharField(
        _("mail about new sign-ups"),
        max_length=8,
        choices=SignupAlerts.choices,
        default=SignupAlerts.EACH,
        db_default=SignupAlerts.EACH,
    )
    confirmation_requested_at = models.DateTimeField(
        _("confirmation last requested"), null=True, blank=True, editable=False
    )
    # Folded text of the public, searchable fields only (never phone numbers or e-mail addresses),
    # kept current by members.services.reindex_profiles.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    # Its full-text document, computed by the database whenever search_text changes (bulk writes included), so
    # search ranks without parsing every matching row again; GIN-indexed by migration 0006 on PostgreSQL.
    search_vector = models.GeneratedField(
        expression=SearchDocument(), output_field=SearchVectorField(), db_persist=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        # Dutch order (name_order); the pk makes it total: with equal names alone, pages overlapped and skipped people.
        ordering = ["sort_surname", "sort_first_name", "pk"]
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        permissions = [("approve_profile", _("Can approve or decline members"))]
        indexes = [
            models.Index(fields=["status", "is_listed"]),
            # The directory's order over the approved people it lists: a page reads 25 index entries.
            models.Index(
                fields=["sort_surname", "sort_first_name", "id"],
                condition=Q(status="approved"),
                name="profile_directory_order",
            ),
            # The directory's count (every approved person a member may see) without reading the wide rows.
            models.Index(fields=["user", "is_listed"], condition=Q(status="approved"), name="profile_approved_user"),
            # Home's newest members (coalition.views.home).
            models.Index(
                fields=["-status_changed_at", "-id"], condition=Q(status="approved"), name="profile_newest_approved"
            ),
        ]

    def __str__(self):
        return self.full_name or self.user.email

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is None:
            self.set_sort_keys()
        elif {"first_name", "last_name"} & set(update_fields):
            self.set_sort_keys()
            update_fields = {*update_fields, *SORT_KEYS}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("members:profile_detail", kwargs={"pk": self.pk})

    def set_sort_keys(self):
        self.sort_surname = sort_key(surname(self.last_name))
        self.sort_first_name = sort_key(self.first_name)

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def initials(self):
        """First letters of the first name and the surname: "MM" for Mirjam van der Meer, "IIJ" for Inge IJzerman."""
        return f"{first_letter(self.first_name)}{first_letter(surname(self.last_name))}"

    @property
    def avatar(self):
        return Avatar(url=self.photo_thumbnail.url if self.photo_thumbnail else "", initials=self.initials)

    @property
    def is_approved(self):
        return self.status == self.Status.APPROVED

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def is_declined(self):
        return self.status == self.Status.DECLINED

    @property
    def is_possibly_outdated(self):
        return self.details_confirmed_at < timezone.now() - OUTDATED_AFTER

    def shows_phone_to(self, user):
        return self._shows_to(user, self.phone_visibility)

    def shows_email_to(self, user):
        return self._shows_to(user, self.email_visibility)

    def _shows_to(self, user, visibility):
        if not user.is_authenticated:
            return False
        if user.pk == self.user_id or is_coordinator(user):
            return True
        return visibility == Visibility.MEMBERS and is_approved_member(user)

    def contact_card(self, user):
        """How `user` may reach this person: only the fields this person's visibility allows."""
        return ContactCard(
            team_phone=self.team_phone,
            direct_phone=self.direct_phone if self.shows_phone_to(user) else "",
            email=self.user.email if self.shows_email_to(user) else "",
            organisation_phone=self.organisation.phone if self.organisation_id else "",
            availability=self.availability,
        )

    def build_search_text(self, *, themes=None, municipalities=None):
        """The folded search document: name, job title, discipline, organisation, themes, municipalities.

        The one definition of what search covers, for saved profiles and for bulk-built ones alike: a profile
        not saved yet passes its `themes` and `municipalities`; a saved one reads its own (prefetch them when
        calling this for many profiles).
        """
        themes = self.themes.all() if themes is None else themes
        municipalities = self.municipalities.all() if municipalities is None else municipalities
        parts = [self.first_name, self.last_name, self.job_title]
        if self.discipline:
            for language in ("nl", "en"):
                with translation.override(language):
                    parts.append(str(Discipline(self.discipline).label))
        if self.organisation_id:
            parts.append(self.organisation.name)
        parts.extend(sorted(theme.name for theme in themes))
        parts.extend(sorted(municipality.name for municipality in municipalities))
        return fold(" ".join(part for part in parts if part))


@dataclass(frozen=True)
class Avatar:
    """A person's picture in a list: the thumbnail's address, or the initials shown instead."""

    url: str = ""
    initials: str = ""


@dataclass(frozen=True)
class ContactCard:
    """The ways to reach a person that one viewer may see."""

    team_phone: str = ""
    direct_phone: str = ""
    email: str = ""
    organisation_phone: str = ""
    availability: str = ""

    @property
    def phones(self):
        return [phone for phone in (self.direct_phone, self.team_phone, self.organisation_phone) if phone]


class LifePhase(models.TextChoices):
    WISH = "wish", _("Wish to have a child")
    PREGNANCY = "pregnancy", _("Pregnancy")
    BIRTH = "birth", _("Birth and maternity week")
    FIRST_YEAR = "first_year", _("First year")
    SECOND_YEAR = "second_year", _("Second year")


class Access(models.TextChoices):
    SELF_REFERRAL = "self", _("Parents can apply themselves")
    REFERRAL = "referral", _("By referral")


def months(count):
    """A number of months from the settings as a timedelta (a month is a twelfth of a year)."""
    return timedelta(days=round(count * 365.25 / 12))


def offering_confirm_after():
    """How long an offering goes unconfirmed before its organisation's contacts are asked (OFFERING_CONFIRM_MONTHS)."""
    return months(settings.OFFERING_CONFIRM_MONTHS)


def offering_outdated_after():
    """How long an offering goes unconfirmed before the route marks it possibly outdated (OFFERING_OUTDATED_MONTHS)."""
    return months(settings.OFFERING_OUTDATED_MONTHS)


# A Dutch number, loosely: after dropping spaces, dashes, dots and brackets (and the "(0)" of "+31 (0)113"), a
# 0 and nine digits, the same after +31 or 0031, a free or paid service number (0800/0900/0909 and 4 to 7
# digits) or a municipality's 14 number (14 and 3 or 4 digits, "14 0113").
DUTCH_PHONE = re.compile(r"^(?:(?:\+31|0031|0)[1-9]\d{8}|09(?:00|06|09)\d{4,7}|0800\d{4,7}|14\d{3,4})$")


def is_dutch_phone(value):
    """A Dutch number as people write it (DUTCH_PHONE, after dropping spaces, dashes, dots, brackets and "(0)")."""
    return bool(DUTCH_PHONE.match(re.sub(r"[\s().\-/]", "", (value or "").replace("(0)", ""))))


def validate_dutch_phone(value):
    if not is_dutch_phone(value):
        raise ValidationError(
            _("Enter a Dutch phone number, for example 0113 123 456 or +31 113 123 456."), code="invalid_phone"
        )


def validate_life_phases(value):
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Choose at least one life phase."), code="required")
    unknown = [phase for phase in value if phase not in LifePhase.values]
    if unknown:
        raise ValidationError(_("Unknown life phase: %(phases)s.") % {"phases": ", ".join(map(str, unknown))})


class LifePhasesField(models.JSONField):
    """One or more LifePhase values as a JSON list: portable to SQLite, edited as checkboxes (never as JSON)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return forms.TypedMultipleChoiceField(
            label=self.verbose_name,
            help_text=self.help_text,
            required=not self.blank,
            choices=LifePhase.choices,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Choose at least one life phase.")},
        )

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        validate_life_phases(value)


CONTACT_PERSON_MESSAGE = _(
    "Choose one of this organisation's contacts. Someone else can first be added as a contact of the organisation."
)


def folded_search(queryset, text, *, document):
    """Rows of `queryset` whose folded `search_text` holds every word of `text` (case and accents folded: a word
    typed halfway is found), or, on PostgreSQL, whose Dutch full-text `document` matches the words (stemming:
    "zwangere" finds "zwangerschap"). The offerings' and the signals' search; the directory ranks (ProfileQuerySet)."""
    words = fold(text).split()
    if not words:
        return queryset
    contained = Q()
    for word in words:
        contained &= Q(search_text__contains=word)
    if connections[queryset.db].vendor == "postgresql":
        query = SearchQuery(" ".join(words), config="dutch", search_type="websearch")
        return queryset.annotate(search_document=document).filter(Q(search_document=query) | contained)
    return queryset.filter(contained)


class OfferingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_phase(self, phase):
        """Offerings in this life phase (one of several): the JSON list's text holds '"phase"' on every database."""
        return self.filter(life_phases__icontains=f'"{phase}"')

    def possibly_outdated(self, *, now=None):
        return self.filter(confirmed_at__lt=(now or timezone.now()) - offering_outdated_after())

    def search(self, text):
        """Offerings matching every word of `text`, case and accents folded.

        PostgreSQL matches the Dutch full-text document (stemming: "zwangere" finds "zwangerschap") or, for a
        word typed halfway ("kraam"), every word as part of the folded text; other databases only the latter.
        """
        return folded_search(self, text, document=F("search_vector"))

    def for_municipality(self, municipality):
        """Offerings in this municipality, and those without municipalities (the whole region)."""
        return self.filter(Q(municipalities=municipality) | Q(municipalities__isnull=True)).distinct()


class Offering(models.Model):
    """What an organisation offers (expecting) parents, placed on the route by life phase."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="offerings", verbose_name=_("organisation")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    life_phases = LifePhasesField(
        _("life phases"), help_text=_("Every phase of the route this offering is for: it is listed in each.")
    )
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    access = models.CharField(_("how to get it"), max_length=10, choices=Access.choices, default=Access.SELF_REFERRAL)
    referral_by = models.CharField(_("referral by"), max_length=200, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    # What everyone, parents included, may see and tap; the contact person below is for approved members only.
    phone = models.CharField(_("public phone"), max_length=40, blank=True, validators=[validate_dutch_phone])
    email = models.EmailField(_("public e-mail"), blank=True)
    address = models.TextField(_("address"), blank=True)
    contact_person = models.ForeignKey(
        "Profile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offerings_as_contact",
        verbose_name=_("contact person"),
        help_text=_("One of the organisation's contacts; members see their details as that person allows."),
    )
    confirmed_at = models.DateTimeField(_("last confirmed"), default=timezone.now)
    confirmation_requested_at = models.DateTimeField(
        _("confirmation last requested"), null=True, blank=True, editable=False
    )
    # Set when the organisation's phone, e-mail or address changed and this offering had a different one of its own:
    # someone must look. Cleared when a contact saves or confirms the offering.
    needs_review = models.TextField(_("to check"), blank=True)
    # Folded public text (title, description, organisation, phases, places, themes), kept by
    # members.services.reindex_offerings; never a phone number, address or person.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    search_vector = models.GeneratedField(
        expression=SearchDocument(), output_field=SearchVectorField(), db_persist=True, editable=False
    )
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="offerings", verbose_name=_("municipalities")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="offerings", verbose_name=_("themes"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OfferingQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")

    def __str__(self):
        return self.title

    @property
    def is_possibly_outdated(self):
        return self.confirmed_at < timezone.now() - offering_outdated_after()

    @property
    def life_phase_labels(self):
        return [LifePhase(phase).label for phase in LifePhase.values if phase in (self.life_phases or [])]

    def build_search_text(self):
        """The folded search document; a saved offering reads its themes and places (prefetch them for many)."""
        parts = [self.title, self.description, self.target_group, self.organisation.name]
        for language in ("nl", "en"):
            with translation.override(language):
                parts.extend(str(label) for label in self.life_phase_labels)
        parts.extend(sorted(theme.name for theme in self.themes.all()))
        parts.extend(sorted(municipality.name for municipality in self.municipalities.all()))
        return fold(" ".join(part for part in parts if part))

    def clean(self):
        if isinstance(self.life_phases, list):
            # Stored in the order of life, once each, whatever order they were ticked in.
            self.life_phases = [phase for phase in LifePhase.values if phase in self.life_phases]
        if (
            self.contact_person_id
            and self.organisation_id
            and not self.organisation.contacts.filter(pk=self.contact_person_id).exists()
        ):
            raise ValidationError({"contact_person": CONTACT_PERSON_MESSAGE})
        # "By referral" alone leaves a parent's professional guessing who can refer (site form and admin alike).
        if self.access == Access.REFERRAL and not self.referral_by.strip():
            raise ValidationError({"referral_by": _("Say who can refer parents, for example the midwife or the GP.")})


class SignupAlert(ConstraintErrorsAtFields, models.Model):
    """That a coordinator was told (or is to be told, in the morning's digest) of one pending sign-up: once each.

    Made by members.services.alert_signup when the sign-up comes in or its municipalities become known (then the
    coordinators of the coalitions there are added); `mailed_at` stays empty until the digest has mailed it.
    """

    profile = models.ForeignKey(
        Profile, on_delete=models.CASCADE, related_name="signup_alerts_sent", verbose_name=_("sign-up")
    )
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("coordinator"))
    digest = models.BooleanField(_("in the daily digest"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up alert")
        verbose_name_plural = _("sign-up alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "recipient"],
                name="signup_alert_once",
                violation_error_code="already_alerted",
                violation_error_message=_("This coordinator has already been told of this sign-up."),
            )
        ]
        indexes = [
            models.Index(fields=["recipient"], condition=Q(mailed_at__isnull=True), name="signup_alert_unmailed")
        ]

    constraint_error_fields = {"already_alerted": "recipient"}

    def __str__(self):
        return f"{self.profile_id} → {self.recipient_id}"
