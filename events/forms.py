"""Forms of the events: registering, composing an invitation, feedback, sending materials, messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Profile

from .mailings import To
from .models import COALITION_QUESTION


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


class InvitationForm(forms.Form):
    """What an invitation adds to the event's details; who it goes to is a network SegmentForm beside it."""

    message = forms.CharField(
        label=_("Personal message (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


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


class MessageForm(forms.Form):
    """A coordinator's message to those registered: a room change, parking, what to bring."""

    to = forms.ChoiceField(label=_("To"), choices=To.CHOICES, initial=To.CONFIRMED, widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject"), max_length=150)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8}))

    def clean_subject(self):
        # One line, whatever was pasted: it becomes the mail's Subject header.
        return " ".join(self.cleaned_data["subject"].split())


class WalkInForm(forms.Form):
    """A coordinator checks in an approved member who came without registering, chosen from a search by name."""

    profile = forms.ModelChoiceField(label=_("Member"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = Profile.objects.approved().select_related("user", "organisation")
