"""Forms of groups: the list's filters, asking to join, inviting, leaving, and how a member hears about a group."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import FilterForm, LongSelect, with_blank
from members.models import Profile, name_order
from network.models import Coalition

from .models import Group, Membership

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


class InviteForm(forms.Form):
    """A group coordinator invites an approved member who is not in the group yet."""

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

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = (
            Profile.objects.approved()
            .exclude(group_memberships__group=group)
            .select_related("organisation")
            .only("first_name", "last_name", "organisation__name")
            .order_by(*name_order())
        )


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
