"""A total order for the directory and organisations, their indexes, and a stored, indexed search document.

On PostgreSQL the search document (search_vector) gets a GIN index that replaces the expression index of 0003,
and the planner is told what pg_trgm's similarity operators cost: it takes them for as cheap as an equality
test, so with some statistics it scanned and tested every profile instead of asking the trigram index.
"""

import logging

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import DatabaseError, migrations, models, transaction

import members.models

logger = logging.getLogger(__name__)

OLD_DOCUMENT_INDEX = GinIndex(SearchVector("search_text", config="dutch"), name="profile_search_fts")
DOCUMENT_INDEX = GinIndex(fields=["search_vector"], name="profile_search_vector")

# pg_trgm's operator functions are C functions with the default COST 1, yet each call builds the trigrams of a
# whole search document: measured at 40-60 microseconds, about a thousand times a plain comparison. With the
# real cost the planner prefers the trigram index whatever the statistics say (members/tests/test_search_plan.py).
TRIGRAM_OPERATOR_FUNCTIONS = [
    "similarity_op",
    "word_similarity_op",
    "word_similarity_commutator_op",
    "strict_word_similarity_op",
    "strict_word_similarity_commutator_op",
]
TRIGRAM_OPERATOR_COST = 1000
DEFAULT_COST = 1


def _trigram_functions(cursor):
    cursor.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
        JOIN pg_extension e ON e.oid = d.refobjid
        WHERE e.extname = 'pg_trgm' AND p.proname = ANY(%s)
        """,
        [TRIGRAM_OPERATOR_FUNCTIONS],
    )
    return [row[0] for row in cursor.fetchall()]


def set_trigram_cost(schema_editor, cost):
    """ALTER FUNCTION needs the extension's owner: elsewhere search stays correct, and the plan is left to chance."""
    with schema_editor.connection.cursor() as cursor:
        for function in _trigram_functions(cursor):
            try:
                with transaction.atomic(using=schema_editor.connection.alias):
                    cursor.execute(f"ALTER FUNCTION {function} COST {int(cost)}")
            except DatabaseError as error:
                logger.warning("Could not set the planner cost of %s (%s); ask the database owner to run: "
                               "ALTER FUNCTION %s COST %s", function, error, function, cost)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    profile = apps.get_model("members", "Profile")
    schema_editor.remove_index(profile, OLD_DOCUMENT_INDEX)
    schema_editor.add_index(profile, DOCUMENT_INDEX)
    set_trigram_cost(schema_editor, TRIGRAM_OPERATOR_COST)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    profile = apps.get_model("members", "Profile")
    set_trigram_cost(schema_editor, DEFAULT_COST)
    schema_editor.remove_index(profile, DOCUMENT_INDEX)
    schema_editor.add_index(profile, OLD_DOCUMENT_INDEX)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0005_organisation_circles_are_partnerships'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='organisation',
            options={'ordering': ['name', 'pk'], 'verbose_name': 'organisation', 'verbose_name_plural': 'organisations'},
        ),
        migrations.AlterModelOptions(
            name='profile',
            options={'ordering': ['last_name', 'first_name', 'pk'], 'permissions': [('approve_profile', 'Can approve or decline members')], 'verbose_name': 'profile', 'verbose_name_plural': 'profiles'},
        ),
        migrations.AddField(
            model_name='profile',
            name='search_vector',
            field=models.GeneratedField(db_persist=True, expression=members.models.SearchDocument(), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddIndex(
            model_name='profile',
            index=models.Index(condition=models.Q(('status', 'approved')), fields=['last_name', 'first_name', 'id'], name='profile_directory_order'),
        ),
        migrations.AddIndex(
            model_name='profile',
            index=models.Index(condition=models.Q(('status', 'approved')), fields=['-status_changed_at', '-id'], name='profile_newest_approved'),
        ),
        # After the AddField: the index is on the new column (GIN, so PostgreSQL only, as in 0003).
        migrations.RunPython(forwards, backwards),
    ]
