"""Handing work to the Celery workers by task name, never waiting on a broker that is down.

Services do not import tasks (tasks sit above them): they queue a job by its registered name, after their
transaction commits. Each job has a sweep (a beat task that claims due rows with ``alliance.sweeps.claim_each``),
so a job that could not be queued is done a minute later, never lost. After one failed publish this process stops
asking the broker for ``BROKER_RETRY_AFTER`` seconds (a circuit breaker), so requests do not wait on it at all.
"""

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from .celery import app

logger = logging.getLogger(__name__)

BROKER_RETRY_AFTER = 30.0  # seconds without publishing after the broker failed once; the sweeps cover the gap


class BrokerCircuit:
    """After one failed publish, stop asking the broker for a while. Per process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed_until = 0.0

    def is_open(self) -> bool:
        with self._lock:
            return time.monotonic() < self._closed_until

    def trip(self) -> None:
        with self._lock:
            self._closed_until = time.monotonic() + BROKER_RETRY_AFTER

    def reset(self) -> None:
        with self._lock:
            self._closed_until = 0.0


broker_circuit = BrokerCircuit()


def enqueue(task_name: str, ids: Iterable[int], *, what: str) -> None:
    """Queue ``task_name(id)`` for each id; never raise, never wait long: the job's sweep is the safety net.

    ``what`` names the rows in the log ("notification", "webhook delivery"). The task must be registered in this
    process: each app's ``AppConfig.ready()`` imports its ``tasks`` module.
    """
    ids = list(ids)
    for row_id in ids:
        if not _publish(task_name, (row_id,), what=what, which=row_id):
            return


def enqueue_once(task_name: str, *args: Any, what: str) -> None:
    """Queue one ``task_name(*args)`` (a job for many rows: one message, however many rows); never raise, never
    wait long. ``what`` names the work in the log; the job's sweep does it if this could not be queued."""
    _publish(task_name, args, what=what, which=args)


def _publish(task_name: str, args: tuple[Any, ...], *, what: str, which: Any) -> bool:
    """Publish one message through the circuit breaker; whether it went (False: leave the rest to the sweep)."""
    uses_broker = not app.conf.task_always_eager  # eager tasks run here: their errors say nothing of the broker
    if uses_broker and broker_circuit.is_open():
        logger.info("Broker marked unavailable; the sweep will deliver %s %s", what, which)
        return False
    try:
        app.tasks[task_name].delay(*args)
    except Exception:
        if uses_broker:
            broker_circuit.trip()
        logger.warning("Could not enqueue %s %s; the sweep will deliver it", what, which, exc_info=True)
        return False
    return True
