"""The outbox in the admin (every mailing as it went out, with its progress and what failed or was skipped and why;
retrying; the suppressed and unsubscribed addresses), and the file widgets every app's admin uses."""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from . import checkstep
from .bounces import clear_suppression, suppress
from .checkstep import Preview
from .mail import MAIL_FRAME_CSP, MAIL_FRAMING_PAGE_CSP, Recipient, render_delivery, retry_failed
from .models import Delivery, MailCheck, Mailing, OptOut, Suppression
from .rules import NotAllowed, refuse


class LabelledAdminFileWidget(AdminFileWidget):
    """Django's admin puts a file input in a fieldset whose legend does not label the input (axe: label)."""

    use_fieldset = False


# For every admin with file or image fields: each input gets a real <label> (WCAG 1.3.1, 4.1.2).
FILE_FIELDS_LABELLED = {
    models.FileField: {"widget": LabelledAdminFileWidget},
    models.ImageField: {"widget": LabelledAdminFileWidget},
}


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose inputs are named: Django names each column in the table head only (axe: label).

    Every input of every row, the delete box included, takes its column's name as its aria-label.
    """

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for field in form.fields.values():
                    # A foreign key's widget is wrapped (add/change links): the name goes on the select inside.
                    widget = getattr(field.widget, "widget", field.widget)
                    widget.attrs.setdefault("aria-label", str(field.label))

        return LabelledFormSet


def is_autocomplete_request(request):
    """Whether this request is the admin's autocomplete view (a search for a foreign key's choices)."""
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "autocomplete"


class TextListWidget(forms.Widget):
    """A list of short texts edited as a list: one text box per item and a few empty ones for new items.

    Every box has the same name, so the browser posts the list in order; it works without JavaScript. The
    field's label becomes the legend of a fieldset, and each box is named by `item_label` and its number.
    """

    use_fieldset = True

    def __init__(self, attrs=None, *, item_label, blank_rows=3):
        super().__init__(attrs)
        self.item_label = item_label
        self.blank_rows = blank_rows

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_

    def render(self, name, value, attrs=None, renderer=None):
        items = [str(item) for item in (value or [])]
        rows = [*items, *[""] * self.blank_rows]
        base_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        described = (attrs or {}).get("aria-describedby")
        return format_html(
            '<ol class="text-list">{}</ol>',
            format_html_join(
                "",
                '<li><input type="text" name="{}" value="{}" id="{}_{}" class="vTextField" aria-label="{} {}"{}></li>',
                (
                    (
                        name,
                        item,
                        base_id,
                        number,
                        self.item_label,
                        number + 1,
                        format_html(' aria-describedby="{}"', described) if described else "",
                    )
                    for number, item in enumerate(rows)
                ),
            ),
        )


class TextListField(forms.Field):
    """A list of texts (stored in a JSON list): empty boxes are left out, every item is stripped."""

    def __init__(self, *, item_label, **kwargs):
        kwargs.setdefault("widget", TextListWidget(item_label=item_label))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, str):
            value = [value]
        return [str(item).strip() for item in value if str(item).strip()]

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


@dataclass(frozen=True)
class LinkedFile:
    """What the file widget shows of a stored file: its name, linked to `url`."""

    name: str
    url: str

    def __str__(self):
        return self.name


class PrivateFileWidget(LabelledAdminFileWidget):
    """A file in private storage (coalition.storage.PrivateStorage), which has no public URL.

    Django's widget asks the file for its URL, and private storage refuses (ValueError: the page answers 500).
    This one links the stored file to the view that checks permission: `url(instance)` gives its address.
    """

    def __init__(self, attrs=None, *, url):
        super().__init__(attrs)
        self.url = url

    def is_initial(self, value):
        return bool(value) and getattr(getattr(value, "instance", None), "pk", None) is not None

    def format_value(self, value):
        if self.is_initial(value):
            return LinkedFile(name=Path(value.name).name, url=self.url(value.instance))
        return None


class PrivateFilesAdminMixin:
    """For a ModelAdmin or inline whose model keeps files in private storage.

    `private_file_urls` maps each such field to a callable that takes the object and returns the address
    of the view that serves the file after checking permission, e.g. {"file": Material.get_absolute_url}.
    """

    private_file_urls = {}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.private_file_urls:
            kwargs["widget"] = PrivateFileWidget(url=self.private_file_urls[db_field.name])
        return super().formfield_for_dbfield(db_field, request, **kwargs)


# --- The outbox: mailings as a coordinator reads them, their deliveries, suppressed and unsubscribed addresses --


class ReadOnlyAdminMixin:
    """The outbox is written by the portal only; people read it and use the actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # A record is read, never edited; the actions (which ask for "change" without an object) stay.
        return obj is None and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


# The outbox's actions are offered in the list and on the record's own page.
BOTH_LOCATIONS = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]
# The failed and skipped deliveries listed on a mailing's page; the rest are one link away.
DELIVERIES_SHOWN = 100


@dataclass(frozen=True)
class MailingSubject:
    """What a mailing was about, found through the one-to-one links other apps keep to it (an event's mailing, an
    edition's): the object to link to and, for an event mailing, its purpose in the reader's language."""

    label: str
    url: str
    purpose: str = ""


def _linked_relations():
    """Mailing's reverse one-to-ones (events.EventMailing, journal.Edition, …) but its check step's: (accessor,
    names of the linked row's foreign keys). Found by introspection: this layer does not import the apps above."""
    relations = []
    for relation in Mailing._meta.related_objects:
        if not relation.one_to_one or relation.related_model is MailCheck:
            continue
        # A row the admin shows is the subject itself; a link row (an event's mailing) points at it.
        keys = []
        if not admin.site.is_registered(relation.related_model):
            keys = [
                field.name
                for field in relation.related_model._meta.fields
                if field.many_to_one and field.related_model is not Mailing
            ]
        relations.append((relation.get_accessor_name(), keys))
    return relations


def linked_select_related():
    """What Mailing's select_related() takes to find every mailing's subject without a query per row."""
    names = []
    for accessor, keys in _linked_relations():
        names += [accessor, *(f"{accessor}__{key}" for key in keys)]
    return names


def _admin_url(obj):
    if obj is None or not admin.site.is_registered(type(obj)):
        return ""
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def subject_of(mailing):
    """The MailingSubject of a mailing, or None when nothing in the portal links to it (an account mail)."""
    for accessor, keys in _linked_relations():
        try:
            row = getattr(mailing, accessor)
        except ObjectDoesNotExist:
            continue
        if row is None:
            continue
        target, url = row, _admin_url(row)
        if not url:
            # A link row (an event's mailing): what it links to is the subject.
            for key in keys:
                candidate = getattr(row, key, None)
                if _admin_url(candidate):
                    target, url = candidate, _admin_url(candidate)
                    break
        purpose = row.get_purpose_display() if hasattr(row, "get_purpose_display") else ""
        return MailingSubject(label=str(target), url=url, purpose=str(purpose))
    return None


def what_of(mailing):
    """A mailing's name as a coordinator reads it: an event mailing's event and purpose in the reader's language,
    otherwise its description; never its template's name."""
    subject = subject_of(mailing)
    if subject is not None and subject.purpose:
        return f"{subject.label}: {subject.purpose}"
    return mailing.description or mailing.subject or _("Mail without a description")


def check_of(mailing):
    try:
        return mailing.mail_check
    except ObjectDoesNotExist:
        return None


def render_mailing(mailing, delivery):
    """The mail of `delivery` as the outbox renders it (a checkstep.Preview), or None when it can no longer be
    rendered (its template is gone)."""
    delivery.mailing = mailing
    try:
        message = render_delivery(delivery)
    except (TemplateDoesNotExist, TemplateSyntaxError, ValueError):
        return None
    html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
    return Preview(
        recipient=Recipient(email=delivery.address, name=delivery.name),
        subject=message.subject,
        text=message.body,
        html=html,
        attachments=[attachment.get("filename", "") for attachment in delivery.attachments],
        headers={name: value for name, value in message.extra_headers.items() if name.startswith("List-")},
    )


def _first_delivery(mailing):
    return mailing.deliveries.order_by("pk").first()


def suppression_list_url(**query):
    url = reverse("admin:coalition_suppression_changelist")
    return f"{url}?{urlencode(query)}" if query else url


@dataclass(frozen=True)
class ReasonGroup:
    """How many deliveries of a mailing failed or were skipped for one reason."""

    state: str
    reason: str
    count: int


def reasons_of(mailing):
    """The failed and skipped deliveries grouped by reason (the first line of the error), most frequent first."""
    rows = (
        mailing.deliveries.filter(state__in=[Delivery.State.FAILED, Delivery.State.SKIPPED])
        .values("state", "last_error")
        .annotate(count=Count("pk"))
    )
    groups = Counter()
    for row in rows:
        first_line = (row["last_error"].strip().splitlines() or [""])[0][:300]
        groups[(row["state"], first_line)] += row["count"]
    states = dict(Delivery.State.choices)
    return [
        ReasonGroup(state=str(states[state]), reason=reason or _("no reason recorded"), count=count)
        for (state, reason), count in groups.most_common()
    ]


@admin.register(Mailing)
class MailingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rule: coordinators (coalition.view_mailing). What went out, to how many, and what became of it."""

    # What a coordinator comes for first, so it stays in view at 1280 px beside the filters.
    list_display = [
        "what_column",
        "sent_count_column",
        "pending_count_column",
        "failed_count_column",
        "skipped_count_column",
        "progress",
        "state",
        "kind",
        "queued_at",
    ]
    list_display_links = ["what_column"]
    list_filter = ["kind", "state"]
    # The search itself is get_search_results(): the description, the subject, or a recipient's address.
    search_fields = ["description"]
    search_help_text = _("Search by description, subject or a recipient's e-mail address.")
    date_hierarchy = "queued_at"
    actions = ["retry_failed_deliveries"]
    change_form_template = "admin/coalition/mailing/change_form.html"
    change_list_template = "admin/coalition/mailing/change_list.html"

    class Media:
        css = {"all": ["css/admin/outbox.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress().select_related(*linked_select_related())

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        addressed = Delivery.objects.filter(address__icontains=term).values("mailing_id")
        matches = Q(description__icontains=term) | Q(subject__icontains=term) | Q(pk__in=addressed)
        return queryset.filter(matches), False

    def get_urls(self):
        frame = self.admin_site.admin_view(
            xframe_options_sameorigin(csp_override(MAIL_FRAME_CSP)(never_cache(self.html_part_view)))
        )
        return [path("<path:object_id>/html/", frame, name="coalition_mailing_html"), *super().get_urls()]

    def html_part_view(self, request, object_id):
        """Rule: as the mailing's page. The HTML part of its first delivery's mail, framed by that page."""
        mailing = self.get_object(request, object_id)
        if mailing is None:
            raise Http404
        if not self.has_view_permission(request, mailing):
            refuse(request.user, "coalition.view_mailing")
        delivery = _first_delivery(mailing)
        shown = render_mailing(mailing, delivery) if delivery else None
        if shown is None:
            return HttpResponse(
                _("This mail can no longer be shown."), content_type="text/plain; charset=utf-8", status=404
            )
        return HttpResponse(shown.html, content_type="text/html; charset=utf-8")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        mailing = self.get_object(request, object_id)
        if mailing is not None and self.has_view_permission(request, mailing):
            extra_context = {**(extra_context or {}), **self._page_context(mailing)}
        response = super().change_view(request, object_id, form_url, extra_context)
        response._csp_config = MAIL_FRAMING_PAGE_CSP
        return response

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "suppression_list_url": suppression_list_url(status="active"),
            "active_suppressions": Suppression.objects.active().count(),
        }
        return super().changelist_view(request, extra_context)

    def _page_context(self, mailing):
        delivery = _first_delivery(mailing)
        check = check_of(mailing)
        mass = checkstep.KINDS.get(check.kind) if check else None
        listed = (
            mailing.deliveries.filter(state__in=[Delivery.State.FAILED, Delivery.State.SKIPPED])
            .order_by("state", "address")
            .only("address", "name", "state", "attempts", "attempted_at", "last_error", "mailing_id")
        )
        problems = mailing.failed_count + mailing.skipped_count
        return {
            "mailing_what": what_of(mailing),
            "mailing_subject": subject_of(mailing),
            "mail_check": check,
            "mail_check_label": mass.label if mass else "",
            "mail_check_left_out": [
                (checkstep.LeftOut.LABELS.get(reason, reason), count)
                for reason, count in sorted((check.left_out if check else {}).items())
            ],
            "shown": render_mailing(mailing, delivery) if delivery else None,
            "shown_delivery": delivery,
            "frame_url": reverse("admin:coalition_mailing_html", args=[mailing.pk]),
            "reasons": reasons_of(mailing),
            "problem_deliveries": listed[:DELIVERIES_SHOWN],
            "more_problem_deliveries": max(0, problems - DELIVERIES_SHOWN),
            "problem_deliveries_url": self._deliveries_url(mailing, problems=True),
            "all_deliveries_url": self._deliveries_url(mailing),
            "failed_deliveries_url": self._deliveries_url(mailing, Delivery.State.FAILED),
            "suppression_list_url": suppression_list_url(status="active"),
        }

    @admin.display(description=_("mailing"), ordering="description")
    def what_column(self, mailing):
        return what_of(mailing)

    @admin.display(description=_("progress"))
    def progress(self, mailing):
        done = mailing.sent_count + mailing.failed_count + mailing.skipped_count
        label = _("%(done)s of %(total)s handled") % {"done": done, "total": mailing.total_count}
        return format_html(
            '<progress class="outbox-progress" value="{}" max="{}" aria-label="{}">{}</progress>',
            done,
            mailing.total_count or 1,
            label,
            label,
        )

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent_count_column(self, mailing):
        return mailing.sent_count

    @admin.display(description=_("waiting"), ordering="pending_count")
    def pending_count_column(self, mailing):
        return mailing.pending_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed_count_column(self, mailing):
        if not mailing.failed_count:
            return 0
        url = self._deliveries_url(mailing, Delivery.State.FAILED)
        return format_html('<a href="{}">{}</a>', url, mailing.failed_count)

    @admin.display(description=_("skipped"), ordering="skipped_count")
    def skipped_count_column(self, mailing):
        if not mailing.skipped_count:
            return 0
        url = self._deliveries_url(mailing, Delivery.State.SKIPPED)
        return format_html('<a href="{}">{}</a>', url, mailing.skipped_count)

    @staticmethod
    def _deliveries_url(mailing, state=None, *, problems=False):
        query = {"mailing__id__exact": mailing.pk}
        if state:
            query["state__exact"] = state
        if problems:
            query["problem"] = "yes"
        return f"{reverse('admin:coalition_delivery_changelist')}?{urlencode(query)}"

    @admin.action(description=_("Retry failed deliveries"), permissions=["change"], location=BOTH_LOCATIONS)
    def retry_failed_deliveries(self, request, queryset):
        total = 0
        for mailing in queryset.filter(deliveries__state=Delivery.State.FAILED).distinct():
            total += retry_failed(mailing)
        if total:
            self.message_user(
                request,
                ngettext(
                    "%(count)d failed delivery is queued again.",
                    "%(count)d failed deliveries are queued again.",
                    total,
                )
                % {"count": total},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("The selected mailings have no failed deliveries."), messages.WARNING)


class MailingKindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return Mailing.Kind.choices

    def queryset(self, request, queryset):
        return queryset.filter(mailing__kind=self.value()) if self.value() else queryset


class ProblemFilter(admin.SimpleListFilter):
    """The deliveries that did not go out: failed or skipped (the mailing page's link)."""

    title = _("outcome")
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [("yes", _("Failed or skipped"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(state__in=[Delivery.State.FAILED, Delivery.State.SKIPPED])
        return queryset


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rule: coordinators (coalition.view_delivery). One recipient of a mailing, read-only."""

    list_display = ["address", "name", "mailing_column", "state", "attempts", "attempted_at", "sent_at", "short_error"]
    list_filter = ["state", ProblemFilter, MailingKindFilter]
    search_fields = ["address", "name"]
    search_help_text = _("Search by e-mail address or name.")
    show_full_result_count = False
    fields = [
        "mailing_column",
        "address",
        "name",
        "state",
        "attempts",
        "attempted_at",
        "sent_at",
        "next_attempt_at",
        "last_error",
        "attachment_names",
        "message_id",
    ]

    def get_queryset(self, request):
        related = ["mailing", *(f"mailing__{name}" for name in linked_select_related())]
        return super().get_queryset(request).select_related(*related)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("mailing"))
    def mailing_column(self, delivery):
        url = reverse("admin:coalition_mailing_change", args=[delivery.mailing_id])
        return format_html('<a href="{}">{}</a>', url, what_of(delivery.mailing))

    @admin.display(description=_("attachments"))
    def attachment_names(self, delivery):
        return ", ".join(attachment.get("filename", "") for attachment in delivery.attachments) or "–"

    @admin.display(description=_("last error"))
    def short_error(self, delivery):
        return delivery.last_error[:120]


# --- Suppressed addresses and unsubscriptions ---------------------------------------------------------------


class SuppressionStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", _("Suppressed")), ("cleared", _("Cleared"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(cleared_at__isnull=True)
        if self.value() == "cleared":
            return queryset.filter(cleared_at__isnull=False)
        return queryset


class SuppressionForm(forms.ModelForm):
    """Adding an address by hand: the address and why; one already suppressed is said so at the field."""

    class Meta:
        model = Suppression
        fields = ["address", "reason"]

    def clean_address(self):
        address = self.cleaned_data["address"].strip().lower()
        if Suppression.objects.active().filter(address=address).exists():
            raise forms.ValidationError(_("This address is already on the suppression list."), code="suppressed")
        return address

    def validate_unique(self):
        # A cleared address is put back on the list (coalition.bounces.suppress), not refused as a duplicate.
        pass


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Rule: coordinators (coalition.view_suppression, change to clear, add by hand). Addresses mail cannot reach."""

    form = SuppressionForm
    list_display = ["address", "short_reason", "source", "created_at", "cleared_at", "cleared_by"]
    list_filter = [SuppressionStatusFilter, "source"]
    search_fields = ["address", "reason"]
    search_help_text = _("Search by e-mail address or reason.")
    list_select_related = ["cleared_by"]
    actions = ["clear_selected"]
    readonly_fields = ["address", "reason", "source", "created_at", "cleared_at", "cleared_by"]

    def has_delete_permission(self, request, obj=None):
        return False  # clearing keeps the history

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        return ["address", "reason"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = suppress(obj.address, reason=obj.reason, source=Suppression.Source.MANUAL)
        obj.pk = saved.pk
        obj.refresh_from_db()

    @admin.display(description=_("reason"))
    def short_reason(self, suppression):
        return suppression.reason[:120]

    @admin.action(
        description=_("Clear: mail reaches these addresses again"), permissions=["change"], location=BOTH_LOCATIONS
    )
    def clear_selected(self, request, queryset):
        cleared = 0
        for suppression in queryset.filter(cleared_at__isnull=True):
            try:
                clear_suppression(suppression, by=request.user)
            except NotAllowed as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return
            cleared += 1
        if cleared:
            self.message_user(
                request,
                ngettext(
                    "The address is cleared: mailings reach it again.",
                    "%(count)d addresses are cleared: mailings reach them again.",
                    cleared,
                )
                % {"count": cleared},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("The selected addresses were already cleared."), messages.WARNING)


class TopicFilter(admin.SimpleListFilter):
    title = _("topic")
    parameter_name = "topic"

    def lookups(self, request, model_admin):
        return [(topic, label) for topic, (label, _description) in checkstep.TOPICS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(topic=self.value()) if self.value() else queryset


@admin.register(OptOut)
class OptOutAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rule: coordinators (coalition.view_optout). Who unsubscribed from what; only the person changes it."""

    list_display = ["address", "topic_label", "created_at"]
    list_filter = [TopicFilter]
    search_fields = ["address"]
    search_help_text = _("Search by e-mail address.")
    fields = ["address", "topic_label", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("topic"), ordering="topic")
    def topic_label(self, opt_out):
        label, _description = checkstep.TOPICS.get(opt_out.topic, (opt_out.topic, ""))
        return label
