"""PostgreSQL search support for the directory: pg_trgm and indexes on the folded search text."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import TrigramExtension
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# Only PostgreSQL gets these indexes; SQLite searches with LIKE and needs none.
INDEXES = [
    GinIndex(SearchVector("search_text", config="dutch"), name="profile_search_fts"),
    GinIndex(OpClass("search_text", name="gin_trgm_ops"), name="profile_search_trgm"),
]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    profile = apps.get_model("members", "Profile")
    for index in INDEXES:
        schema_editor.add_index(profile, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    profile = apps.get_model("members", "Profile")
    for index in INDEXES:
        schema_editor.remove_index(profile, index)


class Migration(migrations.Migration):
    dependencies = [("members", "0002_profile_confirmation_and_search")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes),
    ]
