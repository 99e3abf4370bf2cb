"""gunicorn's settings, from the environment: gunicorn reads this file by itself when started from the repository's
root (the Docker image's working directory too); options given on its command line win over it.

- ``WEB_CONCURRENCY``: worker processes (default: 2 per CPU core, plus one);
- ``WEB_THREADS``: threads per worker (default 1: sync workers, measured faster than threads on two cores for this
  workload; more than 1 switches to gthread workers, which hold slow clients without a process each);
- ``WEB_TIMEOUT``: seconds a request may take before its worker is restarted (default 30).

With ``PROMETHEUS_MULTIPROC_DIR`` (an empty folder), every worker writes its metrics there and ``/metrics`` answers
for all of them; a worker that exits is marked dead (``child_exit``) so its gauges go.

Each worker process keeps its own database pool (``DATABASE_POOL_MIN`` / ``DATABASE_POOL_MAX``): a sync worker uses
one connection at a time, a gthread worker one per thread. README ("Sizing") says how to choose.
"""

import multiprocessing
import os
from typing import Any

workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("WEB_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("WEB_TIMEOUT", 30))


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: Any) -> None:
    """``make run`` (``PORTAL_BANNER``): once the first worker serves, the URL and the demo logins, printed last."""
    if os.environ.get("PORTAL_BANNER") and worker.age == 1:
        from alliance.portal.banner import banner_text

        host, _, port = str(worker.cfg.bind[0]).rpartition(":")
        print(banner_text(f"http://{host}:{port}"), flush=True)
