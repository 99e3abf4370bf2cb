"""Real races on PostgreSQL, for the concurrency tests: calls in threads of their own, each on its own database
connection, released at the same instant by a barrier.
"""

import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from django.db import connection


def race(calls: Sequence[Callable[[], Any]], *, timeout: float = 120) -> tuple[list[Any], list[Exception]]:
    """Run every call in its own thread and database connection, all starting together.

    Returns each call's result (None for one that raised) in the order of ``calls``, and the exceptions raised.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[Exception] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            results[index] = call()
        except Exception as error:  # collected for the test to assert on
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return results, errors


def require_free_connections(needed: int) -> None:
    """Fail (never skip) when PostgreSQL cannot open ``needed`` more connections for a race."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int - count(*) FROM pg_stat_activity")
        (free,) = cursor.fetchone()
    if free < needed:
        pytest.fail(
            f"PostgreSQL has room for {free} more connections; the race tests need {needed}. Raise it with "
            "ALTER SYSTEM SET max_connections = 300 and a restart (.ci/run does this)."
        )
