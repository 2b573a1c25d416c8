"""Forms of the events: registering, composing an invitation, feedback, sending materials, messages."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.forms import FilterForm, LongSelect, with_blank
from members.models import Municipality, Profile, Theme
from network.models import Coalition

from .mailings import To
from .models import COALITION_QUESTION, Event


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
        self.event = event
        self.extra_questions = event.questions()[1:]
        for index, question in enumerate(self.extra_questions):
            self.fields[f"question_{index}"] = forms.CharField(
                label=question, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
            )
        add_session_field(self, event)
        # The consent box comes last, after all questions.
        self.order_fields(["coalition_progress", *[f"question_{i}" for i in range(len(self.extra_questions))]])

    def answers(self):
        return {q: self.cleaned_data.get(f"question_{i}", "") for i, q in enumerate(self.extra_questions)}

    def clean_session(self):
        session = self.cleaned_data.get("session")
        if self.event.is_full:
            return session  # on the waiting list a full session is a wish, granted on promotion if it has room
        return refuse_full_session(self, session)


class SessionChoiceField(forms.ModelChoiceField):
    """The breakout sessions as radio buttons, each with its seats left; a full one says so."""

    widget = forms.RadioSelect

    def label_from_instance(self, session):
        parts = [session.title]
        if session.room:
            parts.append(session.room)
        if session.is_full:
            parts.append(str(_("full")))
        elif session.seats_left is not None:
            seats = session.seats_left
            parts.append(ngettext("%(seats)d seat left", "%(seats)d seats left", seats) % {"seats": seats})
        return " · ".join(parts)


def session_field(event, *, required=False):
    """A choice of `event`'s breakout sessions (None when it has none): full ones are shown as full and refused."""
    sessions = event.sessions.with_taken()
    if not sessions.exists():
        return None
    return SessionChoiceField(
        label=_("Breakout session"),
        queryset=sessions,
        required=required,
        empty_label=None if required else _("No preference: the coordinator assigns me"),
        help_text=_("Part of the programme takes place in smaller groups. Choose the one you want to join."),
    )


def add_session_field(form, event):
    """Add the breakout session choice to a registration form (when the event has sessions)."""
    field = session_field(event)
    if field is not None:
        form.fields["session"] = field


def refuse_full_session(form, session, *, current=None):
    """A full session chosen is refused at the field (the service decides again under the event lock)."""
    if session is not None and session.is_full and session != current:
        form.add_error("session", SESSION_FULL)
        return None
    return session


SESSION_FULL = _("This breakout session is full.")


class SessionForm(forms.Form):
    """A member changes their breakout session from their registration."""

    def __init__(self, *args, event, registration, **kwargs):
        super().__init__(*args, **kwargs)
        self.registration = registration
        add_session_field(self, event)

    def clean_session(self):
        session = self.cleaned_data.get("session")
        if self.registration.is_confirmed:
            return refuse_full_session(self, session, current=self.registration.session)
        return session


class MoveForm(forms.Form):
    """A coordinator moves a participant to another breakout session (or none)."""

    registration = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"] = forms.ModelChoiceField(
            label=_("Move to"),
            queryset=event.sessions.all(),
            required=False,
            empty_label=_("No session"),
        )


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
