"""Background jobs that work through due rows (outbox deliveries, reminders, expiries) claim them one at a time,
or a chunk at a time (``claim_many``) where one step serves many rows at once.

Each row (or chunk) is claimed with ``FOR UPDATE SKIP LOCKED`` in its own transaction and only while it still matches
the due query: several workers (or a task and the sweep) share the work, none waits for another, and a row whose work
is done, or that another worker holds, is passed over. What the handler writes commits with the claim, so a job
that runs twice, or dies half-way, does each row's work once.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet

ModelT = TypeVar("ModelT", bound=Model)


def claim(queryset: QuerySet[ModelT]) -> ModelT | None:
    """The first row of ``queryset`` (by primary key) that no one else holds, locked until the transaction ends."""
    if not transaction.get_connection(queryset.db).in_atomic_block:
        raise RuntimeError("claim() must run inside transaction.atomic(): outside one, the claim ends at once.")
    return queryset.select_for_update(skip_locked=True, of=("self",)).order_by("pk").first()


def claim_many(queryset: QuerySet[ModelT], limit: int) -> list[ModelT]:
    """Up to ``limit`` rows of ``queryset`` (by primary key) that no one else holds, locked until the transaction
    ends: a chunk of work (a batch of emails sent over one connection) claimed in one statement."""
    if not transaction.get_connection(queryset.db).in_atomic_block:
        raise RuntimeError("claim_many() must run inside transaction.atomic(): outside one, the claim ends at once.")
    return list(queryset.select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:limit])


def claim_each(due: QuerySet[ModelT], handle: Callable[[ModelT], bool], *, limit: int | None = None) -> int:
    """For each row of ``due``: claim it in a transaction of its own (if still due) and ``handle`` it there.

    Returns how many rows ``handle`` reported as done (it returns True for those).
    """
    done = 0
    for pk in list(due.order_by("pk").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            row = claim(due.filter(pk=pk))
            if row is not None and handle(row):
                done += 1
    return done
