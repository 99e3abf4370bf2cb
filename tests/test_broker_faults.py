"""The broker fails: requests stay fast, nothing is lost, nothing is sent twice.

These tests run a Redis server of their own on a spare port, stop it and start it again, and run a real Celery
worker against it. Each restores the Celery app's configuration afterwards.
"""

import socket
import subprocess
import threading
import time
from contextlib import closing

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connections
from django.urls import reverse
from kombu import pools

from alliance import notifications, tasks
from alliance.celery import app
from alliance.models import Notification
from members.models import Invitation

from .members.factories import AdminAffiliationFactory, OrganizationFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ACTIONS = 100
REQUEST_BUDGET = 2.0  # seconds: the "well under 2 seconds"


def _spare_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A throw-away redis-server on a spare port, started and stopped by the test."""

    def __init__(self) -> None:
        self.port = _spare_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _forget_connection_pools() -> None:
    """Drop the app's cached broker connections so the next ones use the current ``broker_url``."""
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    pools.reset()  # kombu's registry would hand back the same (closed) pool for the same URL


@pytest.fixture
def own_redis():
    """Celery publishes to a Redis server of this test's own; everything is restored afterwards."""
    server = RedisServer()
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    server.start()
    app.conf.task_always_eager = False
    app.conf.broker_url = server.url
    _forget_connection_pools()
    notifications.broker_circuit.reset()
    try:
        yield server
    finally:
        server.stop()
        app.conf.task_always_eager, app.conf.broker_url = saved
        _forget_connection_pools()
        notifications.broker_circuit.reset()


def _wait_for(condition, *, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_with_redis_down_100_invitations_each_answer_in_under_2_seconds_and_all_arrive_once_after_it_is_back(
    own_redis, client
):
    # given an organization admin signed in, and Redis stopped
    admin = AdminAffiliationFactory(organization=OrganizationFactory(name="Aurora Labs")).person
    organization = admin.affiliations.get().organization
    client.force_login(admin)
    own_redis.stop()

    # when the admin invites 100 people, one request each
    durations = []
    for number in range(ACTIONS):
        started = time.monotonic()
        response = client.post(
            reverse("members:invitation_create", kwargs={"slug": organization.slug}),
            {"email": f"colleague{number}@example.org", "role": "member"},
        )
        durations.append(time.monotonic() - started)
        assert response.status_code in (200, 302), response.content[:500]

    # then every request completed promptly, every invitation and its notification is recorded, none sent
    mean = sum(durations) / len(durations)
    print(f"\nRedis down: slowest request {max(durations):.3f} s, first {durations[0]:.3f} s, mean {mean:.3f} s")
    assert max(durations) < REQUEST_BUDGET, f"slowest request took {max(durations):.2f} s"
    assert Invitation.objects.filter(organization=organization).count() == ACTIONS
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == ACTIONS
    assert mail.outbox == []

    # when Redis is back and a real worker runs, with the periodic sweep (as beat would start it)
    own_redis.start()  # the same port: the process's pooled broker connections must recover by themselves
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        tasks.notifications_sweep.delay()
        delivered = _wait_for(
            lambda: not Notification.objects.exclude(status=Notification.Status.SENT).exists(), seconds=60
        )
        # and the same notifications are asked for again (a redelivered task, a second sweep)
        for pk in Notification.objects.values_list("pk", flat=True):
            tasks.deliver_notification.delay(pk)
        tasks.notifications_sweep.delay()
        drained = _wait_for(lambda: _queue_length() == 0, seconds=30)
        time.sleep(1)  # the last task taken finishes

    connections.close_all()
    # then every invitation arrived exactly once
    assert delivered, "the worker and the sweep did not deliver everything within 60 seconds"
    assert drained
    assert len(mail.outbox) == ACTIONS
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        f"colleague{n}@example.org" for n in range(ACTIONS)
    )
    assert set(Notification.objects.values_list("status", "attempts")) == {(Notification.Status.SENT, 1)}


def test_a_broker_that_accepts_connections_but_never_answers_does_not_hold_a_request(client, monkeypatch):
    """The case of celery issues 4296 and 6046: the publish would block; the request must not."""
    # given a "broker" that accepts TCP connections and never answers
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(50)
    accepted = []
    stop = threading.Event()

    def accept_and_ignore():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_ignore, daemon=True)
    thread.start()
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    _forget_connection_pools()
    notifications.broker_circuit.reset()
    admin = AdminAffiliationFactory(organization=OrganizationFactory()).person
    organization = admin.affiliations.get().organization
    client.force_login(admin)
    try:
        # when two invitations are sent: the first waits for the broker's timeout, the second not at all
        durations = []
        for number in range(2):
            started = time.monotonic()
            response = client.post(
                reverse("members:invitation_create", kwargs={"slug": organization.slug}),
                {"email": f"hung{number}@example.org", "role": "member"},
            )
            durations.append(time.monotonic() - started)
            assert response.status_code in (200, 302)
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in accepted:
            connection.close()
        listener.close()
        app.conf.task_always_eager, app.conf.broker_url = saved
        _forget_connection_pools()
        notifications.broker_circuit.reset()

    # then
    print(f"\nsilent broker: first request {durations[0]:.3f} s, second {durations[1]:.3f} s")
    assert accepted, "the publish never reached the silent broker"
    assert durations[0] < REQUEST_BUDGET, f"the first request took {durations[0]:.2f} s"
    assert durations[1] < 0.5, f"the second request still waited on the broker: {durations[1]:.2f} s"
    assert Notification.objects.filter(status=Notification.Status.PENDING).count() == 2
    assert tasks.notifications_sweep() == 2  # eager again: the sweep delivers both
    assert len(mail.outbox) == 2


def test_a_task_redelivered_after_the_email_was_sent_but_before_the_ack_sends_nothing_more(own_redis):
    """A worker took the task, sent the email, and died before acknowledging: Redis hands the task out again."""
    # given a notification whose delivery task is on the broker
    admin = AdminAffiliationFactory(organization=OrganizationFactory()).person
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    notifications.notify(
        recipients=[admin],
        kind=Notification.Kind.INVITATION,
        template="members/notifications/organization_status_changed",
        context={"organization": admin.affiliations.get().organization, "note": ""},
    )
    notification = Notification.objects.get()

    # when a first worker receives it, runs it (the email goes out) and dies without acknowledging
    with app.connection_for_write() as connection:
        queue = connection.SimpleQueue(app.conf.task_default_queue, no_ack=False)
        message = queue.get(timeout=5)
        assert message.headers["task"] == "alliance.tasks.deliver_notifications"
        args, _kwargs, _embed = message.decode()
        assert args == [[notification.pk]]
        assert tasks.deliver_notifications(*args) == 1
        # no ack: closing the channel without it returns the message to the queue, as the visibility timeout
        # does for a killed worker
    assert len(mail.outbox) == 1

    # then a real worker gets the same task again, runs it, and sends nothing more
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        emptied = _wait_for(lambda: _queue_length() == 0, seconds=20)
        time.sleep(1)
    connections.close_all()
    assert emptied, "the redelivered task was never taken"
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 1)


def _queue_length() -> int:
    with app.connection_for_write() as connection:
        return connection.default_channel.client.llen(app.conf.task_default_queue)


def test_two_workers_running_the_delivery_task_at_once_for_the_same_notification_send_one_email():
    """The same task delivered twice at the same moment (two worker threads): one email."""
    notification = Notification.objects.create(
        email="ada@example.org", kind=Notification.Kind.MEMBERSHIP, subject="Hello", body="Hello.\n"
    )
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(tasks.deliver_notification(notification.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
