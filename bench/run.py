"""``make bench``: the portal measured against bare Django and a plain bulk send, side by side, in one run.

It recreates its own PostgreSQL database (``alliance_bench``), starts on 127.0.0.1 a Redis of its own, a counting
SMTP sink, gunicorn (production settings, ``bench.settings``: the portal's URLs plus the bare views of
``bench.urls``, one set of workers for both), a Celery worker and beat, seeds, loads, and prints one table. Every
load is bounded in requests and seconds; every process it started is stopped at the end, whatever happened.

Absolute figures drift with the machine's load: read the ratios, each taken from the same run, minutes apart.

    .venv/bin/python -m bench.run [--fanout 10000] [--people 500 --seats 100] [--seconds 3] [--pretix]
"""

import argparse
import email
import email.policy
import os
import platform
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from .processes import (
    LOOPBACK,
    PYTHON,
    ROOT,
    Processes,
    SmtpSink,
    free_port,
    recreate_database,
    start_redis,
    start_smtp_sink,
)

QUERY_HEADER = "X-Bench-Count-Queries"
QUERY_ANSWER = "X-Bench-Query-Count"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Alliance Portal bench: ratios measured in one run.")
    parser.add_argument("--database", default="alliance_bench", help="dropped and created again each run")
    parser.add_argument("--fanout", type=int, default=10_000, help="people told when an event is cancelled")
    parser.add_argument("--people", type=int, default=500, help="people racing for the seats")
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one steady load")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per comparison (median taken)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight during a steady load")
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("BENCH_WEB_WORKERS", 3)))
    parser.add_argument("--celery-concurrency", type=int, default=int(os.environ.get("BENCH_CELERY_CONCURRENCY", 4)))
    parser.add_argument("--mail-timeout", type=float, default=600.0, help="longest wait for the fan-out's mail")
    parser.add_argument("--pretix", action="store_true", help="race pretix too (needs PRETIX_VENV, see README)")
    return parser.parse_args(argv)


# --- the environment: production settings, every address on 127.0.0.1 ------------------------------------------


def bench_environment(database_url: str, redis_url: str, smtp_port: int, web_port: int) -> dict[str, str]:
    var = ROOT / "var" / "bench"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": f"http://{LOOPBACK}:{web_port}",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_URL": redis_url.rsplit("/", 1)[0] + "/1",  # its own Redis database: flushed between measures
        "EMAIL_URL": f"smtp://{LOOPBACK}:{smtp_port}",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(var / "static"),
        # Production keeps uploads in a bucket; the bench uploads nothing, so no object store is started.
        "MEDIA_BUCKET": "bench",
        "MEDIA_S3_ENDPOINT_URL": f"http://{LOOPBACK}:9",
        "MEDIA_S3_ACCESS_KEY_ID": "bench",
        "MEDIA_S3_SECRET_ACCESS_KEY": "bench-not-secret",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_healthy(base: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError) as error:
            last = repr(error)
        time.sleep(0.2)
    raise RuntimeError(f"{base}/healthz did not answer 200 within {seconds:.0f} s ({last})")


def wait_for_worker(seconds: float = 60.0) -> None:
    from alliance.celery import app

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1.0):
            return
    raise RuntimeError(f"no Celery worker answered within {seconds:.0f} s")


def flush_cache() -> None:
    from django.core.cache import cache

    cache.clear()  # the bench's own Redis database (CACHE_URL above), nothing else


# --- queries per request ------------------------------------------------------------------------------------------


def queries(url: str, cookie: str = "") -> int | None:
    """How many queries the request ran, as the bench's middleware counted them (a cold cache)."""
    flush_cache()
    headers = {QUERY_HEADER: "1", **({"Cookie": cookie} if cookie else {})}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = response.headers.get(QUERY_ANSWER)
    except urllib.error.HTTPError as error:
        log(f"{url} answered {error.code}")
        return None
    return int(answer) if answer is not None else None


QUERY_TARGETS = [
    ("GET /api/v1/organizations/", "/api/v1/organizations/?page_size=100"),
    ("GET /api/v1/events/", "/api/v1/events/?page_size=100"),
    ("GET /api/v1/projects/", "/api/v1/projects/?page_size=100"),
    ("/events/ page", "/events/"),
    ("/projects/ page", "/projects/"),
    ("/members/ page", "/members/"),
]


BARE_OF = {
    "GET /api/v1/organizations/": "/bench/bare/organizations/?page_size=100",
    "/events/ page": "/bench/bare/events/",
    "/projects/ page": "/bench/bare/projects/",
    "/members/ page": "/bench/bare/members/",
}


def count_queries(base: str, cookie: str) -> dict[str, tuple[int | None, int | None]]:
    return {name: (queries(base + path), queries(base + path, cookie)) for name, path in QUERY_TARGETS}


# --- steady loads: the portal and its bare view, alternating -------------------------------------------------------


def compare(base: str, portal: str, bare: str, args: argparse.Namespace) -> dict[str, Any]:
    from .load import median, steady

    for path in (portal, bare):  # warm both (imports, templates, pools, caches)
        steady(base + path, concurrency=args.concurrency, seconds=1.0)
    rates: dict[str, list[float]] = {portal: [], bare: []}
    p95: dict[str, list[float]] = {portal: [], bare: []}
    errors: dict[str, int] = {portal: 0, bare: 0}
    first_error = ""
    for _ in range(args.rounds):
        for path in (portal, bare):
            result = steady(base + path, concurrency=args.concurrency, seconds=args.seconds)
            rates[path].append(result.per_second)
            p95[path].append(result.p95)
            errors[path] += result.errors
            first_error = first_error or result.first_error
    return {
        "portal": median(rates[portal]),
        "bare": median(rates[bare]),
        "portal_p95": median(p95[portal]),
        "bare_p95": median(p95[bare]),
        "errors": errors[portal] + errors[bare],
        "first_error": first_error,
    }


# --- the race ----------------------------------------------------------------------------------------------------


def race(url: str, keys: list[str]) -> dict[str, Any]:
    from .load import burst, percentile

    calls = [("POST", url, {"Authorization": f"Token {key}"}, None) for key in keys]
    answers, elapsed = burst(calls)
    ok = [answer for answer in answers if answer.status == 201]
    latencies = [answer.seconds for answer in answers]
    failures = [answer for answer in answers if answer.status != 201]
    return {
        "signups_per_second": len(ok) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "errors": len(failures),
        "first_error": (f"HTTP {failures[0].status} {failures[0].body or failures[0].error}"[:200] if failures else ""),
        "answered": {status: sum(a.body.get("status") == status for a in ok if isinstance(a.body, dict))
                     for status in ("confirmed", "waitlisted")},
    }  # fmt: skip


def race_outcome(event_pk: int, seats: int, people: int) -> dict[str, Any]:
    """Exactly ``seats`` confirmed, the rest waitlisted in the order they got the lock (as the race tests check)."""
    from events.models import Event, Registration

    rows = list(Registration.objects.filter(event_id=event_pk).order_by("pk").values("status", "waitlisted_at"))
    statuses = [row["status"] for row in rows]
    waiting = [row["waitlisted_at"] for row in rows if row["status"] == Registration.Status.WAITLISTED]
    stamped = [moment for moment in waiting if moment is not None]
    in_time_order = len(stamped) == len(waiting) and stamped == sorted(stamped)
    confirmed = statuses.count(Registration.Status.CONFIRMED)
    in_order = statuses == ["confirmed"] * confirmed + ["waitlisted"] * len(waiting) and in_time_order
    count = Event.objects.get(pk=event_pk).confirmed_count
    exact = confirmed == count == seats and len(waiting) == people - seats
    return {"confirmed": confirmed, "waitlisted": len(waiting), "in_order": in_order, "exact": exact}


# --- the fan-out -------------------------------------------------------------------------------------------------


class CommitWatch(threading.Thread):
    """Polls the event's row on a connection of its own: the first moment it reads ``cancelled`` is the commit."""

    def __init__(self, database_url: str, event_pk: int) -> None:
        super().__init__(daemon=True)
        self.database_url, self.event_pk = database_url, event_pk
        self.committed_at: float | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            while not self.stop.is_set():
                row = connection.execute("SELECT status FROM events_event WHERE id = %s", [self.event_pk]).fetchone()
                if row and row[0] == "cancelled":
                    self.committed_at = time.time()
                    return
                time.sleep(0.002)


def fanout(base: str, database_url: str, sink: SmtpSink, args: argparse.Namespace) -> dict[str, Any]:
    from . import seed
    from .load import burst

    log(f"seeding an event with {args.fanout:,} registrations")
    event = seed.event_with_registrations(args.fanout, slug="cancelled-for-everyone")
    key = seed.staff_token()
    sink.reset()
    watch = CommitWatch(database_url, event.pk)
    watch.start()
    log(f"cancelling it: {args.fanout:,} people to tell")
    url = f"{base}/api/v1/events/{event.slug}/cancel/"
    [answer], request_seconds = burst([("POST", url, {"Authorization": f"Token {key}"}, {"reason": "Bench"})])
    watch.join(timeout=5)
    watch.stop.set()
    committed_at = watch.committed_at
    stats = sink.wait_for(args.fanout, seconds=args.mail_timeout)
    delivered = stats["count"]
    portal_seconds = (stats["last_at"] - committed_at) if committed_at and stats["last_at"] else None
    log(f"portal: {delivered:,} mails, {portal_seconds or float('nan'):.1f} s after the commit")

    plain_seconds = plain_send(sink, [address for address in _recipients(event.pk)])
    return {
        "status": answer.status,
        "request_seconds": request_seconds if answer.status == 200 else None,
        "request_error": "" if answer.status == 200 else f"HTTP {answer.status} {answer.error}".strip(),
        "delivered": delivered,
        "duplicates": stats["duplicate_message_ids"],
        "portal_seconds": portal_seconds if delivered >= args.fanout else None,
        "plain_seconds": plain_seconds,
    }


def _recipients(event_pk: int) -> list[str]:
    from events.models import Registration

    return list(Registration.objects.filter(event_id=event_pk).order_by("pk").values_list("person__email", flat=True))


def plain_send(sink: SmtpSink, recipients: list[str]) -> float:
    """The same number of messages (the subject and parts of one the portal sent) through one ``send_messages``."""
    from django.core.mail import EmailMultiAlternatives, get_connection

    sample = email.message_from_bytes(sink.sample(), policy=email.policy.default)
    text, html = "", ""
    for part in sample.walk():
        if part.get_content_type() == "text/plain" and not text:
            text = part.get_content()
        elif part.get_content_type() == "text/html" and not html:
            html = part.get_content()
    subject = str(sample.get("Subject", "Bench"))
    messages = []
    for address in recipients:
        message = EmailMultiAlternatives(subject, text or "Bench", to=[address])
        if html:
            message.attach_alternative(html, "text/html")
        messages.append(message)
    sink.reset()
    log(f"plain send_messages of {len(messages):,} messages")
    started = time.time()
    with get_connection() as connection:
        connection.send_messages(messages)
    stats = sink.wait_for(len(messages), seconds=120)
    return stats["last_at"] - started


# --- the table ---------------------------------------------------------------------------------------------------


def ratio(portal: float | None, baseline: float | None) -> float | None:
    return portal / baseline if portal is not None and baseline else None


def fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    if value is None or value != value:  # None or NaN
        return "—"
    return f"{value:,.{digits}f}{suffix}"


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("yes" if ok else "no")


def table(rows: list[tuple[str, str, str, str, str, str]]) -> str:
    header = ("measure", "portal", "baseline", "ratio", "target", "met")
    widths = [max(len(row[index]) for row in [header, *rows]) for index in range(len(header))]
    lines = ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(header)) + " |"]
    lines.append("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    lines += ["| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |" for row in rows]
    return "\n".join(lines)


def git_revision() -> str:
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
        return revision + (" with uncommitted changes" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


# --- the run -----------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    processes = Processes(ROOT / "var" / "bench" / "logs")
    started = time.monotonic()
    try:
        return _run(args, processes)
    finally:
        processes.stop_all()
        log(f"all processes stopped ({time.monotonic() - started:.0f} s in all); logs in var/bench/logs/")


def _run(args: argparse.Namespace, processes: Processes) -> int:
    log(f"recreating the database {args.database}")
    database_url = recreate_database(args.database)
    redis_url = start_redis(processes)
    smtp_port, sink = start_smtp_sink(processes)
    web_port = free_port()
    base = f"http://{LOOPBACK}:{web_port}"
    env = bench_environment(database_url, redis_url, smtp_port, web_port)
    os.environ.update(env)
    log("migrating and collecting static files")
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")

    import django

    django.setup()
    from . import seed

    seed.organizations(5)
    seed.projects(5)
    seed.events(5)
    cookie = seed.member_session_cookie()

    log(f"starting gunicorn ({args.web_workers} workers), Celery ({args.celery_concurrency}) and beat")
    gunicorn = processes.start(
        "gunicorn",
        [PYTHON, "-m", "gunicorn", "alliance.wsgi:application", "--bind", f"{LOOPBACK}:{web_port}",
         "--workers", str(args.web_workers)],
        env=env,
    )  # fmt: skip
    processes.start(
        "celery-worker",
        [PYTHON, "-m", "celery", "-A", "alliance", "worker", "--loglevel=warning",
         "--concurrency", str(args.celery_concurrency), "--hostname", f"bench-worker-{web_port}@%h"],
        env=env,
    )  # fmt: skip
    processes.start(
        "celery-beat",
        [PYTHON, "-m", "celery", "-A", "alliance", "beat", "--loglevel=warning",
         "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"],
        env=env,
    )  # fmt: skip
    processes.wait_for_port(gunicorn, web_port)
    wait_healthy(base)
    wait_for_worker()

    log("queries per request with 5 rows")
    few = count_queries(base, cookie)
    seed.organizations(200)
    seed.projects(200)
    seed.events(200)
    log("queries per request with 200 rows")
    many = count_queries(base, cookie)
    bare_queries = {name: queries(base + path) for name, path in BARE_OF.items()}
    flush_cache()

    comparisons = {}
    for name, portal, bare in [
        ("GET /api/v1/organizations/?page_size=50", "/api/v1/organizations/?page_size=50",
         "/bench/bare/organizations/?page_size=50"),
        ("/events/ page", "/events/", "/bench/bare/events/"),
        ("/projects/ page", "/projects/", "/bench/bare/projects/"),
        ("/members/ page", "/members/", "/bench/bare/members/"),
    ]:  # fmt: skip
        log(f"steady load: {name} against its bare view")
        comparisons[name] = compare(base, portal, bare, args)

    log(f"race: {args.people} people for {args.seats} seats, the portal's API and the bare signup")
    racers = seed.people(args.people, prefix="racer")
    keys = seed.tokens(racers)
    portal_event = seed.event_for(args.seats, slug="race-portal")
    bare_event = seed.event_for(args.seats, slug="race-bare")
    sink.reset()
    portal_race = race(f"{base}/api/v1/events/{portal_event.slug}/register/", keys)
    portal_race["outcome"] = race_outcome(portal_event.pk, args.seats, args.people)
    race_mail = sink.wait_for(args.people, seconds=180)
    seed.forget_token_use(racers)  # the bare signup records each token's first use too, as the portal's did
    bare_race = race(f"{base}/bench/bare/events/{bare_event.slug}/register/", keys)
    bare_race["outcome"] = race_outcome(bare_event.pk, args.seats, args.people)
    pretix_race = None
    if args.pretix:
        from .pretix_race import pretix_race as run_pretix_race

        pretix_race = run_pretix_race(
            processes, people=args.people, seats=args.seats, workers=args.web_workers,
            celery_concurrency=args.celery_concurrency, redis_url=redis_url, smtp_port=smtp_port, log=log,
        )  # fmt: skip

    fan = fanout(base, database_url, sink, args)

    rows = []
    for name, result in comparisons.items():
        target = 0.6 if name.startswith("GET /api") else 0.35
        value = ratio(result["portal"], result["bare"])
        note = f" ({result['errors']} errors: {result['first_error']})" if result["errors"] else ""
        rows.append((
            f"{name}: requests/s (p95 ms)",
            f"{fmt(result['portal'], 0)} ({fmt(result['portal_p95'] * 1000, 0)}){note}",
            f"{fmt(result['bare'], 0)} ({fmt(result['bare_p95'] * 1000, 0)}) bare view",
            fmt(value, 2, "×"),
            f"≥ {target}×",
            verdict(None if value is None else value >= target and not result["errors"]),
        ))  # fmt: skip

    outcome = portal_race["outcome"]
    bare_outcome = bare_race["outcome"]
    rows.append((
        f"{args.people} people for {args.seats} seats: outcome",
        f"{outcome['confirmed']} confirmed, {outcome['waitlisted']} waitlisted"
        f"{' in order' if outcome['in_order'] else ' OUT OF ORDER'}, {portal_race['errors']} errors",
        f"{bare_outcome['confirmed']}/{bare_outcome['waitlisted']}/{bare_race['errors']} bare signup",
        "",
        f"exactly {args.seats}, in order, 0 errors",
        verdict(outcome["exact"] and outcome["in_order"] and portal_race["errors"] == 0),
    ))  # fmt: skip
    baselines = [("bare signup", bare_race)] + ([("pretix", pretix_race)] if pretix_race else [])
    for baseline_name, baseline in baselines:
        against_pretix = baseline_name == "pretix"
        if against_pretix:
            outcome_of = baseline["outcome"]
            rows.append((
                f"{args.people} for {args.seats}: pretix's outcome",
                "",
                f"{outcome_of['confirmed']} orders, {outcome_of['waitlisted']} on the waiting list, "
                f"{baseline['errors']} errors pretix",
                "", "", "",
            ))  # fmt: skip
        signup_ratio = ratio(portal_race["signups_per_second"], baseline["signups_per_second"])
        rows.append((
            f"{args.people} for {args.seats}: signups/s",
            fmt(portal_race["signups_per_second"], 1),
            f"{fmt(baseline['signups_per_second'], 1)} {baseline_name}",
            fmt(signup_ratio, 2, "×"),
            "≥ 4× pretix" if against_pretix else "",
            verdict(signup_ratio >= 4 if against_pretix and signup_ratio else None),
        ))  # fmt: skip
        p95_ratio = ratio(portal_race["p95"], baseline["p95"])
        rows.append((
            f"{args.people} for {args.seats}: p50 / p95 latency (s)",
            f"{fmt(portal_race['p50'])} / {fmt(portal_race['p95'])}",
            f"{fmt(baseline['p50'])} / {fmt(baseline['p95'])} {baseline_name}",
            fmt(p95_ratio, 2, "×") + " (p95)",
            "p95 ≤ 0.2× pretix" if against_pretix else "",
            verdict(p95_ratio <= 0.2 if against_pretix and p95_ratio else None),
        ))  # fmt: skip
    rows.append((
        f"{args.people} for {args.seats}: mail delivered",
        f"{race_mail['count']} of {args.people}, {race_mail['duplicate_message_ids']} duplicates",
        "", "", f"{args.people}, none twice",
        verdict(race_mail["count"] == args.people and not race_mail["duplicate_message_ids"]),
    ))  # fmt: skip
    rows.append((
        f"cancel an event of {args.fanout:,}: the request (s)",
        fmt(fan["request_seconds"]) if fan["request_seconds"] is not None else fan["request_error"],
        "", "", "< 1 s",
        verdict(fan["request_seconds"] is not None and fan["request_seconds"] < 1),
    ))  # fmt: skip
    fan_ratio = ratio(fan["portal_seconds"], fan["plain_seconds"])
    rows.append((
        f"cancel {args.fanout:,}: commit → last email accepted (s)",
        fmt(fan["portal_seconds"], 1) if fan["portal_seconds"] is not None
        else f"{fan['delivered']:,} of {args.fanout:,} in {args.mail_timeout:.0f} s",
        f"{fmt(fan['plain_seconds'], 1)} plain send_messages",
        fmt(fan_ratio, 2, "×"),
        "≤ 1.5×",
        verdict(None if fan_ratio is None else fan_ratio <= 1.5 and not fan["duplicates"]),
    ))  # fmt: skip
    for name, _path in QUERY_TARGETS:
        (visitor_few, member_few), (visitor_many, member_many) = few[name], many[name]
        fixed = visitor_few == visitor_many and member_few == member_many and None not in (visitor_few, member_few)
        rows.append((
            f"queries: {name} (5 → 200 rows)",
            f"visitor {visitor_few} → {visitor_many}, member {member_few} → {member_many}",
            f"bare view {bare_queries[name]}" if name in bare_queries else "",
            "", "the same at both sizes", verdict(fixed),
        ))  # fmt: skip

    print()
    print(
        f"Alliance Portal bench, {datetime.now().strftime('%Y-%m-%d %H:%M')}, {git_revision()}; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; production settings on PostgreSQL "
        f"({args.database}); gunicorn {args.web_workers} workers, Celery {args.celery_concurrency} processes; "
        f"steady loads {args.rounds}×{args.seconds:.0f} s at {args.concurrency} in flight (median)"
    )
    print()
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
