"""``make bench BENCH_ARGS=--pretix``: the same race against pretix, on the same machine, with the same workers.

pretix lives in a virtualenv of its own (``PRETIX_VENV``, default ``/work/pretix-venv``; never part of the portal):

    python3.11 -m venv /work/pretix-venv && /work/pretix-venv/bin/pip install pretix==2026.8.0 gunicorn==27.0.1

Its database ``pretix_bench`` is created once and migrated (slow the first time: a few minutes); each run adds a
new live event with one free product and a quota of as many seats as the portal's race. pretix runs under the
same gunicorn with as many workers as the portal, a Celery worker as large as the portal's, its cache, sessions and
broker on the bench's Redis, its mail to the bench's SMTP sink. A person signs up the way pretix's API offers it:
an order for the free product, and, when the quota answers that it is sold out, a waiting-list entry: the
person's latency is both requests together.
"""

import asyncio
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
from psycopg import sql

from .load import TIMEOUT, percentile, steady
from .processes import LOOPBACK, ROOT, Processes, database_url, free_port

DATABASE = "pretix_bench"
SOLD_OUT = "not enough quota"


def venv() -> Path:
    path = Path(os.environ.get("PRETIX_VENV", "/work/pretix-venv"))
    if not (path / "bin" / "python").exists():
        raise RuntimeError(f"--pretix needs pretix installed in {path} (PRETIX_VENV); see bench/pretix_race.py")
    return path


def _config(directory: Path, *, web_port: int, redis_url: str, smtp_port: int) -> Path:
    server = redis_url.rsplit("/", 1)[0]
    database = database_url(DATABASE)
    parsed = psycopg.conninfo.conninfo_to_dict(database)
    config = directory / "pretix.cfg"
    config.write_text(
        f"""[pretix]
instance_name=bench
url=http://{LOOPBACK}:{web_port}
datadir={directory / "data"}
ecb_rates=false
[django]
secret=bench-only-not-a-secret
debug=false
[database]
backend=postgresql
name={DATABASE}
user={parsed.get("user", "postgres")}
password={parsed.get("password", "")}
host={parsed.get("host", LOOPBACK)}
port={parsed.get("port", 5432)}
[redis]
location={server}/3
sessions=true
[celery]
broker={server}/4
backend={server}/5
[mail]
host={LOOPBACK}
port={smtp_port}
from=pretix@bench.example
"""
    )
    return config


def _create_database_if_missing() -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


async def _signups(base: str, token: str, item: int, people: int) -> tuple[list[dict[str, Any]], float]:
    headers = {"Authorization": f"Token {token}"}
    release = asyncio.Event()

    async def person(session: aiohttp.ClientSession, number: int) -> dict[str, Any]:
        email = f"racer-{number}@bench.example"
        order = {
            "email": email,
            "locale": "en",
            "sales_channel": "web",
            "payment_provider": "free",
            "send_email": True,
            "positions": [{"item": item}],
        }
        await release.wait()
        started = time.perf_counter()
        try:
            async with session.post(f"{base}/orders/", json=order, headers=headers) as response:
                text = await response.text()
                if response.status == 201:
                    return {"outcome": "confirmed", "seconds": time.perf_counter() - started}
                if response.status != 400 or SOLD_OUT not in text:
                    return {"outcome": "error", "error": f"HTTP {response.status} {text[:200]}", "seconds": 0.0}
            entry = {"email": email, "item": item, "locale": "en"}
            async with session.post(f"{base}/waitinglistentries/", json=entry, headers=headers) as response:
                text = await response.text()
                if response.status == 201:
                    return {"outcome": "waitlisted", "seconds": time.perf_counter() - started}
                return {"outcome": "error", "error": f"HTTP {response.status} {text[:200]}", "seconds": 0.0}
        except (TimeoutError, aiohttp.ClientError) as error:
            return {"outcome": "error", "error": repr(error), "seconds": time.perf_counter() - started}

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:
        tasks = [asyncio.ensure_future(person(session, number)) for number in range(people)]
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        release.set()
        results = await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return list(results), elapsed


def pretix_race(
    processes: Processes, *, people: int, seats: int, workers: int, celery_concurrency: int, redis_url: str,
    smtp_port: int, log: Any,
) -> dict[str, Any]:  # fmt: skip
    """The race against pretix; its processes are stopped again before the bench goes on."""
    python = str(venv() / "bin" / "python")
    directory = ROOT / "var" / "bench" / "pretix"
    (directory / "data").mkdir(parents=True, exist_ok=True)
    web_port = free_port()
    config = _config(directory, web_port=web_port, redis_url=redis_url, smtp_port=smtp_port)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    env |= {"PRETIX_CONFIG_FILE": str(config), "DJANGO_SETTINGS_MODULE": "pretix.settings"}
    _create_database_if_missing()
    log(f"pretix: migrating {DATABASE} (minutes the first time)")
    subprocess.run([python, "-m", "pretix", "migrate", "--noinput"], env=env, check=True, stdout=subprocess.DEVNULL)
    setup = subprocess.run(
        [python, str(ROOT / "bench" / "pretix_setup.py"), str(seats)], env=env, check=True, capture_output=True
    )
    made = json.loads(setup.stdout.decode().strip().splitlines()[-1])
    log(f"pretix: gunicorn ({workers} workers) and Celery ({celery_concurrency})")
    web = processes.start(
        "pretix-gunicorn",
        [python, "-m", "gunicorn", "pretix.wsgi", "--bind", f"{LOOPBACK}:{web_port}", "--workers", str(workers)],
        env=env,
    )
    worker = processes.start(
        "pretix-celery",
        [python, "-m", "celery", "-A", "pretix.celery_app", "worker", "--loglevel=warning",
         "--concurrency", str(celery_concurrency)],
        env=env,
    )  # fmt: skip
    try:
        processes.wait_for_port(web, web_port, seconds=120)
        base = f"http://{LOOPBACK}:{web_port}/api/v1/organizers/{made['organizer']}/events/{made['event']}"
        # Warm every gunicorn worker (imports, connections), as the portal's steady loads warmed the portal's.
        steady(base + "/", headers={"Authorization": f"Token {made['token']}"}, concurrency=2 * workers, seconds=2)
        log(f"pretix: race, {people} people for {seats} seats")
        results, elapsed = asyncio.run(_signups(base, made["token"], made["item"], people))
    finally:
        web.stop()
        worker.stop()
    outcomes = [result["outcome"] for result in results]
    errors = [result for result in results if result["outcome"] == "error"]
    latencies = [result["seconds"] for result in results if result["outcome"] != "error"]
    confirmed, waitlisted = outcomes.count("confirmed"), outcomes.count("waitlisted")
    return {
        "signups_per_second": (confirmed + waitlisted) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "errors": len(errors),
        "first_error": errors[0]["error"] if errors else "",
        "outcome": {"confirmed": confirmed, "waitlisted": waitlisted},
    }
