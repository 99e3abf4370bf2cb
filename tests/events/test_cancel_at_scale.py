"""Cancelling an event costs the request the same whether 10 or 1,000 people are registered: the same queries, the
same published messages (one job, never one task per person); the job then tells each of them once."""

import pytest
from celery.app.task import Task
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance import tasks
from alliance.models import Notification, NotificationFanOut
from events import services
from events.models import Event, Registration
from members.models import User

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def _event_with_registrations(count: int) -> Event:
    event = EventFactory(capacity=None)
    people = User.objects.bulk_create(
        User(email=f"crowd-{event.pk}-{n}@example.org", name=f"Person {n}") for n in range(count)
    )
    now = timezone.now()
    Registration.objects.bulk_create(
        Registration(event=event, person=person, status=Registration.Status.CONFIRMED, confirmed_at=now)
        for person in people
    )
    Event.objects.filter(pk=event.pk).update(confirmed_count=count)
    event.refresh_from_db()
    return event


@pytest.fixture
def published(monkeypatch):
    """Every message published to the broker, by task name and arguments; none runs."""
    messages: list[tuple[str, tuple]] = []

    def record(task, args=None, kwargs=None, **options):
        messages.append((task.name, tuple(args or ())))

    monkeypatch.setattr(Task, "apply_async", record)
    return messages


def _cancel_counted(event: Event, published: list, capture_on_commit) -> tuple[int, list[str]]:
    organizer = event.created_by
    published.clear()
    with CaptureQueriesContext(connection) as queries, capture_on_commit(execute=True):
        services.event_cancel(actor=organizer, event=event, reason="The venue flooded.")
    return len(queries), [name for name, _ in published]


def test_the_cancel_request_costs_the_same_for_10_and_1000_registrations(published, django_capture_on_commit_callbacks):
    # given two events, one with 10 people registered and one with 1,000 (and the process's caches warm)
    small, large = _event_with_registrations(10), _event_with_registrations(1000)
    _cancel_counted(_event_with_registrations(1), published, django_capture_on_commit_callbacks)

    # when each is cancelled
    small_queries, small_messages = _cancel_counted(small, published, django_capture_on_commit_callbacks)
    large_queries, large_messages = _cancel_counted(large, published, django_capture_on_commit_callbacks)

    # then both requests ran the same queries and published the same messages: one job for the crowd
    assert large_queries == small_queries
    assert large_messages == small_messages == ["alliance.tasks.fan_out_notification"]
    # and nobody's message was written in the request: the crowd is one row
    assert not Notification.objects.exists()
    fan_out = NotificationFanOut.objects.get(recipient_ids__contains=[large.registrations.first().person_id])
    assert len(fan_out.recipient_ids) == 1000


def test_after_the_cancel_the_job_tells_each_person_once():
    # given an event with 250 people registered or waiting, cancelled
    event = _event_with_registrations(240)
    waiting = User.objects.bulk_create(User(email=f"waiting{n}@example.org") for n in range(10))
    Registration.objects.bulk_create(
        Registration(event=event, person=person, status=Registration.Status.WAITLISTED, waitlisted_at=timezone.now())
        for person in waiting
    )
    services.event_cancel(actor=event.created_by, event=event, reason="The venue flooded.")
    fan_out = NotificationFanOut.objects.get()

    # when the job runs (twice: a redelivered message)
    assert tasks.fan_out_notification(fan_out.pk) == 250
    assert tasks.fan_out_notification(fan_out.pk) == 0

    # then each person got one email saying so, and finds it in the inbox
    people = list(User.objects.filter(registrations__event=event).values_list("email", flat=True))
    assert sorted(message.to[0] for message in mail.outbox) == sorted(people)
    assert all(message.subject == f"[Alliance Portal] Cancelled: {event.title}" for message in mail.outbox)
    assert "The venue flooded." in mail.outbox[0].body
    assert Notification.objects.filter(status=Notification.Status.SENT, transactional=True).count() == 250
