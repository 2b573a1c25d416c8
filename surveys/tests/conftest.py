"""The surveys' test fixtures: the network pulse's template as its migration leaves it, in every database test."""

import importlib

import pytest
from django.apps import apps

from surveys.services import pulse_template

_pulse_migration = importlib.import_module("surveys.migrations.0002_network_pulse")
_scales_migration = importlib.import_module("surveys.migrations.0003_scales")


@pytest.fixture(autouse=True)
def _pulse_template_as_migrated(request):
    """Migrations 0002 and 0003 make the pulse's template; a transactional test elsewhere empties every table when
    it ends (pytest-django flushes), data migrations' rows included. Put it back, as the migrations make it, so each
    test meets the database a real installation has, whichever tests ran before."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False) or (marker.args and marker.args[0])
    request.getfixturevalue("transactional_db" if transactional else "db")
    if pulse_template() is None:
        _pulse_migration.create_template(apps, None)
        _scales_migration.numbers_to_scales(apps, None)
