"""Forms of the network: the coalition list's filters, asking to join, answering a request, a phase change, and
choosing a part of the network to mail (SegmentForm)."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.forms import FilterForm, LongSelect, LongSelectMultiple, with_blank
from members.models import Discipline, Level, Municipality, Organisation, Profile, Theme

from .audiences import SOURCES, Segment
from .models import Circle, Coalition, Partnership, Phase, partner_people


class DateInput(forms.DateInput):
    """The browser's date picker; the value goes back and forth as ISO 8601, which every form accepts."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CoalitionFilterForm(FilterForm):
    phase = forms.ChoiceField(label=_("Phase"), required=False, choices=with_blank(Phase.choices, _("All phases")))
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        required=False,
        queryset=Municipality.objects.all(),
        empty_label=_("All municipalities"),
        widget=LongSelect(label_field="name"),
    )

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("phase"):
            queryset = queryset.filter(phase=data["phase"])
        if data.get("municipality"):
            queryset = queryset.filter(municipality_links__municipality=data["municipality"])
        return queryset


# --- What the network adds to the directory and the organisation list (members.forms' registries) -------


def coalition_filter_fields():
    """A coalition and a circle: the fields the directory and the organisation list get from the network."""
    return {
        "coalition": forms.ModelChoiceField(
            label=_("Coalition"),
            required=False,
            queryset=Coalition.objects.only("name", "slug"),
            empty_label=_("All coalitions"),
            widget=LongSelect(label_field="name"),
        ),
        "circle": forms.ChoiceField(
            label=_("Circle"), required=False, choices=with_blank(Circle.choices, _("Both circles"))
        ),
    }


def _people_and_partners(data):
    coalitions = [data["coalition"]] if data.get("coalition") else []
    return coalitions, data.get("circle", "")


def narrow_organisations(queryset, data):
    """Organisations that are partners of the chosen coalition, in the chosen circle."""
    coalitions, circle = _people_and_partners(data)
    if not (coalitions or circle):
        return queryset
    partnerships = Partnership.objects.filter(**({"coalition__in": coalitions} if coalitions else {}))
    if circle:
        partnerships = partnerships.filter(circle=circle)
    return queryset.filter(pk__in=partnerships.values("organisation_id"))


def narrow_profiles(queryset, data):
    """People of the partner organisations (in the chosen circle); for a coalition alone, also everyone who
    works in its municipalities."""
    coalitions, circle = _people_and_partners(data)
    if not (coalitions or circle):
        return queryset
    return queryset.filter(partner_people(coalitions=coalitions, circle=circle))


# --- Asking to join, answering, the phase ------------------------------------------------------------


class JoinRequestForm(forms.Form):
    """Asking to join a coalition: an organisation from the list, or one typed in by a visitor."""

    organisation = forms.ModelChoiceField(
        label=_("Your organisation"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("My organisation is not in the list"),
    )
    organisation_name = forms.CharField(
        label=_("Name of your organisation"),
        required=False,
        max_length=200,
        help_text=_("Only when it is not in the list above."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    name = forms.CharField(label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The trekkers answer you at this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=_("What would your organisation like to do in the coalition?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, coalition, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Partners already in the coalition need not ask.
        self.fields["organisation"].queryset = Organisation.objects.exclude(partnerships__coalition=coalition).only(
            "name", "slug"
        )
        if user is not None and user.is_authenticated:
            # The account says who is asking; its organisation is the likely one.
            del self.fields["name"]
            del self.fields["email"]
            profile = getattr(user, "profile", None)
            if profile is not None and profile.organisation_id:
                self.fields["organisation"].initial = profile.organisation_id

    def clean(self):
        cleaned = super().clean()
        missing = not cleaned.get("organisation") and not cleaned.get("organisation_name", "").strip()
        if missing and "organisation" not in self.errors:
            self.add_error("organisation", _("Choose your organisation, or type its name if it is not in the list."))
        return cleaned


class PhaseChangeForm(forms.Form):
    phase = forms.ChoiceField(label=_("New phase"), choices=Phase.choices, widget=forms.RadioSelect)
    changed_on = forms.DateField(label=_("In this phase since"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What marked this step, for the region's history. Shown on the coalition's page."),
    )

    def __init__(self, *args, coalition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].initial = coalition.next_phase or coalition.phase
        self.fields["changed_on"].initial = timezone.localdate()


class AcceptJoinRequestForm(forms.Form):
    circle = forms.ChoiceField(
        label=_("Circle"),
        choices=Circle.choices,
        initial=Circle.OUTER,
        widget=forms.RadioSelect,
        help_text=_("The inner circle works actively on the coalition; the outer circle stays informed."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation in the portal"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Not in the portal yet: add it"),
    )
    discipline = forms.ChoiceField(
        label=_("Kind of organisation (to add it)"),
        required=False,
        choices=with_blank(Discipline.choices, _("Choose the kind")),
    )

    def __init__(self, *args, join_request, **kwargs):
        super().__init__(*args, **kwargs)
        if join_request.organisation_id:
            # The request names an organisation of the portal: nothing to choose.
            del self.fields["organisation"]
            del self.fields["discipline"]
        else:
            self.fields["organisation"].queryset = Organisation.objects.exclude(
                partnerships__coalition=join_request.coalition_id
            ).only("name", "slug")
            self.fields["organisation"].help_text = _(
                "They typed “%(name)s”. Choose it if it is in the list; otherwise it is added with this name."
            ) % {"name": join_request.organisation_name}

    def clean(self):
        cleaned = super().clean()
        if "organisation" in self.fields and not cleaned.get("organisation") and not cleaned.get("discipline"):
            self.add_error("discipline", _("Say what kind of organisation it is, so it can be added."))
        return cleaned


class DeclineJoinRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mailed to the person who asked."),
    )


class SegmentForm(forms.Form):
    """Who a mail goes to (network.audiences): within one criterion the choices add up, between criteria they
    narrow down; the groups other apps add (subscribers, participants) come on top.

    `coalitions` limits what may be chosen: a coalition coordinator mails only the people of their coalitions,
    so for them one of those coalitions is required and the added groups are theirs to offer (`sources`).
    """

    prefix = "segment"

    coalitions = forms.ModelMultipleChoiceField(
        label=_("Coalitions"),
        queryset=Coalition.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The people of its partner organisations and those working in its municipalities."),
    )
    circle = forms.ChoiceField(
        label=_("Circle"),
        choices=[("", _("Both circles")), *Circle.choices],
        required=False,
        help_text=_("The people of the partners in this circle, of the coalitions chosen or of any."),
    )
    levels = forms.MultipleChoiceField(
        label=_("Levels"), choices=Level.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    disciplines = forms.MultipleChoiceField(
        label=_("Disciplines"), choices=Discipline.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities"),
        queryset=Municipality.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations"),
        queryset=Organisation.objects.all(),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 8}),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"), queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    all_members = forms.BooleanField(label=_("All approved members"), required=False)

    def __init__(self, *args, coalitions=None, sources=None, **kwargs):
        """`coalitions`: the coalitions the person may mail (None: all, a regional coordinator). `sources`: the
        keys of the added groups to offer (None: every registered one)."""
        super().__init__(*args, **kwargs)
        self.limited_to = coalitions
        if coalitions is not None:
            self.fields["coalitions"].queryset = coalitions
            self.fields["coalitions"].required = True
            self.fields["coalitions"].error_messages["required"] = _("Choose at least one of your coalitions.")
            del self.fields["all_members"]
            # Only what lies within their coalitions (partner_people): their municipalities, and the organisations
            # that are their partners or that employ people working in their municipalities. One query per field.
            self.fields["municipalities"].queryset = Municipality.objects.filter(
                coalition_link__coalition__in=coalitions
            )
            working_there = Profile.objects.filter(municipalities__coalition_link__coalition__in=coalitions)
            self.fields["organisations"].queryset = Organisation.objects.filter(
                Q(pk__in=Partnership.objects.filter(coalition__in=coalitions).values("organisation_id"))
                | Q(pk__in=working_there.values("organisation_id"))
            )
        # A checkbox group without anything to tick is left out (no empty heading); one that is required stays, so
        # its error is shown.
        for name in ("coalitions", "municipalities", "themes"):
            field = self.fields[name]
            if not field.required and not field.queryset.exists():
                del self.fields[name]
        for key, source in SOURCES.items():
            if sources is None or key in sources:
                self.fields[f"source_{key}"] = source.field()

    def clean(self):
        data = super().clean()
        if data.get("all_members") and Segment.from_form({**data, "all_members": False}).narrows_members:
            # Everyone would be mailed whatever else was ticked; say so rather than silently ignore the rest.
            self.add_error(
                "all_members",
                _(
                    "All members cannot be combined with coalitions, levels, disciplines or other groups of members: "
                    "untick either."
                ),
            )
        if not self.errors and Segment.from_form(data).is_empty:
            raise forms.ValidationError(
                _("Choose at least one group of people: a coalition, a discipline, all members, …"),
                code="empty_segment",
            )
        return data

    def segment(self) -> Segment:
        return Segment.from_form(self.cleaned_data)
