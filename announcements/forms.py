"""Composing an announcement; who it goes to is network.forms.SegmentForm (prefix "segment")."""

from django import forms

from .models import Announcement


class AnnouncementForm(forms.ModelForm):
    class Meta:
        model = Announcement
        fields = ["subject", "body", "attachment", "cta_label", "cta_url"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "cta_url": forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        }
