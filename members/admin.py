"""The coordinators' admin for users, profiles, organisations, offerings, municipalities and themes."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import ObjectPermissionsModelAdmin, ObjectPermissionsStackedInline

from coalition.admin import is_autocomplete_request

from . import services
from .exports import organisations_csv, profiles_csv
from .forms import ImageUploadMixin, ProfileForm, image_field
from .models import OUTDATED_AFTER, LifePhase, Municipality, Offering, Organisation, Profile, Theme, User, Visibility


def sees_everyone(request):
    """A coordinator's view of people in the admin; anyone else sees them as an approved member does."""
    return request.user.has_perm("members.view_all_details")


def profiles_seen_by(viewer, queryset=None):
    """The people anyone but a coordinator sees in the admin: those an approved member finds in the directory.

    A profile without a name is shown by its e-mail address (Profile.__str__), so one whose address is for
    coordinators only is left out as well: no list, page title or autocomplete could name it without the address.
    """
    queryset = Profile.objects.all() if queryset is None else queryset
    nameless_and_hidden = Q(first_name="", last_name="", email_visibility=Visibility.COORDINATORS) & ~Q(user=viewer)
    return queryset.visible_to(viewer).exclude(nameless_and_hidden)


def name_seen_by(profile, viewer):
    """A person's name as `viewer` may see it: as in the directory, never an e-mail address the person hides."""
    email = profile.user.email if profile.shows_email_to(viewer) else ""
    return profile.full_name or email or gettext("Member without a name")


class ProfileAdminForm(ImageUploadMixin, forms.ModelForm):
    image_field_name = "photo_upload"
    photo_upload = image_field(_("Photo"))

    class Meta:
        model = Profile
        # What members edit themselves, plus what only coordinators set.
        fields = ["user", *ProfileForm.Meta.fields, "is_ambassador", "details_confirmed_at"]

    def clean_photo_upload(self):
        return self.clean_image()


class OrganisationAdminForm(ImageUploadMixin, forms.ModelForm):
    image_field_name = "logo_upload"
    logo_upload = image_field(_("Logo"))

    class Meta:
        model = Organisation
        fields = [
            "name",
            "slug",
            "discipline",
            "municipalities",
            "phone",
            "email",
            "website",
            "address",
            "description",
            "contacts",
        ]

    def clean_logo_upload(self):
        return self.clean_image()


def many_to_many(form, *names):
    """The form's chosen rows of these many-to-many fields, as keyword arguments of a service (absent ones left out)."""
    return {name: form.cleaned_data[name] for name in names if name in form.cleaned_data}


class SavedByServiceMixin:
    """The row and its many-to-many fields are saved by the service in `save_model`; only the inlines are left."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # The Dutch name order of the person's profile (members.models.name_order); accounts without one last.
    ordering = ["profile__sort_surname", "profile__sort_first_name", "email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_view_permission(self, request, obj=None):
        # Coordinators pick a person's account (an editorial membership, a subscriber, a tip's sender) by
        # name or address in the autocomplete boxes; the accounts' own pages stay the superuser's.
        if obj is None and is_autocomplete_request(request) and sees_everyone(request):
            return True
        return super().has_view_permission(request, obj)


class PossiblyOutdatedFilter(admin.SimpleListFilter):
    title = _("details")
    parameter_name = "outdated"

    def lookups(self, request, model_admin):
        return [("yes", _("Possibly outdated")), ("no", _("Current"))]

    def queryset(self, request, queryset):
        cutoff = timezone.now() - OUTDATED_AFTER
        if self.value() == "yes":
            return queryset.filter(details_confirmed_at__lt=cutoff)
        if self.value() == "no":
            return queryset.filter(details_confirmed_at__gte=cutoff)
        return queryset


def filter_parameters(list_filter):
    """The query-string keys that the filters of a list use (a field's filter uses __exact, __isnull or __id__exact)."""
    keys = set()
    for item in list_filter:
        if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
            keys.add(item.parameter_name)
        else:
            keys.update(f"{item}__{lookup}" for lookup in ("exact", "isnull", "id__exact"))
    return keys


@admin.register(Profile)
class ProfileAdmin(SavedByServiceMixin, ObjectPermissionsModelAdmin):
    form = ProfileAdminForm
    list_display = [
        "__str__",
        "email",
        "organisation",
        "discipline",
        "status",
        "is_listed",
        "is_ambassador",
        "details_confirmed_at",
    ]
    list_filter = [
        "status",
        "discipline",
        "is_listed",
        "is_ambassador",
        "level",
        PossiblyOutdatedFilter,
        "municipalities",
        "themes",
    ]
    # The sort keys are the names folded: "ozlem" finds Özlem.
    search_fields = [
        "first_name",
        "last_name",
        "sort_first_name",
        "sort_surname",
        "user__email",
        "job_title",
        "organisation__name",
    ]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
    filter_horizontal = ["municipalities", "themes"]
    readonly_fields = [
        "status",
        "status_changed_at",
        "status_changed_by",
        "created_at",
        "updated_at",
        "confirmation_requested_at",
    ]
    actions = ["approve_selected", "decline_selected", "export_csv"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "user",
                    "first_name",
                    "last_name",
                    "job_title",
                    "level",
                    "discipline",
                    "organisation",
                    "is_ambassador",
                )
            },
        ),
        (_("Where and what"), {"fields": ("municipalities", "themes")}),
        (_("How to reach"), {"fields": ("direct_phone", "team_phone", "availability", "bio", "photo_upload")}),
        (_("Privacy"), {"fields": ("phone_visibility", "email_visibility", "is_listed")}),
        (
            _("Approval"),
            {
                "fields": (
                    "status",
                    "status_changed_at",
                    "status_changed_by",
                    "details_confirmed_at",
                    "confirmation_requested_at",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    # The editorial team sees people in the admin as an approved member sees them in the directory: the same
    # people, the same contact details (as each person's visibility allows), found by the same public fields.
    member_view_list_display = [
        "__str__",
        "job_title",
        "organisation",
        "discipline",
        "shown_direct_phone",
        "team_phone",
        "shown_email",
        "is_ambassador",
    ]
    member_view_list_filter = [
        "discipline",
        "is_ambassador",
        "level",
        PossiblyOutdatedFilter,
        "municipalities",
        "themes",
    ]
    member_view_search_fields = [
        "first_name",
        "last_name",
        "sort_first_name",
        "sort_surname",
        "job_title",
        "organisation__name",
    ]
    member_view_fieldsets = (
        (
            None,
            {
                "fields": (
                    "first_name",
                    "last_name",
                    "job_title",
                    "level",
                    "discipline",
                    "organisation",
                    "is_ambassador",
                )
            },
        ),
        (_("Where and what"), {"fields": ("municipalities", "themes")}),
        (_("How to reach"), {"fields": ("shown_direct_phone", "team_phone", "shown_email", "availability", "bio")}),
    )

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, profile):
        return profile.user.email

    # `card` is the viewer's contact card, set by get_object and get_changelist_instance; without one, nothing shows.
    @admin.display(description=_("direct phone"))
    def shown_direct_phone(self, profile):
        return getattr(profile, "card", None) and profile.card.direct_phone

    @admin.display(description=_("e-mail"))
    def shown_email(self, profile):
        return getattr(profile, "card", None) and profile.card.email

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if sees_everyone(request) else profiles_seen_by(request.user, queryset)

    def get_object(self, request, object_id, from_field=None):
        profile = super().get_object(request, object_id, from_field)
        if profile is not None:
            profile.card = profile.contact_card(request.user)
        return profile

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if not sees_everyone(request):
            for profile in changelist.result_list:
                profile.card = profile.contact_card(request.user)
        return changelist

    def get_list_display(self, request):
        return super().get_list_display(request) if sees_everyone(request) else self.member_view_list_display

    def get_list_filter(self, request):
        return super().get_list_filter(request) if sees_everyone(request) else self.member_view_list_filter

    def get_search_fields(self, request):
        return super().get_search_fields(request) if sees_everyone(request) else self.member_view_search_fields

    def get_fieldsets(self, request, obj=None):
        return super().get_fieldsets(request, obj) if sees_everyone(request) else self.member_view_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if sees_everyone(request):
            return super().get_readonly_fields(request, obj)
        return [name for _title, options in self.member_view_fieldsets for name in options["fields"]]

    def lookup_allowed(self, lookup, value, request):
        if sees_everyone(request):
            return super().lookup_allowed(lookup, value, request)
        # The address bar filters on any field of the model (?direct_phone__startswith=06 answers yes or no
        # about a hidden number): others get only the filters the list itself offers.
        return lookup in filter_parameters(self.member_view_list_filter)

    def history_view(self, request, object_id, extra_context=None):
        # Who changed what, and when, is the coordinators' business; members never see it.
        if not sees_everyone(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        # Through the service, as on the site: the search document follows, a replaced photo leaves the disk.
        services.save_profile(
            obj, by=request.user, photo=form.processed_image, **many_to_many(form, "municipalities", "themes")
        )

    def _decide(self, request, queryset, decide, done_message):
        done = 0
        for profile in queryset:
            try:
                decide(profile, by=request.user)
            except services.MembershipError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve selected members (sends a mail)"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, services.approve, _("%(count)d member(s) approved."))

    @admin.action(description=_("Decline selected members (sends a mail)"), permissions=["approve"])
    def decline_selected(self, request, queryset):
        self._decide(request, queryset, services.decline, _("%(count)d member(s) declined."))

    @admin.action(description=_("Export selected members as CSV (only what members may see)"))
    def export_csv(self, request, queryset):
        return profiles_csv(queryset)

    def has_approve_permission(self, request):
        return request.user.has_perm("members.approve_profile")


class OfferingInline(ObjectPermissionsStackedInline):
    model = Offering
    extra = 0
    fields = ["title", "life_phases", "access", "is_active"]
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(SavedByServiceMixin, ObjectPermissionsModelAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "discipline", "phone", "updated_at"]
    list_filter = ["discipline", "municipalities"]
    search_fields = ["name", "email", "phone", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["municipalities"]
    autocomplete_fields = ["contacts"]
    inlines = [OfferingInline]
    actions = ["export_csv"]

    def has_view_permission(self, request, obj=None):
        # Organisations have public pages: every staff member (a coalition coordinator choosing a partner too)
        # may find one by name in an autocomplete box. The admin site has already checked staff access.
        return (obj is None and is_autocomplete_request(request)) or super().has_view_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if sees_everyone(request):
            return fields
        # Who keeps a page current is not shown to members: a contact may be unlisted or not (yet) approved.
        return [name for name in fields if name != "contacts"]

    def save_model(self, request, obj, form, change):
        # Through the service, as on the site: its people's search documents follow, a replaced logo leaves the disk.
        services.save_organisation(
            obj, by=request.user, logo=form.processed_image, **many_to_many(form, "municipalities", "contacts")
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Offering:
            return super().save_formset(request, form, formset, change)
        offerings = formset.save(commit=False)
        for offering in formset.deleted_objects:
            offering.delete()
        for offering in offerings:
            if offering.pk:
                # save_model's save_organisation may have just followed a new phone, e-mail or address into these
                # rows (or released their contact person); the inline's copies, read before, must not undo that.
                offering.refresh_from_db(fields=["phone", "email", "address", "contact_person"])
            services.save_offering(offering, by=request.user)
        return offerings

    @admin.action(description=_("Export selected organisations as CSV"))
    def export_csv(self, request, queryset):
        return organisations_csv(queryset, viewer=request.user)


class LifePhaseFilter(admin.SimpleListFilter):
    """Offerings in one life phase: they hold a list of phases, which a field filter cannot narrow."""

    title = _("life phase")
    parameter_name = "phase"

    def lookups(self, request, model_admin):
        return LifePhase.choices

    def queryset(self, request, queryset):
        return queryset.in_phase(self.value()) if self.value() in LifePhase.values else queryset


class OfferingOutdatedFilter(admin.SimpleListFilter):
    title = _("confirmation")
    parameter_name = "outdated"

    def lookups(self, request, model_admin):
        return [("yes", _("Possibly outdated")), ("no", _("Current")), ("review", _("To check"))]

    def queryset(self, request, queryset):
        outdated = queryset.possibly_outdated()
        if self.value() == "yes":
            return outdated
        if self.value() == "no":
            return queryset.exclude(pk__in=outdated.values("pk"))
        if self.value() == "review":
            return queryset.exclude(needs_review="")
        return queryset


@admin.register(Offering)
class OfferingAdmin(SavedByServiceMixin, ObjectPermissionsModelAdmin):
    list_display = [
        "title", "organisation", "phases", "access", "is_active", "confirmed_at", "outdated", "to_check", "updated_at"
    ]  # fmt: skip
    list_filter = [
        LifePhaseFilter, OfferingOutdatedFilter, "access", "is_active", "themes", "municipalities",
        "organisation__discipline",
    ]  # fmt: skip
    search_fields = ["title", "description", "target_group", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation", "contact_person"]
    filter_horizontal = ["municipalities", "themes"]
    actions = ["confirm"]

    @admin.display(description=_("life phases"))
    def phases(self, obj):
        return ", ".join(str(label) for label in obj.life_phase_labels)

    @admin.display(description=_("possibly outdated"), boolean=True)
    def outdated(self, obj):
        return obj.is_possibly_outdated

    @admin.display(description=_("to check"))
    def to_check(self, obj):
        return obj.needs_review

    def save_model(self, request, obj, form, change):
        services.save_offering(obj, by=request.user, **many_to_many(form, "municipalities", "themes"))

    @admin.action(description=_("Mark the selected offerings as still right"))
    def confirm(self, request, queryset):
        for offering in queryset:
            if request.user.has_perm("members.edit_offering", offering):
                services.confirm_offering(offering)
        self.message_user(request, gettext("The offerings are confirmed."), messages.SUCCESS)


@admin.register(Municipality)
class MunicipalityAdmin(ObjectPermissionsModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        municipality = form.instance
        transaction.on_commit(lambda: services.reindex_profiles(Profile.objects.filter(municipalities=municipality)))
        # Offerings' search documents hold their places' names too.
        transaction.on_commit(lambda: services.reindex_offerings(Offering.objects.filter(municipalities=municipality)))


@admin.register(Theme)
class ThemeAdmin(ObjectPermissionsModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        theme = form.instance
        transaction.on_commit(lambda: services.reindex_profiles(Profile.objects.filter(themes=theme)))
        transaction.on_commit(lambda: services.reindex_offerings(Offering.objects.filter(themes=theme)))
