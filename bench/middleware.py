"""Counts the database queries of one request, for the bench's "queries per request" column."""

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

ASK_HEADER = "X-Bench-Count-Queries"
ANSWER_HEADER = "X-Bench-Query-Count"


class QueryCountMiddleware:
    """Outermost: a request sent with ``X-Bench-Count-Queries`` answers ``X-Bench-Query-Count``, the number of
    queries every database connection ran for it (sessions, authentication, the view and its rendering alike).
    Without the header it only looks the header up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if ASK_HEADER not in request.headers:
            return self.get_response(request)
        count = 0

        def counted(execute: Callable, sql: str, params: Any, many: bool, context: dict) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for alias in connections:
                stack.enter_context(connections[alias].execute_wrapper(counted))
            response = self.get_response(request)
        response[ANSWER_HEADER] = str(count)
        return response
