"""`make run` serves the embedded default with a real server: 500 visitors at once on /events/, every one answered,
no connection reset; static files and uploads are served too.

The test runs `make run` itself (on a fresh SQLite database of its own and a spare port), so what is tested is what
the command does; the load is ``bench.load``'s (aiohttp), only ever to 127.0.0.1.
"""

import os
import signal
import socket
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import load

ROOT = Path(__file__).resolve().parent.parent.parent
CLIENTS = 500
STARTUP_SECONDS = 240  # migrations and the demo data on a fresh database, then gunicorn
BURST_SECONDS = 120  # the whole burst, with a margin on a loaded machine (it takes a few seconds)


def burst(calls: list) -> tuple[list, float]:
    """``bench.load.burst`` in a thread of its own: its event loop must not meet one a browser test left running."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(load.burst, calls).result()


def _spare_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    """`make run` on its own database, uploads folder and port; stopped (its whole process group) afterwards."""
    folder = tmp_path_factory.mktemp("embedded")
    (folder / "media" / "logos").mkdir(parents=True)
    (folder / "media" / "logos" / "aurora.gif").write_bytes(b"GIF89a an upload kept in the local folder")
    port = _spare_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "DJANGO_SETTINGS_MODULE": "alliance.settings.local",
    }
    log = (folder / "run.log").open("wb")
    # -o: the installed stamps count as up to date (the test never reinstalls the environment)
    process = subprocess.Popen(
        ["make", "run", "-o", ".venv/.installed-stamp", "-o", ".venv/.installed-run-stamp", f"RUN_PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"`make run` did not start serving:\n{(folder / 'run.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", folder
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def test_it_prints_the_url_and_the_demo_logins_last_without_pip_or_migration_noise(embedded):
    url, folder = embedded
    deadline = time.monotonic() + 10
    while "Stop with Ctrl+C." not in (log := (folder / "run.log").read_text()) and time.monotonic() < deadline:
        time.sleep(0.2)
    lines = [line for line in log.splitlines() if line.strip()]

    assert lines[-1] == "Stop with Ctrl+C."
    assert f"Alliance Portal is running: {url}/" in log
    assert "staff@alliance.example" in log.split("Alliance Portal is running")[1]
    assert "Applying " not in log and ": created (" not in log and ": already there" not in log


def test_it_is_gunicorn_with_threads(embedded):
    _url, folder = embedded
    log = (folder / "run.log").read_text()
    assert "Using worker: gthread" in log
    assert "runserver" not in log


def test_500_visitors_at_once_on_the_events_page_are_all_answered(embedded):
    url, folder = embedded

    started = time.monotonic()
    answers, _elapsed = burst([("GET", f"{url}/events/", {}, None)] * CLIENTS)
    took = time.monotonic() - started

    errors = Counter(answer.error.split("(")[0] for answer in answers if answer.error)
    assert errors == Counter(), f"connection errors (resets, time-outs): {errors}"
    assert Counter(answer.status for answer in answers) == {200: CLIENTS}
    assert all(answer.body.startswith("<!DOCTYPE html>") for answer in answers)  # the page (its first 200 bytes)
    assert took < BURST_SECONDS
    assert "Traceback" not in (folder / "run.log").read_text()


def test_500_visitors_at_once_on_500_different_pages_are_all_answered(embedded):
    """No two alike: nothing comes from the page cache, every page is rendered on SQLite."""
    url, _folder = embedded

    answers, _elapsed = burst([("GET", f"{url}/events/?visit={n}", {}, None) for n in range(CLIENTS)])

    assert Counter(answer.error.split("(")[0] for answer in answers if answer.error) == Counter()
    assert Counter(answer.status for answer in answers) == {200: CLIENTS}


def test_static_files_and_uploads_are_served(embedded):
    url, _folder = embedded

    answers, _elapsed = burst(
        [("GET", f"{url}/static/css/portal.css", {}, None), ("GET", f"{url}/media/logos/aurora.gif", {}, None)]
    )

    assert [answer.status for answer in answers] == [200, 200]
    assert answers[0].body.startswith("/* Alliance Portal")  # the stylesheet
    assert answers[1].body == "GIF89a an upload kept in the local folder"
