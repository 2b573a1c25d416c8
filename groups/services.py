"""What changes groups: joining and leaving, the action list and its history, documents, and what members are told.

Every function takes the objects acted on first and the rest keyword-only, runs in one transaction, raises a
DomainError (coalition.rules) with a translated message when a rule says no, and checks the acting person (`by=`)
with the rules (groups/rules.py).
"""

from django.db import transaction

# --- Telling members ------------------------------------------------------------------------------------------


@transaction.atomic
def notify(profiles, *, group, kind, text, url=""):
    """Tell these people something about `group`: a Notice each, mailed at once or in their daily digest, or not at
    all, as each person's membership says (Membership.notifications). `text` is one line in Dutch; `url` a path."""
    raise NotImplementedError  # groups core (memberships and notifications) fills this in


# --- The action list, its history and the group's documents (issue 18: actions, documents, "my actions") -------
# (H2's section; kept apart so the memberships' section above and this one merge cleanly.)

from datetime import timedelta  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.exceptions import FieldDoesNotExist, ValidationError  # noqa: E402
from django.db.models import Case, F, IntegerField, Prefetch, Q, Value, When  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from django.utils.formats import date_format  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from coalition.rules import DomainError, ensure_permitted  # noqa: E402
from coalition.storage import validate_document  # noqa: E402
from members.models import Profile  # noqa: E402

from .models import Action, ActionChange, Document, Membership, Notice, validate_not_in_past  # noqa: E402

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


class ActionError(DomainError):
    """A rule of the action list or the documents said no; `field` names the form field it is about (or None)."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


def _in_portal_language(text_maker):
    """What is stored for people to read later (history, notices) is in the portal's language, not the actor's."""
    with translation.override(settings.LANGUAGE_CODE):
        return text_maker()


def readable_value(field, value):
    """A value of an action as its history shows it: names, dates and labels rather than ids and codes."""
    if value is None or value == "":
        return ""
    if field == "owners":
        return ", ".join(sorted((profile.full_name for profile in value), key=str.casefold))
    if field == "due_on":
        return _in_portal_language(lambda: date_format(value, "SHORT_DATE_FORMAT"))
    if field == "status":
        return _in_portal_language(lambda: str(Action.Status(value).label))
    if field == "result_document":
        return value.title
    return str(value)


def _check_not_archived(group):
    if group.is_archived:
        raise ActionError(_("This group is archived: it takes no new work."))


def _check_owners(group, owners, *, already=()):
    """One or more owners, each an active member of `group`; every outsider named at the field. Those in
    `already` (an action's owners before a change) may stay after they left the group: the record keeps them."""
    owners = list(owners)
    if not owners:
        raise ActionError(_("Choose at least one member who does this."), field="owners")
    kept = {profile.pk for profile in already}
    newcomers = [profile for profile in owners if profile.pk not in kept]
    members = set(
        Membership.objects.active().filter(group=group, profile__in=newcomers).values_list("profile_id", flat=True)
    )
    outsiders = [profile for profile in newcomers if profile.pk not in members]
    if outsiders:
        raise ActionError(
            " ".join(_("%(name)s is not a member of this group.") % {"name": p.full_name} for p in outsiders),
            field="owners",
        )
    return owners


def _check_due_on(due_on):
    try:
        validate_not_in_past(due_on)
    except ValidationError as error:
        raise ActionError(error.messages[0], field="due_on") from None


def _check_result_document(group, document):
    if document is not None and document.group_id != group.pk:
        raise ActionError(_("Choose one of this group's documents as the result."), field="result_document")


def _check_length(action):
    """The model's own limits (lengths, a valid link): their first message at its field."""
    try:
        action.full_clean(exclude=["group", "owners", "result_document", "created_by", "due_on"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ActionError(messages[0], field=None if field == "__all__" else field) from None


def _tell_owners(action, profiles, *, by):
    """New owners hear that an action is theirs; not the person who assigned it to themselves."""
    profiles = [profile for profile in profiles if by is None or profile.user_id != by.pk]
    if profiles:
        notify(
            profiles,
            group=action.group,
            kind=Notice.Kind.ACTION_ASSIGNED,
            text=_in_portal_language(lambda: _("Action for you in %(group)s: %(title)s"))
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
                text=_in_portal_language(lambda a=action: _("Due on %(date)s in %(group)s: %(title)s"))
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
        raise ActionError(_("Give the document a title."), field="title")
    try:
        validate_document(file)
    except ValidationError as error:
        raise ActionError(error.messages[0], field="file") from None
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
            text=_in_portal_language(lambda: _("New document in %(group)s: %(title)s"))
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
