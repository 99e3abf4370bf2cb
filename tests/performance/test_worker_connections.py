"""Celery workers keep their database connections (and psycopg's pool) across tasks, handing each task's connection
back when it ends; a task run eagerly inside a request leaves the request's connection alone."""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from alliance.celery import _hand_back_database_connections, app

ROOT = Path(__file__).resolve().parent.parent.parent


def _conf_in_a_fresh_process(**env: str) -> str:
    code = "import django; django.setup(); from alliance.celery import app; print(app.conf.get('CELERY_DB_REUSE_MAX'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "alliance.settings.test", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_the_worker_reuses_connections_by_default_and_the_environment_can_change_it():
    assert _conf_in_a_fresh_process() == "1000"
    assert _conf_in_a_fresh_process(CELERY_DB_REUSE_MAX="0") == "0"


def test_celerys_fixup_then_closes_the_connections_only_every_2000_tasks(monkeypatch):
    fixup = DjangoWorkerFixup(app)
    closed = []
    monkeypatch.setattr(fixup, "_close_database", lambda: closed.append(1))

    for _ in range(1999):  # before and after each task: close_database is called twice per task
        fixup.close_database()
    assert closed == []
    fixup.close_database()
    fixup.close_database()
    assert closed == [1]


@pytest.mark.django_db(transaction=True)
def test_after_a_worker_task_its_connection_goes_back_and_the_next_one_is_sound():
    connection.ensure_connection()
    assert connection.connection is not None

    _hand_back_database_connections(sender=SimpleNamespace(request=SimpleNamespace(is_eager=False)))

    assert connection.connection is None  # handed back (closed without a pool): the next task takes a fresh one
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db(transaction=True)
def test_a_task_run_eagerly_inside_a_request_leaves_its_connection_alone():
    connection.ensure_connection()
    before = connection.connection

    _hand_back_database_connections(sender=SimpleNamespace(request=SimpleNamespace(is_eager=True)))

    assert connection.connection is before
