"""The journal in the admin: the coordinator's publishing desk and the editorial team's workbench."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rules.contrib.admin import ObjectPermissionsModelAdmin, ObjectPermissionsTabularInline

from coalition.admin import FILE_FIELDS_LABELLED, LabelledTabularInline, PrivateFilesAdminMixin
from coalition.roles import EDITORIAL_TEAM, is_coordinator
from coalition.rules import DomainError
from members.admin import name_seen_by, profiles_seen_by
from members.models import Profile, User

from . import mailings, services
from .forms import EditionAdminForm
from .models import Edition, EditorialMembership, PreviewLink, State, Story, Subscriber, Tip


def _run(modeladmin, request, queryset, action, success, **kwargs):
    """Call a service for each selected object and report what happened, object by object."""
    done = 0
    for obj in queryset:
        try:
            action(obj, by=request.user, **kwargs)
        except DomainError as error:
            modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, success % {"count": done}, messages.SUCCESS)


class StoryInline(ObjectPermissionsTabularInline, LabelledTabularInline):
    model = Story
    fields = ["order", "title", "kind", "state", "edit_link"]
    readonly_fields = ["state", "edit_link"]
    extra = 0
    show_change_link = True
    ordering = ["order", "pk"]

    @admin.display(description=_("details"))
    def edit_link(self, obj):
        if not obj.pk:
            return ""
        return format_html('<a href="{}">{}</a>', reverse("admin:journal_story_change", args=[obj.pk]), _("Edit story"))

    def has_add_permission(self, request, obj=None):
        # New stories need their text, people and files: they are added on the story page.
        return False


class PreviewLinksAreReadOnly:
    """Who sees preview links is the rule `journal.view_previewlink`; nobody edits or deletes one here, not even
    a superuser: links are made by the "Create a preview link" action and withdrawn by revoking them."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PreviewLinkInline(PreviewLinksAreReadOnly, ObjectPermissionsTabularInline, LabelledTabularInline):
    model = PreviewLink
    fields = ["link", "expires_at", "revoked_at", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("link"))
    def link(self, obj):
        if not obj.is_active:
            return _("expired or revoked")
        return format_html('<a href="{0}">{0}</a>', obj.full_url())

    def has_add_permission(self, request, obj=None):
        return False


class WorkflowActions:
    """The workflow actions editions and stories share; each calls the service that owns the rule."""

    @admin.action(description=_("Submit for review"))
    def submit_for_review(self, request, queryset):
        _run(self, request, queryset, services.submit_for_review, _("%(count)s submitted for review."))

    @admin.action(description=_("Approve"))
    def approve(self, request, queryset):
        _run(self, request, queryset, services.approve, _("%(count)s approved."))

    @admin.action(description=_("Send back to draft"))
    def send_back(self, request, queryset):
        _run(self, request, queryset, services.send_back, _("%(count)s sent back to draft."))

    def has_preview_permission(self, request):
        return request.user.has_perm("journal.create_preview_link")

    @admin.action(description=_("Create a preview link (valid 14 days)"), permissions=["preview"])
    def create_preview_link(self, request, queryset):
        for obj in queryset:
            try:
                link = services.create_preview_link(obj, by=request.user)
            except DomainError as error:
                self.message_user(request, f"{obj}: {error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    format_html(_('Preview link for {0}: <a href="{1}">{1}</a>'), obj, link.full_url()),
                    messages.SUCCESS,
                )


# The buttons on an edition's page: (step, the service, its permission, the states it starts from, what it said).
EDITION_STEPS = {
    "submit_for_review": (
        services.submit_for_review,
        "journal.submit_for_review",
        {State.DRAFT},
        _("Submit for review"),
        _("The edition is ready for review."),
    ),
    "approve": (
        services.approve,
        "journal.approve_edition",
        {State.REVIEW},
        _("Approve"),
        _("The edition is approved."),
    ),
    "send_back": (
        services.send_back,
        "journal.send_back",
        {State.REVIEW, State.APPROVED},
        _("Send back to draft"),
        _("The edition is a draft again."),
    ),
    # Publishing and mailing opens the check step (step_view): how many, who is left out, the mail, a test.
    "publish": (
        None,
        "journal.publish_edition",
        {State.APPROVED, State.SCHEDULED},
        _("Publish and mail"),
        "",
    ),
    "publish_without_mail": (
        services.publish,
        "journal.publish_edition",
        {State.APPROVED, State.SCHEDULED},
        _("Publish without mailing"),
        _("The edition is published."),
    ),
}


@admin.register(Edition)
class EditionAdmin(WorkflowActions, ObjectPermissionsModelAdmin):
    form = EditionAdminForm
    change_form_template = "admin/journal/edition/change_form.html"
    formfield_overrides = FILE_FIELDS_LABELLED
    list_display = ["number", "title", "cover_thumbnail", "state", "published_at", "story_count", "mailed"]
    list_display_links = ["number", "title"]
    list_filter = ["state", "theme"]
    search_fields = ["title", "introduction"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    readonly_fields = ["state", "cover_preview", "checklist", "mailing_link", "published_by"]
    fieldsets = [
        (None, {"fields": ["number", "title", "slug", "theme", "coalitions", "introduction"]}),
        (_("Cover"), {"fields": ["cover", "cover_preview", "cover_alt"]}),
        (_("Publication"), {"fields": ["state", "published_at", "published_by", "mailing_link", "checklist"]}),
    ]
    inlines = [StoryInline, PreviewLinkInline]
    actions = [
        "publish_and_mail",
        "publish_without_mail",
        "schedule",
        "unschedule",
        "submit_for_review",
        "approve",
        "send_back",
        "create_preview_link",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_story_count=Count("stories")).select_related("mailing")

    def get_readonly_fields(self, request, obj=None):
        # Once published, the date readers and the archive go by stays put: no accidental edit moves it.
        if obj is not None and obj.state == State.PUBLISHED:
            return [*self.readonly_fields, "published_at"]
        return self.readonly_fields

    def get_urls(self):
        step = path(
            "<path:object_id>/step/<str:step>/",
            self.admin_site.admin_view(self.step_view),
            name="journal_edition_step",
        )
        return [step, *super().get_urls()]

    def workflow_buttons(self, request, edition):
        """The steps this person may take with this edition now: (step, label) for the buttons on its page."""
        return [
            (step, label)
            for step, (_service, perm, states, label, _done) in EDITION_STEPS.items()
            if edition.state in states and request.user.has_perm(perm, edition)
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        edition = self.get_object(request, object_id)
        if edition is not None:
            extra_context["workflow_buttons"] = self.workflow_buttons(request, edition)
            if request.user.has_perm("journal.add_story"):
                extra_context["add_story_url"] = f"{reverse('admin:journal_story_add')}?edition={edition.pk}"
        return super().change_view(request, object_id, form_url, extra_context)

    def step_view(self, request, object_id, step):
        """One workflow step from the edition's page (POST): the service decides and says why not."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edition = get_object_or_404(Edition, pk=object_id)
        if step not in EDITION_STEPS or not self.has_view_permission(request, edition):
            raise PermissionDenied
        service, _perm, _states, _label, done = EDITION_STEPS[step]
        if step == "publish":
            return self._open_check(request, edition) or redirect("admin:journal_edition_change", edition.pk)
        try:
            service(edition, by=request.user)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:journal_edition_change", edition.pk)

    @admin.display(description=_("stories"), ordering="_story_count")
    def story_count(self, obj):
        return obj._story_count

    @admin.display(description=_("mailed"), boolean=True)
    def mailed(self, obj):
        return obj.mailing_id is not None

    @admin.display(description=_("cover"))
    def cover_thumbnail(self, obj):
        if not obj.cover:
            return "—"
        return format_html('<img src="{}" alt="" width="80" class="journal-admin-cover-thumb">', obj.cover.url)

    @admin.display(description=_("cover preview"))
    def cover_preview(self, obj):
        if not obj.cover:
            return _("No cover yet.")
        return format_html('<img src="{}" alt="{}" width="320">', obj.cover.url, obj.cover_alt)

    @admin.display(description=_("checklist"))
    def checklist(self, obj):
        if not obj.pk:
            return _("Save the edition first.")
        problems = obj.missing()
        if not problems:
            return format_html("<strong>{}</strong>", _("Nothing is missing."))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((p,) for p in problems)))

    @admin.display(description=_("mailing"))
    def mailing_link(self, obj):
        if not obj.mailing_id:
            if obj.state == State.SCHEDULED and obj.scheduled_check_id:
                return _("Mailed when it is published: the mail was checked and confirmed.")
            return _("Not mailed yet.")
        url = reverse("admin:coalition_mailing_change", args=[obj.mailing_id])
        return format_html('<a href="{}">{}</a>', url, obj.mailing.get_state_display())

    def has_publish_permission(self, request):
        return request.user.has_perm("journal.publish_edition")

    def _open_check(self, request, edition, *, schedule=False):
        """The check page of mailing this edition (now or when scheduled), or None with the reason shown."""
        try:
            check = mailings.open_edition_check(edition, by=request.user, schedule=schedule)
        except DomainError as error:
            self.message_user(request, f"{edition}: {error}", messages.ERROR)
            return None
        return redirect(check)

    def _one_edition(self, request, queryset):
        editions = list(queryset[:2])
        if len(editions) != 1:
            self.message_user(
                request,
                _("Choose one edition: its mail is checked before it goes out (how many people, the mail itself)."),
                messages.ERROR,
            )
            return None
        return editions[0]

    @admin.action(description=_("Publish and mail"), permissions=["publish"])
    def publish_and_mail(self, request, queryset):
        """Opens the check step; confirming there publishes the edition and mails it."""
        edition = self._one_edition(request, queryset)
        return self._open_check(request, edition) if edition else None

    @admin.action(description=_("Publish without mailing"), permissions=["publish"])
    def publish_without_mail(self, request, queryset):
        _run(self, request, queryset, services.publish, _("%(count)s edition(s) published."))

    @admin.action(description=_("Schedule at the publication date and time"), permissions=["publish"])
    def schedule(self, request, queryset):
        """Opens the check step; confirming there schedules the edition, which is then mailed when it is due."""
        edition = self._one_edition(request, queryset)
        return self._open_check(request, edition, schedule=True) if edition else None

    @admin.action(description=_("Cancel the schedule"), permissions=["publish"])
    def unschedule(self, request, queryset):
        _run(self, request, queryset, services.unschedule, _("%(count)s edition(s) no longer scheduled."))


@admin.register(Story)
class StoryAdmin(PrivateFilesAdminMixin, WorkflowActions, ObjectPermissionsModelAdmin):
    formfield_overrides = FILE_FIELDS_LABELLED
    private_file_urls = {"attachment": Story.get_attachment_url}  # published for all, unpublished for editors
    list_display = ["title", "edition", "kind", "state", "order"]
    list_filter = ["state", "kind", "edition"]
    search_fields = ["title", "lead", "body"]
    list_select_related = ["edition"]
    readonly_fields = ["state", "published_at"]
    autocomplete_fields = ["authors", "featured_people", "featured_organisations", "coalitions"]
    fieldsets = [
        (None, {"fields": ["edition", "kind", "title", "slug", "order", "lead", "body"]}),
        (_("Film and magazine"), {"fields": ["video_url", "attachment"]}),
        (_("People"), {"fields": ["authors", "featured_people", "featured_organisations", "coalitions"]}),
        (_("Publication"), {"fields": ["state", "published_at"]}),
    ]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [PreviewLinkInline]
    actions = ["submit_for_review", "approve", "send_back", "publish_story", "create_preview_link"]

    PEOPLE_FIELDS = ("authors", "featured_people")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if is_coordinator(request.user):
            return form
        # An editor chooses among the people a member sees (the autocomplete asks ProfileAdmin, which shows
        # editors no more); people a coordinator chose earlier stay, by the name a member would see.
        for name in self.PEOPLE_FIELDS:
            field = form.base_fields.get(name)
            if field is None:
                continue
            chosen = getattr(obj, name).values("pk") if obj else Profile.objects.none()
            seen = profiles_seen_by(request.user).values("pk")
            field.queryset = Profile.objects.select_related("user").filter(Q(pk__in=seen) | Q(pk__in=chosen))
            field.label_from_instance = partial(name_seen_by, viewer=request.user)
        return form

    def has_publish_permission(self, request):
        return request.user.has_perm("journal.publish_story")

    @admin.action(description=_("Publish in its (published) edition"), permissions=["publish"])
    def publish_story(self, request, queryset):
        _run(self, request, queryset, services.publish_story, _("%(count)s story/stories published."))


class TipAdminForm(forms.ModelForm):
    """The same rules as the tip desk: an assigned tip names its editor, a used tip its story."""

    class Meta:
        model = Tip
        fields = [
            "what", "who", "why_now", "sender", "name", "email", "phone", "organisation_name",
            "state", "assigned_to", "story", "note",
        ]  # fmt: skip


@admin.register(Tip)
class TipAdmin(ObjectPermissionsModelAdmin):
    form = TipAdminForm
    list_display = ["__str__", "state", "sender_name", "assigned_to", "story", "created_at"]
    list_filter = ["state", "assigned_to"]
    search_fields = ["what", "who", "name", "email"]
    list_select_related = ["sender", "assigned_to", "story"]
    autocomplete_fields = ["sender", "story"]
    readonly_fields = ["sender_notified_at", "created_at"]

    WORKFLOW_FIELDS = ("state", "assigned_to", "story", "note")

    def get_readonly_fields(self, request, obj=None):
        # Who sent a tip is recorded, not chosen; a coordinator noting down a phoned-in tip picks the member.
        if is_coordinator(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "sender"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            # A tip goes to someone on the editorial team: a short list by name, which can be emptied again.
            kwargs["queryset"] = User.objects.filter(groups__name=EDITORIAL_TEAM).order_by("last_name", "first_name")
            kwargs["required"] = False
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # State changes go through services.update_tip, as on the tip desk: that is what tells the
        # sender when their tip became a published story. The other fields are saved as they are.
        wanted = {name: getattr(obj, name) for name in self.WORKFLOW_FIELDS}
        if change:
            stored = Tip.objects.get(pk=obj.pk)
            for name in self.WORKFLOW_FIELDS:
                setattr(obj, name, getattr(stored, name))
        super().save_model(request, obj, form, change)
        services.update_tip(obj, by=request.user, **wanted)
        obj.refresh_from_db()


@admin.register(EditorialMembership)
class EditorialMembershipAdmin(ObjectPermissionsModelAdmin):
    list_display = ["user", "role", "start_date", "end_date", "is_current"]
    list_filter = ["end_date"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    actions = ["end_today"]

    @admin.display(description=_("on the team now"), boolean=True)
    def is_current(self, obj):
        today = timezone.localdate()
        return obj.start_date <= today and (obj.end_date is None or obj.end_date >= today)

    def save_model(self, request, obj, form, change):
        services.save_membership(obj, by=request.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.sync_editorial_team()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.sync_editorial_team()

    @admin.action(description=_("End membership today"))
    def end_today(self, request, queryset):
        _run(self, request, queryset, services.end_membership, _("%(count)s membership(s) ended."))


@admin.register(Subscriber)
class SubscriberAdmin(ObjectPermissionsModelAdmin):
    list_display = ["email", "name", "wants_journal", "wants_invitations", "confirmed_at", "user"]
    list_filter = [
        "wants_journal",
        "wants_invitations",
        ("confirmed_at", admin.EmptyFieldListFilter),
        ("coalitions", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["email", "name"]
    list_select_related = ["user"]
    autocomplete_fields = ["user", "coalitions"]
    readonly_fields = ["created_at", "changed_at"]


@admin.register(PreviewLink)
class PreviewLinkAdmin(PreviewLinksAreReadOnly, ObjectPermissionsModelAdmin):
    list_display = ["__str__", "expires_at", "revoked_at", "created_by", "created_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["edition", "story", "created_by"]
    readonly_fields = ["edition", "story", "link", "created_by", "created_at", "revoked_at"]
    fields = ["edition", "story", "link", "expires_at", "revoked_at", "created_by", "created_at"]
    actions = ["revoke"]

    @admin.display(description=_("link"))
    def link(self, obj):
        return format_html('<a href="{0}">{0}</a>', obj.full_url()) if obj.pk else ""

    def has_add_permission(self, request):
        # Links are made with the "Create a preview link" action on an edition or story.
        return False

    def has_revoke_permission(self, request):
        return request.user.has_perm("journal.revoke_preview_link")

    @admin.action(description=_("Revoke"), permissions=["revoke"])
    def revoke(self, request, queryset):
        count = 0
        for link in queryset:
            services.revoke_preview_link(link, by=request.user)
            count += 1
        self.message_user(
            request, ngettext("%(count)d link revoked.", "%(count)d links revoked.", count) % {"count": count}
        )
