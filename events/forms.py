"""Forms of the events: registering, composing an invitation, feedback, sending materials, messages."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.forms import FilterForm, LongSelect, with_blank
from members.models import Municipality, Profile, Theme
from network.models import Coalition
from surveys.forms import QuestionFields

from .mailings import To
from .models import Event


class RegistrationForm(forms.Form):
    """The intake: the event's own questions in their order, each of its type, then consent for the list.

    Nobody is asked for their coalition: the service records it, with its phase, from their profile.
    """

    consent_to_list = forms.BooleanField(
        label=_("Show my name, organisation, discipline and coalition (with its phase) on the participant list"),
        required=False,
        help_text=_(
            "Only other confirmed participants and coordinators see the list. Your answers to the questions above "
            "are for the coordinators only."
        ),
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = QuestionFields(self, event.intake_questions.all())
        # The consent box comes last, after all questions.
        self.order_fields(self.questions.field_names)

    def answers(self):
        return self.questions.answers()


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


class EventFilterForm(FilterForm):
    """The filters of the upcoming events and of their public calendar feed (GET, every field optional, combinable).

    An event has no municipality of its own (its venue is free text): a coalition's event belongs to the
    municipalities of its coalition, and a regional event to none, so filtering by a municipality leaves the
    regional events out. Online means what `Event.is_online` means: a meeting link and no address; every other
    event is on site.
    """

    ONLINE = "online"
    ON_SITE = "on_site"

    coalition = forms.ModelChoiceField(
        label=_("Coalition"),
        required=False,
        queryset=Coalition.objects.all(),
        empty_label=_("All coalitions"),
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
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=with_blank(Event.Kind.choices, _("All kinds")))
    place = forms.ChoiceField(
        label=_("Online or on site"),
        required=False,
        choices=with_blank([(ONLINE, _("Online")), (ON_SITE, _("On site"))], _("Online and on site")),
    )

    def filter(self, events):
        """`events` narrowed by the valid filters (call is_valid() first; a refused value filters nothing)."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        if data.get("coalition"):
            events = events.filter(coalition=data["coalition"])
        if data.get("municipality"):
            events = events.filter(coalition__municipality_links__municipality=data["municipality"])
        if data.get("theme"):
            events = events.filter(themes=data["theme"])
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        online = Q(meeting_url__gt="", address="")
        if data.get("place") == self.ONLINE:
            events = events.filter(online)
        elif data.get("place") == self.ON_SITE:
            events = events.exclude(online)
        return events
