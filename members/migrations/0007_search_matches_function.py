"""The directory search's match as a function the planner cannot answer with a scan of every profile.

PostgreSQL has no index hints: however the match is written in SQL, a sequential scan that tests the trigram
operator on every row stays a path the planner may choose, and on a table never analysed, or analysed before a bulk
import (when the GIN indexes' pending lists are long), it did. `members_profile_matches(document_query, words)`
returns the ids of the profiles whose search document matches; its only statement is planned with `enable_seqscan`
off for that statement alone (a function's SET clause holds while it runs), and the statement has no ORDER BY,
DISTINCT or other condition, so no B-tree index can serve it: the one path left is the BitmapOr of the two GIN
indexes (profile_search_vector, profile_search_trgm). The SET clause also keeps the function from being inlined,
so the outer query cannot merge the match into its own scan. `ROWS` tells the caller's planner to expect a few
hundred matches, whatever the statistics, so it reads them by key. ProfileQuerySet.search calls it through
members.models.SearchMatches; members/tests/test_search_plan.py reads the plan the function runs.
"""

from django.db import migrations

FUNCTION = "members_profile_matches(tsquery, text)"

CREATE = """
CREATE OR REPLACE FUNCTION members_profile_matches(document_query tsquery, words text)
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE
ROWS 200
SET enable_seqscan = off
AS $$
    SELECT id FROM members_profile WHERE search_vector @@ document_query OR search_text %> words
$$
"""


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # None: the body's %> is not a placeholder


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}")


class Migration(migrations.Migration):
    dependencies = [("members", "0006_directory_order_and_stored_search")]

    operations = [migrations.RunPython(create_function, drop_function)]
