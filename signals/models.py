"""Signals a professional may notice, and per municipality (or coalition) the card: what to do, whom to call."""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coalition.rules import is_coordinator
from members.models import Municipality, Offering, Profile, Theme, fold, folded_search, is_dutch_phone
from network.models import Coalition
from network.rules import coordinated_coalition_ids, coordinated_municipality_ids

# Slugs the route's own pages use (signals/urls.py).
RESERVED_SLUGS = {"print"}

# One line of the emergency numbers: an optional label, then the number ("Veilig Thuis 0800-2000", "112").
EMERGENCY_LINE = re.compile(r"^(?P<label>.*?)\s*(?P<number>\+?[0-9][0-9 \-]*[0-9]|[0-9])$")


@dataclass(frozen=True)
class EmergencyNumber:
    label: str
    number: str

    @property
    def tel(self):
        """The number for a tel: link: digits only, as a phone dials them."""
        return re.sub(r"[^0-9+]", "", self.number)


def is_dutch_number(number):
    """112, or a Dutch phone number as the directory reads one (members.models.is_dutch_phone)."""
    return number.strip() == "112" or is_dutch_phone(number)


def parse_emergency_numbers(text):
    """The numbers of the emergency field, one per line; ValueError names the first line that is no Dutch number."""
    numbers = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = EMERGENCY_LINE.match(line)
        if not match or not is_dutch_number(match["number"]):
            raise ValueError(line)
        numbers.append(EmergencyNumber(label=match["label"].strip(" :-"), number=match["number"]))
    return numbers


def validate_emergency_numbers(text):
    try:
        parse_emergency_numbers(text)
    except ValueError as error:
        raise ValidationError(
            _(
                "“%(line)s” is not a Dutch phone number. Write one number per line, with a name before it if you "
                "like: 112, 0800 or 0900 numbers, or 10 digits such as 0118 412 000."
            ),
            code="not_dutch_number",
            params={"line": str(error)},
        ) from error


class SignalQuerySet(models.QuerySet):
    def search(self, text):
        """Signals matching `text`: Dutch full-text on PostgreSQL (case and accents folded), every word elsewhere."""
        # A few dozen signals: the document is built on the fly, no stored vector or index is worth it.
        return folded_search(self, text, document=SearchVector("search_text", config="dutch"))


class Signal(models.Model):
    """Something a professional may notice around pregnancy and the first 1000 days, with what to do about it."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("web address"), max_length=120, unique=True)
    description = models.TextField(
        _("short description"), max_length=600, help_text=_("In plain language (B1): what you may notice.")
    )
    first_steps = models.TextField(_("what to do first"), blank=True)
    not_to_do = models.TextField(_("what not to do"), blank=True)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    emergency_numbers = models.TextField(
        _("emergency numbers"),
        blank=True,
        validators=[validate_emergency_numbers],
        help_text=_("One per line, for example: 112, or Veilig Thuis 0800-2000."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    themes = models.ManyToManyField(Theme, blank=True, related_name="signals", verbose_name=_("themes"))
    # Folded name and texts, kept by save(): what search reads.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SignalQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("signal")
        verbose_name_plural = _("signals")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = fold(" ".join([self.name, self.description, self.first_steps, self.not_to_do]))
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        # Checked here and not as blank=False so the message says why: the card exists to say what to do.
        if not self.first_steps.strip():
            errors["first_steps"] = _("Say what to do first: that is what a professional looks for on the card.")
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("This web address is used by the signal route itself. Choose another one.")
        if errors:
            raise ValidationError(errors)

    @property
    def emergency_list(self):
        try:
            return parse_emergency_numbers(self.emergency_numbers)
        except ValueError:
            return []


class CardQuerySet(models.QuerySet):
    def for_place(self, signal, municipality):
        """The card of `signal` for `municipality`: its own, else its coalition's; None if there is neither."""
        cards = list(
            self.filter(signal=signal).filter(
                Q(municipality=municipality) | Q(coalition__municipality_links__municipality=municipality)
            )
        )
        cards.sort(key=lambda card: card.municipality_id is None)
        return cards[0] if cards else None

    def managed_by(self, user):
        """The cards `user` edits (the rule signals.change_signalcard as a filter): every one for a regional
        coordinator, those of their coalitions and its municipalities for a coalition coordinator."""
        if is_coordinator(user):
            return self.all()
        return self.filter(
            Q(coalition__in=coordinated_coalition_ids(user)) | Q(municipality__in=coordinated_municipality_ids(user))
        )


class SignalCard(models.Model):
    """A signal in one municipality, or in all municipalities of a coalition: the offerings and people that help."""

    signal = models.ForeignKey(Signal, on_delete=models.CASCADE, related_name="cards", verbose_name=_("signal"))
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signal_cards",
        verbose_name=_("municipality"),
    )
    coalition = models.ForeignKey(
        Coalition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signal_cards",
        verbose_name=_("coalition"),
        help_text=_("For a card that holds in every municipality of the coalition; choose this or a municipality."),
    )
    local_note = models.TextField(_("local note"), blank=True)
    offerings = models.ManyToManyField(
        Offering, blank=True, related_name="signal_cards", verbose_name=_("offerings that help")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        ordering = ["signal__position", "signal__name", "pk"]
        verbose_name = _("signal card")
        verbose_name_plural = _("signal cards")
        constraints = [
            models.CheckConstraint(
                condition=Q(municipality__isnull=True, coalition__isnull=False)
                | Q(municipality__isnull=False, coalition__isnull=True),
                name="signal_card_one_place",
                violation_error_code="one_place",
                violation_error_message=_("Choose a municipality or a coalition (one of the two)."),
            ),
            models.UniqueConstraint(
                fields=["signal", "municipality"],
                name="signal_card_once_per_municipality",
                violation_error_code="card_twice",
                violation_error_message=_("This signal already has a card for this municipality."),
            ),
            models.UniqueConstraint(
                fields=["signal", "coalition"],
                name="signal_card_once_per_coalition",
                violation_error_code="card_twice",
                violation_error_message=_("This signal already has a card for this coalition."),
            ),
        ]

    def __str__(self):
        return f"{self.signal} – {self.place}"

    def get_absolute_url(self):
        municipality = self.municipality or self.coalition.municipalities.first()
        return reverse("signals:card", kwargs={"slug": self.signal.slug, "municipality": municipality.slug})

    @property
    def place(self):
        return self.municipality or self.coalition

    def clean(self):
        if (self.municipality_id is None) == (self.coalition_id is None):
            raise ValidationError(
                {"municipality": _("Choose a municipality or a coalition (one of the two).")}, code="one_place"
            )
        # The unique constraints' messages belong at the field a coordinator chose.
        for field in ("municipality", "coalition"):
            value = getattr(self, f"{field}_id")
            if (
                value
                and SignalCard.objects.filter(signal_id=self.signal_id, **{f"{field}_id": value})
                .exclude(pk=self.pk)
                .exists()
            ):
                raise ValidationError(
                    {field: _("This signal already has a card here. Open that card to change it.")},
                    code="card_twice",
                )

    def municipality_ids(self):
        """The municipalities this card holds in."""
        if self.municipality_id:
            return {self.municipality_id}
        if self.coalition_id:
            return set(self.coalition.municipality_links.values_list("municipality_id", flat=True))
        return set()


class SignalContact(models.Model):
    """A person to call about a signal here, and what for: a directory member, never typed-in text."""

    card = models.ForeignKey(SignalCard, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("card"))
    # SET_NULL: when the account is deleted the row stays, and the card shows the organisation's number meanwhile.
    profile = models.ForeignKey(
        Profile,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="signal_contacts",
        verbose_name=_("contact person"),
    )
    # The organisation the person worked for when named: its general number stands in when they leave.
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("role"), max_length=200, help_text=_("For example: debt counselling intake, call before 10:00.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # When the coordinators were told this contact is no longer reachable; cleared when they are again.
    left_reported_at = models.DateTimeField(_("departure reported at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.profile or _('(left)')} – {self.role}"

    def save(self, *args, **kwargs):
        if self.profile_id and self.profile.organisation_id:
            self.organisation_id = self.profile.organisation_id
        super().save(*args, **kwargs)

    @property
    def is_reachable(self):
        """Still a listed, approved member with an active account; otherwise the card falls back."""
        profile = self.profile
        return bool(profile and profile.is_approved and profile.is_listed and profile.user.is_active)

    def clean(self):
        profile = self.profile
        try:
            card = self.card  # set but not yet saved when the card and its contacts are added together (admin)
        except SignalCard.DoesNotExist:
            return
        if profile is None:
            return
        if not profile.is_approved or not profile.user.is_active:
            raise ValidationError({"profile": _("A contact must be an approved member of the network.")})
        places = card.municipality_ids()
        served = (
            set(profile.organisation.municipalities.values_list("pk", flat=True)) if profile.organisation_id else set()
        )
        if not places & served:
            raise ValidationError(
                {
                    "profile": _(
                        "%(name)s does not work for an organisation in this municipality. Choose someone from an "
                        "organisation that serves it."
                    )
                    % {"name": profile}
                }
            )
