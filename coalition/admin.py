"""The outbox in the admin (every mailing with its progress, failed deliveries, retrying them), and the file widgets
every app's admin uses."""

from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .mail import retry_failed
from .models import Delivery, Mailing


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


class ReadOnlyAdminMixin:
    """The outbox is written by the portal only; people read it and use the actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class FailedDeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Delivery
    verbose_name = _("failed delivery")
    verbose_name_plural = _("failed deliveries")
    fields = ["address", "name", "attempts", "attempted_at", "last_error"]
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=Delivery.State.FAILED)


@admin.register(Mailing)
class MailingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # What a coordinator comes for first, so it stays in view at 1280 px beside the filters.
    list_display = [
        "__str__",
        "sent_count_column",
        "pending_count_column",
        "failed_count_column",
        "progress",
        "state",
        "kind",
        "queued_at",
    ]
    list_filter = ["kind", "state"]
    search_fields = ["description", "subject", "template"]
    date_hierarchy = "queued_at"
    inlines = [FailedDeliveryInline]
    actions = ["retry_failed_deliveries"]
    fieldsets = [
        (None, {"fields": ["description", "kind", "state", "progress", "deliveries_link"]}),
        (_("Content"), {"fields": ["template", "subject", "context", "body_text", "body_html"]}),
        (_("History"), {"fields": ["created_by", "created_at", "queued_at", "finished_at"]}),
    ]

    class Media:
        css = {"all": ["css/admin/outbox.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_progress()

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "progress", "deliveries_link"]

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

    @admin.display(description=_("deliveries"))
    def deliveries_link(self, mailing):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            self._deliveries_url(mailing),
            _("all %(count)s deliveries") % {"count": mailing.total_count},
            self._deliveries_url(mailing, Delivery.State.FAILED),
            _("%(count)s failed") % {"count": mailing.failed_count},
        )

    @staticmethod
    def _deliveries_url(mailing, state=None):
        query = {"mailing__id__exact": mailing.pk}
        if state:
            query["state__exact"] = state
        return f"{reverse('admin:coalition_delivery_changelist')}?{urlencode(query)}"

    @admin.action(description=_("Retry failed deliveries"), permissions=["change"])
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


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["address", "name", "mailing", "state", "attempts", "attempted_at", "sent_at", "short_error"]
    list_filter = ["state", MailingKindFilter]
    search_fields = ["address", "name", "message_id"]
    list_select_related = ["mailing"]
    show_full_result_count = False

    @admin.display(description=_("last error"))
    def short_error(self, delivery):
        return delivery.last_error[:120]
