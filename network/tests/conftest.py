"""Fixtures of the network's tests."""

import pytest


@pytest.fixture
def client(client):
    """Pages in English: texts are asserted by their msgid (the Dutch catalogue is filled in one pass later)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
