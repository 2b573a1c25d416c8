"""Forms of the events: registering, composing an invitation, sending materials, messages."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from members.forms import FilterForm, LongSelect, with_blank
from members.models import Municipality, Organisation, Profile, Theme
from network.models import Coalition
from surveys.forms import QuestionFields

from . import certificates
from .mailings import To
from .models import Case, Event
from .services import Guest, Placing


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
        self.event = event
        self.questions = QuestionFields(self, event.intake_questions.all())
        add_session_field(self, event)
        # The consent box comes last, after all questions.
        self.order_fields([*self.questions.field_names, "session"])

    def answers(self):
        return self.questions.answers()


class GuestFields(forms.Form):
    """Who a guest is: name, e-mail address, organisation (from the list, or typed) and function."""

    name = forms.CharField(label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send a link to this address; your registration counts once you have opened it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    organisation = forms.ModelChoiceField(
        label=_("Your organisation"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("My organisation is not in the list"),
        widget=LongSelect(label_field="name"),
    )
    organisation_name = forms.CharField(
        label=_("Name of your organisation"),
        required=False,
        max_length=200,
        help_text=_("Only when it is not in the list above."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    function = forms.CharField(
        label=_("Your function"),
        max_length=200,
        help_text=_("For example: policy officer"),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )

    GUEST_FIELDS = ("name", "email", "organisation", "organisation_name", "function")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")

    def clean(self):
        cleaned = super().clean()
        missing = not cleaned.get("organisation") and not cleaned.get("organisation_name", "").strip()
        if missing and "organisation" not in self.errors:
            self.add_error("organisation", _("Choose your organisation, or type its name if it is not in the list."))
        return cleaned

    def guest(self):
        data = self.cleaned_data
        return Guest(
            name=data["name"],
            email=data["email"],
            function=data["function"],
            organisation=data.get("organisation"),
            organisation_name=data.get("organisation_name", ""),
        )


class GuestRegistrationForm(GuestFields, RegistrationForm):
    """A guest's registration: who they are, then the event's intake questions and the consent for the list.

    With `email` (an invitation's address, which its link proves) the address is shown but not asked.
    """

    def __init__(self, *args, event, email=None, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        if email:
            self.fields["email"].initial = email
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("The address this invitation was sent to.")
        intake = [name for name in self.fields if name not in self.GUEST_FIELDS]
        self.order_fields([*self.GUEST_FIELDS, *intake])

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


class PlacingForm(forms.Form):
    """How the coordinator has everyone without a breakout session placed (services.assign_sessions)."""

    placing = forms.ChoiceField(
        label=_("Place them"),
        widget=forms.RadioSelect,
        required=False,  # nothing ticked: mixed, the first choice
        initial=Placing.MIX,
        choices=[
            (Placing.MIX, _("Mixed: colleagues of one organisation spread over the sessions")),
            (Placing.PHASE, _("By coalition phase: people whose coalitions are in the same phase together")),
        ],
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        questions = [q for q in event.intake_questions.all() if q.kind == q.Kind.ONE_CHOICE]
        self.questions = {str(question.pk): question for question in questions}
        # One choice per question: "By the answer to “Which topic…?”" (the n-th choice to the n-th session).
        self.fields["placing"].choices = [
            *self.fields["placing"].choices,
            *[
                (
                    f"{Placing.ANSWER}:{question.pk}",
                    _("By the answer to “%(question)s”: the first choice to the first session, and so on")
                    % {"question": question.label},
                )
                for question in questions
            ],
        ]

    def chosen(self):
        """(placing, question) for the service, from the valid form."""
        value = self.cleaned_data["placing"] or Placing.MIX
        if value.startswith(f"{Placing.ANSWER}:"):
            return Placing.ANSWER, self.questions[value.split(":", 1)[1]]
        return value, None


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


class SendMaterialsForm(forms.Form):
    only_checked_in = forms.BooleanField(
        label=_("Only participants who were checked in"),
        required=False,
        help_text=_("Otherwise every confirmed participant receives them."),
    )


class SendCertificatesForm(forms.Form):
    """Nothing to choose: every participant who was checked in gets their own link. The form carries the refusal
    (nobody to mail) to the page."""


class VerifyCertificateForm(forms.Form):
    code = forms.CharField(
        label=_("Code on the certificate"),
        max_length=20,
        help_text=_("Twelve letters and digits, e.g. ABCD-EFGH-JKLM."),
    )

    def clean_code(self):
        code = certificates.normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("A code has twelve letters and digits, e.g. ABCD-EFGH-JKLM."))
        return code


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


class GuestWalkInForm(GuestFields):
    """A coordinator checks in a guest who came without registering: name, e-mail address, organisation."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_guest_%s")  # beside the member search on the same page
        super().__init__(*args, **kwargs)
        self.fields["name"].label = _("Name")
        self.fields["email"].label = _("E-mail address")
        self.fields["email"].help_text = ""
        self.fields["organisation"].label = _("Organisation")
        self.fields["organisation_name"].label = _("Name of the organisation")
        self.fields["function"].label = _("Function")
        self.fields["function"].required = False


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


# --- A group's meetings, their notes and the cases of a case consultation (issue 18) ---------------------------------


def _moment_field(label):
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class GroupMeetingForm(forms.Form):
    """A group coordinator plans a meeting of the group: when, where (a venue or an online link) and how many."""

    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = _moment_field(_("Starts at"))
    ends_at = _moment_field(_("Ends at"))
    venue = forms.CharField(
        label=_("Venue"), max_length=200, required=False, help_text=_("For example: Wijkcentrum De Brug")
    )
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    meeting_url = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        help_text=_("Shown only to those registered and in their reminder."),
    )
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, required=False, help_text=_("Empty means unlimited."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    group_only = forms.BooleanField(
        label=_("Only for the group's members"),
        required=False,
        initial=True,
        help_text=_("Switch this off to let every member of the network see the meeting and register for it."),
    )

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at < starts_at:
            self.add_error("ends_at", _("The end is before the start."))
        if not (cleaned.get("venue") or cleaned.get("address") or cleaned.get("meeting_url")):
            self.add_error("venue", _("Give a venue, an address or an online meeting link."))
        return cleaned


class MeetingNotesForm(forms.Form):
    """The notes of a group's meeting: decisions and other notes in Markdown, and the group's actions it created
    and closed, chosen from the group's action list (linked, not retyped)."""

    decisions = forms.CharField(
        label=_("Decisions"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, *italic*, lists and links."),
    )
    summary = forms.CharField(
        label=_("Other notes"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italic*, lists and links."),
    )
    actions_created = forms.ModelMultipleChoiceField(
        label=_("Actions this meeting agreed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Add new actions to the group's action list first; then choose them here."),
    )
    actions_closed = forms.ModelMultipleChoiceField(
        label=_("Actions this meeting closed"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("actions_created", "actions_closed"):
            self.fields[name].queryset = actions


class CaseForm(forms.ModelForm):
    """A case for a case consultation: a theme and a question only (the model's validators refuse identifiers)."""

    class Meta:
        model = Case
        fields = ["theme", "question"]
        widgets = {"question": forms.Textarea(attrs={"rows": 6})}


class AdviceForm(forms.ModelForm):
    """What the consultation advised on a case (checked for identifiers like the case itself)."""

    class Meta:
        model = Case
        fields = ["advice"]
        widgets = {"advice": forms.Textarea(attrs={"rows": 4})}
