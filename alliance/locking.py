"""Row locks for services that check availability and then write: lock first, check under the lock, then write.

After pretix's ``lock_objects``: a lock only means something inside a transaction, so taking one outside
refuses to run; rows are locked in primary-key order, so two transactions that lock the same rows never wait on
each other in a circle; and a wait longer than ``LOCK_TIMEOUT`` becomes the one ``Busy`` error a person can act
on ("please try again"), never a hung request.

SQLite (the embedded default) has no row locks: there the write transaction itself serializes writers
(``transaction_mode = IMMEDIATE``), and these helpers only read.
"""

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
    connection = transaction.get_connection(queryset.db)
    if not connection.in_atomic_block:
        raise RuntimeError("lock_rows() must run inside transaction.atomic(): outside one, a lock ends at once.")
    options.setdefault("of", ("self",))
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        return list(queryset.select_for_update(**options).order_by("pk"))
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise (Busy(busy) if busy else Busy()) from error
        raise


def lock_row(queryset: QuerySet[ModelT], *, busy: str = "", **options: Any) -> ModelT | None:
    """The one row of ``queryset``, locked as ``lock_rows`` does; None when there is no such row (any more)."""
    rows = lock_rows(queryset, busy=busy, **options)
    return rows[0] if rows else None
