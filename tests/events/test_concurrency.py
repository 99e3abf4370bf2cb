"""Real races on PostgreSQL: many people, each on their own connection, released at the same instant.

The availability check is widened with a short pause (as if the server were busy), so that without the lock
the race shows every time; with the lock the same pause only makes people wait their turn.
"""

import time
from collections import Counter

import pytest
from django.db import IntegrityError, connection, connections

from events import selectors, services
from events.models import Event, Registration
from tests.members.factories import UserFactory
from tests.races import race, require_free_connections

from .factories import EventFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("room_for_100_connections")]

PAUSE = 0.02


@pytest.fixture
def room_for_100_connections():
    require_free_connections(105)


@pytest.fixture
def widened_window(monkeypatch):
    """Pause between reading the seats left and taking one (``event_register`` asks the seat cap in between)."""
    original = selectors.organization_has_seat

    def slow(*args, **kwargs):
        time.sleep(PAUSE)
        return original(*args, **kwargs)

    monkeypatch.setattr(selectors, "organization_has_seat", slow)


@pytest.fixture
def without_lock(monkeypatch):
    monkeypatch.setattr("events.services._common.LOCK_EVENT_ROWS", False)


@pytest.fixture
def without_capacity_constraint():
    """Drop the database's never-oversold check for one test, to see what the lock alone prevents."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE events_event DROP CONSTRAINT event_never_oversold")
    yield
    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_registration")
        cursor.execute("UPDATE events_event SET confirmed_count = 0")
        cursor.execute(
            "ALTER TABLE events_event ADD CONSTRAINT event_never_oversold "
            "CHECK (capacity IS NULL OR confirmed_count <= capacity)"
        )


def _register_all(event, people):
    return race([lambda person=person: services.event_register(actor=person, event=event) for person in people])


def test_100_people_racing_for_20_seats_get_exactly_20_and_the_rest_wait_in_order(widened_window):
    event = EventFactory(capacity=20)
    people = UserFactory.create_batch(100)

    results, errors = _register_all(event, people)

    assert errors == []
    assert Counter(result.status for result in results) == {"confirmed": 20, "waitlisted": 80}
    event.refresh_from_db()
    assert event.confirmed_count == 20
    registrations = list(Registration.objects.filter(event=event).order_by("pk"))
    # Order of arrival is the order in which people got the lock: the first 20 hold the seats ...
    assert [registration.status for registration in registrations] == ["confirmed"] * 20 + ["waitlisted"] * 80
    # ... and the other 80 wait in that same order, positions 1 to 80.
    waiting = registrations[20:]
    assert [services.waitlist_position(registration) for registration in waiting] == list(range(1, 81))
    assert sorted(w.waitlisted_at for w in waiting) == [w.waitlisted_at for w in waiting]


def test_without_the_lock_the_same_race_oversells(widened_window, without_lock, without_capacity_constraint):
    event = EventFactory(capacity=20)
    people = UserFactory.create_batch(100)

    _results, errors = _register_all(event, people)

    assert errors == []
    confirmed = Registration.objects.filter(event=event, status="confirmed").count()
    assert confirmed > 20, "the race did not show: the lock test above would prove nothing"


def test_without_the_lock_the_database_constraint_still_refuses_to_oversell(widened_window, without_lock):
    event = EventFactory(capacity=20)
    people = UserFactory.create_batch(100)

    _results, errors = _register_all(event, people)

    assert errors, "without the lock some registrations must have tried to take a seat that was gone"
    assert all(isinstance(error, IntegrityError) and "event_never_oversold" in str(error) for error in errors)
    event.refresh_from_db()
    assert Registration.objects.filter(event=event, status="confirmed").count() == event.confirmed_count <= 20


def _full_event_with_waitlist(capacity: int, waiting: int) -> tuple[Event, list[Registration], list[Registration]]:
    event = EventFactory(capacity=capacity)
    registrations = [services.event_register(actor=UserFactory(), event=event) for _ in range(capacity + waiting)]
    return event, registrations[:capacity], registrations[capacity:]


def test_concurrent_cancellations_promote_in_order_with_no_seat_lost_or_doubled():
    event, confirmed, waiting = _full_event_with_waitlist(capacity=20, waiting=30)
    leaving = confirmed[:10] + waiting[:5]  # ten seats free up; five people stop waiting
    newcomers = UserFactory.create_batch(10)

    calls = [lambda r=r: services.registration_cancel(actor=r.person, registration=r) for r in leaving]
    calls += [lambda p=p: services.event_register(actor=p, event=event) for p in newcomers]
    _, errors = race(calls)

    assert errors == []
    event.refresh_from_db()
    holders = Registration.objects.filter(event=event, status="confirmed")
    assert holders.count() == event.confirmed_count == 20
    # The ten freed seats went to the first ten still waiting, in order; nobody holds two places.
    promoted = set(holders.exclude(pk__in=[r.pk for r in confirmed]).values_list("pk", flat=True))
    assert promoted == {r.pk for r in waiting[5:15]}
    active = Registration.objects.filter(event=event, status__in=["confirmed", "waitlisted"])
    assert active.values("person").distinct().count() == active.count() == 50 - 15 + 10
    still_waiting = list(active.filter(status="waitlisted").order_by("waitlisted_at", "pk"))
    assert [services.waitlist_position(r) for r in still_waiting] == list(range(1, len(still_waiting) + 1))
