"""A real Celery worker on the Redis broker delivers the decision email after staff approve an application."""

import time
import uuid
from urllib.parse import urlparse, urlunparse

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connections

from alliance.celery import app
from alliance.models import Notification
from alliance.notifications import broker_circuit
from members import services
from members.models import Organization

from .members.factories import AdminAffiliationFactory, ApplicantOrganizationFactory, ApplicationFactory, StaffFactory

TEST_BROKER_DB = 15  # a Redis database of its own: the worker cannot pick up messages of a running portal


def _test_broker_url() -> str:
    return urlunparse(urlparse(settings.REDIS_URL)._replace(path=f"/{TEST_BROKER_DB}"))


def _forget_connection_pools() -> None:
    """Drop the app's cached broker connections so the next ones use the current ``broker_url``."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def celery_on_the_test_broker():
    """Tasks go through Redis (database 15, keys prefixed for this run only) instead of running eagerly.

    The prefix keeps two test runs at the same time (two engineers, two CI jobs) from taking each other's
    messages. Everything is restored afterwards.
    """
    prefix = f"alliance-test-{uuid.uuid4().hex}:"
    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options)
    app.conf.task_always_eager = False
    app.conf.broker_url = _test_broker_url()
    app.conf.broker_transport_options = {**(saved[2] or {}), "global_keyprefix": prefix}
    _forget_connection_pools()
    broker_circuit.reset()  # a broker-fault test before this one may have left publishing paused
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options = saved
        _forget_connection_pools()
        broker_circuit.reset()
        broker = redis.Redis.from_url(_test_broker_url())
        for key in broker.scan_iter(match=f"{prefix}*"):
            broker.delete(key)
        broker.close()


def _wait_for(condition, *, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_decision_email(celery_on_the_test_broker):
    # given an application waiting for a decision, and a worker consuming the Redis broker
    organization = ApplicantOrganizationFactory(name="Aurora Labs")
    applicant = AdminAffiliationFactory(organization=organization).person
    application = ApplicationFactory(organization=organization, submitted_by=applicant, tier="founding")
    staff = StaffFactory()

    with start_worker(celery_on_the_test_broker, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        # when staff approve it (the transaction commits, then the delivery task is queued)
        services.application_approve(actor=staff, application=application)

        # then the worker sends the email and marks the outbox row sent
        delivered = _wait_for(lambda: any(applicant.email in message.to for message in mail.outbox))
        notification = Notification.objects.get(email=applicant.email)
        sent = _wait_for(lambda: Notification.objects.get(pk=notification.pk).status == Notification.Status.SENT)

    connections.close_all()
    last_error = Notification.objects.get(pk=notification.pk).last_error
    assert delivered, f"the worker sent no email within 20 seconds (last error: {last_error or 'none'})"
    assert sent
    [message] = [message for message in mail.outbox if applicant.email in message.to]
    assert message.subject == "[Alliance Portal] Welcome to the alliance: Aurora Labs is now a member"
    assert "at the tier Founding member" in message.body
    organization.refresh_from_db()
    assert organization.status == Organization.Status.ACTIVE
    assert Notification.objects.get(pk=notification.pk).attempts == 1
