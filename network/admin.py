"""The network in the admin: coalitions with their phase history, coordinators, trekkers, partners and declarations.

Every permission is a rule of network/rules.py asked with the object (a coalition, or the coalition of the
row), so a coalition coordinator edits their own coalitions and is refused another one with the reason;
their lists show their own coalitions only. Saving goes through network.services wherever something else
follows (a trekker leaving is mailed, a circle change is recorded, a coordinator becomes staff).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from coalition.admin import LabelledTabularInline, PrivateFilesAdminMixin, is_autocomplete_request
from coalition.roles import is_approved_member, is_coordinator
from coalition.rules import refuse
from members.models import Profile

from . import services
from .models import (
    Coalition,
    CoalitionCoordinator,
    Declaration,
    JoinRequest,
    Partnership,
    Phase,
    PhaseChange,
    Signature,
    Trekker,
)


class RulesAdminMixin:
    """The admin's four questions go to the rules with the object: the row, or for an inline its coalition."""

    def _may(self, request, action, obj):
        return request.user.has_perm(f"{self.opts.app_label}.{action}_{self.opts.model_name}", obj)

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view", obj) or self._may(request, "change", obj)

    def has_add_permission(self, request, obj=None):
        return self._may(request, "add", obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, "delete", obj)


class OwnCoalitionsOnly(RulesAdminMixin):
    """Lists hold the rows of the person's own coalitions; another coalition's page is refused with the reason."""

    coalition_path = "coalition"
    # The rule whose reason the refusal page gives.
    refused_by = "network.change_coalition"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_coordinator(request.user):
            return queryset
        return queryset.filter(**{f"{self.coalition_path}__in": Coalition.objects.managed_by(request.user)})

    def get_object(self, request, object_id, from_field=None):
        # Looked up among all rows, so that another coalition's page says why it is closed (not "does not exist").
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        try:
            obj = self.model._default_manager.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValueError, forms.ValidationError):
            return None
        if not self.has_view_or_change_permission(request, obj):
            refuse(request.user, self.refused_by)
        return obj


def _approved_profiles():
    return Profile.objects.approved().select_related("organisation").order_by("sort_surname", "sort_first_name", "pk")


class ProfileChoiceField(forms.ModelChoiceField):
    """A member by name and organisation, so two people with one name can be told apart."""

    def label_from_instance(self, obj):
        return f"{obj} ({obj.organisation})" if obj.organisation_id else str(obj)


class ProfileMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return ProfileChoiceField.label_from_instance(self, obj)


# --- Inlines of a coalition --------------------------------------------------------------------------


class PhaseChangeInline(RulesAdminMixin, LabelledTabularInline):
    """The phase history, read-only: a new phase is recorded on the coalition's 'Change the phase' page."""

    model = PhaseChange
    fields = ["changed_on", "phase", "note", "changed_by"]
    readonly_fields = fields
    extra = 0


class CoordinatorForm(forms.ModelForm):
    """A coalition coordinator is named by the e-mail address of their account (an approved member)."""

    email = forms.EmailField(label=_("e-mail address of the member"))

    class Meta:
        model = CoalitionCoordinator
        fields = ["email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email

    def clean_email(self):
        email = self.cleaned_data["email"]
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None or not is_approved_member(user):
            raise forms.ValidationError(_("No approved member of the network has this e-mail address."))
        others = CoalitionCoordinator.objects.filter(coalition_id=self.instance.coalition_id, user=user)
        if self.instance.coalition_id and others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("%(name)s already coordinates this coalition.") % {"name": user})
        self.instance.user = user
        return email


class CoordinatorInline(RulesAdminMixin, LabelledTabularInline):
    model = CoalitionCoordinator
    form = CoordinatorForm
    fields = ["email", "appointed_on"]
    readonly_fields = ["appointed_on"]
    extra = 0

    def get_fields(self, request, obj=None):
        # Coalition coordinators see who their fellow coordinators are, not an e-mail form.
        return self.fields if self.has_change_permission(request, obj) else ["user", "appointed_on"]


class TrekkerForm(forms.ModelForm):
    class Meta:
        model = Trekker
        fields = ["profile", "role", "starts_on", "ends_on"]
        field_classes = {"profile": ProfileChoiceField}


class TrekkerInline(RulesAdminMixin, LabelledTabularInline):
    model = Trekker
    form = TrekkerForm
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "profile":
            coalition = getattr(request, "_network_coalition", None)
            # Members of its partner organisations and members working in its municipalities (plus who is there).
            people = _approved_profiles()
            if coalition is not None:
                people = people.filter(
                    Q(organisation__partnerships__coalition=coalition)
                    | Q(municipalities__in=coalition.municipalities.all())
                    | Q(trekker_terms__coalition=coalition)
                ).distinct()
            kwargs["queryset"] = people
            kwargs["help_text"] = _(
                "Approved members of the partner organisations or working in the coalition's municipalities."
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PartnershipForm(forms.ModelForm):
    class Meta:
        model = Partnership
        fields = ["organisation", "circle", "since", "contact_persons"]
        field_classes = {"contact_persons": ProfileMultipleChoiceField}

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        if organisation is not None:
            try:
                services.check_contact_persons(organisation, cleaned.get("contact_persons") or [])
            except services.NetworkError as error:
                self.add_error("contact_persons", str(error))
        return cleaned


class PartnershipInline(RulesAdminMixin, LabelledTabularInline):
    model = Partnership
    form = PartnershipForm
    extra = 0
    readonly_fields = ["circle_history"]
    fields = ["organisation", "circle", "since", "contact_persons", "circle_history"]
    autocomplete_fields = ["organisation"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation").prefetch_related("circle_changes")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "contact_persons":
            coalition = getattr(request, "_network_coalition", None)
            people = _approved_profiles()
            kwargs["queryset"] = (
                people.filter(organisation__partnerships__coalition=coalition).distinct()
                if coalition is not None
                else people.none()
            )
            kwargs["help_text"] = _("Members of that organisation. Save a new partner first to choose its people.")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("circle history"))
    def circle_history(self, obj):
        if not obj.pk:
            return ""
        return format_html_join(
            ", ",
            "{} {}",
            ((change.get_circle_display(), f"{change.changed_on:%d-%m-%Y}") for change in obj.circle_changes.all()),
        )


class DeclarationForm(forms.ModelForm):
    class Meta:
        model = Declaration
        fields = ["title", "version", "dated_on", "text", "pdf"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}


class DeclarationInline(PrivateFilesAdminMixin, RulesAdminMixin, admin.StackedInline):
    model = Declaration
    form = DeclarationForm
    extra = 0
    show_change_link = True
    private_file_urls = {"pdf": Declaration.get_pdf_url}
    readonly_fields = ["signature_summary"]
    fields = ["title", "version", "dated_on", "text", "pdf", "signature_summary"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("coalition").prefetch_related("signatures")

    @admin.display(description=_("signatures"))
    def signature_summary(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '{} <a href="{}">{}</a>',
            len(obj.signatures.all()),
            reverse("admin:network_declaration_change", args=[obj.pk]),
            _("Record signatures"),
        )


# --- Coalitions --------------------------------------------------------------------------------------


class CoalitionAdminForm(forms.ModelForm):
    # Declared here because the admin leaves out many-to-many fields with their own table.
    municipalities = forms.ModelMultipleChoiceField(
        label=_("municipalities"),
        queryset=Coalition.municipalities.field.related_model.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each municipality belongs to one coalition at most."),
    )
    initial_phase = forms.ChoiceField(
        label=_("phase"),
        choices=Phase.choices,
        initial=Phase.EXPLORING,
        required=False,
        help_text=_("Where the coalition stands now. Add earlier phases afterwards on 'Change the phase'."),
    )

    class Meta:
        model = Coalition
        fields = [
            "name",
            "slug",
            "started_on",
            "funding_tranche",
            "description",
            "vision",
            "goals",
            "focus_points",
        ]
        widgets = {
            "focus_points": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 2}),
            "vision": forms.Textarea(attrs={"rows": 6}),
            "goals": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "municipalities" in self.fields:
            self.fields["municipalities"].initial = list(self.instance.municipalities.all())

    def clean_municipalities(self):
        municipalities = self.cleaned_data["municipalities"]
        try:
            services.check_municipalities_free(self.instance, municipalities)
        except services.NetworkError as error:
            raise forms.ValidationError(str(error)) from None
        return municipalities


@admin.register(Coalition)
class CoalitionAdmin(OwnCoalitionsOnly, admin.ModelAdmin):
    form = CoalitionAdminForm
    coalition_path = "pk"
    list_display = [
        "name",
        "municipality_names",
        "phase",
        "phase_since",
        "inner_count",
        "outer_count",
        "open_request_count",
    ]
    list_filter = ["phase", "municipalities"]
    search_fields = ["name", "municipalities__name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PhaseChangeInline, CoordinatorInline, TrekkerInline, PartnershipInline, DeclarationInline]
    # Only regional coordinators draw a coalition's borders and its funding.
    regional_fields = ["name", "slug", "municipalities", "started_on", "funding_tranche"]

    def get_queryset(self, request):
        if is_autocomplete_request(request):
            # Every coalition, as on the public /coalitions/ list, to tag a story or an event with.
            return Coalition.objects.all()
        return super().get_queryset(request).with_counts().prefetch_related("municipalities")

    def has_view_permission(self, request, obj=None):
        # Higher layers tag their rows with coalitions by name (journal stories by editors who manage no
        # coalition): the admin's autocomplete may search every coalition, whose names are public anyway.
        # The admin site has already checked that the person is staff.
        return (obj is None and is_autocomplete_request(request)) or super().has_view_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        # Returned here, not as a `fieldsets` attribute: the system check refuses to see `municipalities`
        # (it has a table of its own), which CoalitionAdminForm declares itself.
        main = [*self.regional_fields, "initial_phase" if obj is None else "current_phase"]
        return [
            (None, {"fields": main}),
            (_("On the coalition's page"), {"fields": ["description", "vision", "goals", "focus_points"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["current_phase"]
        if not is_coordinator(request.user):
            readonly += self.regional_fields
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if is_coordinator(request.user) else {}

    def get_inlines(self, request, obj):
        # A new coalition first gets its name and municipalities; people and partners come after saving.
        return self.inlines if obj is not None else []

    def get_formsets_with_inlines(self, request, obj=None):
        # The inlines limit their choices to this coalition's people and partners.
        request._network_coalition = obj
        yield from super().get_formsets_with_inlines(request, obj)

    @admin.display(description=_("municipalities"))
    def municipality_names(self, obj):
        return ", ".join(m.name for m in obj.municipalities.all())

    @admin.display(description=_("inner circle"), ordering="inner_count")
    def inner_count(self, obj):
        return obj.inner_count

    @admin.display(description=_("outer circle"), ordering="outer_count")
    def outer_count(self, obj):
        return obj.outer_count

    @admin.display(description=_("open joining requests"), ordering="open_request_count")
    def open_request_count(self, obj):
        return obj.open_request_count

    @admin.display(description=_("phase"))
    def current_phase(self, obj):
        if obj is None or not obj.pk:
            return ""
        since = f" ({obj.phase_since:%d-%m-%Y})" if obj.phase_since else ""
        return format_html(
            '{}{} – <a href="{}">{}</a>',
            obj.get_phase_display(),
            since,
            reverse("network:change_phase", kwargs={"slug": obj.slug}),
            _("Change the phase"),
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            coalition = form.instance
            started = min(coalition.started_on or timezone.localdate(), timezone.localdate())
            services.change_phase(
                coalition,
                phase=form.cleaned_data.get("initial_phase") or Phase.EXPLORING,
                on=started,
                note=_("Registered in the portal."),
                by=request.user,
            )

    def save_formset(self, request, form, formset, change):
        save = {
            Trekker: self._save_trekkers,
            Partnership: self._save_partnerships,
            CoalitionCoordinator: self._save_coordinators,
        }.get(formset.model)
        if save is None:
            return super().save_formset(request, form, formset, change)
        # What Django's change message (the object's history) reads after a formset's own save().
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        try:
            save(request, form.instance, formset)
        except services.NetworkError as error:
            self.message_user(request, str(error), messages.ERROR)
        return None

    @staticmethod
    def _rows(formset):
        """(form, what happens) for every row someone touched: 'delete', 'add' or 'change' (noted for the history)."""
        for row in formset.forms:
            if not row.has_changed() and not (formset.can_delete and row.cleaned_data.get("DELETE")):
                continue
            if row.cleaned_data.get("DELETE"):
                if row.instance.pk:
                    formset.deleted_objects.append(row.instance)
                    yield row, "delete"
            elif row.instance.pk is None:
                yield row, "add"
                formset.new_objects.append(row.instance)
            else:
                formset.changed_objects.append((row.instance, row.changed_data))
                yield row, "change"

    def _save_trekkers(self, request, coalition, formset):
        for row, what in self._rows(formset):
            trekker = row.instance
            if what == "delete":
                trekker.delete()
            elif what == "add":
                services.appoint_trekker(
                    coalition,
                    profile=trekker.profile,
                    role=trekker.role,
                    starts_on=trekker.starts_on,
                    ends_on=trekker.ends_on,
                    by=request.user,
                )
            else:
                others = [name for name in row.changed_data if name != "ends_on"]
                if others:
                    trekker.save(update_fields=others)
                if "ends_on" in row.changed_data:
                    if trekker.ends_on:
                        # The service mails the coalition's coordinators and the remaining trekkers.
                        services.end_trekker(trekker, on=trekker.ends_on, by=request.user)
                    else:
                        trekker.save(update_fields=["ends_on"])

    def _save_partnerships(self, request, coalition, formset):
        for row, what in self._rows(formset):
            partnership = row.instance
            if what == "delete":
                partnership.delete()
            elif what == "add":
                services.add_partner(
                    coalition,
                    organisation=partnership.organisation,
                    circle=partnership.circle,
                    since=partnership.since,
                    contact_persons=row.cleaned_data.get("contact_persons") or [],
                    by=request.user,
                )
            else:
                plain = [name for name in row.changed_data if name in ("organisation", "since")]
                if plain:
                    partnership.save(update_fields=plain)
                if "contact_persons" in row.changed_data:
                    partnership.contact_persons.set(row.cleaned_data["contact_persons"])
                if "circle" in row.changed_data:
                    # Recorded with today's date in the partner's circle history.
                    services.change_circle(partnership, circle=partnership.circle, by=request.user)

    def _save_coordinators(self, request, coalition, formset):
        for row, what in self._rows(formset):
            if what in ("delete", "change"):
                services.remove_coalition_coordinator(
                    CoalitionCoordinator.objects.get(pk=row.instance.pk), by=request.user
                )
            if what in ("add", "change"):
                services.appoint_coalition_coordinator(coalition, user=row.instance.user, by=request.user)


# --- Declarations and their signatures -----------------------------------------------------------------


class SignatureForm(forms.ModelForm):
    class Meta:
        model = Signature
        fields = ["partnership", "signed_by_name", "signed_by_function", "signed_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Directors sign; the declaration page shows their name and function.
        for name in ("signed_by_name", "signed_by_function"):
            if name in self.fields:
                self.fields[name].required = True


class SignatureInline(RulesAdminMixin, LabelledTabularInline):
    model = Signature
    form = SignatureForm
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partnership":
            declaration = getattr(request, "_network_declaration", None)
            kwargs["queryset"] = Partnership.objects.select_related("organisation").filter(
                coalition_id=declaration.coalition_id if declaration else None
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Declaration)
class DeclarationAdmin(PrivateFilesAdminMixin, OwnCoalitionsOnly, admin.ModelAdmin):
    form = DeclarationForm
    private_file_urls = {"pdf": Declaration.get_pdf_url}
    list_display = ["__str__", "coalition", "dated_on", "signature_count"]
    list_filter = ["coalition"]
    search_fields = ["title", "coalition__name"]
    autocomplete_fields = ["coalition"]
    inlines = [SignatureInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("coalition")
            .annotate(signatures_total=models.Count("signatures"))
        )

    fields = ["coalition", "title", "version", "dated_on", "text", "pdf"]

    def get_readonly_fields(self, request, obj=None):
        # A declaration stays with its coalition.
        return ["coalition"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "coalition":
            # Only a coalition the person manages, whatever is posted.
            kwargs["queryset"] = Coalition.objects.managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formsets_with_inlines(self, request, obj=None):
        request._network_declaration = obj
        yield from super().get_formsets_with_inlines(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    @admin.display(description=_("signatures"), ordering="signatures_total")
    def signature_count(self, obj):
        return obj.signatures_total


# --- Joining requests ----------------------------------------------------------------------------------


@admin.register(JoinRequest)
class JoinRequestAdmin(OwnCoalitionsOnly, admin.ModelAdmin):
    """Read here, answered on the portal's page (a decline needs a reason that is mailed)."""

    list_display = ["organisation_label", "coalition", "name", "state", "created_at", "answer_link"]
    list_filter = ["state", "coalition"]
    search_fields = ["organisation__name", "organisation_name", "name", "coalition__name"]
    list_select_related = ["coalition", "organisation"]

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields] + ["answer_link"]

    @admin.display(description=_("organisation"), ordering="organisation_name")
    def organisation_label(self, obj):
        return obj.organisation_label

    @admin.display(description=_("answer"))
    def answer_link(self, obj):
        if not obj.pk or not obj.is_open:
            return ""
        url = reverse("network:join_request_detail", kwargs={"slug": obj.coalition.slug, "pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("Accept or decline"))
