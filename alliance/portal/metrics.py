"""``/metrics`` for Prometheus: staff only (a session, or a staff member's API token: ``Authorization: Token ...``).

What it shows:

- requests: django-prometheus's middleware (latency by view and method, ``django_http_requests_latency_seconds_by_
  view_method``; counts by status, view and method);
- the database: every statement counted and timed per connection (``django_db_execute_total``,
  ``django_db_query_duration_seconds``, django-prometheus's names) by an execute wrapper installed on each new
  connection, so the database engine stays Django's own (the psycopg pool keeps working);
- the backlog, read when Prometheus asks: notifications pending and failed, crowds not yet written, webhook
  deliveries pending, and the Celery queue's length (``LLEN`` of the broker's list).

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder (``gunicorn.conf.py`` then marks a
dead worker's files), so that any worker answers for all of them.
"""

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import prometheus_client
import redis
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django_prometheus.db.metrics import errors_total, execute_total, query_duration_seconds
from drf_spectacular.utils import extend_schema
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request

from alliance.celery import app as celery_app
from alliance.models import Notification, NotificationFanOut
from alliance.webhooks.models import WebhookDelivery

BROKER_TIMEOUT = 0.5  # seconds: a broker that does not answer leaves the queue's length out, never holds the scrape


# --- database statements ---------------------------------------------------------------------------------------------


def _count_statement(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    connection = context["connection"]
    labels = (connection.alias, connection.vendor)
    execute_total.labels(*labels).inc()
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    except Exception as error:
        errors_total.labels(*labels, type(error).__name__).inc()
        raise
    finally:
        query_duration_seconds.labels(*labels).observe(time.perf_counter() - started)


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _count_statement not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, _count_statement)


def database_statements_count() -> None:
    """Count every statement of every database connection this process opens from now on (``PortalConfig.ready``)."""
    connection_created.connect(_on_connection_created, dispatch_uid="alliance.portal.metrics")


# --- the backlog -----------------------------------------------------------------------------------------------------


class BacklogCollector(Collector):
    """The work waiting in the database and the broker, counted when Prometheus asks (a few cheap queries)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield _gauge(
            "alliance_notifications_pending",
            "Notifications waiting to be emailed (new, or backing off after a failed attempt).",
            Notification.objects.filter(status=Notification.Status.PENDING).count(),
        )
        yield _gauge(
            "alliance_notifications_failed",
            "Notifications given up on after every attempt (staff may retry them).",
            Notification.objects.filter(status=Notification.Status.FAILED).count(),
        )
        yield _gauge(
            "alliance_notification_crowds_pending",
            "Crowd notifications whose people's messages are not all written yet.",
            NotificationFanOut.objects.filter(failed_at__isnull=True).count(),
        )
        yield _gauge(
            "alliance_webhook_deliveries_pending",
            "Webhook deliveries not yet delivered (new, or waiting for their next retry).",
            WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).count(),
        )
        queue = celery_app.conf.task_default_queue
        length = _celery_queue_length(queue)
        if length is not None:
            family = GaugeMetricFamily(
                "alliance_celery_queue_length", "Tasks waiting in the broker's queue.", labels=["queue"]
            )
            family.add_metric([queue], length)
            yield family


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _celery_queue_length(queue: str) -> int | None:
    """``LLEN`` of the queue on the Redis broker; None when the broker is not Redis or does not answer."""
    url = str(celery_app.conf.broker_url or "")
    if not url.startswith(("redis://", "rediss://")):
        return None
    prefix = (celery_app.conf.broker_transport_options or {}).get("global_keyprefix", "")
    client = redis.Redis.from_url(url, socket_timeout=BROKER_TIMEOUT, socket_connect_timeout=BROKER_TIMEOUT)
    try:
        return int(client.llen(f"{prefix}{queue}"))
    except (redis.RedisError, OSError):
        return None
    finally:
        client.close()


_backlog = prometheus_client.CollectorRegistry(auto_describe=False)
_backlog.register(BacklogCollector())


# --- the page --------------------------------------------------------------------------------------------------------


@extend_schema(exclude=True)  # Prometheus's text format, not part of the API
@api_view(["GET"])
@permission_classes([IsAdminUser])
def metrics(request: Request) -> HttpResponse:
    """Every metric of this process (of every worker, with ``PROMETHEUS_MULTIPROC_DIR``), then the backlog."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(_backlog)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
