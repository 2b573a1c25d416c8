"""`migrate` gives pg_trgm's operators their planner cost again after a dump/restore or an extension upgrade lost it."""

import logging
import uuid

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.signals import TRIGRAM_OPERATOR_COST, restore_trigram_cost

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")

OPERATOR = "word_similarity_commutator_op"


def _cost():
    with connection.cursor() as cursor:
        cursor.execute("SELECT procost FROM pg_proc WHERE proname = %s", [OPERATOR])
        return cursor.fetchone()[0]


def _forget_cost():
    """What a restore does: the extension's own declaration, COST 1 (rolled back with the test)."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER FUNCTION {OPERATOR}(text, text) COST 1")
    assert _cost() == 1


def test_migrate_restores_the_cost_a_restore_forgot(db):
    _forget_cost()
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert _cost() == TRIGRAM_OPERATOR_COST


def test_a_cost_already_set_is_left_alone(db):
    with CaptureQueriesContext(connection) as captured:
        restore_trigram_cost(sender=None, using=connection.alias)
    assert not [query for query in captured.captured_queries if "ALTER" in query["sql"]]
    assert _cost() == TRIGRAM_OPERATOR_COST


def test_without_the_owners_right_it_logs_what_to_run_and_migrate_goes_on(db, caplog):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("making a role that does not own pg_trgm needs a superuser")
        _forget_cost()
        role = f"portal_test_{uuid.uuid4().hex[:12]}"
        cursor.execute(f"CREATE ROLE {role}")  # rolled back with the test, like SET LOCAL ROLE
        cursor.execute(f"SET LOCAL ROLE {role}")
    with caplog.at_level(logging.WARNING, logger="members.signals"):
        restore_trigram_cost(sender=None, using=connection.alias)
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
    assert _cost() == 1
    assert f"ALTER FUNCTION {OPERATOR}(text,text) COST {TRIGRAM_OPERATOR_COST}" in caplog.text
