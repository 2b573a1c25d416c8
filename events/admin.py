"""The coordinator's working tool for events: registrations inline, mailing states, actions that call services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Max
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rules.contrib.admin import (
    ObjectPermissionsModelAdmin,
    ObjectPermissionsStackedInline,
    ObjectPermissionsTabularInline,
)

from coalition import checkstep
from coalition.admin import FILE_FIELDS_LABELLED, LabelledTabularInline, PrivateFilesAdminMixin
from coalition.rules import DomainError

from . import services
from .models import (
    Case,
    Event,
    EventMailing,
    IntakeQuestion,
    Invitation,
    Material,
    MeetingNotes,
    ProgrammeItem,
    Registration,
    Series,
    Session,
)


def _run(modeladmin, request, queryset, action, **kwargs):
    """Call a service for each selected object (it checks `by` with the rules); report each refusal. Returns
    what the service returned per object that went through."""
    done = {}
    for obj in queryset:
        try:
            done[obj] = action(obj, by=request.user, **kwargs)
        except DomainError as refusal:
            modeladmin.message_user(request, f"{obj}: {refusal}", messages.WARNING)
    return done


class RegistrationInline(ObjectPermissionsTabularInline):
    model = Registration
    extra = 0
    can_delete = False
    fields = [
        "name",
        "organisation_name",
        "email",
        "state",
        "cancel_reason",
        "session",
        "waiting_since",
        "checked_in",
        "consent_to_list",
        "registered_at",
    ]
    # Read-only like the state: checking in goes through the service (confirmed participants only,
    # with the time), from the printable check-in list or the registrations' "Check in" action.
    readonly_fields = fields
    ordering = ["state", "registered_at"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session")

    def has_add_permission(self, request, obj=None):
        # Registering goes through the service (seats, waiting list, mail): members use the site. The rule
        # `events.add_registration` says no too; this holds for superusers, whom Django never asks the rules.
        return False


class MaterialInline(PrivateFilesAdminMixin, ObjectPermissionsTabularInline, LabelledTabularInline):
    model = Material
    formfield_overrides = FILE_FIELDS_LABELLED
    private_file_urls = {"file": Material.get_absolute_url}  # the download view checks who asks
    extra = 1
    fields = ["title", "file", "uploaded_at"]
    readonly_fields = ["uploaded_at"]


class SessionInline(ObjectPermissionsTabularInline, LabelledTabularInline):
    """The breakout sessions, in order: each with its seats, room and the online link only its participants see."""

    model = Session
    extra = 0
    fields = ["position", "title", "description", "capacity", "room", "meeting_url"]
    ordering = ["position", "pk"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}


class ProgrammeItemInline(ObjectPermissionsTabularInline, LabelledTabularInline):
    """The programme, in time order: speakers who are members by autocomplete, guest speakers one per line."""

    model = ProgrammeItem
    extra = 0
    fields = ["starts_at", "ends_at", "title", "description", "speakers", "guest_speakers", "room", "session"]
    autocomplete_fields = ["speakers"]
    ordering = ["starts_at", "ends_at", "pk"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 30})}}

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this event's sessions (a new event's sessions can be chosen after its first save).
        sessions = Session.objects.filter(event=obj) if obj else Session.objects.none()
        formset.form.base_fields["session"].queryset = sessions
        return formset

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "session":
            # No add/change links beside the select: sessions are edited in their own list above.
            return db_field.formfield(**kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class EventMailingInline(ObjectPermissionsTabularInline):
    model = EventMailing
    extra = 0
    can_delete = False
    fields = ["purpose", "mailing_link", "state", "created"]
    readonly_fields = fields
    verbose_name_plural = _("mailings of this event")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mailing")

    @admin.display(description=_("mailing"))
    def mailing_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:coalition_mailing_change", args=[obj.mailing_id]), obj.mailing
        )

    @admin.display(description=_("state"))
    def state(self, obj):
        return obj.mailing.get_state_display()

    @admin.display(description=_("created at"))
    def created(self, obj):
        return obj.mailing.created_at


class IntakeQuestionInline(ObjectPermissionsStackedInline):
    """The event's questions as an ordered list, each with its type (never JSON): "position" orders them, and a
    choice question's choices are lines in a box (surveys.models.ChoicesFormField). Nobody is asked for their
    coalition any more: it is recorded with each registration, with its phase (services.register)."""

    model = IntakeQuestion
    extra = 1
    fields = [("label", "kind"), ("required", "position"), "help_text", ("choices", "min_value", "max_value")]
    ordering = ["position", "pk"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A new question goes after the last one unless the coordinator moves it (the form class is made per request).
        last = obj.intake_questions.aggregate(last=Max("position"))["last"] if obj is not None and obj.pk else None
        formset.form.base_fields["position"].initial = 0 if last is None else last + 1
        return formset


class EventAdminForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = []  # the admin adds the fields of its fieldsets

    def clean_state(self):
        state = self.cleaned_data.get("state")
        event = self.instance
        if (
            state == Event.State.CANCELLED
            and event.pk
            and event.state != Event.State.CANCELLED
            and event.registrations.active().exclude(profile__isnull=True, email="").exists()
        ):
            # Those registered must be told, and that mail passes the check step: the cancel page shows it first.
            raise forms.ValidationError(
                _(
                    "People are registered for this event and must be told: cancel it with “Cancel this event”, "
                    "which shows the mail before it goes out."
                ),
                code="cancel_with_mail",
            )
        return state


@admin.register(Event)
class EventAdmin(ObjectPermissionsModelAdmin):
    form = EventAdminForm
    # What a coordinator comes for first, so it stays in view at 1280 px beside the filters.
    list_display = ["title", "starts_at", "seats", "confirmed", "waiting", "state", "kind", "edition"]
    list_filter = [
        "state",
        "kind",
        "themes",
        "series",
        "edition",
        ("group", admin.RelatedOnlyFieldListFilter),
        ("starts_at", admin.DateFieldListFilter),
    ]
    search_fields = ["title", "description", "venue"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "starts_at"
    autocomplete_fields = ["coalition", "series", "host", "co_host", "edition", "themes"]
    # The calendar sequence is the portal's bookkeeping for calendar programs, not something a coordinator reads.
    readonly_fields = ["tools", "materials_sent_at", "cancelled_at"]
    inlines = [
        IntakeQuestionInline,
        SessionInline,
        ProgrammeItemInline,
        RegistrationInline,
        MaterialInline,
        EventMailingInline,
    ]
    actions = ["cancel_events", "send_materials_to_all", "remind_invitations", "copy_as_new_date"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "kind",
                    "state",
                    "edition",
                    "coalition",
                    "series",
                    "themes",
                    "host",
                    "co_host",
                    "description",
                ]
            },
        ),
        (_("Time and place"), {"fields": ["starts_at", "ends_at", "venue", "address", "meeting_url"]}),
        (
            _("Meeting of a group"),
            {
                "fields": ["group", "group_only"],
                "description": _(
                    "For a meeting of a working group, sounding-board group or case consultation: its notes are "
                    "written on the site and sent to the group's members."
                ),
            },
        ),
        (
            _("Registration"),
            {
                "fields": [
                    "capacity",
                    "max_per_organisation",
                    "open_to_guests",
                    "registration_opens_at",
                    "registration_closes_at",
                    "cancellation_deadline",
                ],
                "description": _(
                    "The registrant's coalition and its phase are recorded with every registration. Questions "
                    "of your own go under “Intake questions” below."
                ),
            },
        ),
        (_("Certificate of attendance"), {"fields": ["accreditation_points", "accreditation_registry"]}),
        (_("Work on this event"), {"fields": ["tools", "materials_sent_at", "cancelled_at"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # A cancelled event stays cancelled: its participants were already sent a calendar cancellation.
        if obj is not None and obj.state == Event.State.CANCELLED:
            return [*self.readonly_fields, "state"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # An event people registered for is cancelled (everyone is told), never silently deleted. The rule
        # `events.delete_event` says so too; this holds for superusers, whom Django never asks the rules.
        if obj is not None and obj.registrations.exists():
            return False
        return super().has_delete_permission(request, obj)

    def has_manage_permission(self, request):
        return request.user.has_perm("events.manage_event")

    def has_send_invitations_permission(self, request):
        return request.user.has_perm("events.send_invitations")

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # bulk delete would skip the check above
        return actions

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edition").with_counts()

    @admin.display(description=_("seats"), ordering="capacity")
    def seats(self, obj):
        return obj.capacity if obj.capacity is not None else "∞"

    @admin.display(description=_("confirmed"), ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count

    @admin.display(description=_("waiting list"), ordering="waiting_count")
    def waiting(self, obj):
        return obj.waiting_count

    @admin.display(description=_("tools"))
    def tools(self, obj):
        if not obj.pk:
            return _("Save the event first.")
        links = [
            (reverse("events:event_detail", args=[obj.slug]), _("View on site")),
            (reverse("events:invite", args=[obj.slug]), _("Invite people")),
            (reverse("events:invitations", args=[obj.slug]), _("Invitation answers")),
            (reverse("events:check_in_list", args=[obj.slug]), _("Printable check-in list")),
            (reverse("events:registrations_csv", args=[obj.slug]), _("Registrations (CSV)")),
            (reverse("events:send_materials", args=[obj.slug]), _("Send materials and feedback request")),
            (reverse("events:overview", args=[obj.slug]), _("Send the programme and participant overview")),
            *(
                [(reverse("events:send_certificates", args=[obj.slug]), _("Send certificates of attendance"))]
                if obj.gives_certificates
                else []
            ),
            (reverse("events:message", args=[obj.slug]), _("Message to participants")),
            (reverse("events:sessions", args=[obj.slug]), _("Breakout sessions")),
            (
                reverse("events:ask_needs", args=[obj.slug]),
                _("Send the needs inventory")
                if obj.needs_survey_id
                else _("Ask the participants-to-be what they want to learn"),
            ),
            (reverse("events:results", args=[obj.slug]), _("Results and feedback")),
            (reverse("events:mailings", args=[obj.slug]), _("Mailings of this event")),
            (reverse("events:cancel_event", args=[obj.slug]), _("Cancel this event")),
        ]
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', links))

    def save_model(self, request, obj, form, change):
        if not change:
            services.create_event(obj, by=request.user)
            return
        # Changes go through the service: a real change of time or place mails participants an updated
        # .ics, more seats move people up from the waiting list. The service decides; this says what it did.
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in form.cleaned_data and not obj._meta.get_field(name).many_to_many
        }
        cancel = changes.get("state") == Event.State.CANCELLED
        if cancel:
            # Cancelled first: everyone hears of the cancellation, and nobody also gets a change it makes moot.
            changes.pop("state")
            services.cancel_event(obj, by=request.user)
        update = services.update_event(obj, by=request.user, **changes)
        if not cancel:
            self.message_user(request, self._what_was_mailed(update))
        if update.promoted:
            count = len(update.promoted)
            self.message_user(
                request,
                ngettext(
                    "%(count)d person moved up from the waiting list and was mailed.",
                    "%(count)d people moved up from the waiting list and were mailed.",
                    count,
                )
                % {"count": count},
            )
        obj.refresh_from_db()

    @staticmethod
    def _what_was_mailed(update):
        if not update.mailed:
            return update.no_mail_reason
        return ngettext(
            "The new time or place was mailed to %(count)d confirmed participant.",
            "The new time or place was mailed to %(count)d confirmed participants.",
            update.mailed,
        ) % {"count": update.mailed}

    # Each of these mails passes the check step (count, preview, test, confirm), one event at a time: the action
    # leads to it rather than sending.
    def _one_event(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose one event: each mailing is checked before it goes out."), messages.WARNING
            )
            return None
        return queryset.get()

    def _check(self, request, queryset, key, **params):
        event = self._one_event(request, queryset)
        if event is None:
            return None
        try:
            check = checkstep.open_check(key, {"event": event.pk, **params}, by=request.user)
        except DomainError as refusal:
            self.message_user(request, f"{event}: {refusal}", messages.WARNING)
            return None
        return redirect(check.get_absolute_url())

    @admin.action(description=_("Cancel the selected event and tell everyone registered"), permissions=["manage"])
    def cancel_events(self, request, queryset):
        event = self._one_event(request, queryset)
        return redirect("events:cancel_event", slug=event.slug) if event else None

    @admin.action(
        description=_("Send materials and a feedback request to all confirmed participants"), permissions=["manage"]
    )
    def send_materials_to_all(self, request, queryset):
        return self._check(request, queryset, "events.materials", only_checked_in=False)

    @admin.action(
        description=_("Remind the invited people who did not answer (once each)"), permissions=["send_invitations"]
    )
    def remind_invitations(self, request, queryset):
        return self._check(request, queryset, "events.invitation_reminder")

    def has_copy_permission(self, request):
        return request.user.has_perm("events.add_event")

    @admin.action(description=_("Copy as a new date"), permissions=["copy"])
    def copy_as_new_date(self, request, queryset):
        """Asks the new start on a page of its own, then opens the copy (a draft) to be checked and published."""
        if queryset.count() != 1:
            self.message_user(request, _("Choose one event to copy as a new date."), messages.WARNING)
            return None
        event = queryset.get()
        form = CopyEventForm(request.POST if "apply" in request.POST else None, event=event)
        if form.is_valid():
            try:
                copy = services.copy_event(event, starts_at=form.cleaned_data["starts_at"], by=request.user)
            except DomainError as refusal:
                self.message_user(request, f"{event}: {refusal}", messages.WARNING)
                return None
            except ValidationError as error:
                for messages_ in error.message_dict.values():
                    for message in messages_:
                        form.add_error("starts_at", message)
            else:
                self.message_user(request, _("The new date is saved as a draft: check it and publish it."))
                return redirect("admin:events_event_change", copy.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Copy as a new date"),
            "event": event,
            "form": form,
            "media": self.media + form.media,
            "opts": self.model._meta,
            "action_name": "copy_as_new_date",
            "selected": event.pk,
        }
        return TemplateResponse(request, "admin/events/event/copy_event.html", context)


class CopyEventForm(forms.Form):
    starts_at = forms.SplitDateTimeField(label=_("New start"), widget=AdminSplitDateTime)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].help_text = _(
            "The end, the registration window and the cancellation deadline move along with the start."
        )


class SeriesEventInline(admin.TabularInline):
    model = Event
    fields = ["title_link", "starts_at", "state"]
    readonly_fields = ["title_link", "starts_at", "state"]
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name = _("date")
    verbose_name_plural = _("dates")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("events.view_event")

    @admin.display(description=_("event"))
    def title_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:events_event_change", args=[obj.pk]), obj.title)


@admin.register(Series)
class SeriesAdmin(ObjectPermissionsModelAdmin):
    list_display = ["title", "coalition", "dates"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["coalition"]
    list_select_related = ["coalition"]
    fields = ["title", "slug", "coalition", "description"]
    inlines = [SeriesEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(date_count=Count("events"))

    @admin.display(description=_("dates"), ordering="date_count")
    def dates(self, obj):
        return obj.date_count


@admin.register(Registration)
class RegistrationAdmin(ObjectPermissionsModelAdmin):
    list_display = ["name", "event", "organisation_name", "is_guest", "state", "checked_in", "registered_at"]
    list_filter = [
        "state",
        "cancel_reason",
        "checked_in",
        ("profile", admin.EmptyFieldListFilter),
        "coalition_phase",
        "event",
    ]
    search_fields = ["name", "organisation_name", "email", "event__title"]
    list_select_related = ["event"]
    actions = ["cancel_registrations", "check_in"]
    # Who, for which event, the state and the check-in change only through the services: moving a
    # confirmed registration to another event or to another organisation here would overbook it or
    # slip past the maximum per organisation without the event lock.
    readonly_fields = [
        "event",
        "profile",
        "organisation",
        "coalition",
        "coalition_phase",
        "intake_answers",
        "state",
        "cancel_reason",
        "email",
        "holds_seat",
        "address_confirmed_at",
        "checked_in",
        "checked_in_at",
        "registered_at",
        "waiting_since",
        "confirmed_at",
        "cancelled_at",
        "reminded_at",
        "anonymised_at",
    ]
    # The answers are the registrant's, shown per question (intake_answers); never a JSON box to edit.
    exclude = ["answers"]

    @admin.display(description=_("answers to the intake questions"))
    def intake_answers(self, obj):
        rows = obj.answers_in_order(obj.event.intake_questions.all()) if obj.pk else []
        if not rows:
            return "–"
        return format_html(
            "<dl>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((q.label, answer or "–") for q, answer in rows)),
        )

    # The rules `events.add_registration` and `events.delete_registration` say no as well; these hold for
    # superusers, whom Django never asks the rules.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a confirmed registration would free its seat without moving anyone up: cancel instead.
        return False

    def has_manage_permission(self, request):
        return request.user.has_perm("events.manage_event")

    @admin.display(description=_("guest"), boolean=True)
    def is_guest(self, obj):
        return obj.is_guest

    @admin.action(description=_("Cancel (the first on the waiting list moves up)"), permissions=["manage"])
    def cancel_registrations(self, request, queryset):
        _run(self, request, queryset, services.cancel)

    @admin.action(description=_("Check in"), permissions=["manage"])
    def check_in(self, request, queryset):
        _run(self, request, queryset, services.check_in)


@admin.register(Invitation)
class InvitationAdmin(ObjectPermissionsModelAdmin):
    list_display = ["email", "name", "event", "answer", "invited_at", "answered_at", "reminded_at"]
    list_filter = ["answer", "event"]
    search_fields = ["email", "name"]
    list_select_related = ["event"]
    autocomplete_fields = ["profile", "event", "invited_by"]
    readonly_fields = ["token", "answered_at", "reminded_at"]


@admin.register(MeetingNotes)
class MeetingNotesAdmin(ObjectPermissionsModelAdmin):
    """The notes of groups' meetings: written and sent on the site (the meeting's notes page); here to read and
    correct."""

    list_display = ["event", "written_by", "written_at", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["event__title", "decisions", "summary"]
    list_select_related = ["event", "written_by"]
    fields = ["event", "decisions", "summary", "actions_created", "actions_closed", "written_by", "sent_at"]
    readonly_fields = ["event", "actions_created", "actions_closed", "written_by", "sent_at"]

    def has_add_permission(self, request):
        # Notes belong to a meeting and are written on its notes page (events.services.write_notes), not here.
        return False


@admin.register(Case)
class CaseAdmin(ObjectPermissionsModelAdmin):
    """The cases of case consultations, read only: a case is put and advised on the site. A coordinator can remove
    one that holds client data after all."""

    list_display = ["theme", "event", "submitted_at", "detached_at"]
    list_filter = [("detached_at", admin.EmptyFieldListFilter)]
    search_fields = ["theme", "question", "event__title"]
    list_select_related = ["event"]
    fields = ["event", "theme", "question", "advice", "submitted_by", "submitted_at", "detached_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        # A case is put on the site, under the warning and the identifier check (events.services.submit_case).
        return False
