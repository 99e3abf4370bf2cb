"""/metrics for Prometheus: staff get the request, database and backlog metrics; nobody else gets anything."""

import uuid

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from alliance.celery import app
from alliance.models import Notification
from alliance.webhooks.models import WebhookDelivery, WebhookEndpoint
from alliance.webhooks.signing import secret_generate
from members import services as member_services

from .members.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TEST_BROKER_DB = 15  # a Redis database of its own; the queue under a prefix of this test's own


@pytest.fixture
def three_tasks_queued():
    """The broker's queue holds three messages (under a prefix of this test's own, on database 15)."""
    prefix = f"alliance-metrics-{uuid.uuid4().hex}:"
    url = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{TEST_BROKER_DB}"
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.broker_url, app.conf.broker_transport_options = url, {"global_keyprefix": prefix}
    broker = redis.Redis.from_url(url)
    broker.rpush(f"{prefix}{app.conf.task_default_queue}", "a", "b", "c")
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        broker.delete(f"{prefix}{app.conf.task_default_queue}")
        broker.close()


def _backlog():
    Notification.objects.bulk_create(
        [
            Notification(email="a@example.org", kind="membership", subject="A", body="A\n"),
            Notification(email="b@example.org", kind="membership", subject="B", body="B\n"),
            Notification(email="c@example.org", kind="membership", subject="C", body="C\n", status="failed"),
        ]
    )
    endpoint = WebhookEndpoint.objects.create(secret=secret_generate(), url="https://hooks.example.org/a")
    WebhookDelivery.objects.create(endpoint=endpoint, message_id="msg_1", event_type="organization.updated", payload={})


def test_staff_get_request_latency_by_view_database_statements_and_the_backlog(client, three_tasks_queued):
    # given some traffic, a backlog and a signed-in staff member
    _backlog()
    assert client.get(reverse("events:event_list")).status_code == 200
    client.force_login(StaffFactory())

    # when Prometheus scrapes
    response = client.get("/metrics")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="events:event_list"}' in text
    assert "django_db_execute_total{" in text and 'vendor="postgresql"' in text
    assert "django_db_query_duration_seconds_bucket{" in text
    assert "alliance_notifications_pending 2.0" in text
    assert "alliance_notifications_failed 1.0" in text
    assert "alliance_notification_crowds_pending 0.0" in text
    assert "alliance_webhook_deliveries_pending 1.0" in text
    assert 'alliance_celery_queue_length{queue="celery"} 3.0' in text


def test_a_staff_api_token_is_enough_for_a_scraper(client):
    staff = StaffFactory()
    _token, key = member_services.api_token_create(actor=staff, name="Prometheus")

    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert "alliance_notifications_pending" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "person"])
def test_anyone_but_staff_is_refused_and_sees_no_metric(client, who):
    if who == "person":
        client.force_login(UserFactory())

    response = client.get("/metrics")

    assert response.status_code in (401, 403)
    assert b"alliance_" not in response.content and b"django_" not in response.content


def test_a_broker_that_does_not_answer_leaves_the_queue_length_out(client):
    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    client.force_login(StaffFactory())
    try:
        text = client.get("/metrics").content.decode()
    finally:
        app.conf.broker_url = saved

    assert "alliance_notifications_pending" in text
    assert "alliance_celery_queue_length{" not in text
