"""Forms of groups: the list's filters, joining, inviting, leaving, notifications, the action list and documents."""

from functools import cached_property

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.forms import FilterForm, LongSelect, with_blank
from members.models import Profile, name_order
from network.forms import DateInput
from network.models import Coalition

from .models import Action, Document, Group, Membership

REGIONAL = "regional"


class GroupFilterForm(FilterForm):
    coalition = forms.ChoiceField(label=_("Coalition"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=with_blank(Group.Kind.choices, _("All kinds")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coalition"].choices = [
            ("", _("All coalitions")),
            (REGIONAL, _("Regional")),
            *((str(pk), name) for pk, name in Coalition.objects.order_by("name").values_list("pk", "name")),
        ]

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("coalition") == REGIONAL:
            queryset = queryset.filter(coalition__isnull=True)
        elif data.get("coalition"):
            queryset = queryset.filter(coalition_id=int(data["coalition"]))
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        return queryset


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the group coordinators"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: why you want to join, or what you bring."),
    )


class ProfileChoiceField(forms.ModelChoiceField):
    """A member by name and organisation, so two people with one name can be told apart."""

    def label_from_instance(self, obj):
        return f"{obj.full_name} ({obj.organisation.name})" if obj.organisation_id else obj.full_name


# The most members an invite's search offers at once; more matches ask for a narrower search.
INVITE_MATCHES = 50


class InviteForm(forms.Form):
    """A group coordinator invites an approved member who is not in the group yet, found by name or organisation.

    The list holds the members matching the search (`search`, carried along in the form), never the whole
    network: with a thousand members a select of everyone is a long page to send and an impossible one to use.
    """

    search = forms.CharField(label=_("Search a member"), required=False, max_length=100, widget=forms.HiddenInput)
    profile = ProfileChoiceField(
        label=_("Member"),
        queryset=Profile.objects.none(),
        empty_label=_("Choose a member"),
        widget=LongSelect(),
        help_text=_("Only approved members of the network who are not in this group yet."),
    )
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: why you invite them."),
    )

    def __init__(self, *args, group, search="", **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            search = self.data.get(self.add_prefix("search"), "")
        self.search_text = search.strip()[:100]
        self.fields["search"].initial = self.search_text
        candidates = Profile.objects.approved().exclude(group_memberships__group=group)
        matches = candidates.search(self.search_text) if self.search_text else candidates.none()
        # The best matches by the search's rank, then shown by name: a select reads alphabetically.
        self._matches = matches
        best = matches.values("pk")[:INVITE_MATCHES]
        self.fields["profile"].queryset = (
            Profile.objects.filter(pk__in=models.Subquery(best))
            .select_related("organisation")
            .only("first_name", "last_name", "organisation__name")
            .order_by(*name_order())
        )

    @cached_property
    def match_count(self) -> int:
        """How many members the list offers (at most INVITE_MATCHES)."""
        return len(self.fields["profile"].queryset) if self.search_text else 0

    @cached_property
    def has_more_matches(self) -> bool:
        """Whether more members match than the list holds."""
        return self.match_count == INVITE_MATCHES and self._matches.values("pk")[INVITE_MATCHES:].exists()


class LeaveForm(forms.Form):
    """Leaving; the last group coordinator names a member who takes over."""

    successor = ProfileChoiceField(
        label=_("Who takes over as group coordinator"),
        queryset=Profile.objects.none(),
        required=False,
        empty_label=_("Choose a member"),
    )

    def __init__(self, *args, group, profile, needs_successor, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_successor:
            self.fields["successor"].required = True
            self.fields["successor"].queryset = (
                Profile.objects.filter(group_memberships__group=group, group_memberships__state=Membership.State.ACTIVE)
                .exclude(pk=profile.pk)
                .select_related("organisation")
                .order_by(*name_order())
            )
        else:
            del self.fields["successor"]


class NotificationsForm(forms.Form):
    notifications = forms.ChoiceField(
        label=_("Mails about this group"),
        choices=Membership.Notifications.choices,
        widget=forms.RadioSelect,
    )


# --- The action list and documents -----------------------------------------------------------------------------


def _member_choices(group, *, also=()):
    """The group's active members as (pk, name) by surname, and `also` (an action's owners who have left since)."""
    members = list(
        Profile.objects.filter(group_memberships__group=group, group_memberships__state=Membership.State.ACTIVE)
        .only("first_name", "last_name")
        .order_by("sort_surname", "sort_first_name", "pk")
    )
    seen = {profile.pk for profile in members}
    members += [profile for profile in also if profile.pk not in seen]
    return [(profile.pk, profile.full_name) for profile in members]


class ActionForm(forms.Form):
    """A new action, or an action changed as a whole. Owners are ticked from the group's members; whether each is
    a member is the service's rule (groups.services.create_action), so its message stands at this field."""

    title = forms.CharField(label=_("What"), max_length=300)
    owners = forms.ModelMultipleChoiceField(
        label=_("Who"),
        queryset=Profile.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One or more members of the group."),
    )
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    description = forms.CharField(
        label=_("Explanation"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, group, action=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        current = list(action.owners.all()) if action is not None else []
        self.fields["owners"].widget.choices = _member_choices(group, also=current)
        if action is not None:
            self.fields["status"] = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
            self.fields["progress_note"] = forms.CharField(label=_("Progress"), required=False, max_length=500)
            self.fields["result_url"] = forms.URLField(
                label=_("Result (link)"), required=False, max_length=500, assume_scheme="https"
            )
            self.fields["result_document"] = forms.ModelChoiceField(
                label=_("Result (document)"),
                required=False,
                queryset=Document.objects.filter(group=group).only("title"),
                empty_label=_("No document"),
            )
            self.fields["note"] = forms.CharField(
                label=_("Note with this change"),
                required=False,
                max_length=500,
                help_text=_("Shown in the history, e.g. why the date moved."),
            )
            self.initial = {
                "title": action.title,
                "owners": [profile.pk for profile in current],
                "due_on": action.due_on,
                "description": action.description,
                "status": action.status,
                "progress_note": action.progress_note,
                "result_url": action.result_url,
                "result_document": action.result_document_id,
                **self.initial,
            }


class ActionStatusForm(forms.Form):
    """The quick buttons on an action's page: one status, nothing else."""

    status = forms.ChoiceField(choices=Action.Status.choices)


class ActionFilterForm(FilterForm):
    """The action list's filters: which status (unfinished unless chosen), whose."""

    UNFINISHED, OVERDUE, EVERY, MINE = "", "overdue", "all", "mine"

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            (UNFINISHED, _("Open and in progress")),
            (OVERDUE, _("Overdue")),
            *Action.Status.choices,
            (EVERY, _("All actions")),
        ],
    )
    owner = forms.TypedChoiceField(label=_("Who"), required=False, coerce=str)

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = with_blank(
            [(self.MINE, _("My actions")), *((str(pk), name) for pk, name in _member_choices(group))],
            _("Everyone"),
        )

    def filter(self, queryset, *, profile):
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        status = data.get("status", self.UNFINISHED)
        if status == self.UNFINISHED:
            queryset = queryset.unfinished()
        elif status == self.OVERDUE:
            queryset = queryset.overdue()
        elif status != self.EVERY:
            queryset = queryset.filter(status=status)
        owner = data.get("owner", "")
        if owner == self.MINE:
            queryset = queryset.of_profile(profile) if profile is not None else queryset.none()
        elif owner:
            queryset = queryset.filter(owners__pk=owner)
        return queryset


class DocumentForm(forms.Form):
    """A document to share: its title and the file (type and size are checked by groups.services.share_document)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        max_length=300,
        help_text=Document._meta.get_field("file").help_text,
    )
