"""What long lists repeat on every request, kept in the cache: rendered rows, and the choices of long selects.

A directory page renders 25 people, each through a few templates: most of the page's time. A row here is a pure
function of its *entry* (a frozen dataclass of plain values that the view builds with the privacy rules already
applied: a contact card holds only what this viewer may see) and of the language. Its cache key is a digest of
the entry, the language and the source of the row's templates, so nothing needs invalidating: a changed name,
a hidden phone number, a new template or another viewer's fuller card is another key, and a key never shows a
row to someone whose entry differs. Rows of equal content are shared between viewers, which is why only the
entry, never the request or the person looking, reaches the row's template.

The one thing a key does not cover is a new translation catalogue under an unchanged template: such rows keep
their old words until they expire (ROW_TIMEOUT).

A select of every organisation or municipality (the filter bars, the profile form) read its whole table on every
request. `table_choices` keeps a table's (id, label) pairs until one of its rows is saved or deleted, for the
tables an app declares with `watch_table` in its ready(), so every process forgets them, not only the one that
read them. A bulk `update()` sends no signal: the choices then follow within CHOICES_TIMEOUT.
"""

import dataclasses
import hashlib
import weakref

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.template.loader import get_template
from django.template.loader_tags import IncludeNode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

CACHE_ALIAS = "fragments"
ROW_TIMEOUT = 6 * 60 * 60
CHOICES_TIMEOUT = 10 * 60

# Digest of a compiled template's source and of every template it includes, by template object: the cached loader
# compiles each template once per process (in development again after an edit, when the reloader resets it), so
# each is read once here and an edited template is another key at once.
_source_digests = weakref.WeakKeyDictionary()


def render_rows(template_name, entries):
    """[HTML] of `template_name` rendered with each entry as `entry`, from the cache where the same row was made.

    `entries` are frozen dataclasses of str, int, bool, None, tuples and further such dataclasses. The template
    may include others by a literal name only (their source is part of the key) and must not read the request.
    """
    template = get_template(template_name)
    prefix = f"row:{template_name}:{get_language()}:{_source_digest(template.template)}:"
    keys = [prefix + _entry_digest(entry) for entry in entries]
    cache = caches[CACHE_ALIAS]
    found = cache.get_many(keys)
    rendered, missing = [], {}
    for key, entry in zip(keys, entries, strict=True):
        html = found.get(key)
        if html is None:
            html = missing[key] = str(template.render({"entry": entry}))
        rendered.append(mark_safe(html))
    if missing:
        cache.set_many(missing, ROW_TIMEOUT)
    return rendered


def _entry_digest(entry):
    if not dataclasses.is_dataclass(entry) or not entry.__dataclass_params__.frozen:
        raise TypeError(f"a row's entry must be a frozen dataclass, not {type(entry).__name__}")
    # repr() of plain values is stable across processes (hash() of a str is not) and names every field.
    return hashlib.blake2b(repr(entry).encode(), digest_size=16).hexdigest()


def _source_digest(template):
    digest = _source_digests.get(template)
    if digest is None:
        hasher = hashlib.blake2b(digest_size=8)
        for source in _sources(template, seen=set()):
            hasher.update(source.encode())
        digest = _source_digests[template] = hasher.hexdigest()
    return digest


def _sources(template, *, seen):
    """The source of `template` and, depth first, of each template it includes."""
    if template.origin.name in seen:
        return
    seen.add(template.origin.name)
    yield template.source
    for node in template.nodelist.get_nodes_by_type(IncludeNode):
        name = node.template.var
        if not isinstance(name, str):
            raise ImproperlyConfigured(f"{template.origin.template_name} includes a template by a variable")
        yield from _sources(template.engine.get_template(name), seen=seen)


# --- The choices of long selects -----------------------------------------------------------------------------

_watched_tables = set()


def watch_table(model):
    """Let `table_choices` keep `model`'s rows: forgotten, in every process, when one of them is saved or deleted."""
    _watched_tables.add(model)
    for signal in (post_save, post_delete):
        signal.connect(_forget_choices, sender=model, dispatch_uid=f"fragments.choices.{model._meta.label_lower}")


def table_choices(queryset, label_field):
    """[(id, label)] of every row of `queryset`'s table, from the cache when its table is watched (else one query).

    Only a whole table is kept (a filtered queryset's rows would also depend on the rows its filter reads, which
    no signal here watches); its order and the label column are part of the key.
    """
    model = queryset.model
    if model not in _watched_tables or queryset.query.where:
        return list(queryset.values_list("pk", label_field))
    cache = caches[CACHE_ALIAS]
    key = _choices_key(model)
    variant = hashlib.blake2b(f"{label_field}:{queryset.query}".encode(), digest_size=8).hexdigest()
    stored = cache.get(key) or {}
    rows = stored.get(variant)
    if rows is None:
        rows = list(queryset.values_list("pk", label_field))
        cache.set(key, {**stored, variant: rows}, CHOICES_TIMEOUT)
    return rows


def _choices_key(model):
    return f"choices:{model._meta.label_lower}"


def _forget_choices(sender, **kwargs):
    # At once, and again after the commit: a request that read the table before it may have kept the old rows.
    key = _choices_key(sender)
    caches[CACHE_ALIAS].delete(key)
    transaction.on_commit(lambda: caches[CACHE_ALIAS].delete(key))
