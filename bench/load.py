"""Bounded loads with an async HTTP client (aiohttp), only ever against 127.0.0.1.

``steady`` keeps ``concurrency`` requests in flight for at most ``seconds`` (and ``max_requests``); ``burst`` sends
a list of requests all at once, released together, and answers each one's status, latency and body.
"""

import asyncio
import concurrent.futures
import json
import statistics
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import aiohttp

TIMEOUT = aiohttp.ClientTimeout(total=300)  # a burst queues in the listen backlog: the last wait long


def _loopback_only(url: str) -> str:
    if urlparse(url).hostname != "127.0.0.1":
        raise ValueError(f"the bench sends traffic only to 127.0.0.1, not to {url}")
    return url


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass
class Steady:
    """What a steady load measured."""

    requests: int
    errors: int
    seconds: float
    latencies: list[float] = field(repr=False)
    first_error: str = ""

    @property
    def per_second(self) -> float:
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95)


def _run(coroutine: Any) -> Any:
    """``asyncio.run`` that also works where a loop is already running in this thread (a browser test's, say):
    the coroutine then runs on its own loop in a short-lived thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _steady(url: str, headers: dict[str, str], concurrency: int, seconds: float, max_requests: int) -> Steady:
    latencies: list[float] = []
    errors = 0
    first_error = ""
    sent = 0
    deadline = time.perf_counter() + seconds

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal errors, first_error, sent
        while time.perf_counter() < deadline and sent < max_requests:
            sent += 1
            started = time.perf_counter()
            try:
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    ok = response.status == 200
                    if not ok and not first_error:
                        first_error = f"HTTP {response.status}"
            except (TimeoutError, aiohttp.ClientError) as error:
                ok = False
                first_error = first_error or repr(error)
            latencies.append(time.perf_counter() - started)
            errors += not ok

    connector = aiohttp.TCPConnector(limit=concurrency, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Steady(len(latencies), errors, elapsed, latencies, first_error)


def steady(
    url: str, *, headers: dict[str, str] | None = None, concurrency: int, seconds: float, max_requests: int = 100_000
) -> Steady:
    return _run(_steady(_loopback_only(url), headers or {}, concurrency, seconds, max_requests))


@dataclass
class Answer:
    status: int
    seconds: float
    body: Any
    error: str = ""


async def _burst(calls: list[tuple[str, str, dict[str, str], Any]]) -> tuple[list[Answer], float]:
    release = asyncio.Event()

    async def call(session: aiohttp.ClientSession, method: str, url: str, headers: dict[str, str], body: Any) -> Answer:
        await release.wait()
        started = time.perf_counter()
        try:
            async with session.request(method, url, headers=headers, json=body) as response:
                text = await response.text()
                try:
                    content = json.loads(text)
                except ValueError:
                    content = text[:200]
                return Answer(response.status, time.perf_counter() - started, content)
        except (TimeoutError, aiohttp.ClientError) as error:
            return Answer(0, time.perf_counter() - started, None, repr(error))

    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=TIMEOUT) as session:
        tasks = [asyncio.ensure_future(call(session, *spec)) for spec in calls]
        await asyncio.sleep(0.2)  # every call is waiting on the release
        started = time.perf_counter()
        release.set()
        answers = await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return list(answers), elapsed


def burst(calls: list[tuple[str, str, dict[str, str], Any]]) -> tuple[list[Answer], float]:
    """``calls`` are ``(method, url, headers, json body)``; answers in the same order, and the wall time."""
    return _run(_burst([(method, _loopback_only(url), headers, body) for method, url, headers, body in calls]))


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
