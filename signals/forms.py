"""The signal route's search box and municipality choice."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import FilterForm


class RouteForm(FilterForm):
    q = forms.CharField(
        label=_("Search signals"),
        required=False,
        max_length=200,
        help_text=_("For example: debts, eviction, violence."),
    )
    municipality = forms.ChoiceField(label=_("Your municipality"), required=False)

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [
            ("", _("Choose a municipality")),
            *((municipality.slug, municipality.name) for municipality in municipalities),
        ]
