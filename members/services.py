"""Operations on members: profiles, approval, confirmation, organisations, offerings, export and deletion."""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.mail import Recipient, absolute_url, queue_mailing, send_mail
from coalition.roles import COORDINATOR, MEMBER
from coalition.rules import DomainError, ensure_permitted

from . import signals
from .models import (
    CONFIRMATION_REQUEST_AFTER,
    Municipality,
    Offering,
    Organisation,
    Profile,
    SignupAlert,
    Theme,
    User,
    offering_confirm_after,
)
from .photos import ProcessedImage

logger = logging.getLogger(__name__)

CONFIRMATION_SALT = "members.confirm-details"
# A confirmation link stays valid for one request period.
CONFIRMATION_MAX_AGE = int(CONFIRMATION_REQUEST_AFTER.total_seconds())

# Sections of a member's data export. Other apps append (key, function) pairs in their
# AppConfig.ready(); each function takes the user and returns JSON-serialisable data, e.g.
#     from members.services import EXPORTERS
#     EXPORTERS.append(("registrations", events.services.export_member_data))
EXPORTERS = []

# Who else hears of a new sign-up, besides the regional coordinators: functions (profile) -> user ids that a higher
# layer adds in its AppConfig.ready() — the network adds the coordinators of the coalitions the person works in
# (the same people members.rules.EXTRA_APPROVERS lets approve the sign-up).
SIGNUP_ALERT_RECIPIENTS = []


class MembershipError(DomainError):
    """A rule of the members app said no; `str()` is the translated message meant for people."""


# --- Profiles ----------------------------------------------------------------------------------


@transaction.atomic
def create_pending_profile(
    user: User,
    *,
    first_name: str = "",
    last_name: str = "",
    organisation: Organisation | None = None,
    job_title: str = "",
    discipline: str = "",
) -> Profile:
    """Give a new account its profile, awaiting a coordinator's approval (signup, or a first visit to 'me').

    Signup passes where the person works (organisation, job, discipline): the coordinator judges the request by it.
    """
    profile, created = Profile.objects.get_or_create(
        user=user,
        defaults={
            "first_name": first_name or user.first_name,
            "last_name": last_name or user.last_name,
            "organisation": organisation,
            "job_title": job_title.strip(),
            "discipline": discipline,
            "status": Profile.Status.PENDING,
            "details_confirmed_at": timezone.now(),
        },
    )
    if created:
        reindex_profiles(Profile.objects.filter(pk=profile.pk))
        alert_signup(profile)
    return profile


def reindex_profiles(queryset: QuerySet[Profile]) -> int:
    """Rebuild the folded search document of these profiles (after a change to what it covers)."""
    profiles = list(queryset.select_related("organisation").prefetch_related("themes", "municipalities").order_by())
    for profile in profiles:
        profile.search_text = profile.build_search_text()
    Profile.objects.bulk_update(profiles, ["search_text"], batch_size=500)
    return len(profiles)


@transaction.atomic
def save_profile(
    profile: Profile,
    *,
    by: User,
    municipalities: Iterable[Municipality] | None = None,
    themes: Iterable[Theme] | None = None,
    photo: ProcessedImage | None = None,
    remove_photo: bool = False,
) -> Profile:
    """Save a profile (the member's own form, or a coordinator in the admin); a replaced photo leaves the disk.

    The person's own edit counts as confirming their details are current; a coordinator's does not.
    `photo` is already validated and re-encoded (members.photos.process_image).
    """
    ensure_permitted(by, "members.edit_profile", profile)
    old_files = []
    if photo is not None or remove_photo:
        old_files = [f.name for f in (profile.photo, profile.photo_thumbnail) if f]
        profile.photo = photo.image if photo else ""
        profile.photo_thumbnail = photo.thumbnail if photo else ""
    if profile.user_id == by.pk:
        profile.details_confirmed_at = timezone.now()
    profile.save()
    if municipalities is not None:
        profile.municipalities.set(municipalities)
    if themes is not None:
        profile.themes.set(themes)
    reindex_profiles(Profile.objects.filter(pk=profile.pk))
    if municipalities is not None and profile.is_pending:
        # Where the person works is known now: the coordinators of the coalitions there hear of the sign-up too.
        alert_signup(profile)
    _delete_files_on_commit(old_files)
    return profile


def _delete_files_on_commit(names):
    def delete():
        for name in names:
            try:
                default_storage.delete(name)
            except OSError:
                logger.warning("could not delete file %s", name)

    if names:
        transaction.on_commit(delete)


# --- Approval ----------------------------------------------------------------------------------


@transaction.atomic
def approve(profile: Profile, *, by: User) -> Profile:
    """Approve a pending (or declined) member: they join the Member group and get a welcome mail.

    Sends members.signals.profile_approved directly, inside this transaction.
    """
    ensure_permitted(by, "members.approve_profile", profile)
    profile = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if profile.status == Profile.Status.APPROVED:
        raise MembershipError(_("%(name)s is already approved.") % {"name": profile})
    profile.status = Profile.Status.APPROVED
    profile.status_changed_at = timezone.now()
    profile.status_changed_by = by
    profile.details_confirmed_at = timezone.now()
    profile.save(
        update_fields=["status", "status_changed_at", "status_changed_by", "details_confirmed_at", "updated_at"]
    )
    profile.user.groups.add(Group.objects.get(name=MEMBER))
    send_mail(
        template="members/approved",
        to=profile.user,
        context={
            "first_name": profile.first_name,
            "directory_url": absolute_url(reverse("members:profile_list")),
            "me_url": absolute_url(reverse("members:me")),
        },
        description=_("Approved: %(email)s") % {"email": profile.user.email},
    )
    signals.profile_approved.send(sender=Profile, profile=profile)
    return profile


@transaction.atomic
def decline(profile: Profile, *, by: User, reason: str = "") -> Profile:
    """Decline a pending member; they keep their account but see nothing of the directory."""
    ensure_permitted(by, "members.approve_profile", profile)
    profile = Profile.objects.select_for_update().select_related("user").get(pk=profile.pk)
    if profile.status == Profile.Status.DECLINED:
        raise MembershipError(_("%(name)s is already declined.") % {"name": profile})
    if profile.user_id == by.pk:
        raise MembershipError(_("You cannot decline yourself."))
    profile.status = Profile.Status.DECLINED
    profile.status_changed_at = timezone.now()
    profile.status_changed_by = by
    profile.save(update_fields=["status", "status_changed_at", "status_changed_by", "updated_at"])
    profile.user.groups.remove(*Group.objects.filter(name=MEMBER))
    send_mail(
        template="members/declined",
        to=profile.user,
        context={"first_name": profile.first_name, "reason": reason.strip()},
        description=_("Declined: %(email)s") % {"email": profile.user.email},
    )
    return profile


# --- Telling coordinators of a sign-up ---------------------------------------------------------


def signup_alert_recipients(profile: Profile) -> QuerySet[User]:
    """Who may approve this sign-up and is mailed about it: the regional coordinators and the coordinators the
    registry adds (of the coalitions the person works in), active, with an address, never the person themselves."""
    extra = {user_id for find in SIGNUP_ALERT_RECIPIENTS for user_id in find(profile)}
    regional = Q(groups__name=COORDINATOR) | Q(is_superuser=True)
    return (
        User.objects.filter(regional | Q(pk__in=extra), is_active=True)
        .exclude(pk=profile.user_id)
        .exclude(email="")
        .distinct()
    )


def alert_signup(profile: Profile) -> int:
    """Tell each coordinator who may approve this pending sign-up about it, once: at once by mail, or in the next
    morning's digest, or not at all, as each chose (Profile.signup_alerts; without a profile: at once).

    Called when the sign-up comes in and again when its municipalities are saved; a coordinator told before is not
    told again. Returns how many were mailed now.
    """
    with transaction.atomic():
        # The profile's row is the lock: two saves at the same moment tell each coordinator once.
        Profile.objects.select_for_update().filter(pk=profile.pk).first()
        told = SignupAlert.objects.filter(profile=profile).values("recipient_id")
        choices = {
            pk: choice or Profile.SignupAlerts.EACH
            for pk, choice in signup_alert_recipients(profile)
            .exclude(pk__in=told)
            .values_list("pk", "profile__signup_alerts")
            .order_by("pk")
        }
        now = timezone.now()
        SignupAlert.objects.bulk_create(
            SignupAlert(
                profile=profile,
                recipient_id=pk,
                digest=choice == Profile.SignupAlerts.DIGEST,
                mailed_at=None if choice == Profile.SignupAlerts.DIGEST else now,
            )
            for pk, choice in choices.items()
            if choice != Profile.SignupAlerts.OFF
        )
        mailed_now = [pk for pk, choice in choices.items() if choice == Profile.SignupAlerts.EACH]
        if not mailed_now:
            return 0
        recipients = [
            Recipient(email=user.email, name=user.get_full_name())
            for user in User.objects.filter(pk__in=mailed_now).order_by("pk")
        ]
        queue_mailing(
            template="members/signup",
            recipients=recipients,
            context={**_signup_line(profile), "cockpit_url": absolute_url(reverse("cockpit:todo"))},
            description=_("New sign-up: %(email)s") % {"email": profile.user.email},
        )
        return len(recipients)


def send_signup_digests(*, now: datetime | None = None) -> int:
    """Mail each coordinator who chose the daily digest the sign-ups they were not told of yet and that still wait.

    Safe to run twice (and side by side): the alerts are claimed under a lock and marked mailed in the same
    transaction as the mail is queued. Returns how many coordinators were mailed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimed = list(
            SignupAlert.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(mailed_at__isnull=True, digest=True, created_at__lte=now)
            .select_related("profile__organisation", "recipient__profile")
            .order_by("recipient_id", "profile__created_at", "profile_id")
        )
        if not claimed:
            return 0
        SignupAlert.objects.filter(pk__in=[alert.pk for alert in claimed]).update(mailed_at=now)
        per_recipient = {}
        for alert in claimed:
            recipient = alert.recipient
            choice = getattr(getattr(recipient, "profile", None), "signup_alerts", Profile.SignupAlerts.DIGEST)
            # Switched off since, or handled before the morning: marked, not mailed.
            if choice == Profile.SignupAlerts.OFF or not alert.profile.is_pending or not recipient.is_active:
                continue
            per_recipient.setdefault(recipient, []).append(alert.profile)
        if not per_recipient:
            return 0
        queue_mailing(
            template="members/signup_digest",
            recipients=[
                Recipient(
                    email=recipient.email,
                    name=recipient.get_full_name(),
                    context={"signups": [_signup_line(profile) for profile in profiles], "signup_count": len(profiles)},
                )
                for recipient, profiles in per_recipient.items()
            ],
            context={"cockpit_url": absolute_url(reverse("cockpit:todo"))},
            description=_("Sign-ups of the day"),
        )
        return len(per_recipient)


def _signup_line(profile: Profile) -> dict[str, str]:
    return {
        "name": str(profile),
        "organisation": profile.organisation.name if profile.organisation else "",
        "job_title": profile.job_title,
    }


# --- Keeping details current -------------------------------------------------------------------


def confirmation_token(profile: Profile) -> str:
    return signing.dumps({"profile": profile.pk}, salt=CONFIRMATION_SALT, compress=True)


def profile_for_confirmation_token(token: str) -> Profile | None:
    """The profile a confirmation link is for, or None when the link is forged, expired or stale."""
    try:
        payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return Profile.objects.filter(pk=payload.get("profile")).select_related("user").first()


@transaction.atomic
def confirm_details(profile: Profile) -> Profile:
    """The member says their details are still correct."""
    profile.details_confirmed_at = timezone.now()
    profile.save(update_fields=["details_confirmed_at", "updated_at"])
    return profile


def request_confirmations(*, now: datetime | None = None) -> int:
    """Ask every approved member whose details were not confirmed for six months to confirm them.

    At most once per period: someone is asked again only when they were not asked since their
    last confirmation, or were asked more than a period ago. Safe to run twice.
    """
    now = now or timezone.now()
    cutoff = now - CONFIRMATION_REQUEST_AFTER
    due = (
        Profile.objects.approved()
        .filter(details_confirmed_at__lt=cutoff)
        .filter(Q(confirmation_requested_at__isnull=True) | Q(confirmation_requested_at__lt=cutoff))
        .select_related("user")
    )
    asked = 0
    for profile_id in due.values_list("pk", flat=True).iterator():
        asked += _request_confirmation(profile_id, cutoff=cutoff, now=now)
    return asked


@transaction.atomic
def _request_confirmation(profile_id, *, cutoff, now):
    profile = (
        Profile.objects.select_for_update()
        .select_related("user")
        .filter(pk=profile_id, details_confirmed_at__lt=cutoff)
        .filter(Q(confirmation_requested_at__isnull=True) | Q(confirmation_requested_at__lt=cutoff))
        .first()
    )
    if profile is None:  # confirmed or asked by a concurrent run meanwhile
        return 0
    profile.confirmation_requested_at = now
    profile.save(update_fields=["confirmation_requested_at"])
    send_mail(
        template="members/confirm_details",
        to=profile.user,
        context={
            "first_name": profile.first_name,
            "confirm_url": absolute_url(reverse("members:confirm_details", args=[confirmation_token(profile)])),
            "me_url": absolute_url(reverse("members:me")),
            "confirmed_on": timezone.localtime(profile.details_confirmed_at).date().isoformat(),
        },
        description=_("Confirm details: %(email)s") % {"email": profile.user.email},
    )
    return 1


# --- Organisations and offerings ---------------------------------------------------------------


@transaction.atomic
def save_organisation(
    organisation: Organisation,
    *,
    by: User,
    municipalities: Iterable[Municipality] | None = None,
    contacts: Iterable[Profile] | None = None,
    logo: ProcessedImage | None = None,
    remove_logo: bool = False,
) -> Organisation:
    """Save an organisation's page (its contacts on the site, coordinators in the admin).

    Its people's search documents follow a change of name; a replaced logo leaves the disk.
    """
    ensure_permitted(by, "members.edit_organisation", organisation)
    before = (
        Organisation.objects.filter(pk=organisation.pk).values(*PROPAGATED_FIELDS).first() if organisation.pk else None
    )
    old_files = []
    if logo is not None or remove_logo:
        old_files = [f.name for f in (organisation.logo, organisation.logo_thumbnail) if f]
        organisation.logo = logo.image if logo else ""
        organisation.logo_thumbnail = logo.thumbnail if logo else ""
    organisation.save()
    if municipalities is not None:
        organisation.municipalities.set(municipalities)
    if contacts is not None:
        organisation.contacts.set(contacts)
        release_former_contacts(organisation)
    reindex_profiles(Profile.objects.filter(organisation=organisation))
    if before is not None:
        follow_organisation_contact_change(organisation, before=before)
        reindex_offerings(organisation.offerings.all())
    _delete_files_on_commit(old_files)
    return organisation


@transaction.atomic
def save_offering(
    offering: Offering,
    *,
    by: User,
    municipalities: Iterable[Municipality] | None = None,
    themes: Iterable[Theme] | None = None,
) -> Offering:
    """Save an offering on the parents' route (its organisation's contacts on the site, coordinators in the admin)."""
    ensure_permitted(by, "members.edit_offering", offering)
    # Whoever saves it has looked at it: a pending review note is done with. When one of the organisation's own
    # contacts saves it, that also counts as confirming it is right (as a member's own edit confirms a profile).
    offering.needs_review = ""
    if offering.organisation.contacts.filter(user=by).exists():
        offering.confirmed_at = timezone.now()
    offering.save()
    if municipalities is not None:
        offering.municipalities.set(municipalities)
    if themes is not None:
        offering.themes.set(themes)
    reindex_offerings(Offering.objects.filter(pk=offering.pk))
    return offering


# --- Offerings that stay current -----------------------------------------------------------------
# The same cycle as a profile's: after OFFERING_CONFIRM_MONTHS the organisation's contacts get one mail listing its
# offerings due, each with a signed one-button link (a POST, so link scanners cannot confirm); after
# OFFERING_OUTDATED_MONTHS unconfirmed the route and the admin mark an offering possibly outdated.

OFFERING_CONFIRMATION_SALT = "members.confirm-offering"
# The contact details of an organisation that its offerings may repeat: when one changes, they follow.
PROPAGATED_FIELDS = ("phone", "email", "address")


def reindex_offerings(queryset: QuerySet[Offering]) -> int:
    """Rebuild the folded search document of these offerings (after a change to what it covers)."""
    offerings = list(queryset.select_related("organisation").prefetch_related("themes", "municipalities").order_by())
    for offering in offerings:
        offering.search_text = offering.build_search_text()
    Offering.objects.bulk_update(offerings, ["search_text"], batch_size=500)
    return len(offerings)


def offering_confirmation_token(offering: Offering) -> str:
    return signing.dumps({"offering": offering.pk}, salt=OFFERING_CONFIRMATION_SALT, compress=True)


def offering_for_confirmation_token(token: str) -> Offering | None:
    """The offering a confirmation link is for, or None when the link is forged, expired or its offering gone."""
    max_age = int(offering_confirm_after().total_seconds())
    try:
        payload = signing.loads(token, salt=OFFERING_CONFIRMATION_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return Offering.objects.filter(pk=payload.get("offering")).select_related("organisation").first()


@transaction.atomic
def confirm_offering(offering: Offering, *, now: datetime | None = None) -> Offering:
    """A contact of the organisation says the offering is still right (the signed link is their authority)."""
    offering.confirmed_at = now or timezone.now()
    offering.needs_review = ""
    offering.save(update_fields=["confirmed_at", "needs_review", "updated_at"])
    return offering


def _offerings_due(cutoff):
    return (
        Offering.objects.active()
        .filter(confirmed_at__lt=cutoff)
        .filter(Q(confirmation_requested_at__isnull=True) | Q(confirmation_requested_at__lt=cutoff))
    )


def request_offering_confirmations(*, now: datetime | None = None) -> int:
    """Ask the contacts of each organisation with offerings unconfirmed for a period, in one mail per organisation.

    An offering is asked about at most once per period (as profiles are); safe to run twice, also concurrently.
    Returns the number of mails queued. An organisation without an approved contact with an address is skipped
    and asked again on a later run, once it has one.
    """
    now = now or timezone.now()
    cutoff = now - offering_confirm_after()
    organisation_ids = _offerings_due(cutoff).values_list("organisation_id", flat=True).distinct().order_by()
    return sum(_request_offering_confirmation(pk, cutoff=cutoff, now=now) for pk in list(organisation_ids))


@transaction.atomic
def _request_offering_confirmation(organisation_id, *, cutoff, now):
    contacts = list(
        Profile.objects.approved().filter(contact_for=organisation_id).exclude(user__email="").select_related("user")
    )
    if not contacts:
        return 0
    # Locked so a concurrent run finds them asked (skip_locked: it passes them by instead of waiting and mailing).
    offerings = list(
        _offerings_due(cutoff)
        .filter(organisation_id=organisation_id)
        .select_for_update(skip_locked=True)
        .select_related("organisation")
        .order_by("title", "pk")
    )
    if not offerings:  # confirmed or asked by a concurrent run meanwhile
        return 0
    Offering.objects.filter(pk__in=[o.pk for o in offerings]).update(confirmation_requested_at=now)
    organisation = offerings[0].organisation
    queue_mailing(
        template="members/offering_confirm",
        recipients=[Recipient(email=p.user.email, name=p.full_name) for p in contacts],
        context={
            "organisation": organisation.name,
            "offerings": [
                {
                    "title": offering.title,
                    "confirm_url": absolute_url(
                        reverse("members:offering_confirm", args=[offering_confirmation_token(offering)])
                    ),
                    "edit_url": absolute_url(reverse("members:offering_edit", args=[organisation.slug, offering.pk])),
                    "confirmed_on": timezone.localtime(offering.confirmed_at).date().isoformat(),
                }
                for offering in offerings
            ],
            "organisation_url": absolute_url(organisation.get_absolute_url()),
        },
        description=_("Confirm offerings: %(organisation)s") % {"organisation": organisation.name},
    )
    return 1


def release_former_contacts(organisation: Organisation) -> int:
    """Offerings whose contact person is no longer one of the organisation's contacts lose them, with a note to check.

    Members would otherwise be sent to someone who no longer speaks for the offering; its public phone and e-mail stay.
    """
    offerings = list(
        organisation.offerings.filter(contact_person__isnull=False)
        .exclude(contact_person__in=organisation.contacts.all())
        .select_related("contact_person")
    )
    for offering in offerings:
        note = _("%(name)s is no longer a contact of the organisation: choose another contact person.") % {
            "name": offering.contact_person
        }
        offering.contact_person = None
        offering.needs_review = f"{offering.needs_review}\n{note}".strip()
        offering.save(update_fields=["contact_person", "needs_review"])
    return len(offerings)


def follow_organisation_contact_change(organisation: Organisation, *, before: dict[str, str]) -> int:
    """After the organisation's phone, e-mail or address changed, its offerings follow or are marked for review.

    An offering that repeated the old value gets the new one; one with a value of its own, different from the old,
    may have meant the organisation's too, so it gets a note for its contacts and the coordinators to check.
    Called inside save_organisation's transaction; returns the number of offerings changed or marked.
    """
    labels = {"phone": _("phone"), "email": _("e-mail"), "address": _("address")}
    touched = 0
    for field in PROPAGATED_FIELDS:
        old, new = (before.get(field) or "").strip(), (getattr(organisation, field) or "").strip()
        if old == new:
            continue
        offerings = organisation.offerings.all()
        if old:
            touched += offerings.filter(**{field: old}).update(**{field: new}, updated_at=timezone.now())
        note = _("The organisation's %(field)s changed from “%(old)s” to “%(new)s”; check this offering's.") % {
            "field": labels[field],
            "old": old,
            "new": new,
        }
        for offering in offerings.exclude(**{field: ""}).exclude(**{field: new}).only("pk", "needs_review"):
            offering.needs_review = f"{offering.needs_review}\n{note}".strip()
            offering.save(update_fields=["needs_review"])
            touched += 1
    return touched


# --- Export and deletion -----------------------------------------------------------------------


def export_data(user: User) -> dict[str, Any]:
    """Everything the portal holds about a user, as JSON-serialisable sections."""
    data = {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        }
    }
    profile = (
        Profile.objects.filter(user=user)
        .select_related("organisation")
        .prefetch_related(
            "municipalities", "themes", Prefetch("contact_for", queryset=Organisation.objects.only("name"))
        )
        .first()
    )
    if profile:
        data["profile"] = {
            "first_name": profile.first_name,
            "last_name": profile.last_name,
            "job_title": profile.job_title,
            "level": profile.level,
            "discipline": profile.discipline,
            "organisation": profile.organisation.name if profile.organisation else None,
            "municipalities": [m.name for m in profile.municipalities.all()],
            "themes": [t.name for t in profile.themes.all()],
            "direct_phone": profile.direct_phone,
            "team_phone": profile.team_phone,
            "availability": profile.availability,
            "bio": profile.bio,
            "photo": absolute_url(profile.photo.url) if profile.photo else None,
            "is_ambassador": profile.is_ambassador,
            "status": profile.status,
            "phone_visibility": profile.phone_visibility,
            "email_visibility": profile.email_visibility,
            "is_listed": profile.is_listed,
            "details_confirmed_at": profile.details_confirmed_at.isoformat(),
            "created_at": profile.created_at.isoformat(),
            "contact_for_organisations": [o.name for o in profile.contact_for.all()],
        }
    for key, exporter in EXPORTERS:
        data[key] = exporter(user)
    return data


@transaction.atomic
def delete_account(user: User) -> None:
    """Delete an account and its profile for good.

    Rows of other apps that point at the user or profile use on_delete=SET_NULL and stay,
    anonymised, so coordinators' counts are kept; receivers of members.signals.account_deleting
    scrub copies of personal data they keep in their own rows.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_superuser and not User.objects.filter(is_superuser=True, is_active=True).exclude(pk=user.pk).exists():
        raise MembershipError(_("The last administrator account cannot be deleted."))
    signals.account_deleting.send(sender=User, user=user)
    profile = Profile.objects.filter(user=user).first()
    files = [f.name for f in (profile.photo, profile.photo_thumbnail) if f] if profile else []
    user.delete()
    _delete_files_on_commit(files)
