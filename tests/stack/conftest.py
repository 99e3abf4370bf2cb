"""The production shape, started for a test: ``bench/Procfile`` under honcho, with production settings, on this
run's test database and a Redis server of the test's own (a spare port: two runs at once never share a queue or a
rate limit), mail to a counting SMTP sink. Every process is stopped afterwards, also when the test fails."""

import contextlib
import os
import re
import signal
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection

from bench.processes import LOOPBACK, Process, Processes, SmtpSink, free_port, port_open, start_redis
from bench.stack import ENV_FILE, honcho_command, prepare, process_environment, read_env

# The stack's processes are the Procfile's, but for the object store (this journey uploads nothing).
PROCESSES = ["web1", "web2", "worker1", "worker2", "beat", "mail"]
STARTUP_SECONDS = 90


@dataclass
class Stack:
    web1: str
    web2: str
    sink: SmtpSink
    honcho: Process


def _test_database_url() -> str:
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "postgres", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    return f"postgres://{credentials}@{settings['HOST'] or LOOPBACK}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _wait_for_port(port: int, honcho: Process, deadline: float) -> None:
    while time.monotonic() < deadline and honcho.alive():
        if port_open(port):
            return
        time.sleep(0.1)
    pytest.fail(f"nothing listens on {LOOPBACK}:{port}; honcho's output:\n{honcho.log_tail(60)}")


def _wait_healthy(base: str, honcho: Process, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if not honcho.alive():
            break
        time.sleep(0.2)
    pytest.fail(f"{base}/healthz never answered 200; honcho's output:\n{honcho.log_tail(60)}")


def _wait_for_workers(broker_url: str, count: int, honcho: Process, deadline: float) -> None:
    app = Celery(broker=broker_url)
    try:
        while time.monotonic() < deadline:
            if len(app.control.ping(timeout=1.0)) >= count:
                return
            if not honcho.alive():
                break
        pytest.fail(f"{count} Celery workers did not answer; honcho's output:\n{honcho.log_tail(60)}")
    finally:
        app.close()


def _stop_children(honcho: Process) -> None:
    """honcho stops its children on SIGTERM; any it left (it was killed, say) are found in its output."""
    honcho.stop(timeout=20)
    for pid in re.findall(r"started \(pid=(\d+)\)", honcho.log_path.read_text(errors="replace")):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(int(pid), signal.SIGKILL)


@pytest.fixture
def stack(transactional_db, tmp_path: Path):
    processes = Processes(tmp_path / "logs")
    honcho = None
    try:
        redis_url = start_redis(processes)
        web1_port, web2_port = free_port(), free_port()
        settings = read_env(ENV_FILE) | {
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": redis_url,
            "STATIC_ROOT": str(tmp_path / "static"),
            "WEB1_PORT": str(web1_port),
            "WEB2_PORT": str(web2_port),
            "SITE_URL": f"http://{LOOPBACK}:{web1_port}",
            "CSRF_TRUSTED_ORIGINS": f"http://{LOOPBACK}:{web1_port},http://{LOOPBACK}:{web2_port}",
            "SMTP_PORT": str(free_port()),
            "SMTP_STATS_PORT": str(free_port()),
            "WEB_WORKERS": "2",
            "WORKER_CONCURRENCY": "2",
            "EMAIL_URL": "",  # set below, from the sink's port
            "LOG_LEVEL": "WARNING",
        }
        settings["EMAIL_URL"] = f"smtp://{LOOPBACK}:{settings['SMTP_PORT']}"
        env_file = tmp_path / "stack-test.env"
        env_file.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
        env = process_environment(settings)
        prepare(env, migrate=False)  # the test database is migrated already
        honcho = processes.start("honcho", honcho_command(env_file, PROCESSES), env=env)
        deadline = time.monotonic() + STARTUP_SECONDS
        web1, web2 = f"http://{LOOPBACK}:{web1_port}", f"http://{LOOPBACK}:{web2_port}"
        sink = SmtpSink(int(settings["SMTP_STATS_PORT"]))
        _wait_for_port(int(settings["SMTP_STATS_PORT"]), honcho, deadline)
        _wait_healthy(web1, honcho, deadline)
        _wait_healthy(web2, honcho, deadline)
        _wait_for_workers(redis_url, 2, honcho, deadline)
        yield Stack(web1=web1, web2=web2, sink=sink, honcho=honcho)
    finally:
        if honcho is not None:
            _stop_children(honcho)
        processes.stop_all()
