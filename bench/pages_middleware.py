"""Counts the SQL statements of one request, for bench/pages.py.

Only a request with the header `X-Bench-Count-Queries: 1` is counted (the answer carries `X-Bench-Queries`);
every other request passes straight through, so the load runs measure the portal, not the counter. It is the
outermost middleware: the session, authentication and every other middleware's queries are counted too.
"""

from django.db import connection

HEADER = "X-Bench-Count-Queries"


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.headers.get(HEADER) != "1":
            return self.get_response(request)
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        return response
