"""Crowds and chunks: one outbox row for a crowd, each person's message written by the job; rows sent a chunk at a
time over one connection to the mail server; exactly once with several workers; the sweep when the broker is down."""

import threading
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from alliance import notifications, tasks
from alliance.locale import person_language_set
from alliance.models import Notification, NotificationFanOut
from alliance.notifications import CHUNK_SIZE, notify_crowd
from alliance.notifications.context import context_freeze, context_thaw
from events.models import Event
from members.models import User

from .events.factories import EventFactory

pytestmark = pytest.mark.django_db

COUNTING_BACKEND = "tests.test_notification_fan_out.CountingEmailBackend"


class CountingEmailBackend(LocmemEmailBackend):
    """The test mailbox, behaving like SMTP about connections: ``connections`` lists, for each connection opened,
    how many messages it carried. ``send_messages`` without ``open`` first opens a connection of its own."""

    connections: list[int] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current: int | None = None

    def open(self):
        if self.current is not None:
            return False
        CountingEmailBackend.connections.append(0)
        self.current = len(CountingEmailBackend.connections) - 1
        return True

    def close(self):
        self.current = None

    def send_messages(self, messages):
        created = self.open()
        CountingEmailBackend.connections[self.current] += len(messages)
        sent = super().send_messages(messages)
        if created:
            self.close()
        return sent


@pytest.fixture
def counting_mail(settings):
    settings.EMAIL_BACKEND = COUNTING_BACKEND
    CountingEmailBackend.connections = []
    return CountingEmailBackend.connections


def _crowd(size: int, prefix: str = "crowd") -> list[User]:
    return User.objects.bulk_create(User(email=f"{prefix}{n}@example.org", name=f"Person {n}") for n in range(size))


def _pending(size: int) -> list[int]:
    rows = Notification.objects.bulk_create(
        Notification(email=f"person{n}@example.org", kind="membership", subject="Hello", body="Hello.\n")
        for n in range(size)
    )
    return [row.pk for row in rows]


def _tell(people, event, **options) -> NotificationFanOut | None:
    return notify_crowd(
        people=User.objects.filter(pk__in=[person.pk for person in people]),
        kind=Notification.Kind.EVENTS,
        template="events/notifications/event_cancelled",
        context={"event": event, "reason": "The venue flooded."},
        url=event.get_absolute_url(),
        **options,
    )


# --- a crowd costs one row in the request ----------------------------------------------------------------------


def test_a_crowd_is_one_row_in_the_request_and_each_person_gets_one_email_after_commit(
    django_capture_on_commit_callbacks,
):
    # given 250 people and an event
    people = _crowd(250)
    event = EventFactory(title="Evaluation workshop")

    # when they are told, without the commit's work running yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        fan_out = _tell(people, event, transactional=True)

    # then the request wrote one row naming them, rendered nothing, and asks one job after commit
    assert fan_out is not None and fan_out.recipient_ids == sorted(person.pk for person in people)
    assert not Notification.objects.exists()
    assert len(callbacks) == 1

    # when the transaction commits (the job runs here: tasks are eager in tests)
    for callback in callbacks:
        callback()

    # then each person has one notification, rendered for them, and one email; the crowd's row is gone
    assert Notification.objects.count() == 250
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)
    first = Notification.objects.get(recipient=people[0])
    assert first.subject == "Cancelled: Evaluation workshop"
    assert first.body.startswith(f"Hello {people[0].name},") and "The venue flooded." in first.body
    assert first.url == event.get_absolute_url() and first.transactional
    assert not NotificationFanOut.objects.exists()


def test_a_crowd_is_written_in_each_ones_language_and_by_their_preferences(settings):
    # given a French speaker, someone who turned event email off, and someone with the defaults
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    french, quiet, plain = _crowd(3)
    person_language_set(person=french, language="fr")
    notifications.notification_preference_set(person=quiet, kind="events", email_enabled=False)
    event = EventFactory(starts_at=timezone.make_aware(datetime(2030, 1, 14, 10, 0)), timezone="UTC")

    # when they are told (not a transactional message: preferences apply) and the job runs
    fan_out = _tell([french, quiet, plain], event)
    assert notifications.notification_fan_out_run(fan_out_id=fan_out.pk) == 3

    # then the French speaker reads French dates, the quiet one finds it in the inbox only
    assert "14 janvier 2030" in Notification.objects.get(recipient=french).body
    assert "14 January 2030" in Notification.objects.get(recipient=plain).body
    assert Notification.objects.get(recipient=quiet).status == Notification.Status.SKIPPED
    assert sorted(message.to[0] for message in mail.outbox) == sorted([french.email, plain.email])
    assert notifications.unread_count(person=quiet) == 1


def test_nobody_selected_records_nothing():
    event = EventFactory()

    assert _tell([], event) is None
    assert not NotificationFanOut.objects.exists()


def test_a_context_that_cannot_be_kept_is_refused_in_the_request():
    with pytest.raises(TypeError, match="cannot be kept"):
        notify_crowd(
            people=User.objects.all(),
            kind=Notification.Kind.EVENTS,
            template="events/notifications/event_cancelled",
            context={"event": object()},
        )
    assert not NotificationFanOut.objects.exists()


def test_the_context_comes_back_with_its_objects_dates_and_numbers():
    first, second = EventFactory(), EventFactory()
    moment = timezone.now().replace(microsecond=0)

    frozen = context_freeze(
        {"event": first, "events": Event.objects.filter(pk__in=[first.pk, second.pk]).order_by("pk"),
         "when": moment, "day": date(2030, 1, 14), "fee": Decimal("12.50"), "note": "hi", "count": 3, "none": None}
    )  # fmt: skip
    thawed = context_thaw(frozen)

    assert thawed["event"] == first and thawed["event"].title == first.title
    assert thawed["events"] == [first, second]
    assert (thawed["when"], thawed["day"], thawed["fee"]) == (moment, date(2030, 1, 14), Decimal("12.50"))
    assert (thawed["note"], thawed["count"], thawed["none"]) == ("hi", 3, None)


# --- writing a crowd: resumable, never twice ------------------------------------------------------------------------


def test_a_crowd_interrupted_half_way_resumes_without_writing_anyone_twice(monkeypatch):
    # given a crowd of 250, and a job whose second chunk fails (the database went away, say)
    people = _crowd(250)
    fan_out = _tell(people, EventFactory(), transactional=True)
    from alliance.notifications import delivery

    real_write = delivery.notifications_write
    calls = []

    def failing_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_write(*args, **kwargs)

    monkeypatch.setattr(delivery, "notifications_write", failing_second_time)

    # when the job runs
    written = notifications.notification_fan_out_run(fan_out_id=fan_out.pk)

    # then the first chunk is written and sent, the crowd remembers how far it got, and waits before trying again
    assert written == CHUNK_SIZE
    fan_out.refresh_from_db()
    assert (fan_out.expanded, fan_out.attempts) == (CHUNK_SIZE, 1)
    assert "the database went away" in fan_out.last_error
    assert fan_out.next_attempt_at > timezone.now()
    assert notifications.notification_fan_out_run(fan_out_id=fan_out.pk) == 0  # not before its back-off

    # when the back-off has passed and the sweep runs
    NotificationFanOut.objects.filter(pk=fan_out.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    notifications.notifications_sweep_run()

    # then everyone has exactly one notification and one email
    assert Notification.objects.count() == 250
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(p.pk for p in people)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)
    assert not NotificationFanOut.objects.exists()


def test_a_crowd_whose_context_is_gone_is_kept_as_failed_after_every_attempt():
    event = EventFactory()
    fan_out = _tell(_crowd(2), event, transactional=True)
    Event.objects.filter(pk=event.pk).delete()

    for _ in range(notifications.MAX_ATTEMPTS):
        NotificationFanOut.objects.filter(pk=fan_out.pk).update(next_attempt_at=None)
        assert notifications.notification_fan_out_run(fan_out_id=fan_out.pk) == 0

    fan_out.refresh_from_db()
    assert fan_out.failed_at is not None and "no longer exists" in fan_out.last_error
    assert notifications.notifications_sweep_run() == 0  # given up on: the sweep leaves it
    assert not Notification.objects.exists()


# --- chunks: one connection each ----------------------------------------------------------------------------------


def test_each_chunk_goes_over_one_connection_to_the_mail_server(counting_mail):
    ids = _pending(2 * CHUNK_SIZE + 50)

    assert notifications.notifications_deliver(notification_ids=ids) == len(ids)

    assert counting_mail == [CHUNK_SIZE, CHUNK_SIZE, 50]
    assert len(mail.outbox) == len(ids)
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == len(ids)
    assert set(Notification.objects.values_list("status", "attempts")) == {(Notification.Status.SENT, 1)}


def test_a_crowd_is_sent_a_chunk_per_connection(counting_mail):
    fan_out = _tell(_crowd(CHUNK_SIZE + 30), EventFactory(), transactional=True)

    notifications.notification_fan_out_run(fan_out_id=fan_out.pk)

    assert counting_mail == [CHUNK_SIZE, 30]


def test_the_sweep_sends_a_chunk_per_connection(counting_mail):
    _pending(CHUNK_SIZE + 1)

    assert notifications.notifications_sweep_run() == CHUNK_SIZE + 1

    assert counting_mail == [CHUNK_SIZE, 1]


class FlakyEmailBackend(CountingEmailBackend):
    """Refuses the third message it is given, then works again (on a new connection)."""

    given = 0

    def send_messages(self, messages):
        FlakyEmailBackend.given += 1
        if FlakyEmailBackend.given == 3:
            raise ConnectionResetError("the mail server dropped the connection")
        return super().send_messages(messages)


def test_a_message_the_server_refuses_backs_off_alone_and_the_rest_of_the_chunk_goes_on_a_new_connection(settings):
    settings.EMAIL_BACKEND = "tests.test_notification_fan_out.FlakyEmailBackend"
    CountingEmailBackend.connections = []
    FlakyEmailBackend.given = 0
    ids = _pending(5)

    assert notifications.notifications_deliver(notification_ids=ids) == 4

    refused = Notification.objects.get(pk=ids[2])
    assert (refused.status, refused.attempts) == (Notification.Status.PENDING, 1)
    assert "dropped the connection" in refused.last_error and refused.next_attempt_at > timezone.now()
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 4
    assert CountingEmailBackend.connections == [2, 2]  # the first connection broke; a second took the rest


# --- exactly once with two workers -----------------------------------------------------------------------------------


def _run_together(*calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[Exception] = []

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # asserted on below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung"
    assert errors == []
    return results


@pytest.fixture
def slow_mail_server(monkeypatch):
    """Each message takes a moment, so two workers really overlap."""
    original = LocmemEmailBackend.send_messages

    def slow(backend, messages):
        time.sleep(0.002)
        return original(backend, messages)

    monkeypatch.setattr(LocmemEmailBackend, "send_messages", slow)


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_rows_at_once_send_each_email_once_and_share_the_work(slow_mail_server):
    # given 300 pending notifications
    ids = _pending(3 * CHUNK_SIZE)

    # when two workers are asked to deliver all of them at the same moment (a task and the sweep, say)
    results = _run_together(
        lambda: notifications.notifications_deliver(notification_ids=ids), notifications.notifications_sweep_run
    )

    # then every email went exactly once, and both did part of the work
    assert sum(results) == len(ids) and min(results) > 0
    assert sorted(message.to[0] for message in mail.outbox) == sorted(f"person{n}@example.org" for n in range(300))
    assert set(Notification.objects.values_list("status", "attempts")) == {(Notification.Status.SENT, 1)}


@pytest.mark.django_db(transaction=True)
def test_two_workers_writing_the_same_crowd_at_once_write_and_send_each_persons_message_once(slow_mail_server):
    # given a crowd of 450
    people = _crowd(450)
    fan_out = _tell(people, EventFactory(), transactional=True)

    # when the job and a sweep work on it at the same moment
    _run_together(
        lambda: notifications.notification_fan_out_run(fan_out_id=fan_out.pk), notifications.notifications_sweep_run
    )

    # then each person has one notification and one email
    assert Notification.objects.count() == 450
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(p.pk for p in people)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)
    assert set(Notification.objects.values_list("status", "attempts")) == {(Notification.Status.SENT, 1)}
    assert not NotificationFanOut.objects.exists()


# --- the broker down ---------------------------------------------------------------------------------------------


def test_with_the_broker_down_a_crowd_waits_in_the_outbox_and_the_sweep_delivers_it(
    monkeypatch, django_capture_on_commit_callbacks
):
    # given a broker that cannot be reached
    attempts = []

    def unreachable(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.fan_out_notification, "delay", unreachable)
    monkeypatch.setattr(tasks.deliver_notifications, "delay", unreachable)
    people = _crowd(CHUNK_SIZE + 20)

    # when a crowd is told
    with django_capture_on_commit_callbacks(execute=True):
        fan_out = _tell(people, EventFactory(), transactional=True)

    # then the one publish failed, the crowd waits in the outbox, nothing was sent
    assert len(attempts) == 1
    assert NotificationFanOut.objects.filter(pk=fan_out.pk).exists()
    assert mail.outbox == []

    # when the sweep runs (the broker is still down: it writes and sends the crowd itself)
    assert tasks.notifications_sweep() == CHUNK_SIZE + 20

    # then everyone got exactly one email
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)
    assert not NotificationFanOut.objects.exists()
    assert tasks.notifications_sweep() == 0
    assert len(mail.outbox) == CHUNK_SIZE + 20


def test_the_admins_deliver_now_sends_the_selected_over_one_connection(admin_client, counting_mail):
    ids = _pending(3)

    response = admin_client.post(
        "/admin/alliance/notification/", {"action": "deliver_now", "_selected_action": ids[:2], "index": 0}
    )

    assert response.status_code == 302
    assert counting_mail == [2]
    assert sorted(message.to[0] for message in mail.outbox) == ["person0@example.org", "person1@example.org"]
