"""The Celery application, configured from Django settings (the CELERY_ namespace).

With ``CELERY_DB_REUSE_MAX`` set, Celery's Django fixup no longer closes the connections (and psycopg's pool) around
every task; so that a worker never keeps a broken connection, each task's connection goes back to the pool when the
task ends (``close_old_connections``: with the pool, closing is a hand-back, not a reconnect), and the next task takes
a sound one.
"""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings.local")

app = Celery("alliance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_postrun.connect
def _hand_back_database_connections(sender: Any = None, **kwargs: Any) -> None:
    """After a task in a worker (not one run eagerly inside a request, whose transaction may still be open)."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
