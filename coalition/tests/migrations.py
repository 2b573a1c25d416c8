"""Testing a data migration on PostgreSQL: the schema moved to a point in its history, data put in, moved on (and
back), and afterwards brought to the latest again for the tests that follow."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The marks of a migration test: its own transactions (the executor commits), on the database the portal runs on.
MIGRATION_TEST = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the migration is tested on PostgreSQL"),
]


def migrate(targets):
    """Move the schema to `targets` ([(app, migration)]) and return the historical apps there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def schema_at(targets):
    """A fixture: the historical apps at `targets`; when the test ends the schema is brought to the latest again."""

    @pytest.fixture
    def fixture():
        apps = migrate(targets)
        yield apps
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    return fixture
