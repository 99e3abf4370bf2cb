"""Starting and stopping the processes the bench and the stack test need, on 127.0.0.1 only.

Every process is started in a session of its own, so stopping it stops its whole group (gunicorn's and Celery's
children too); ``Processes`` stops everything it started, in reverse order, whatever happened before.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port nobody listens on right now (the kernel's choice)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


class Process:
    """One command in its own process group, its output in a log file."""

    def __init__(self, name: str, command: list[str], *, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM to the whole group, SIGKILL after ``timeout`` seconds."""
        if self.alive():
            _signal_group(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)
        _signal_group(self.popen.pid, signal.SIGKILL)  # children left behind by a parent that exited
        self._log.close()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


class Processes:
    """The processes of one run; ``stop_all`` ends each of them (latest first), also after a failure."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self.started: list[Process] = []

    def start(self, name: str, command: list[str], *, env: dict[str, str]) -> Process:
        process = Process(name, command, env=env, log_dir=self.log_dir)
        self.started.append(process)
        return process

    def wait_for_port(self, process: Process, port: int, *, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if port_open(port):
                return
            if not process.alive():
                break
            time.sleep(0.1)
        raise RuntimeError(
            f"{process.name} is not listening on {LOOPBACK}:{port} (log {process.log_path}):\n{process.log_tail()}"
        )

    def stop_all(self) -> None:
        while self.started:
            self.started.pop().stop()


def start_redis(processes: Processes) -> str:
    """A Redis server of this run's own on a spare port (no persistence): nothing shared, nothing left behind."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
    processes.wait_for_port(processes.start("redis", command, env=dict(os.environ)), port)
    return f"redis://{LOOPBACK}:{port}/0"


def start_smtp_sink(processes: Processes) -> tuple[int, "SmtpSink"]:
    """The counting SMTP sink (``bench.smtp_sink``); answers its SMTP port and a client for its statistics."""
    smtp_port, http_port = free_port(), free_port()
    command = [PYTHON, "-m", "bench.smtp_sink", "--smtp-port", str(smtp_port), "--http-port", str(http_port)]
    process = processes.start("smtp-sink", command, env=dict(os.environ))
    processes.wait_for_port(process, smtp_port)
    processes.wait_for_port(process, http_port)
    return smtp_port, SmtpSink(http_port)


class SmtpSink:
    """What the sink has accepted, asked over its HTTP side."""

    def __init__(self, http_port: int) -> None:
        self.base = f"http://{LOOPBACK}:{http_port}"

    def _call(self, path: str, method: str = "GET") -> bytes:
        request = urllib.request.Request(self.base + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def stats(self) -> dict[str, Any]:
        return json.loads(self._call("/stats"))

    def messages(self) -> list[dict[str, Any]]:
        return json.loads(self._call("/messages"))

    def sample(self) -> bytes:
        return self._call("/sample")

    def reset(self) -> None:
        self._call("/reset", method="POST")

    def wait_for(self, count: int, *, seconds: float, poll: float = 0.05) -> dict[str, Any]:
        """The statistics once ``count`` messages arrived, or when ``seconds`` ran out (whatever arrived then)."""
        deadline = time.monotonic() + seconds
        stats = self.stats()
        while stats["count"] < count and time.monotonic() < deadline:
            time.sleep(poll)
            stats = self.stats()
        return stats


def database_url(name: str) -> str:
    """``DATABASE_URL`` (the suite's default server) with another database name."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance")
    return urlunparse(urlparse(base)._replace(path=f"/{name}"))


def recreate_database(name: str) -> str:
    """Drop (closing its connections) and create the database ``name``; answers its URL."""
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(name)


def drop_database(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
