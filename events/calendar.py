"""iCalendar (RFC 5545) files: one per event, and each person's private feed of confirmed events.

Every text property (the calendar's NAME and X-WR-CALNAME, an event's SUMMARY, DESCRIPTION and LOCATION) goes
out as ``_Text``, escaped as the RFC says, so no title, venue or description, whatever it holds, can end a content
line early or add a property of its own: titles are single-line (``alliance.text.clean_name``), but rows written
before that rule, and descriptions, still hold line breaks.
"""

from collections.abc import Iterable
from datetime import UTC
from urllib.parse import urlencode

from django.conf import settings
from icalendar import Calendar, vText
from icalendar import Event as CalendarEvent

from .models import Event


class _Text(vText):
    """A TEXT value escaped as RFC 5545 section 3.3.11 says, every character kept.

    Backslash, semicolon and comma are escaped, and every line break (CRLF, LF, a bare CR) is written ``\\n``.
    icalendar's own escaping reads a literal ``\\N`` in the text as a line break, and leaves NAME and X-WR-CALNAME
    (which ``Calendar.new`` sets as untyped values) unescaped, a bare CR included.
    """

    def to_ical(self) -> bytes:
        escaped = (
            str(self)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\\n")
            .replace("\r", "\\n")
            .replace("\n", "\\n")
        )
        return escaped.encode(self.encoding)


def _calendar(name: str) -> Calendar:
    calendar = Calendar.new(name=_Text(name), prodid="-//Alliance Portal//Events//EN")
    calendar.add("method", "PUBLISH")
    return calendar


def _component(event: Event, *, with_online_link: bool) -> CalendarEvent:
    url = settings.SITE_URL + event.get_absolute_url()
    component = CalendarEvent.new(
        uid=f"event-{event.pk}@alliance-portal",
        summary=_Text(event.title),
        start=event.starts_at.astimezone(event.tzinfo),
        end=event.ends_at.astimezone(event.tzinfo),
        description=_Text(event.description) if event.description else None,
        url=url,
    )
    location = [part for part in (event.venue, event.online_url if with_online_link else "") if part]
    if location:
        component.add("location", _Text(" / ".join(location)))
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


def calendar_links(event: Event) -> dict[str, str]:
    """ "Add to Google Calendar" and "Add to Outlook" addresses for the event (beside its .ics file): the title, the
    times in UTC, the page's address and the venue; never the online link, which only attendees get."""
    page = settings.SITE_URL + event.get_absolute_url()
    details = f"{page}"
    start, end = event.starts_at.astimezone(UTC), event.ends_at.astimezone(UTC)
    google = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": details,
        "location": event.venue,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "body": details,
        "location": event.venue,
    }
    return {
        "google": "https://calendar.google.com/calendar/render?" + urlencode(google),
        "outlook": "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(outlook),
    }
