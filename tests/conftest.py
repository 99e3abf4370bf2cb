"""Suite-wide fixtures: the service preflight, API clients, people in every role, and the browser."""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from rest_framework.test import APIClient

pytest.register_assert_rewrite("tests.api_matrix")  # its checks are the matrix tests' assertions

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs beside live_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, saying how to start them, when PostgreSQL or Redis is not reachable: never skip."""
    from django.conf import settings

    problems = []
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL must point to PostgreSQL for the test suite.")
    elif not _reachable(f"//{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}", 5432):
        problems.append(
            "PostgreSQL is not reachable at DATABASE_URL. Start it with:\n"
            "    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
    if not _reachable(settings.REDIS_URL, 6379):
        problems.append(
            "Redis is not reachable at REDIS_URL. Start it with:\n"
            '    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no'
        )
    if problems:
        pytest.exit("The test suite needs PostgreSQL and Redis.\n" + "\n".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (throttles, rate limits): delete this run's keys, and only those."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    prefix = cache.make_key("")
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def csrf_api_client() -> APIClient:
    return APIClient(enforce_csrf_checks=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium: no browser can be downloaded here."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `apt-get install -y chromium` (or .ci/run).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
