"""Groups in the admin, a coordinator's tool: groups with their members, memberships, actions and documents.

Every permission is a rule of groups/rules.py asked with the row (or its group), so a coalition coordinator sees and
manages the groups of their own coalitions only, and a regional coordinator every group. Starting a group,
archiving it and answering requests go through groups.services, as on the site.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from coalition.admin import LabelledTabularInline
from coalition.roles import is_coordinator
from coalition.rules import DomainError
from members.models import Profile
from network.admin import OwnCoalitionsOnly, RulesAdminMixin
from network.models import Coalition

from . import services
from .models import Action, ActionChange, Document, Group, Membership
from .rules import forget_group_roles


class OwnGroupsOnly(OwnCoalitionsOnly):
    """Lists hold the groups of the person's own coalitions; another coalition's group is refused with the reason."""

    coalition_path = "coalition"
    refused_by = "groups.manage_group"


class MembershipInlineForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["profile", "role", "state", "notifications"]

    def clean_profile(self):
        profile = self.cleaned_data["profile"]
        if profile is not None and not profile.is_approved:
            raise forms.ValidationError(_("Only approved members of the network can be in a group."))
        return profile


class MembershipInline(RulesAdminMixin, LabelledTabularInline):
    model = Membership
    form = MembershipInlineForm
    extra = 0
    autocomplete_fields = ["profile"]
    fields = ["profile", "role", "state", "notifications", "joined_at"]
    readonly_fields = ["joined_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile__organisation")

    def get_autocomplete_fields(self, request):
        # The autocomplete asks the members admin, which shows people to regional coordinators (and editors) only.
        return ["profile"] if is_coordinator(request.user) else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "profile" and not is_coordinator(request.user):
            # A coalition coordinator picks from the approved members, by name (the only people a group takes).
            kwargs["queryset"] = (
                Profile.objects.approved().select_related("organisation").order_by("sort_surname", "sort_first_name")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class GroupAdminForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "slug", "kind", "coalition", "purpose", "focus_points", "joining"]
        widgets = {"focus_points": forms.CheckboxSelectMultiple, "purpose": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "coalition" in self.fields and user is not None and not is_coordinator(user):
            self.fields["coalition"].queryset = Coalition.objects.managed_by(user)
            self.fields["coalition"].required = True
            self.fields["coalition"].help_text = _("A group of one of your coalitions.")

    def clean_coalition(self):
        coalition = self.cleaned_data.get("coalition")
        if self.user is not None and not self.user.has_perm("groups.start_group", coalition):
            raise forms.ValidationError(_("A group is started by the coordinators of its coalition or of the region."))
        return coalition


@admin.register(Group)
class GroupAdmin(OwnGroupsOnly, admin.ModelAdmin):
    form = GroupAdminForm
    list_display = ["name", "kind", "coalition_name", "joining", "member_count", "archived_at"]
    list_filter = ["kind", "coalition", "joining", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
    readonly_fields = ["archived_at", "created_by", "created_at"]
    actions = ["archive"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("coalition").prefetch_related("memberships")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return WithUser

    @admin.display(description=_("coalition"), ordering="coalition__name")
    def coalition_name(self, obj):
        return obj.coalition.name if obj.coalition_id else _("Regional")

    @admin.display(description=_("members"))
    def member_count(self, obj):
        return sum(1 for m in obj.memberships.all() if m.state == Membership.State.ACTIVE)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group = form.instance
        profile = services.approved_profile_of(request.user)
        # As services.start_group: the starter becomes the group coordinator unless the members named another.
        if not change and profile is not None and not Membership.objects.coordinators().filter(group=group).exists():
            Membership.objects.update_or_create(
                group=group,
                profile=profile,
                defaults={"role": Membership.Role.COORDINATOR, "state": Membership.State.ACTIVE},
            )
        forget_group_roles(request.user)

    @admin.action(description=_("Archive the chosen groups"))
    def archive(self, request, queryset):
        done = 0
        for group in queryset:
            try:
                services.archive_group(group, by=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{group}: {error}", messages.ERROR)
        self.message_user(request, _("%(count)d groups archived.") % {"count": done}, messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(OwnGroupsOnly, admin.ModelAdmin):
    coalition_path = "group__coalition"
    list_display = ["profile", "group", "role", "state", "notifications", "joined_at"]
    list_filter = ["state", "role", "notifications", "group__kind", "group__coalition"]
    search_fields = ["profile__first_name", "profile__last_name", "group__name"]
    autocomplete_fields = ["profile", "group"]
    fields = ["group", "profile", "role", "state", "notifications", "message", "joined_at"]

    def get_autocomplete_fields(self, request):
        # People come from the members admin, which regional coordinators (and editors) alone may search.
        return ["profile", "group"] if is_coordinator(request.user) else ["group"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "profile" and not is_coordinator(request.user):
            kwargs["queryset"] = (
                Profile.objects.approved().select_related("organisation").order_by("sort_surname", "sort_first_name")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    readonly_fields = ["message", "joined_at"]
    actions = ["accept_requests", "make_coordinators"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile", "group")

    def _each(self, request, queryset, service):
        done = 0
        for membership in queryset:
            try:
                service(membership, by=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{membership}: {error}", messages.ERROR)
        return done

    @admin.action(description=_("Accept the chosen requests to join"))
    def accept_requests(self, request, queryset):
        done = self._each(request, queryset.filter(state=Membership.State.REQUESTED), services.accept_request)
        self.message_user(request, _("%(count)d requests accepted.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Make the chosen members group coordinators"))
    def make_coordinators(self, request, queryset):
        done = self._each(request, queryset.filter(state=Membership.State.ACTIVE), services.make_coordinator)
        self.message_user(request, _("%(count)d members are now group coordinators.") % {"count": done})


class ActionChangeInline(RulesAdminMixin, LabelledTabularInline):
    """The action's history, read only: each step as the site shows it (field: old → new), never its JSON."""

    model = ActionChange
    fields = ["at", "by", "what_changed", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("what changed"))
    def what_changed(self, change):
        return "; ".join(f"{label}: {old or '–'} → {new or '–'}" for label, old, new in services.change_rows(change))


@admin.register(Action)
class ActionAdmin(OwnGroupsOnly, admin.ModelAdmin):
    """Read-mostly: the group keeps its action list on the site, where each change is recorded in its history."""

    coalition_path = "group__coalition"
    list_display = ["title", "group", "status", "due_on", "closed_on"]
    list_filter = ["status", "group__kind", "group__coalition"]
    search_fields = ["title", "description", "group__name"]
    date_hierarchy = "due_on"
    fields = ["group", "title", "description", "owners", "due_on", "status", "progress_note", "result_url"]
    readonly_fields = fields
    inlines = [ActionChangeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(OwnGroupsOnly, admin.ModelAdmin):
    coalition_path = "group__coalition"
    list_display = ["title", "group", "uploaded_by", "uploaded_at"]
    list_filter = ["group__kind", "group__coalition"]
    search_fields = ["title", "group__name"]
    fields = ["group", "title", "file_name", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group", "uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def file_name(self, obj):
        # The file itself is served only through the group's page (groups.view_inside), never from the admin.
        return obj.file.name.rsplit("/", 1)[-1] if obj.file else ""
