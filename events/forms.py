"""Forms of the events: registering, composing an invitation audience, feedback, sending materials."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import LongSelectMultiple
from members.models import Discipline, Municipality, Organisation, Theme
from network.models import Circle, Coalition

from . import services
from .models import COALITION_QUESTION, Invitation


class RegistrationForm(forms.Form):
    """The intake: the fixed coalition question, the event's own questions, consent for the list."""

    coalition_progress = forms.CharField(
        label=COALITION_QUESTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Your answer is shown on the participant list if you agree below."),
    )
    consent_to_list = forms.BooleanField(
        label=_("Show my name, organisation, discipline and answer on the participant list"),
        required=False,
        help_text=_("Only other confirmed participants and coordinators see the list."),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_questions = event.questions()[1:]
        for index, question in enumerate(self.extra_questions):
            self.fields[f"question_{index}"] = forms.CharField(
                label=question, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
        # The consent box comes last, after all questions.
        self.order_fields(["coalition_progress", *[f"question_{i}" for i in range(len(self.extra_questions))]])

    def answers(self):
        return {q: self.cleaned_data.get(f"question_{i}", "") for i, q in enumerate(self.extra_questions)}


class AudienceForm(forms.Form):
    """Who an invitation goes to. Within one criterion choices add up; between criteria they narrow down."""

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
    all_members = forms.BooleanField(label=_("All approved members"), required=False)
    subscribers = forms.BooleanField(label=_("All subscribers who want invitations"), required=False)
    message = forms.CharField(
        label=_("Personal message (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        criteria = ("disciplines", "municipalities", "organisations", "themes", "coalitions", "circle")
        chosen = [data.get(name) for name in criteria]
        if not any(chosen) and not data.get("all_members") and not data.get("subscribers"):
            raise forms.ValidationError(_("Choose at least one group of people to invite."))
        return data

    def criteria(self):
        data = self.cleaned_data
        return {
            "disciplines": data["disciplines"],
            "municipalities": list(data["municipalities"]),
            "organisations": list(data["organisations"]),
            "themes": list(data["themes"]),
            "coalitions": list(data["coalitions"]),
            "circle": data["circle"],
            "all_members": data["all_members"],
            "subscribers": data["subscribers"],
        }

    def audience(self, event):
        """Who the chosen groups reach and who is not invited to `event` yet: the people this invitation adds."""
        invited = set(Invitation.objects.filter(event=event).addresses())
        return [person for person in services.build_audience(**self.criteria()) if person.email not in invited]


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How would you rate this event?"),
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 is poor, 5 is excellent."),
    )
    valuable = forms.CharField(
        label=_("What was most valuable?"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    improve = forms.CharField(
        label=_("What could be better?"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SendMaterialsForm(forms.Form):
    only_checked_in = forms.BooleanField(
        label=_("Only participants who were checked in"),
        required=False,
        help_text=_("Otherwise every confirmed participant receives them."),
    )


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label=_("Message to the participants"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
