"""Forms of the journal: tips, subscriptions, the tip desk and the edition's cover in the admin."""

import secrets
import time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coalition import ratelimits
from coalition.roles import EDITORIAL_TEAM
from members.forms import FilterForm
from members.photos import process_image
from network.models import Coalition

from .models import Edition, Story, Tip

SPAM_GUARD_SALT = "journal.spam-guard"
# People need at least this long to write a tip; robots post at once.
MIN_FILL_SECONDS = 3
MAX_FILL_SECONDS = 24 * 60 * 60


def spam_guard_stamp(now=None):
    """A signed start time with a random mark: the stamp is accepted once (see SpamGuardedForm)."""
    started = now if now is not None else time.time()
    return signing.dumps({"t": started, "n": secrets.token_urlsafe(12)}, salt=SPAM_GUARD_SALT)


def form_helper(submit_label, layout=None):
    """Crispy writes the <form> tag of these forms: `novalidate`, as on every portal form, so the portal's own
    messages and error summary appear instead of the browser's, which would stop the form before the server."""
    helper = FormHelper()
    helper.attrs = {"novalidate": ""}
    if layout is not None:
        helper.layout = layout
    helper.add_input(Submit("submit", submit_label))
    return helper


class SpamGuardedForm(forms.Form):
    """A honeypot field people never see and a signed, single-use start time: no third-party captcha.

    A stamp is spent when the form is valid (recorded in the shared cache for as long as it is valid),
    so a posted form cannot be replayed. Whenever the form comes back with an error it gets a fresh
    stamp, so the person can send what they typed again without waiting.
    """

    website = forms.CharField(label=_("Leave this field empty"), required=False)
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started"].initial = spam_guard_stamp()
        self._stamp_mark = None

    def spam_guard_layout(self):
        return Div(
            Field("website", tabindex="-1", autocomplete="off"),
            css_class="journal-hp",
            aria_hidden="true",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("Your message could not be sent. Please try again."), code="spam")
        try:
            stamp = signing.loads(cleaned.get("started") or "", salt=SPAM_GUARD_SALT, max_age=MAX_FILL_SECONDS)
            started, self._stamp_mark = float(stamp["t"]), str(stamp["n"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                _("This form has expired or was changed. Please send it again."), code="spam"
            ) from None
        if time.time() - started < MIN_FILL_SECONDS:
            raise forms.ValidationError(
                _("That was very quick. Please check your message and send it again."), code="spam"
            )
        return cleaned

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        if not self._errors and not ratelimits.first_use(
            "journal.form-stamp", self._stamp_mark, seconds=MAX_FILL_SECONDS
        ):
            self.add_error(
                None,
                forms.ValidationError(
                    _(
                        "This form was already sent once. If you want to send it again, "
                        "check what you typed and press the button once more."
                    ),
                    code="replayed",
                ),
            )
        if self._errors:
            self._renew_stamp()

    def refuse(self, message):
        """Show `message` above the form, keeping what was typed and giving it a fresh stamp."""
        self.add_error(None, message)
        self._renew_stamp()

    def _renew_stamp(self):
        # The person already took their time: the new stamp counts from MIN_FILL_SECONDS ago.
        self.data = self.data.copy()
        self.data[self.add_prefix("started")] = spam_guard_stamp(time.time() - MIN_FILL_SECONDS)


class TipForm(SpamGuardedForm):
    what = forms.CharField(
        label=_("What is the tip?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A person, a practice or an issue from the chain that deserves a stage."),
    )
    who = forms.CharField(
        label=_("Who is involved?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("People or organisations the story could be about."),
    )
    why_now = forms.CharField(
        label=_("Why now?"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail address"))
    phone = forms.CharField(label=_("Your phone number"), max_length=40, required=False)
    organisation_name = forms.CharField(label=_("Your organisation"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        contact = ["name", "email", "phone", "organisation_name"]
        if user is not None and user.is_authenticated:
            # Members are known: the tip is linked to their account, so no contact details are asked.
            for name in contact:
                del self.fields[name]
            contact = []
        self.helper = form_helper(
            _("Send tip"), Layout("what", "who", "why_now", *contact, self.spam_guard_layout(), "started")
        )


FOLLOW_REGION = "region"
FOLLOW_COALITIONS = "coalitions"


class FollowFields(forms.Form):
    """What comes first in the journal: the whole region, or the stories and events of chosen coalitions (every
    subscriber still receives the whole edition)."""

    follow = forms.ChoiceField(
        label=_("What comes first in the journal?"),
        choices=[
            (FOLLOW_REGION, _("The whole region")),
            (FOLLOW_COALITIONS, _("The coalitions I tick below: their stories and events come first")),
        ],
        widget=forms.RadioSelect,
        initial=FOLLOW_REGION,
        required=False,
    )
    coalitions = forms.ModelMultipleChoiceField(
        label=_("Coalitions"),
        queryset=Coalition.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, follow=True, **kwargs):
        """`follow=False` when there is no coalition to follow yet (the view asks): the whole region it is."""
        super().__init__(*args, **kwargs)
        if not follow:
            del self.fields["follow"], self.fields["coalitions"]
            return
        self.fields["coalitions"].queryset = Coalition.objects.order_by("name").only("pk", "name")

    def clean_follow_choice(self, cleaned):
        """None for the whole region, else the coalitions ticked (an error at the field when none is)."""
        if cleaned.get("follow") != FOLLOW_COALITIONS:
            cleaned["coalitions"] = []
            return cleaned
        if "coalitions" in cleaned and not cleaned["coalitions"]:
            self.add_error("coalitions", _("Tick at least one coalition, or choose the whole region."))
        return cleaned

    @staticmethod
    def follow_initial(coalition_ids):
        return {"follow": FOLLOW_COALITIONS if coalition_ids else FOLLOW_REGION, "coalitions": list(coalition_ids)}


class SubscribeForm(FollowFields, SpamGuardedForm):
    email = forms.EmailField(label=_("E-mail address"))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    journal = forms.BooleanField(label=_("The community journal"), required=False, initial=True)
    invitations = forms.BooleanField(label=_("Invitations to events"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            name for name in ("email", "name", "journal", "follow", "coalitions", "invitations") if name in self.fields
        ]
        self.helper = form_helper(_("Subscribe"), Layout(*choices, self.spam_guard_layout(), "started"))

    def clean(self):
        cleaned = self.clean_follow_choice(super().clean())
        if not (cleaned.get("journal") or cleaned.get("invitations")):
            self.add_error("journal", _("Choose at least one: the journal or invitations to events."))
        return cleaned


class SubscriptionSettingsForm(FollowFields):
    journal = forms.BooleanField(label=_("Send me the community journal"), required=False)
    invitations = forms.BooleanField(label=_("Send me invitations to events"), required=False)

    field_order = ["journal", "follow", "coalitions", "invitations"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(_("Save"))

    def clean(self):
        return self.clean_follow_choice(super().clean())


def _editor_choices():
    return (
        get_user_model().objects.filter(groups__name=EDITORIAL_TEAM, is_active=True).order_by("first_name", "last_name")
    )


class TipFilterForm(FilterForm):
    """Rendered by templates/journal/tip_list.html, field by field as members.forms.FilterForm does."""

    state = forms.ChoiceField(label=_("State"), choices=[("", _("All states")), *Tip.State.choices], required=False)
    assigned_to = forms.ModelChoiceField(label=_("Editor"), queryset=None, required=False, empty_label=_("All editors"))
    q = forms.CharField(label=_("Search"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = _editor_choices()

    def filter(self, tips):
        """The tips that match the chosen state, editor and search text; all of them while nothing (valid) is chosen."""
        if not self.is_bound or not self.is_valid():
            return tips
        data = self.cleaned_data
        if data["state"]:
            tips = tips.filter(state=data["state"])
        if data["assigned_to"]:
            tips = tips.filter(assigned_to=data["assigned_to"])
        if data["q"]:
            tips = tips.search(data["q"])
        return tips


class TipUpdateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=Tip.State.choices)
    assigned_to = forms.ModelChoiceField(label=_("Editor"), queryset=None, required=False)
    story = forms.ModelChoiceField(label=_("Story it became"), queryset=None, required=False)
    note = forms.CharField(label=_("Internal note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = _editor_choices()
        self.fields["story"].queryset = Story.objects.select_related("edition").order_by("-edition__number", "order")
        self.fields["story"].label_from_instance = lambda story: f"{story.edition.number}. {story.title}"
        self.helper = form_helper(_("Save"))

    def clean(self):
        cleaned = super().clean()
        # The rule lives on the model (Tip.clean); its errors land on these fields.
        tip = Tip(state=cleaned.get("state"), assigned_to=cleaned.get("assigned_to"), story=cleaned.get("story"))
        try:
            tip.clean()
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class EditionAdminForm(forms.ModelForm):
    """The edition in the admin: the cover is checked and re-encoded like a photo in the directory."""

    class Meta:
        model = Edition
        fields = ["number", "title", "slug", "theme", "introduction", "cover", "cover_alt", "published_at"]

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if cover and hasattr(cover, "content_type"):  # a new upload, not the stored file
            # The same checks and re-encoding as photos in the directory (one implementation, in members).
            return process_image(cover).image
        return cover
