"""The shared cache's rate limits: a fixed number of places per window, and marks that are good once."""

from unittest import mock

import pytest

from coalition import ratelimits

pytestmark = pytest.mark.django_db


def test_allow_gives_limit_places_per_value_and_window():
    assert [ratelimits.allow("probe", "10.0.0.1", limit=3, seconds=3600) for _ in range(4)] == [True] * 3 + [False]
    assert ratelimits.allow("probe", "10.0.0.2", limit=3, seconds=3600)
    assert ratelimits.allow("other-scope", "10.0.0.1", limit=3, seconds=3600)


def test_allow_opens_again_in_the_next_window():
    with mock.patch("coalition.ratelimits._now", return_value=7200.0):
        assert ratelimits.allow("probe", "client", limit=1, seconds=3600)
        assert not ratelimits.allow("probe", "client", limit=1, seconds=3600)
    with mock.patch("coalition.ratelimits._now", return_value=10800.0):
        assert ratelimits.allow("probe", "client", limit=1, seconds=3600)


def test_first_use_is_true_once():
    assert ratelimits.first_use("stamp", "abc", seconds=60)
    assert not ratelimits.first_use("stamp", "abc", seconds=60)
    assert ratelimits.first_use("stamp", "abd", seconds=60)
