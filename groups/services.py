"""What changes groups: joining and leaving, the action list and its history, documents, and what members are told.

Every function takes the objects acted on first and the rest keyword-only, runs in one transaction, raises a
DomainError (coalition.rules) with a translated message when a rule says no, and checks the acting person (`by=`)
with the rules (groups/rules.py).
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Prefetch, Q, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coalition.mail import Recipient, absolute_url, queue_mailing, send_mail
from coalition.models import Mailing
from coalition.rules import DomainError, ensure_permitted
from coalition.storage import validate_document
from members.models import Profile

from .models import Action, ActionChange, Document, Group, Membership, Notice, validate_not_in_past
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


def in_portal_language(text_maker):
    """What is stored for people to read later (history, notices) is in the portal's language, not the actor's."""
    with translation.override(settings.LANGUAGE_CODE):
        return text_maker()


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
                    text=in_portal_language(
                        lambda: _("%(name)s asks to join %(group)s.") % {"name": profile.full_name, "group": group.name}
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
            text=in_portal_language(lambda: _("You are now a member of %(group)s.") % {"group": group.name}),
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
            text=in_portal_language(
                lambda: (
                    _("You are invited to join %(group)s. Accept or decline the invitation on the group's page.")
                    % {"group": group.name}
                )
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
        label = in_portal_language(lambda: str(Notice.Kind(kind).label))
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


# --- The action list, its history and the group's documents (issue 18: actions, documents, "my actions") -------


# What update_action was not given: None is a value (no due date, no result document).
UNCHANGED = object()

# The fields of an action its history records, in the order a change lists them.
TRACKED_FIELDS = (
    "title",
    "description",
    "owners",
    "due_on",
    "status",
    "progress_note",
    "result_url",
    "result_document",
)


def readable_value(field, value):
    """A value of an action as its history shows it: names, dates and labels rather than ids and codes."""
    if value is None or value == "":
        return ""
    if field == "owners":
        return ", ".join(sorted((profile.full_name for profile in value), key=str.casefold))
    if field == "due_on":
        return in_portal_language(lambda: date_format(value, "SHORT_DATE_FORMAT"))
    if field == "status":
        return in_portal_language(lambda: str(Action.Status(value).label))
    if field == "result_document":
        return value.title
    return str(value)


def _check_not_archived(group):
    if group.is_archived:
        raise GroupError(_("This group is archived: it takes no new work."))


def _check_owners(group, owners, *, already=()):
    """One or more owners, each an active member of `group`; every outsider named at the field. Those in
    `already` (an action's owners before a change) may stay after they left the group: the record keeps them."""
    owners = list(owners)
    if not owners:
        raise GroupError(_("Choose at least one member who does this."), field="owners")
    kept = {profile.pk for profile in already}
    newcomers = [profile for profile in owners if profile.pk not in kept]
    members = set(
        Membership.objects.active().filter(group=group, profile__in=newcomers).values_list("profile_id", flat=True)
    )
    outsiders = [profile for profile in newcomers if profile.pk not in members]
    if outsiders:
        raise GroupError(
            " ".join(_("%(name)s is not a member of this group.") % {"name": p.full_name} for p in outsiders),
            field="owners",
        )
    return owners


def _check_due_on(due_on):
    try:
        validate_not_in_past(due_on)
    except ValidationError as error:
        raise GroupError(error.messages[0], field="due_on") from None


def _check_result_document(group, document):
    if document is not None and document.group_id != group.pk:
        raise GroupError(_("Choose one of this group's documents as the result."), field="result_document")


def _check_length(action):
    """The model's own limits (lengths, a valid link): their first message at its field."""
    try:
        action.full_clean(exclude=["group", "owners", "result_document", "created_by", "due_on"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise GroupError(messages[0], field=None if field == "__all__" else field) from None


def _tell_owners(action, profiles, *, by):
    """New owners hear that an action is theirs; not the person who assigned it to themselves."""
    profiles = [profile for profile in profiles if by is None or profile.user_id != by.pk]
    if profiles:
        notify(
            profiles,
            group=action.group,
            kind=Notice.Kind.ACTION_ASSIGNED,
            text=in_portal_language(lambda: _("Action for you in %(group)s: %(title)s"))
            % {"group": action.group.name, "title": action.title},
            url=action.get_absolute_url(),
        )


@transaction.atomic
def create_action(
    group,
    *,
    by,
    title,
    owners,
    due_on=None,
    description="",
    status=Action.Status.OPEN,
    progress_note="",
    result_url="",
    result_document=None,
):
    """A new action of `group` for one or more of its members, due today or later; its owners are told."""
    ensure_permitted(by, "groups.keep_actions", group)
    _check_not_archived(group)
    owners = _check_owners(group, owners)
    _check_due_on(due_on)
    _check_result_document(group, result_document)
    action = Action(
        group=group,
        title=title.strip(),
        description=description.strip(),
        due_on=due_on,
        status=status,
        progress_note=progress_note.strip(),
        result_url=result_url.strip(),
        result_document=result_document,
        created_by=by,
    )
    _check_length(action)
    if action.is_finished:
        action.closed_on = timezone.localdate()
    action.save()
    action.owners.set(owners)
    _tell_owners(action, owners, by=by)
    return action


@transaction.atomic
def update_action(action, *, by, note="", **changes):
    """Change an action (any of TRACKED_FIELDS, passed by name) and record what changed as one ActionChange:
    {field: [old, new]} in readable values. Closing (done, dropped) sets closed_on, reopening clears it; a due date
    that changes may not be in the past; new owners are told. Returns the ActionChange, or None when nothing changed.
    """
    unknown = set(changes) - set(TRACKED_FIELDS)
    if unknown:
        raise TypeError(f"update_action() got unknown fields: {', '.join(sorted(unknown))}")
    ensure_permitted(by, "groups.keep_actions", action)
    action = Action.objects.select_for_update(of=("self",)).select_related("group", "result_document").get(pk=action.pk)
    group = action.group
    _check_not_archived(group)
    old_owners = list(action.owners.all())
    recorded = {}
    for field, new in changes.items():
        if new is UNCHANGED:
            continue
        if field == "owners":
            new = _check_owners(group, new, already=old_owners)
            if {p.pk for p in new} != {p.pk for p in old_owners}:
                recorded[field] = [readable_value(field, old_owners), readable_value(field, new)]
            continue
        if isinstance(new, str):
            new = new.strip()
        old = getattr(action, field)
        if old == new:
            continue
        if field == "due_on":
            _check_due_on(new)
        if field == "result_document":
            _check_result_document(group, new)
        if field == "status":
            new = Action.Status(new)
        recorded[field] = [readable_value(field, old), readable_value(field, new)]
        setattr(action, field, new)
    if not recorded and not note.strip():
        return None
    _check_length(action)
    if "status" in recorded:
        # Closing dates the end; reopening makes it open work again (and a reminder may come for its due date).
        action.closed_on = timezone.localdate() if action.is_finished else None
    action.save()
    if "owners" in recorded:
        new_owners = list(changes["owners"])
        action.owners.set(new_owners)
        old_ids = {p.pk for p in old_owners}
        _tell_owners(action, [p for p in new_owners if p.pk not in old_ids], by=by)
    return ActionChange.objects.create(action=action, by=by, changes=recorded, note=note.strip())


def change_rows(change):
    """(label, old, new) per field of one step of an action's history, labelled in the active language."""
    rows = []
    for field, (old, new) in change.changes.items():
        try:
            label = Action._meta.get_field(field).verbose_name
        except FieldDoesNotExist:  # a field since renamed still shows, under its stored name
            label = field
        rows.append((label, old, new))
    return rows


def actions_in_order(queryset, today=None):
    """Overdue actions first, then the unfinished by due date (none last), then the finished; owners at hand."""
    today = today or timezone.localdate()
    unfinished = Q(status__in=Action.UNFINISHED)
    return (
        queryset.annotate(
            standing=Case(
                When(unfinished & Q(due_on__lt=today), then=Value(0)),
                When(unfinished, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("standing", F("due_on").asc(nulls_last=True), "pk")
        .select_related("group", "result_document")
        .prefetch_related(Prefetch("owners", queryset=Profile.objects.only("first_name", "last_name", "user_id")))
    )


def unfinished_actions_of(profile):
    """A person's open and in-progress actions across the groups they are an active member of, overdue first."""
    groups = Membership.objects.active().filter(profile=profile).values("group_id")
    return actions_in_order(
        Action.objects.unfinished().filter(owners=profile, group__in=groups, group__archived_at__isnull=True)
    )


@transaction.atomic
def remind_due_actions(today=None):
    """Remind the owners of unfinished actions due within ACTION_REMINDER_DAYS, once per due date.

    Safe to run twice and side by side: each action is claimed (reminded_for = its due date) under a row lock that a
    second run skips, in the same transaction as the notices. A due date moved later gets a reminder of its own.
    Returns how many actions were reminded.
    """
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.ACTION_REMINDER_DAYS)
    due = list(
        Action.objects.unfinished()
        .filter(due_on__gte=today, due_on__lte=horizon, group__archived_at__isnull=True)
        .exclude(reminded_for=F("due_on"))
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("group")
        .order_by("pk")
    )
    for action in due:
        action.reminded_for = action.due_on
        action.save(update_fields=["reminded_for"])
        # Owners who left the group since are not reminded of its work.
        owners = list(
            action.owners.filter(
                group_memberships__group=action.group, group_memberships__state=Membership.State.ACTIVE
            )
        )
        if owners:
            notify(
                owners,
                group=action.group,
                kind=Notice.Kind.ACTION_DUE,
                text=in_portal_language(lambda a=action: _("Due on %(date)s in %(group)s: %(title)s"))
                % {"date": readable_value("due_on", action.due_on), "group": action.group.name, "title": action.title},
                url=action.get_absolute_url(),
            )
    return len(due)


@transaction.atomic
def share_document(group, *, by, title, file):
    """A document of the group (an allowed type, within the size limit), kept in private storage; the group's
    other members are told."""
    ensure_permitted(by, "groups.share_document", group)
    _check_not_archived(group)
    title = title.strip()
    if not title:
        raise GroupError(_("Give the document a title."), field="title")
    try:
        validate_document(file)
    except ValidationError as error:
        raise GroupError(error.messages[0], field="file") from None
    document = Document.objects.create(group=group, title=title, file=file, uploaded_by=by)
    others = list(
        Profile.objects.filter(
            group_memberships__group=group, group_memberships__state=Membership.State.ACTIVE
        ).exclude(user=by)
    )
    if others:
        notify(
            others,
            group=group,
            kind=Notice.Kind.DOCUMENT,
            text=in_portal_language(lambda: _("New document in %(group)s: %(title)s"))
            % {"group": group.name, "title": title},
            url=document.get_absolute_url(),
        )
    return document


@transaction.atomic
def remove_document(document, *, by):
    """Remove a document and its file; an action that had it as its result says so in its history."""
    ensure_permitted(by, "groups.remove_document", document)
    for action in Action.objects.select_for_update().filter(result_document=document):
        ActionChange.objects.create(action=action, by=by, changes={"result_document": [document.title, ""]})
    storage, name = document.file.storage, document.file.name
    document.delete()
    # The file goes only once the row is surely gone.
    transaction.on_commit(lambda: storage.delete(name))


# --- "Download my data" -----------------------------------------------------------------------------------------


def export_member_data(user):
    """For 'download my data': the person's places in groups (with how they hear of each) and the actions that
    are theirs. Their cases of a case consultation are in the events' part (events.services.export_cases)."""
    memberships = Membership.objects.filter(profile__user=user).select_related("group").order_by("created_at", "pk")
    actions = Action.objects.filter(owners__user=user).select_related("group").order_by("created_at", "pk")
    return {
        "group_memberships": [
            {
                "group": membership.group.name,
                "group_role": membership.role,
                "membership_state": membership.state,
                "notifications": membership.notifications,
                "message": membership.message,
                "joined_at": membership.joined_at.isoformat() if membership.joined_at else None,
            }
            for membership in memberships
        ],
        "group_actions": [
            {
                "group": action.group.name,
                "what": action.title,
                "action_status": action.status,
                "due_on": action.due_on.isoformat() if action.due_on else None,
                "progress": action.progress_note,
            }
            for action in actions
        ],
    }
