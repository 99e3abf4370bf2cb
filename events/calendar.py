"""iCalendar (RFC 5545) files: one per event, and each person's private feed of confirmed events."""

from collections.abc import Iterable

from django.conf import settings
from icalendar import Calendar, vText
from icalendar import Event as CalendarEvent

from .models import Event


def _calendar(name: str) -> Calendar:
    calendar = Calendar.new(name=name, prodid="-//Alliance Portal//Events//EN")
    calendar.add("method", "PUBLISH")
    return calendar


def _component(event: Event, *, with_online_link: bool) -> CalendarEvent:
    url = settings.SITE_URL + event.get_absolute_url()
    component = CalendarEvent.new(
        uid=f"event-{event.pk}@alliance-portal",
        summary=event.title,
        start=event.starts_at.astimezone(event.tzinfo),
        end=event.ends_at.astimezone(event.tzinfo),
        description=event.description or None,
        url=url,
    )
    location = [part for part in (event.venue, event.online_url if with_online_link else "") if part]
    if location:
        component.add("location", vText(" / ".join(location)))
    component.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    return component


def event_calendar(event: Event, *, with_online_link: bool) -> bytes:
    """The .ics of one event; the online link only for confirmed attendees and organizers."""
    calendar = _calendar(event.title)
    calendar.add_component(_component(event, with_online_link=with_online_link))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_calendar(events: Iterable[Event], *, owner: str) -> bytes:
    """A person's feed: the events they hold a confirmed seat at, with their online links."""
    calendar = _calendar(f"Alliance events of {owner}")
    for event in events:
        calendar.add_component(_component(event, with_online_link=True))
    calendar.add_missing_timezones()
    return calendar.to_ical()
