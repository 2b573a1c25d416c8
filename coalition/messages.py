"""Flash messages with the right Dutch article: "Het verhaal ‘…’ is toegevoegd", not "De verhaal".

The admin builds its messages from one msgid per action with the model's name in it ("The {name} “{obj}” was
added successfully."), so its Dutch says "De {name}" for every model, while a third of ours are het-words. This
storage puts "Het" before a het-word as each message is stored; the rest of the message is left as it was.
"""

from django.contrib.messages.storage.fallback import FallbackStorage
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

# Het-words among the portal's model names (a compound takes the article of its last part: "redactielidmaatschap",
# "aansluitverzoek"). Add a model's Dutch name here when it takes "het".
HET_WORDS = (
    "aanbod",
    "abonnement",
    "account",
    "actiepunt",
    "bestand",
    "document",
    "lidmaatschap",
    "materiaal",
    "partnerschap",
    "profiel",
    "signaal",
    "thema",
    "verhaal",
    "verzoek",
)


def with_dutch_article(message):
    """Return `message` with "Het" for "De" when its first noun is a het-word, in Dutch only."""
    text = str(message)
    if not (get_language() or "").startswith("nl") or not text.startswith("De "):
        return message
    first_noun = text[3:].split(" ", 1)[0]
    if not first_noun.endswith(HET_WORDS):
        return message
    fixed = "Het " + text[3:]
    return mark_safe(fixed) if isinstance(message, SafeData) else fixed  # the same text with one word changed


class PortalMessageStorage(FallbackStorage):
    """Django's default storage (cookie, then session), with the Dutch article set right."""

    def add(self, level, message, extra_tags=""):
        return super().add(level, with_dutch_article(message), extra_tags)
