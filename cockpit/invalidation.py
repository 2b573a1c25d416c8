"""When the impact figures must be counted again: a version number in the cache, raised by every save and delete of
the rows they read, is part of each cached report's key (cockpit.impact.report), so a change shows at once.

Writes that send no signal (QuerySet.update, bulk_create: the retention tasks, some services) are seen when the
cached report expires (cockpit.impact.CACHE_SECONDS).
"""

import time

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "cockpit:impact:version"
# The version key expires too (every key in the shared cache has a timeout); a new one starts from the clock, so it
# is never a version an old cached report was stored under.
VERSION_SECONDS = 7 * 24 * 60 * 60

# The models the figures read, as "app_label.Model", and the many-to-many fields whose changes count.
MODELS = (
    "members.Profile",
    "members.User",
    "network.Coalition",
    "network.CoalitionMunicipality",
    "network.Partnership",
    "network.PhaseChange",
    "network.Declaration",
    "network.Signature",
    "events.Event",
    "events.Registration",
    "surveys.Survey",
    "surveys.SurveyQuestion",
    "surveys.Response",
    "journal.Edition",
    "journal.Story",
    "journal.Tip",
    "journal.Subscriber",
)
MANY_TO_MANY = (
    ("members.Profile", "municipalities"),
    ("journal.Edition", "coalitions"),
    ("journal.Story", "coalitions"),
    ("journal.Subscriber", "coalitions"),
)

# Saves of only these fields change no figure: every login (last_login), reminders and bookkeeping.
UNCOUNTED_FIELDS = {
    "last_login",
    "reminded_at",
    "confirmation_requested_at",
    "sender_notified_at",
    "search_text",
    "sort_surname",
    "sort_first_name",
}


def version() -> int:
    """The current version of the data the figures read."""
    current = cache.get(VERSION_KEY)
    if current is None:
        cache.add(VERSION_KEY, time.time_ns(), VERSION_SECONDS)
        current = cache.get(VERSION_KEY, 0)
    return current


def bump() -> None:
    """Every cached report is out of date from now on."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or it expired): start one
        cache.add(VERSION_KEY, time.time_ns(), VERSION_SECONDS)


def data_changed(*, action: str = "post_", using: str = DEFAULT_DB_ALIAS, update_fields=None, **kwargs) -> None:
    """A signal receiver: raise the version once the transaction commits (before, a report counted meanwhile would
    still see the old rows and be cached under the new version)."""
    if not action.startswith("post_"):
        return  # m2m_changed says "pre_add" before the change too: once is enough
    if update_fields and set(update_fields) <= UNCOUNTED_FIELDS:
        return
    transaction.on_commit(bump, using=using)


def connect(apps) -> None:
    """Connect `data_changed` to the saves and deletes of every model the figures read (from CockpitConfig.ready)."""
    for label in MODELS:
        model = apps.get_model(label)
        for signal in (post_save, post_delete):
            signal.connect(data_changed, sender=model, dispatch_uid=f"cockpit.impact.{signal_name(signal)}.{label}")
    for label, field in MANY_TO_MANY:
        through = getattr(apps.get_model(label), field).through
        m2m_changed.connect(data_changed, sender=through, dispatch_uid=f"cockpit.impact.m2m.{label}.{field}")


def signal_name(signal) -> str:
    return "save" if signal is post_save else "delete"
