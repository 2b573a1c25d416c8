"""What changes groups: joining and leaving, the action list and its history, documents, and what members are told.

Every function takes the objects acted on first and the rest keyword-only, runs in one transaction, raises a
DomainError (coalition.rules) with a translated message when a rule says no, and checks the acting person (`by=`)
with the rules (groups/rules.py).
"""

from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.mail import Recipient, absolute_url, queue_mailing, send_mail
from coalition.models import Mailing
from coalition.rules import DomainError, ensure_permitted
from members.models import Profile

from .models import Group, Membership, Notice
from .rules import forget_group_roles


class GroupError(DomainError):
    """A rule of groups said no; `field` names the form field the message belongs at (or None)."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


# --- Memberships: starting a group, joining, inviting, leaving -------------------------------------------------


def approved_profile_of(user):
    """The approved member behind an account, or None (a guest, a pending person, a coordinator without a profile)."""
    profile = getattr(user, "profile", None) if user is not None and user.is_authenticated else None
    return profile if profile is not None and profile.is_approved and user.is_active else None


def _locked(membership):
    """The membership as it is now, locked for the rest of the transaction; gone if someone removed it meanwhile."""
    current = Membership.objects.select_for_update().select_related("group", "profile__user").filter(pk=membership.pk)
    found = current.first()
    if found is None:
        raise GroupError(_("This membership no longer exists; someone else may have answered it already."))
    return found


def _portal(message, **values):
    """A notice's text in the portal's language (it is stored and mailed), whatever language the actor reads."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(message) % values


def _active_coordinator_profiles(group):
    return [
        membership.profile
        for membership in Membership.objects.coordinators().filter(group=group).select_related("profile__user")
    ]


def _forget(*profiles_or_users):
    for item in profiles_or_users:
        user = getattr(item, "user", item)
        if user is not None:
            forget_group_roles(user)


def start_group(
    *, name, slug, purpose, by, coalition=None, kind=Group.Kind.WORKING_GROUP, joining=Group.Joining.ON_REQUEST,
    focus_points=(), coordinator=None,
):  # fmt: skip
    """Start a group of `coalition` (None: a regional group). The starter becomes its group coordinator, unless
    `coordinator` (an approved member's profile) is named instead."""
    ensure_permitted(by, "groups.start_group", coalition)
    coordinator = coordinator or approved_profile_of(by)
    if coordinator is not None and not coordinator.is_approved:
        raise GroupError(_("A group coordinator must be an approved member of the network."), field="coordinator")
    if Group.objects.filter(slug=slug).exists():
        raise GroupError(_("Another group already has this web address; choose another one."), field="slug")
    with transaction.atomic():
        group = Group.objects.create(
            name=name, slug=slug, purpose=purpose, coalition=coalition, kind=kind, joining=joining, created_by=by
        )
        group.focus_points.set(focus_points)
        if coordinator is not None:
            Membership.objects.create(
                group=group,
                profile=coordinator,
                role=Membership.Role.COORDINATOR,
                state=Membership.State.ACTIVE,
                joined_at=timezone.now(),
                decided_by=by,
            )
    _forget(by, coordinator)
    return group


def join(group, *, by, message=""):
    """Join an open group at once, or ask to join one that takes requests (its coordinators are told).

    Guests and people not (yet) approved never join; a group that takes members by invitation only says so."""
    if approved_profile_of(by) is None:
        raise GroupError(_("Only approved members of the network can join a group."))
    if group.is_archived:
        raise GroupError(_("This group is archived and takes no new members."))
    if group.joining == Group.Joining.BY_INVITATION:
        raise GroupError(
            _(
                "This group takes members by invitation only. Ask one of its group coordinators if you would like "
                "to take part."
            ),
            field="message",
        )
    ensure_permitted(by, "groups.join", group)
    profile = by.profile
    is_open = group.joining == Group.Joining.OPEN
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                group=group,
                profile=profile,
                state=Membership.State.ACTIVE if is_open else Membership.State.REQUESTED,
                joined_at=timezone.now() if is_open else None,
                message=message.strip(),
            )
            if not is_open:
                notify(
                    _active_coordinator_profiles(group),
                    group=group,
                    kind=Notice.Kind.JOIN_REQUEST,
                    text=_portal(
                        gettext_lazy("%(name)s asks to join %(group)s."), name=profile.full_name, group=group.name
                    ),
                    url=reverse("groups:manage_members", kwargs={"slug": group.slug}),
                )
    except IntegrityError:
        # A second click at the same moment: the first one made the row.
        raise GroupError(_("You are already in this group, or have asked or been invited.")) from None
    _forget(by)
    return membership


def accept_request(membership, *, by):
    """A group coordinator (or a coordinator of its coalition or the region) accepts a request to join."""
    ensure_permitted(by, "groups.manage_group", membership.group)
    with transaction.atomic():
        membership = _locked(membership)
        if membership.state != Membership.State.REQUESTED:
            raise GroupError(_("This request has been answered already."))
        membership.state = Membership.State.ACTIVE
        membership.joined_at = timezone.now()
        membership.decided_by = by
        membership.save(update_fields=["state", "joined_at", "decided_by"])
        group = membership.group
        notify(
            [membership.profile],
            group=group,
            kind=Notice.Kind.ACCEPTED,
            text=_portal(gettext_lazy("You are now a member of %(group)s."), group=group.name),
            url=group.get_absolute_url(),
        )
    _forget(membership.profile)
    return membership


def decline_request(membership, *, by):
    """Decline a request to join: the row goes, so the person may ask again later; they are told by mail."""
    ensure_permitted(by, "groups.manage_group", membership.group)
    with transaction.atomic():
        membership = _locked(membership)
        if membership.state != Membership.State.REQUESTED:
            raise GroupError(_("This request has been answered already."))
        profile, group = membership.profile, membership.group
        membership.delete()
        # Their own request's answer: a plain mail, not a notification they could have switched off.
        if profile.user.email:
            send_mail(
                template="groups/request_declined",
                to=Recipient(email=profile.user.email, name=profile.full_name),
                context={"group_name": group.name, "group_url": absolute_url(group.get_absolute_url())},
                description=f"{group.name}: request declined"[:300],
            )
    _forget(profile)


def invite(group, *, profile, by, message=""):
    """Invite an approved member to the group; they are told, with a link to accept. A pending request of
    theirs is accepted instead."""
    ensure_permitted(by, "groups.manage_group", group)
    if group.is_archived:
        raise GroupError(_("This group is archived and takes no new members."))
    if profile is None or not profile.is_approved or not profile.user.is_active:
        raise GroupError(_("Only approved members of the network can be invited."), field="profile")
    with transaction.atomic():
        existing = Membership.objects.select_for_update().filter(group=group, profile=profile).first()
        if existing is not None and existing.state == Membership.State.REQUESTED:
            return accept_request(existing, by=by)
        if existing is not None:
            raise GroupError(
                _("%(name)s is already in this group, or has been invited.") % {"name": profile.full_name},
                field="profile",
            )
        membership = Membership.objects.create(
            group=group, profile=profile, state=Membership.State.INVITED, invited_by=by, message=message.strip()
        )
        notify(
            [profile],
            group=group,
            kind=Notice.Kind.INVITATION,
            text=_portal(
                gettext_lazy(
                    "You are invited to join %(group)s. Accept or decline the invitation on the group's page."
                ),
                group=group.name,
            ),
            url=group.get_absolute_url(),
        )
    _forget(profile)
    return membership


def _own_invitation(group, by):
    ensure_permitted(by, "groups.accept_invitation", group)
    invitation = Membership.objects.filter(group=group, profile__user=by, state=Membership.State.INVITED).first()
    if invitation is None:
        raise GroupError(_("There is no open invitation for you to this group."))
    return _locked(invitation)


def accept_invitation(group, *, by):
    with transaction.atomic():
        membership = _own_invitation(group, by)
        membership.state = Membership.State.ACTIVE
        membership.joined_at = timezone.now()
        membership.save(update_fields=["state", "joined_at"])
    _forget(by)
    return membership


def decline_invitation(group, *, by):
    with transaction.atomic():
        _own_invitation(group, by).delete()
    _forget(by)


def leave(group, *, by, successor=None):
    """Leave a group. The last group coordinator names a member who takes over (`successor`) first."""
    ensure_permitted(by, "groups.leave", group)
    with transaction.atomic():
        membership = _locked(Membership.objects.get(group=group, profile__user=by))
        if membership.is_coordinator:
            others = Membership.objects.coordinators().filter(group=group).exclude(pk=membership.pk)
            if not others.exists():
                if successor is None:
                    raise GroupError(
                        _(
                            "You are the last group coordinator of this group. Name a member who takes over from "
                            "you before you leave."
                        ),
                        field="successor",
                    )
                taking_over = Membership.objects.active().filter(group=group, profile=successor).first()
                if taking_over is None or taking_over.pk == membership.pk:
                    raise GroupError(_("Choose an active member of this group to take over."), field="successor")
                taking_over.role = Membership.Role.COORDINATOR
                taking_over.save(update_fields=["role"])
                _forget(successor)
        membership.delete()
    _forget(by)


def set_role(membership, *, role, by):
    """Make a member a group coordinator, or a coordinator a member again (never the last coordinator)."""
    ensure_permitted(by, "groups.manage_group", membership.group)
    with transaction.atomic():
        membership = _locked(membership)
        if not membership.is_active:
            raise GroupError(_("Only an active member can be a group coordinator."))
        if role == Membership.Role.MEMBER and membership.is_coordinator:
            others = Membership.objects.coordinators().filter(group=membership.group).exclude(pk=membership.pk)
            if not others.exists():
                raise GroupError(_("A group keeps at least one group coordinator: make another member one first."))
        membership.role = role
        membership.save(update_fields=["role"])
    _forget(membership.profile)
    return membership


def make_coordinator(membership, *, by):
    return set_role(membership, role=Membership.Role.COORDINATOR, by=by)


def unmake_coordinator(membership, *, by):
    return set_role(membership, role=Membership.Role.MEMBER, by=by)


def remove_member(membership, *, by):
    """Take someone out of a group (or withdraw an invitation); never the last group coordinator."""
    ensure_permitted(by, "groups.manage_group", membership.group)
    with transaction.atomic():
        membership = _locked(membership)
        if membership.is_coordinator:
            others = Membership.objects.coordinators().filter(group=membership.group).exclude(pk=membership.pk)
            if not others.exists():
                raise GroupError(_("A group keeps at least one group coordinator: make another member one first."))
        profile = membership.profile
        membership.delete()
    _forget(profile)


def archive_group(group, *, by):
    """An archived group keeps its record but takes no new members and no work. Doing it twice changes nothing."""
    ensure_permitted(by, "groups.manage_group", group)
    with transaction.atomic():
        Group.objects.filter(pk=group.pk, archived_at__isnull=True).update(archived_at=timezone.now())
    group.refresh_from_db(fields=["archived_at"])
    return group


def set_notifications(group, *, by, notifications):
    """A member chooses how they hear about this group: a mail for each thing, a daily digest, or nothing."""
    ensure_permitted(by, "groups.choose_notifications", group)
    if notifications not in Membership.Notifications.values:
        raise GroupError(_("Choose one of the options."), field="notifications")
    with transaction.atomic():
        Membership.objects.filter(group=group, profile__user=by).update(notifications=notifications)


# --- Telling members ------------------------------------------------------------------------------------------

STOP_SALT = "groups.notifications.stop"
# What concerns a person themselves: told even when they are not (or no longer) an active member of the group.
PERSONAL_KINDS = frozenset({Notice.Kind.INVITATION, Notice.Kind.ACCEPTED, Notice.Kind.ACTION_ASSIGNED})


def stop_token(profile_id, group_ids):
    return signing.dumps({"p": profile_id, "g": sorted(group_ids)}, salt=STOP_SALT, compress=True)


def stop_url(profile_id, group_ids):
    """The one-click link (GET asks, POST does it: RFC 8058) that switches these groups' mails off for one person."""
    return absolute_url(reverse("groups:stop_notifications", kwargs={"token": stop_token(profile_id, group_ids)}))


def read_stop_token(token):
    """(profile, [groups]) of a genuine link; raises GroupError otherwise."""
    try:
        data = signing.loads(token, salt=STOP_SALT)
        profile_id, group_ids = int(data["p"]), [int(pk) for pk in data["g"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise GroupError(_("This link is not valid. Use the link from the mail itself.")) from None
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None:
        raise GroupError(_("This link is not valid. Use the link from the mail itself."))
    return profile, list(Group.objects.filter(pk__in=group_ids))


def stop_notifications(profile, groups):
    """The one-click stop: no more mails about these groups for this person. Doing it twice changes nothing."""
    return Membership.objects.filter(profile=profile, group__in=groups).update(
        notifications=Membership.Notifications.OFF
    )


def _settings_url(group):
    return absolute_url(reverse("groups:group_detail", kwargs={"slug": group.slug}) + "#notifications")


def _wanted(profiles, group, kind):
    """{profile: notifications setting} of those to tell: members as their setting says (OFF: nobody), others
    only about what concerns them."""
    memberships = {
        m.profile_id: m for m in Membership.objects.filter(group=group, profile__in=[p.pk for p in profiles])
    }
    wanted = {}
    for profile in profiles:
        membership = memberships.get(profile.pk)
        if membership is None or not membership.is_active:
            if kind not in PERSONAL_KINDS:
                continue
            choice = membership.notifications if membership is not None else Membership.Notifications.EACH
        else:
            choice = membership.notifications
        if choice != Membership.Notifications.OFF:
            wanted[profile] = choice
    return wanted


@transaction.atomic
def notify(profiles, *, group, kind, text, url=""):
    """Tell these people something about `group`: a Notice each, mailed at once or in their daily digest, or not at
    all, as each person's membership says (Membership.notifications). `text` is one line in Dutch; `url` a path."""
    unique = {}
    for profile in profiles:
        if profile is not None:
            unique.setdefault(profile.pk, profile)
    wanted = _wanted(list(unique.values()), group, kind)
    if not wanted:
        return []
    now = timezone.now()
    notices = Notice.objects.bulk_create(
        Notice(
            profile=profile,
            group=group,
            kind=kind,
            text=text[:500],
            url=url,
            mailed_at=now if choice == Membership.Notifications.EACH else None,
        )
        for profile, choice in wanted.items()
    )
    at_once = [p for p, choice in wanted.items() if choice == Membership.Notifications.EACH]
    users = {u.pk: u for u in Profile.objects.filter(pk__in=[p.pk for p in at_once]).select_related("user")}
    recipients = []
    for profile in at_once:
        user = users[profile.pk].user
        if not user.email or not user.is_active:
            continue
        recipients.append(
            Recipient(
                email=user.email,
                name=profile.full_name,
                context={
                    "text": text,
                    "url": absolute_url(url) if url else "",
                    "unsubscribe_url": stop_url(profile.pk, [group.pk]),
                    "settings_url": _settings_url(group),
                },
            )
        )
    if recipients:
        with translation.override(settings.LANGUAGE_CODE):
            label = str(Notice.Kind(kind).label)
        queue_mailing(
            template="groups/notice",
            recipients=recipients,
            context={"group_name": group.name, "kind": label},
            kind=Mailing.Kind.GROUP_NOTICE,
            description=f"{group.name}: {label}"[:300],
        )
    return notices


def send_digests(*, now=None):
    """Mail each person one digest of every notice not mailed yet, over all their groups, and mark them mailed.
    Safe to run twice (and side by side): the notices are claimed under a lock, so each is mailed once. Returns
    how many people were mailed."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = list(
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(mailed_at__isnull=True, created_at__lte=now)
            .select_related("group", "profile__user")
            .order_by("profile_id", "group__name", "created_at", "pk")
        )
        if not claimed:
            return 0
        Notice.objects.filter(pk__in=[n.pk for n in claimed]).update(mailed_at=now)
        choices = {
            (profile_id, group_id): (state, choice)
            for profile_id, group_id, state, choice in Membership.objects.filter(
                profile__in={n.profile_id for n in claimed}
            ).values_list("profile_id", "group_id", "state", "notifications")
        }
        per_person = defaultdict(list)
        for notice in claimed:
            state, choice = choices.get((notice.profile_id, notice.group_id), (None, Membership.Notifications.EACH))
            # Switched off since, or left the group and it does not concern them: marked, not mailed.
            if choice == Membership.Notifications.OFF:
                continue
            if state != Membership.State.ACTIVE and notice.kind not in PERSONAL_KINDS:
                continue
            per_person[notice.profile_id].append(notice)
        recipients = []
        for notices in per_person.values():
            profile = notices[0].profile
            if not profile.user.email or not profile.user.is_active:
                continue
            by_group = {}
            for notice in notices:
                by_group.setdefault(notice.group_id, (notice.group, []))[1].append(notice)
            recipients.append(
                Recipient(
                    email=profile.user.email,
                    name=profile.full_name,
                    context={
                        "groups": [
                            {
                                "name": group.name,
                                "settings_url": _settings_url(group),
                                "stop_url": stop_url(profile.pk, [group.pk]),
                                "notices": [
                                    {"text": n.text, "url": absolute_url(n.url) if n.url else ""} for n in items
                                ],
                            }
                            for group, items in by_group.values()
                        ],
                        "unsubscribe_url": stop_url(profile.pk, list(by_group)),
                    },
                )
            )
        if recipients:
            queue_mailing(
                template="groups/digest",
                recipients=recipients,
                kind=Mailing.Kind.GROUP_NOTICE,
                description="Daily digest of groups",
            )
    return len(recipients)
