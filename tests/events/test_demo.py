"""The events part of the demo data: upcoming and past events of every kind and format, a full one with a
waitlist, a members-only one, a draft, a cancelled one, one hosted by a project; loaded twice without change."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from alliance.models import AuditEntry
from events.models import Event, Registration

pytestmark = pytest.mark.django_db


def load() -> str:
    output = StringIO()
    call_command("load_demo_data", stdout=output)
    return output.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Event, Registration, AuditEntry)}


def test_demo_events_cover_every_kind_format_and_state_and_load_twice_without_change():
    # when
    first = load()
    after_first = counts()
    second = load()

    # then
    now = timezone.now()
    events = Event.objects.all()
    assert set(events.values_list("kind", flat=True)) == set(Event.Kind.values)
    assert set(events.values_list("format", flat=True)) == set(Event.Format.values)
    assert set(events.values_list("status", flat=True)) == set(Event.Status.values)
    assert events.filter(visibility=Event.Visibility.MEMBERS, status=Event.Status.PUBLISHED).exists()
    assert events.filter(project__isnull=False).exists()
    assert events.filter(ends_at__lt=now).count() >= 2 and events.filter(starts_at__gt=now).count() >= 5
    full = Event.objects.get(slug="red-teaming-clinic")
    assert full.seats_left == 0
    assert full.registrations.filter(status=Registration.Status.WAITLISTED).count() == 3
    past = Event.objects.get(slug="safety-benchmarks-meetup")
    assert past.registrations.filter(checked_in_at__isnull=False).count() == 6
    assert all(registration.created_at < past.starts_at for registration in past.registrations.all())
    for event in events:  # the counter the services keep matches the rows
        assert event.confirmed_count == event.registrations.filter(status=Registration.Status.CONFIRMED).count()
    assert "Events:" in first and "Red-teaming clinic: created" in first
    assert "Red-teaming clinic: already there" in second
    assert counts() == after_first
