"""The coordinators' admin for users, profiles, organisations, offerings, municipalities and themes."""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coalition.roles import is_coordinator

from . import services
from .forms import ImageUploadMixin, ProfileForm, image_field
from .models import Municipality, Offering, Organisation, Profile, Theme, User, Visibility

# A cell a spreadsheet would read as a formula (or that hides one behind a tab or CR).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make a CSV cell inert in spreadsheets: a leading formula character is quoted with '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheets read UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return response


def profile_csv_rows(queryset):
    """Rows of the members CSV. A CSV leaves the portal, so it carries only what every approved
    member may see: direct phone and e-mail only where the person shows them to all members,
    and no contact details at all for people who are not listed or not approved."""
    for profile in queryset.select_related("user", "organisation").prefetch_related("municipalities", "themes"):
        public = profile.is_approved and profile.is_listed
        yield [
            profile.first_name,
            profile.last_name,
            profile.job_title,
            profile.get_discipline_display(),
            profile.organisation.name if profile.organisation else "",
            ", ".join(m.name for m in profile.municipalities.all()),
            ", ".join(t.name for t in profile.themes.all()),
            profile.team_phone if public else "",
            profile.direct_phone if public and profile.phone_visibility == Visibility.MEMBERS else "",
            profile.user.email if public and profile.email_visibility == Visibility.MEMBERS else "",
            profile.availability if public else "",
            profile.get_status_display(),
            timezone.localtime(profile.details_confirmed_at).date().isoformat(),
        ]


PROFILE_CSV_HEADER = [
    _("first name"),
    _("last name"),
    _("job title"),
    _("discipline"),
    _("organisation"),
    _("municipalities"),
    _("themes"),
    _("team phone"),
    _("direct phone"),
    _("e-mail"),
    _("availability"),
    _("approval"),
    _("details last confirmed"),
]


def organisation_csv_rows(queryset):
    for organisation in queryset.prefetch_related("municipalities", "contacts"):
        yield [
            organisation.name,
            organisation.get_discipline_display(),
            organisation.get_circle_display(),
            ", ".join(m.name for m in organisation.municipalities.all()),
            organisation.declaration_signed_on.isoformat() if organisation.declaration_signed_on else "",
            organisation.phone,
            organisation.email,
            organisation.website,
            organisation.address,
            ", ".join(p.full_name for p in organisation.contacts.all()),
        ]


ORGANISATION_CSV_HEADER = [
    _("name"),
    _("kind of organisation"),
    _("circle"),
    _("municipalities served"),
    _("declaration of intent signed on"),
    _("general phone line"),
    _("e-mail"),
    _("website"),
    _("address"),
    _("contacts"),
]


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
            "circle",
            "declaration_signed_on",
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


class ProcessedImageAdminMixin:
    """Stores the image the form validated and re-encoded (never the raw upload)."""

    image_fields = ("photo", "photo_thumbnail")

    def save_model(self, request, obj, form, change):
        if form.processed_image:
            field, thumbnail = self.image_fields
            setattr(obj, field, form.processed_image.image)
            setattr(obj, thumbnail, form.processed_image.thumbnail)
        super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
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


class PossiblyOutdatedFilter(admin.SimpleListFilter):
    title = _("details")
    parameter_name = "outdated"

    def lookups(self, request, model_admin):
        return [("yes", _("Possibly outdated")), ("no", _("Current"))]

    def queryset(self, request, queryset):
        from .models import OUTDATED_AFTER

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
class ProfileAdmin(ProcessedImageAdminMixin, admin.ModelAdmin):
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
        "organisation__circle",
        PossiblyOutdatedFilter,
        "municipalities",
        "themes",
    ]
    search_fields = ["first_name", "last_name", "user__email", "job_title", "organisation__name"]
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
            {"fields": ("user", "first_name", "last_name", "job_title", "discipline", "organisation", "is_ambassador")},
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
        "organisation__circle",
        PossiblyOutdatedFilter,
        "municipalities",
        "themes",
    ]
    member_view_search_fields = ["first_name", "last_name", "job_title", "organisation__name"]
    member_view_fieldsets = (
        (None, {"fields": ("first_name", "last_name", "job_title", "discipline", "organisation", "is_ambassador")}),
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
        return queryset if is_coordinator(request.user) else profiles_seen_by(request.user, queryset)

    def get_object(self, request, object_id, from_field=None):
        profile = super().get_object(request, object_id, from_field)
        if profile is not None:
            profile.card = profile.contact_card(request.user)
        return profile

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if not is_coordinator(request.user):
            for profile in changelist.result_list:
                profile.card = profile.contact_card(request.user)
        return changelist

    def get_list_display(self, request):
        return super().get_list_display(request) if is_coordinator(request.user) else self.member_view_list_display

    def get_list_filter(self, request):
        return super().get_list_filter(request) if is_coordinator(request.user) else self.member_view_list_filter

    def get_search_fields(self, request):
        return super().get_search_fields(request) if is_coordinator(request.user) else self.member_view_search_fields

    def get_fieldsets(self, request, obj=None):
        return super().get_fieldsets(request, obj) if is_coordinator(request.user) else self.member_view_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if is_coordinator(request.user):
            return super().get_readonly_fields(request, obj)
        return [name for _title, options in self.member_view_fieldsets for name in options["fields"]]

    def lookup_allowed(self, lookup, value, request):
        if is_coordinator(request.user):
            return super().lookup_allowed(lookup, value, request)
        # The address bar filters on any field of the model (?direct_phone__startswith=06 answers yes or no
        # about a hidden number): others get only the filters the list itself offers.
        return lookup in filter_parameters(self.member_view_list_filter)

    def history_view(self, request, object_id, extra_context=None):
        # Who changed what, and when, is the coordinators' business; members never see it.
        if not is_coordinator(request.user):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        transaction.on_commit(lambda: services.reindex_profiles(Profile.objects.filter(pk=form.instance.pk)))

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
        return csv_response(
            f"members-{timezone.localdate().isoformat()}.csv", PROFILE_CSV_HEADER, profile_csv_rows(queryset)
        )

    def has_approve_permission(self, request):
        return request.user.has_perm("members.approve_profile")


class OfferingInline(admin.StackedInline):
    model = Offering
    extra = 0
    fields = ["title", "life_phase", "access", "is_active"]
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(ProcessedImageAdminMixin, admin.ModelAdmin):
    form = OrganisationAdminForm
    image_fields = ("logo", "logo_thumbnail")
    list_display = ["name", "discipline", "circle", "declaration_signed_on", "phone", "updated_at"]
    list_filter = ["discipline", "circle", "municipalities", ("declaration_signed_on", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "phone", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["municipalities"]
    autocomplete_fields = ["contacts"]
    inlines = [OfferingInline]
    actions = ["export_csv"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if is_coordinator(request.user):
            return fields
        # Who keeps a page current is not shown to members: a contact may be unlisted or not (yet) approved.
        return [name for name in fields if name != "contacts"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        organisation = form.instance
        transaction.on_commit(lambda: services.reindex_profiles(Profile.objects.filter(organisation=organisation)))

    @admin.action(description=_("Export selected organisations as CSV"))
    def export_csv(self, request, queryset):
        return csv_response(
            f"organisations-{timezone.localdate().isoformat()}.csv",
            ORGANISATION_CSV_HEADER,
            organisation_csv_rows(queryset),
        )


@admin.register(Offering)
class OfferingAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "life_phase", "access", "is_active", "updated_at"]
    list_filter = ["life_phase", "access", "is_active", "themes", "municipalities", "organisation__discipline"]
    search_fields = ["title", "description", "target_group", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["municipalities", "themes"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        municipality = form.instance
        transaction.on_commit(lambda: services.reindex_profiles(Profile.objects.filter(municipalities=municipality)))


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        theme = form.instance
        transaction.on_commit(lambda: services.reindex_profiles(Profile.objects.filter(themes=theme)))
