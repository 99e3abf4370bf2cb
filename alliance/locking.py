"""Row locks for services that check availability and then write: lock first, check under the lock, then write.

After pretix's ``lock_objects``: a lock only means something inside a transaction, so taking one outside
refuses to run; rows are locked in primary-key order, so two transactions that lock the same rows never wait on
each other in a circle; and a wait longer than ``LOCK_TIMEOUT`` becomes the one ``Busy`` error a person can act
on ("please try again"), never a hung request. Where one statement can both check and write (one more seat while
``confirmed_count < capacity``), ``update_locked`` runs it that way: the row is then held only from it to the commit.

SQLite (the embedded default) has no row locks: there the write transaction itself serializes writers
(``transaction_mode = IMMEDIATE``), ``lock_rows`` only reads, and ``update_locked`` is a plain update.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import OperationalError, transaction
from django.db.models import Model, QuerySet

from .errors import DomainError

ModelT = TypeVar("ModelT", bound=Model)

LOCK_TIMEOUT = "3s"
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for lock_timeout


class Busy(DomainError):
    """Someone else holds the rows this needs for longer than we wait: nothing was changed, try again."""

    status_code = 409

    def __init__(self, message: str = "Many people are doing this right now; please try again in a moment.") -> None:
        super().__init__(message)


def lock_rows(queryset: QuerySet[ModelT], *, busy: str = "", **options: Any) -> list[ModelT]:
    """Lock the rows of ``queryset`` until the transaction ends, in primary-key order, and return them.

    ``options`` go to ``select_for_update`` (``of`` defaults to the queryset's own table, so a
    ``select_related`` join locks nothing more; ``no_key=True`` lets others insert rows that point here).
    """
    options.setdefault("of", ("self",))
    with _waiting_at_most(queryset, busy, "lock_rows"):
        return list(queryset.select_for_update(**options).order_by("pk"))


def update_locked(queryset: QuerySet[ModelT], *, busy: str = "", **changes: Any) -> int:
    """``queryset.update(**changes)``, waiting at most ``LOCK_TIMEOUT`` for rows another transaction holds; how many
    rows it changed. The changed rows stay locked until the transaction ends.

    A conditional update checks and writes in one statement (``confirmed_count < capacity`` → one more seat), so the
    row is locked only from the decision to the commit: put the rest of the work before it.
    """
    with _waiting_at_most(queryset, busy, "update_locked"):
        return queryset.update(**changes)


@contextmanager
def _waiting_at_most(queryset: QuerySet[Any], busy: str, name: str) -> Iterator[None]:
    """Inside a transaction only; on PostgreSQL a lock wait ends after ``LOCK_TIMEOUT`` as ``Busy``."""
    connection = transaction.get_connection(queryset.db)
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name}() must run inside transaction.atomic(): outside one, a lock ends at once.")
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        yield
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise (Busy(busy) if busy else Busy()) from error
        raise


def lock_row(queryset: QuerySet[ModelT], *, busy: str = "", **options: Any) -> ModelT | None:
    """The one row of ``queryset``, locked as ``lock_rows`` does; None when there is no such row (any more)."""
    rows = lock_rows(queryset, busy=busy, **options)
    return rows[0] if rows else None
