"""The query-count guard every page's test uses: the same number of SQL statements for five times the data."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

GROWTH = 4  # the second rendering sees 1 + 4 = 5 times the data of the first


def queries(client, url):
    """(number of queries, length of the page) of one request, after a warm-up request (sessions, role caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured), len(response.content)


def assert_same_count_as_data_grows(client, url, grow, size=2, *, shown=True):
    grow(size)
    few, few_length = queries(client, url)
    grow(size * GROWTH)
    many, many_length = queries(client, url)
    assert many == few, f"{url}: {few} queries with little data, {many} with five times as much"
    if shown:
        assert many_length > few_length, f"{url} does not show the added data: the test measures nothing"
