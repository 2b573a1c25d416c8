"""The regional coordinators' working tool for surveys: a survey built with its sections and questions as ordered
lists (never JSON), the answers read-only and readable. Coalition coordinators do not use the admin (surveys/rules.py):
they follow and send their coalition's surveys on the site (/surveys/manage/)."""

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from rules.contrib.admin import (
    ObjectPermissionsModelAdmin,
    ObjectPermissionsStackedInline,
    ObjectPermissionsTabularInline,
)

from coalition.admin import LabelledTabularInline

from . import services
from .models import Participant, Response, Section, Survey, SurveyQuestion

# --- Building: a survey with its sections and questions -----------------------------------------------------------

# Words the survey URLs use after /surveys/: a survey named so would hide the page (surveys/urls.py).
RESERVED_SLUGS = frozenset({"manage", "answer", "mine", "new"})


class SectionInline(ObjectPermissionsTabularInline, LabelledTabularInline):
    """The survey's headings in their order ("position"); a question is placed under one in its own row."""

    model = Section
    extra = 0
    fields = ["position", "title", "introduction"]
    ordering = ["position", "pk"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class SurveyQuestionInline(ObjectPermissionsStackedInline):
    """The questions as an ordered list, each with its type; a choice question's choices are lines in a box
    (surveys.models.ChoicesFormField). The section is chosen among this survey's own sections."""

    model = SurveyQuestion
    extra = 1
    fields = [
        ("position", "section"),
        ("label", "kind", "required"),
        "help_text",
        "choices",
        ("min_value", "max_value"),
    ]
    ordering = ["position", "pk"]

    def get_formset(self, request, obj=None, **kwargs):
        # The survey being edited, for the section's choices below (formfield_for_foreignkey has no obj).
        request._survey_being_edited = obj
        formset = super().get_formset(request, obj, **kwargs)

        class SectionsReadOnce(formset):
            """Every question's section list from one query, not one per question."""

            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                field = form.fields.get("section")
                if field is not None:
                    if not hasattr(self, "_section_choices"):
                        self._section_choices = list(field.choices)
                    field.choices = self._section_choices  # shown from the list; checked against the queryset
                return form

        return SectionsReadOnce

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            survey = getattr(request, "_survey_being_edited", None)
            kwargs["queryset"] = (
                Section.objects.filter(survey=survey).order_by("position", "pk")
                if survey is not None and survey.pk
                else Section.objects.none()
            )
            kwargs.setdefault(
                "help_text", _("One of this survey's sections. New sections can be chosen once the survey is saved.")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SurveyAdminForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = []  # the admin adds the fields of its fieldsets

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(
                _("“%(slug)s” is a word the survey pages use already; choose another slug."),
                code="reserved_slug",
                params={"slug": slug},
            )
        return slug


@admin.register(Survey)
class SurveyAdmin(ObjectPermissionsModelAdmin):
    form = SurveyAdminForm
    inlines = [SectionInline, SurveyQuestionInline]
    list_display = [
        "title",
        "kind",
        "coalition_name",
        "state",
        "opens_at",
        "closes_at",
        "responses",
        "rate",
        "links",
    ]
    list_filter = ["kind", "state", "is_anonymous", "results_for", ("coalition", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "slug", "introduction", "coalition__name"]
    autocomplete_fields = ["coalition"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created_at"
    readonly_fields = ["sent_at", "reminded_at", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "coalition", "introduction"]}),
        (_("Publishing"), {"fields": ["state", "opens_at", "closes_at", "open_on_site"]}),
        (_("Privacy and results"), {"fields": ["is_anonymous", "results_for"]}),
        (_("Sending"), {"fields": ["sent_at", "reminded_at", "created_by", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("coalition")
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name == "surveys_survey_changelist":
            # The list's numbers in its one query (no count per row).
            queryset = services.with_response_numbers(queryset)
        return queryset

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description=_("coalition"), ordering="coalition__name")
    def coalition_name(self, obj):
        return obj.coalition.name if obj.coalition_id else _("Regional")

    @admin.display(description=_("responses"), ordering="response_count")
    def responses(self, obj):
        return obj.response_count

    @admin.display(description=_("response rate"))
    def rate(self, obj):
        rate = services.response_rate(obj.answered_count, obj.invited_count)
        if rate is None:
            return "–"
        return _("%(rate)d%% (%(answered)d of %(invited)d)") % {
            "rate": rate,
            "answered": obj.answered_count,
            "invited": obj.invited_count,
        }

    @admin.display(description=_("pages"))
    def links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("surveys:manage", kwargs={"slug": obj.slug}),
            _("Follow and send"),
            reverse("surveys:results", kwargs={"slug": obj.slug}),
            _("Results"),
        )


# --- Who answered, and what: read only -----------------------------------------------------------------------------


class ReadOnlyAdmin(ObjectPermissionsModelAdmin):
    """Rows made by answering (and sending), never typed in by someone else: the rules give view only, and this
    holds for superusers too, whom Django never asks the rules."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyAdmin):
    """Who was asked and whether (never what) they answered: also for an anonymous survey, for its reminder. There
    only whether, not when: the time would match the time of an answer and so tell whose it is."""

    list_display = ["__str__", "survey", "invited_at", "reminded_at", "answered"]
    list_filter = [
        ("survey", admin.RelatedOnlyFieldListFilter),
        ("answered_at", admin.EmptyFieldListFilter),
        ("reminded_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["survey"]
    search_fields = ["name", "email", "survey__title"]
    fields = ["survey", "profile", "name", "email", "invited_at", "reminded_at", "answered"]
    readonly_fields = fields

    @admin.display(description=_("answered"))
    def answered(self, obj):
        if obj.answered_at is None:
            return _("No")
        if obj.survey.is_anonymous:
            return _("Yes")
        return date_format(timezone.localtime(obj.answered_at), "DATETIME_FORMAT")


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    """A completed form, its answers shown as the person gave them, per question. An anonymous survey's response is
    tied to nobody, and the admin never shows a participant for it."""

    list_display = ["submitted", "survey", "respondent", "coalition", "coalition_phase", "discipline"]
    list_filter = [("survey", admin.RelatedOnlyFieldListFilter), "coalition_phase", "discipline"]
    list_select_related = ["survey", "participant", "coalition"]
    search_fields = ["survey__title"]

    def get_fields(self, request, obj=None):
        fields = ["survey", "respondent", "coalition", "coalition_phase", "discipline", "submitted"]
        if obj is not None and not obj.survey.is_anonymous:
            fields.append("updated_at")
        if obj is not None and obj.detached_at:
            fields.append("detached_at")
        return [*fields, "answers_shown"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("submitted at"), ordering="submitted_at")
    def submitted(self, obj):
        """An anonymous survey's answer shows its day only: with the hour it could be matched to who answered then."""
        moment = timezone.localtime(obj.submitted_at)
        return date_format(moment, "DATE_FORMAT" if obj.survey.is_anonymous else "DATETIME_FORMAT")

    @admin.display(description=_("respondent"))
    def respondent(self, obj):
        if obj.survey.is_anonymous:
            return _("(anonymous)")
        if obj.participant_id is None:
            return _("(detached)") if obj.detached_at else "–"
        return obj.participant.name or obj.participant.email

    @admin.display(description=_("answers"))
    def answers_shown(self, obj):
        answers = obj.answers or {}
        questions = obj.survey.questions.select_related("section").order_by(
            "section__position", "section__pk", "position", "pk"
        )
        rows = []
        for question in questions:
            shown = question.display(answers.get(str(question.pk))) or "–"
            rows.append((question.section.title if question.section_id else "", question.label, shown))
        if not rows:
            return "–"
        return format_html(
            '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("section"),
            _("question"),
            _("answer"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )
