"""Forms of the members app: signup extras, own profile, organisations, offerings, filters."""

from html import escape

import rules
from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from coalition.fragments import table_choices

from .models import (
    CONTACT_PERSON_MESSAGE,
    Discipline,
    Level,
    LifePhase,
    Municipality,
    Offering,
    Organisation,
    Profile,
    Theme,
    name_order,
)
from .photos import process_image

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"

# Filters a higher layer adds to the directory and to the organisation list, in its AppConfig.ready() (the
# network adds its coalitions and their circles). Each is a pair: `fields()` gives {name: form field} and
# `narrow(queryset, cleaned_data)` returns the queryset filtered by those fields (unchanged when they are empty).
DIRECTORY_FILTERS = []
ORGANISATION_FILTERS = []


class ExtraFiltersMixin:
    """Adds the registered filters' fields to the form and applies them in `filter_extra`."""

    extra_filters = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for fields, _narrow in self.extra_filters:
            self.fields.update(fields())

    def filter_extra(self, queryset):
        for _fields, narrow in self.extra_filters:
            queryset = narrow(queryset, self.cleaned_data)
        return queryset


def _attributes(attrs):
    """Attributes in their order as django/forms/widgets/attrs.html writes them: True bare, False left out."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False:
            parts.append(f' {name}="{escape(str(value))}"')
    return "".join(parts)


class LongSelect(forms.Select):
    """A select for many options (the organisations, the municipalities), its options written here instead of
    through a template each.

    Django renders every option through its own template: the directory's organisation filter alone has over 300,
    and the filter bar cost more than the list it filters. Same HTML as Django's select.html and option.html: the
    first option whose value matches is selected, values and labels escaped the same way.
    """

    def __init__(self, attrs=None, choices=(), *, label_field=None):
        super().__init__(attrs, choices)
        # For a model field: the column that is each row's label (what str(row) returns), so the rows are read as
        # (pk, label) pairs instead of hundreds of model instances.
        self.label_field = label_field

    def render(self, name, value, attrs=None, renderer=None):
        values = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True  # last, as Django's SelectMultiple adds it
        lines = [f'<select name="{escape(name)}"{_attributes(attrs)}>']
        has_selected = False
        for option_value, option_label in self._all_choices():
            if isinstance(option_label, (list, tuple)):
                lines.append(f'  <optgroup label="{escape(str(option_value))}">')
                options, indent = option_label, "    "
            else:
                options, indent = ((option_value, option_label),), "  "
            for sub_value, sub_label in options:
                sub_value = "" if sub_value is None else str(sub_value)
                selected = (self.allow_multiple_selected or not has_selected) and sub_value in values
                has_selected |= selected
                flag = " selected" if selected else ""
                lines.append(f'{indent}<option value="{escape(sub_value)}"{flag}>{escape(str(sub_label))}</option>')
            if indent != "  ":
                lines.append("  </optgroup>")
        lines.append("</select>")
        return mark_safe("\n".join(lines))  # every value and label is escaped above

    def _all_choices(self):
        """The choices; a model field's rows in one query (its iterator reads them through a server-side cursor:
        DECLARE, FETCH and CLOSE, three round trips for each select on PostgreSQL)."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):
            return choices
        field = choices.field
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        if self.label_field and not field.to_field_name:
            return [*empty, *table_choices(choices.queryset, self.label_field)]
        return [*empty, *(choices.choice(obj) for obj in choices.queryset.all())]


class LongSelectMultiple(LongSelect):
    """LongSelect for several choices, as Django's SelectMultiple."""

    allow_multiple_selected = True

    def value_omitted_from_data(self, data, files, name):
        return False  # an unselected <select multiple> sends nothing: that means "none", not "not in the form"


class SignupForm(forms.Form):
    """Extra fields on allauth's signup form: who is signing up, and where they work, so a coordinator can judge it."""

    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.only("name"),
        empty_label=_("My organisation is not in the list"),
        widget=LongSelect(label_field="name"),
        help_text=_("Not in the list? Name your organisation with your job title below."),
    )
    job_title = forms.CharField(
        label=_("Job title"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
        help_text=_("For example: youth nurse; or youth nurse at GGD Zeeland when your organisation is not listed."),
    )
    discipline = forms.ChoiceField(
        label=_("Discipline"), choices=[("", _("Choose your discipline")), *Discipline.choices]
    )

    field_order = [
        "first_name",
        "last_name",
        "organisation",
        "job_title",
        "discipline",
        "email",
        "password1",
        "password2",
    ]

    def signup(self, request, user):
        """Nothing left to do, but allauth requires the hook: members.adapter.AccountAdapter.save_user made the pending
        profile from this form's fields through services.create_pending_profile."""

    def profile_details(self):
        """What the pending profile takes from this form (services.create_pending_profile's keyword arguments)."""
        data = self.cleaned_data
        return {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "organisation": data.get("organisation"),
            "job_title": data.get("job_title", ""),
            "discipline": data.get("discipline", ""),
        }


class ImageUploadMixin:
    """Validates an optional image field with members.photos; the result lands in self.processed_image."""

    image_field_name = None
    processed_image = None

    def full_clean(self):
        super().full_clean()
        name = self.image_field_name
        if self._errors and name not in self._errors and self.files.get(self.add_prefix(name)):
            # A browser never fills in a file again after a refused submit: say so, or the file seems kept.
            bound = self[name]  # keeps its own copy of the help text, made when the form was cleaned
            bound.help_text = format_lazy("{} {}", bound.help_text, _("Your file was not kept: choose it again."))

    def clean_image(self):
        upload = self.cleaned_data.get(self.image_field_name)
        if not upload:
            return upload
        self.processed_image = process_image(upload)
        return upload


def image_field(label):
    return forms.FileField(
        label=label,
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB and 40 megapixels. Location data is removed."),
        widget=forms.FileInput(attrs={"accept": IMAGE_ACCEPT}),
    )


class ProfileForm(ImageUploadMixin, forms.ModelForm):
    image_field_name = "photo_upload"
    photo_upload = image_field(_("Photo"))
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = Profile
        fields = [
            "first_name",
            "last_name",
            "job_title",
            "level",
            "discipline",
            "organisation",
            "municipalities",
            "themes",
            "direct_phone",
            "team_phone",
            "availability",
            "bio",
            "phone_visibility",
            "email_visibility",
            "is_listed",
        ]
        widgets = {
            "organisation": LongSelect(label_field="name"),
            "municipalities": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "phone_visibility": forms.RadioSelect,
            "email_visibility": forms.RadioSelect,
            "bio": forms.Textarea(attrs={"rows": 4}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "direct_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "team_phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        help_texts = {
            "is_listed": _("When off, other members cannot find you; coordinators still can."),
        }

    # Only for those who approve sign-ups; not in Meta.fields, so the admin's profile form (which copies them) leaves
    # a coordinator's own choice alone.
    signup_alerts = forms.ChoiceField(
        label=_("Mail about new sign-ups"),
        choices=Profile.SignupAlerts.choices,
        widget=forms.RadioSelect,
        required=False,  # a form sent without it (an older page, a script) keeps the choice made before
        help_text=_("New members wait for your approval in the cockpit; choose how you hear of them."),
    )

    field_order = [*Meta.fields[:11], "photo_upload", "remove_photo", *Meta.fields[11:], "signup_alerts"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Colleagues find and recognise a person by name; signup asks for it too.
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        # The rule itself (rules.has_perm), not user.has_perm: Django's model backend would read the person's
        # model permissions too, two queries for every member who opens their own page, to answer the same no.
        if self.instance.user_id and rules.has_perm("members.approve_profile", self.instance.user):
            self.fields["signup_alerts"].initial = self.instance.signup_alerts
        else:
            del self.fields["signup_alerts"]

    def save(self, commit=True):
        if self.cleaned_data.get("signup_alerts"):
            self.instance.signup_alerts = self.cleaned_data["signup_alerts"]
        return super().save(commit)

    def clean_photo_upload(self):
        return self.clean_image()


class OrganisationForm(ImageUploadMixin, forms.ModelForm):
    image_field_name = "logo_upload"
    logo_upload = image_field(_("Logo"))
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = Organisation
        fields = ["name", "discipline", "municipalities", "phone", "email", "website", "address", "description"]
        widgets = {
            "municipalities": forms.CheckboxSelectMultiple,
            "address": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def clean_logo_upload(self):
        return self.clean_image()


class OfferingForm(forms.ModelForm):
    class Meta:
        model = Offering
        fields = [
            "title",
            "description",
            "life_phases",
            "target_group",
            "conditions",
            "access",
            "referral_by",
            "phone",
            "email",
            "address",
            "contact_person",
            "contact",
            "municipalities",
            "themes",
            "is_active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
            "access": forms.RadioSelect,
            "municipalities": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "municipalities": _("Leave empty when it is offered in the whole region."),
            "phone": _("Shown to everyone, parents included, as a number to tap."),
            "email": _("Shown to everyone, parents included."),
            "contact": _("Anything else parents need to know to get in touch, for example opening hours."),
        }
        labels = {"contact": _("Other contact information")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the organisation's contacts can be chosen; anyone else is refused at the field, in words.
        field = self.fields["contact_person"]
        field.queryset = self.instance.organisation.contacts.select_related("user").order_by(*name_order())
        field.error_messages["invalid_choice"] = CONTACT_PERSON_MESSAGE
        field.empty_label = _("No contact person")


def with_blank(choices, label):
    """Choices for a filter's select, with an empty first option named `label` (e.g. "All phases")."""
    return [("", label), *choices]


class FilterForm(forms.Form):
    """A list page's filters (GET, every field optional), rendered by templates/members/includes/filter_form.html.

    That template writes each field as crispy-bootstrap5 did (wrapper, label, control, errors) but without crispy's
    dozen templates per field, and every plain select becomes a LongSelect.
    """

    def bar_fields(self):
        """The bound fields with the classes crispy-bootstrap5 gave them (is-invalid when a value is refused)."""
        for bound in self:
            field = bound.field
            if type(field.widget) is forms.Select:  # also the fields a higher layer added (ExtraFiltersMixin)
                field.widget = LongSelect(attrs=field.widget.attrs, choices=field.widget.choices)
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "select form-select"
            else:
                css = f"{type(widget).__name__.lower()} form-control"
            widget.attrs["class"] = f"{css} is-invalid" if bound.errors else css
            yield bound


class DirectoryFilterForm(ExtraFiltersMixin, FilterForm):
    """The directory's search and filters; every field optional and combinable."""

    extra_filters = DIRECTORY_FILTERS

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, organisation, job, theme, place")}),
    )
    discipline = forms.ChoiceField(
        label=_("Discipline"), required=False, choices=with_blank(Discipline.choices, _("All disciplines"))
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=with_blank(Level.choices, _("All levels")))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.only("name", "slug"),
        empty_label=_("All organisations"),
        widget=LongSelect(label_field="name"),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.all(),
        empty_label=_("All municipalities"),
        widget=LongSelect(label_field="name"),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        required=False,
        queryset=Theme.objects.all(),
        empty_label=_("All themes"),
        widget=LongSelect(label_field="name"),
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("discipline"):
            queryset = queryset.filter(discipline=data["discipline"])
        if data.get("level"):
            queryset = queryset.filter(level=data["level"])
        if data.get("organisation"):
            queryset = queryset.filter(organisation=data["organisation"])
        queryset = self.filter_extra(queryset)
        # Filtering on several to-many relations: subqueries keep each row once.
        if data.get("municipality"):
            queryset = queryset.filter(
                pk__in=Profile.municipalities.through.objects.filter(municipality=data["municipality"]).values(
                    "profile_id"
                )
            )
        if data.get("theme"):
            queryset = queryset.filter(
                pk__in=Profile.themes.through.objects.filter(theme=data["theme"]).values("profile_id")
            )
        if data.get("q"):
            queryset = queryset.search(data["q"])
        return queryset


class OrganisationFilterForm(ExtraFiltersMixin, FilterForm):
    extra_filters = ORGANISATION_FILTERS

    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )
    discipline = forms.ChoiceField(
        label=_("Kind of organisation"), required=False, choices=with_blank(Discipline.choices, _("All kinds"))
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.all(),
        empty_label=_("All municipalities"),
        widget=LongSelect(label_field="name"),
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("q"):
            for word in data["q"].split():
                queryset = queryset.filter(name__icontains=word)
        if data.get("discipline"):
            queryset = queryset.filter(discipline=data["discipline"])
        queryset = self.filter_extra(queryset)
        if data.get("municipality"):
            queryset = queryset.filter(
                pk__in=Organisation.municipalities.through.objects.filter(municipality=data["municipality"]).values(
                    "organisation_id"
                )
            )
        return queryset


class OfferingFilterForm(FilterForm):
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.all(),
        empty_label=_("All municipalities"),
        widget=LongSelect(label_field="name"),
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        required=False,
        queryset=Theme.objects.all(),
        empty_label=_("All themes"),
        widget=LongSelect(label_field="name"),
    )
    life_phase = forms.ChoiceField(
        label=_("Life phase"), required=False, choices=with_blank(LifePhase.choices, _("All phases"))
    )
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search"})
    )

    field_order = ["q", "municipality", "theme", "life_phase"]

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if data.get("municipality"):
            queryset = queryset.for_municipality(data["municipality"])
        if data.get("theme"):
            queryset = queryset.filter(
                pk__in=Offering.themes.through.objects.filter(theme=data["theme"]).values("offering_id")
            )
        if data.get("life_phase"):
            queryset = queryset.in_phase(data["life_phase"])
        return queryset


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the person)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(label=_("I understand that my account and profile are deleted for good."))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This password is not correct."))
        return password
