"""Network operations: phases, trekkers, partners and their circles, signatures, joining requests, coordinators.

Every function takes the objects it acts on first and everything else by keyword, runs in one transaction,
checks the acting person (`by=`) with the rules, and raises NetworkError (translated, with the form field it
is about) when a rule of the network says no. Views, the admin, the demo data and tests all call these.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coalition import ratelimits
from coalition.mail import Recipient, absolute_url, queue_mailing, send_mail
from coalition.roles import COORDINATOR, EDITORIAL_TEAM, is_approved_member
from coalition.rules import DomainError, ensure_permitted
from members.models import Organisation, Profile

from .models import (
    Circle,
    CircleChange,
    Coalition,
    CoalitionCoordinator,
    CoalitionMunicipality,
    JoinRequest,
    Partnership,
    Phase,
    PhaseChange,
    Signature,
    Trekker,
)
from .rules import forget_cached_roles

# A visitor (per client address) may ask to join this many times an hour: each request mails the trekkers.
JOIN_REQUESTS_PER_HOUR = 5


class NetworkError(DomainError):
    """A rule of the network said no; `field` names the form field the message belongs at (or None)."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


class TooManyRequests(NetworkError):
    """One client sent the joining form too often."""


def _validated(obj):
    """Run the model's own rules; their first message becomes a NetworkError at its field."""
    try:
        obj.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise NetworkError(messages[0], field=None if field == "__all__" else field) from None
    return obj


def _today():
    return timezone.localdate()


def _label(choice):
    """A choice's label in the portal's language: mails are rendered later, from stored JSON."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(choice.label)


def _date(value):
    with translation.override(settings.LANGUAGE_CODE):
        return date_format(value, "SHORT_DATE_FORMAT")


# --- Coalitions and their phase ---------------------------------------------------------------------


def check_municipalities_free(coalition, municipalities):
    """Refuse municipalities that already belong to another coalition, naming each and its coalition."""
    taken = CoalitionMunicipality.objects.filter(municipality__in=list(municipalities)).select_related(
        "municipality", "coalition"
    )
    if coalition.pk:
        taken = taken.exclude(coalition=coalition)
    taken = list(taken)
    if taken:
        raise NetworkError(
            " ".join(
                _("%(municipality)s is already part of the coalition %(coalition)s.")
                % {"municipality": link.municipality, "coalition": link.coalition}
                for link in taken
            ),
            field="municipalities",
        )


@transaction.atomic
def set_municipalities(coalition, *, municipalities, by):
    """The municipalities of a coalition; each may belong to one coalition only."""
    ensure_permitted(by, "network.add_coalition")
    check_municipalities_free(coalition, municipalities)
    try:
        with transaction.atomic():
            coalition.municipalities.set(municipalities)
    except IntegrityError:
        # Another coordinator took one of them a moment ago: the same answer as the check above.
        check_municipalities_free(coalition, municipalities)
        raise
    return coalition


@transaction.atomic
def change_phase(coalition, *, phase, on=None, note="", by):
    """Record a dated phase change; the coalition's current phase is always its latest change by date."""
    ensure_permitted(by, "network.change_phase", coalition)
    on = on or _today()
    try:
        phase = Phase(phase)
    except ValueError:
        raise NetworkError(_("Choose one of the phases."), field="phase") from None
    if on > _today():
        raise NetworkError(_("A phase change cannot be dated in the future."), field="changed_on")
    coalition = Coalition.objects.select_for_update().get(pk=coalition.pk)
    if coalition.phase_since and coalition.phase == phase and on >= coalition.phase_since:
        raise NetworkError(
            _("The coalition is already in the phase %(phase)s.") % {"phase": phase.label}, field="phase"
        )
    change = PhaseChange.objects.create(
        coalition=coalition, phase=phase, changed_on=on, note=note.strip(), changed_by=by
    )
    latest = coalition.phase_changes.order_by("-changed_on", "-pk").first()
    coalition.phase, coalition.phase_since = latest.phase, latest.changed_on
    coalition.save(update_fields=["phase", "phase_since", "updated_at"])
    return change


# --- Trekkers ---------------------------------------------------------------------------------------


@transaction.atomic
def appoint_trekker(coalition, *, profile, role, starts_on=None, ends_on=None, by):
    """A member becomes trekker (content or policy) or deputy of the coalition from `starts_on`."""
    ensure_permitted(by, "network.change_coalition", coalition)
    trekker = _validated(
        Trekker(coalition=coalition, profile=profile, role=role, starts_on=starts_on or _today(), ends_on=ends_on)
    )
    trekker.save()
    return trekker


@transaction.atomic
def end_trekker(trekker, *, on, by):
    """Set the last day of a trekker's term; the coalition's coordinators and remaining trekkers are mailed."""
    ensure_permitted(by, "network.change_coalition", trekker)
    trekker = (
        Trekker.objects.select_for_update(of=("self",)).select_related("coalition", "profile__user").get(pk=trekker.pk)
    )
    if on < trekker.starts_on:
        raise NetworkError(_("The end date cannot be before the start date."), field="ends_on")
    if trekker.ends_on == on:
        return trekker
    trekker.ends_on = on
    trekker.save(update_fields=["ends_on"])
    _mail_trekker_ended(trekker)
    return trekker


def _tell_coalition(coalition, *, template, context, description, leaving_profile_id=None):
    """Mail the people who answer for a coalition: its coordinators and current trekkers (but the one leaving).

    Nobody there (no coordinator, no other trekker)? Then the regional coordinators hear it.
    """
    user_model = get_user_model()
    current = Trekker.objects.current().filter(coalition=coalition).exclude(profile_id=leaving_profile_id)
    users = list(
        user_model.objects.filter(is_active=True)
        .filter(Q(coalition_roles__coalition=coalition) | Q(profile__trekker_terms__in=current))
        .distinct()
        .order_by("email")
    ) or list(user_model.objects.filter(is_active=True, groups__name=COORDINATOR).order_by("email"))
    if users:
        queue_mailing(
            template=template,
            recipients=[Recipient(user.email, user.get_full_name()) for user in users],
            context={
                "coalition_name": coalition.name,
                "coalition_url": absolute_url(coalition.get_absolute_url()),
                **context,
            },
            description=description,
        )


def _mail_trekker_ended(trekker):
    coalition = trekker.coalition
    remaining = [
        str(t.profile)
        for t in coalition.trekkers.current().select_related("profile").exclude(pk=trekker.pk)
        if t.ends_on is None or t.ends_on > trekker.ends_on
    ]
    _tell_coalition(
        coalition,
        template="network/trekker_ended",
        context={
            "trekker_name": str(trekker.profile or _("(deleted account)")),
            "role": _label(Trekker.Role(trekker.role)),
            "ends_on": _date(trekker.ends_on),
            "remaining": remaining,
        },
        description=_("Trekker leaves %(coalition)s") % {"coalition": coalition.name},
        leaving_profile_id=trekker.profile_id,
    )


# --- Partners and their circles ---------------------------------------------------------------------


def check_contact_persons(organisation, profiles):
    """Contact persons of a partner work at that organisation."""
    strangers = [profile for profile in profiles if profile.organisation_id != organisation.pk]
    if strangers:
        raise NetworkError(
            _("%(names)s do not work at %(organisation)s.")
            % {"names": ", ".join(str(p) for p in strangers), "organisation": organisation},
            field="contact_persons",
        )


def _add_partner(coalition, *, organisation, circle, since, contact_persons, by):
    if Partnership.objects.filter(coalition=coalition, organisation=organisation).exists():
        raise NetworkError(
            _("%(organisation)s is already a partner of this coalition.") % {"organisation": organisation},
            field="organisation",
        )
    check_contact_persons(organisation, contact_persons)
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(
                coalition=coalition, organisation=organisation, circle=circle, since=since or _today()
            )
    except IntegrityError:
        raise NetworkError(
            _("%(organisation)s is already a partner of this coalition.") % {"organisation": organisation},
            field="organisation",
        ) from None
    partnership.contact_persons.set(contact_persons)
    CircleChange.objects.create(partnership=partnership, circle=circle, changed_on=partnership.since, changed_by=by)
    return partnership


@transaction.atomic
def add_partner(coalition, *, organisation, circle=Circle.OUTER, since=None, contact_persons=(), by):
    """An organisation becomes a partner of the coalition, in the outer circle unless told otherwise."""
    ensure_permitted(by, "network.change_coalition", coalition)
    return _add_partner(
        coalition, organisation=organisation, circle=circle, since=since, contact_persons=contact_persons, by=by
    )


@transaction.atomic
def change_circle(partnership, *, circle, on=None, by):
    """Move a partner to the other circle; the move is recorded with its date."""
    ensure_permitted(by, "network.change_coalition", partnership)
    partnership = Partnership.objects.select_for_update().get(pk=partnership.pk)
    if partnership.circle == circle:
        raise NetworkError(
            _("This partner is already in the %(circle)s.") % {"circle": Circle(circle).label.lower()}, field="circle"
        )
    on = on or _today()
    partnership.circle = circle
    partnership.save(update_fields=["circle"])
    CircleChange.objects.create(partnership=partnership, circle=circle, changed_on=on, changed_by=by)
    return partnership


# --- The declaration of intent ----------------------------------------------------------------------


@transaction.atomic
def sign_declaration(declaration, *, partnership, name, function, on=None, by):
    """Record that a partner signed one version of the declaration, by whom and when."""
    ensure_permitted(by, "network.change_coalition", declaration)
    if not name.strip():
        raise NetworkError(_("Say who signed, for example the director."), field="signed_by_name")
    signature = _validated(
        Signature(
            declaration=declaration,
            partnership=partnership,
            signed_by_name=name.strip(),
            signed_by_function=function.strip(),
            signed_on=on or _today(),
        )
    )
    signature.save()
    return signature


# --- Joining requests -------------------------------------------------------------------------------


def _mail_deciders(join_request):
    coalition = join_request.coalition
    _tell_coalition(
        coalition,
        template="network/join_request",
        context={
            "organisation": join_request.organisation_label,
            "name": join_request.name,
            "email": join_request.email,
            "message": join_request.message,
            "request_url": absolute_url(
                reverse("network:join_request_detail", kwargs={"slug": coalition.slug, "pk": join_request.pk})
            ),
        },
        description=_("Joining request for %(coalition)s") % {"coalition": coalition.name},
    )


def request_to_join(
    coalition, *, name, email, organisation=None, organisation_name="", message="", requester=None, client=None
):
    """An organisation asks to join the coalition; its coordinators and current trekkers are mailed.

    A typed name that matches an organisation of the portal counts as that organisation. An organisation that
    is a partner already, or has an open request, is told so instead of mailing everyone again.
    """
    organisation_name = organisation_name.strip()
    if organisation is None and organisation_name:
        organisation = Organisation.objects.filter(name__iexact=organisation_name).first()
    if organisation is None and not organisation_name:
        raise NetworkError(
            _("Choose your organisation, or type its name if it is not in the list."), field="organisation"
        )
    label = organisation.name if organisation else organisation_name
    if client is not None and not ratelimits.allow(
        "network.join", client, limit=JOIN_REQUESTS_PER_HOUR, seconds=60 * 60
    ):
        raise TooManyRequests(
            _(
                "You have sent this form many times in a short while. "
                "What you typed is still here: please try again in an hour."
            )
        )
    with transaction.atomic():
        # One request at a time per coalition, so two clicks cannot both pass the checks below.
        coalition = Coalition.objects.select_for_update().get(pk=coalition.pk)
        if organisation and Partnership.objects.filter(coalition=coalition, organisation=organisation).exists():
            raise NetworkError(
                _("%(organisation)s is already a partner of %(coalition)s.")
                % {"organisation": label, "coalition": coalition},
                field="organisation",
            )
        open_requests = coalition.join_requests.filter(state=JoinRequest.State.OPEN)
        if (organisation and open_requests.filter(organisation=organisation).exists()) or (
            not organisation and open_requests.filter(organisation_name__iexact=organisation_name).exists()
        ):
            raise NetworkError(
                _("%(organisation)s has already asked to join; the trekkers will answer soon.")
                % {"organisation": label},
                field="organisation",
            )
        join_request = JoinRequest.objects.create(
            coalition=coalition,
            organisation=organisation,
            organisation_name="" if organisation else organisation_name,
            requester=requester if requester is not None and requester.is_authenticated else None,
            name=name.strip(),
            email=email.strip(),
            message=message.strip(),
        )
        _mail_deciders(join_request)
    return join_request


def _open_request(join_request):
    join_request = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("coalition", "organisation", "requester__profile")
        .get(pk=join_request.pk)
    )
    if not join_request.is_open:
        raise NetworkError(_("This request has already been answered."))
    return join_request


def _unique_organisation_slug(name):
    base = slugify(name)[:180] or "organisatie"
    slug, number = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _mail_requester(join_request, template, **context):
    if not join_request.email:
        return  # the requester deleted their account
    send_mail(
        template=template,
        to=Recipient(join_request.email, join_request.name),
        context={
            "coalition_name": join_request.coalition.name,
            "coalition_url": absolute_url(join_request.coalition.get_absolute_url()),
            "organisation": join_request.organisation_label,
            **context,
        },
        description=_("Answer to the joining request of %(organisation)s")
        % {"organisation": join_request.organisation_label},
    )


@transaction.atomic
def accept_join_request(join_request, *, by, circle=Circle.OUTER, organisation=None, discipline=""):
    """Accept: the organisation becomes a partner (outer circle by default) and the requester is told.

    A request that named no known organisation needs one: chosen from the list, or added now with its kind
    (`discipline`). A member of that organisation who asked becomes its contact person.
    """
    ensure_permitted(by, "network.decide_join_request", join_request)
    join_request = _open_request(join_request)
    organisation = organisation or join_request.organisation
    if organisation is None:
        if not discipline:
            raise NetworkError(
                _("Choose the organisation from the list, or say what kind of organisation it is to add it."),
                field="organisation",
            )
        organisation = Organisation.objects.create(
            name=join_request.organisation_name,
            slug=_unique_organisation_slug(join_request.organisation_name),
            discipline=discipline,
        )
    requester_profile = getattr(join_request.requester, "profile", None)
    contacts = [requester_profile] if requester_profile and requester_profile.organisation_id == organisation.pk else []
    partnership = _add_partner(
        join_request.coalition, organisation=organisation, circle=circle, since=None, contact_persons=contacts, by=by
    )
    join_request.organisation = organisation
    join_request.partnership = partnership
    join_request.state = JoinRequest.State.ACCEPTED
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["organisation", "partnership", "state", "decided_by", "decided_at"])
    _mail_requester(join_request, "network/join_accepted", circle=_label(Circle(circle)).lower())
    return join_request


@transaction.atomic
def decline_join_request(join_request, *, reason, by):
    """Decline with a reason; the reason is mailed to the person who asked."""
    ensure_permitted(by, "network.decide_join_request", join_request)
    reason = reason.strip()
    if not reason:
        raise NetworkError(_("Give the reason: it is mailed to the person who asked."), field="reason")
    join_request = _open_request(join_request)
    join_request.state = JoinRequest.State.DECLINED
    join_request.decline_reason = reason
    join_request.decided_by = by
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["state", "decline_reason", "decided_by", "decided_at"])
    _mail_requester(join_request, "network/join_declined", reason=reason)
    return join_request


# --- Coalition coordinators -------------------------------------------------------------------------


@transaction.atomic
def appoint_coalition_coordinator(coalition, *, user, by):
    """`user` manages this coalition from now on, in the portal and in the admin (so they become staff)."""
    ensure_permitted(by, "network.appoint_coalition_coordinator", coalition)
    if not is_approved_member(user):
        raise NetworkError(_("Only approved members of the network can coordinate a coalition."), field="user")
    coordinator, created = CoalitionCoordinator.objects.get_or_create(coalition=coalition, user=user)
    if not created:
        raise NetworkError(_("%(name)s already coordinates this coalition.") % {"name": user}, field="user")
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True)
    user.is_staff = True
    forget_cached_roles(user)
    return coordinator


@transaction.atomic
def remove_coalition_coordinator(coordinator, *, by):
    """The person no longer manages the coalition; without another staff role they leave the admin."""
    ensure_permitted(by, "network.appoint_coalition_coordinator", coordinator)
    user = coordinator.user
    coordinator.delete()
    if not (
        user.is_superuser
        or user.coalition_roles.exists()
        or user.groups.filter(name__in=[COORDINATOR, EDITORIAL_TEAM]).exists()
    ):
        get_user_model().objects.filter(pk=user.pk).update(is_staff=False)
        user.is_staff = False
    forget_cached_roles(user)


# --- New sign-ups ----------------------------------------------------------------------------------


def coordinators_of_signup(profile):
    """The accounts of the approved coordinators of the coalitions a new member works in (their municipalities):
    those network.rules.coordinates_a_coalition_of lets approve them, told by members.services.alert_signup."""
    coalitions = CoalitionMunicipality.objects.filter(municipality__profiles=profile).values("coalition_id")
    return CoalitionCoordinator.objects.filter(
        coalition_id__in=coalitions, user__profile__status=Profile.Status.APPROVED
    ).values_list("user_id", flat=True)


# --- A person's own data ----------------------------------------------------------------------------


def export_member_data(user):
    """For 'download my data': the person's trekker terms, coalitions they coordinate, and joining requests."""
    return {
        "trekker_terms": [
            {
                "coalition": term.coalition.name,
                "role": term.role,
                "starts_on": term.starts_on.isoformat(),
                "ends_on": term.ends_on.isoformat() if term.ends_on else None,
            }
            for term in Trekker.objects.filter(profile__user=user).select_related("coalition").order_by("pk")
        ],
        "coordinates": [
            role.coalition.name for role in user.coalition_roles.select_related("coalition").order_by("pk")
        ],
        "joining_requests": [
            {
                "coalition": request.coalition.name,
                "organisation": request.organisation_label,
                "name": request.name,
                "email": request.email,
                "message": request.message,
                "state": request.state,
                "asked_at": request.created_at.isoformat(),
            }
            for request in JoinRequest.objects.filter(requester=user)
            .select_related("coalition", "organisation")
            .order_by("pk")
        ],
    }


def forget_account(user):
    """A deleted account leaves its joining requests (for the counts) without its name and address."""
    JoinRequest.objects.filter(requester=user).update(name="", email="")
