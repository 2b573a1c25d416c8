"""The outbox's one form: which kinds of list mail an address receives (the mail preferences page)."""

from django import forms
from django.db import transaction

from . import checkstep


class MailPreferencesForm(forms.Form):
    """One checkbox per topic in checkstep.TOPICS, whatever apps registered; ticked means "send me this".

    The fields are made per instance from TOPICS as it is now, so a topic an app adds later appears without a
    change here. `save()` touches only the topics whose box changed.
    """

    def __init__(self, *args, address: str, unsubscribed: set[str], **kwargs):
        self.address = address
        self.unsubscribed = set(unsubscribed)
        initial = {topic: topic not in self.unsubscribed for topic in checkstep.TOPICS}
        super().__init__(*args, initial=initial, **kwargs)
        for topic, (label, description) in checkstep.TOPICS.items():
            self.fields[topic] = forms.BooleanField(label=label, help_text=description, required=False)

    @transaction.atomic
    def save(self) -> list[str]:
        """Unsubscribe from the topics switched off, resubscribe to those switched on; returns the changed ones."""
        changed = []
        for topic in checkstep.TOPICS:
            wanted = self.cleaned_data.get(topic, False)
            if wanted and topic in self.unsubscribed:
                checkstep.resubscribe(self.address, topic)
            elif not wanted and topic not in self.unsubscribed:
                checkstep.unsubscribe(self.address, topic)
            else:
                continue
            changed.append(topic)
        return changed
