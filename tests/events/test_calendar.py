"""Calendars: each event's .ics and each person's private feed parse as iCalendar and carry the right time zone;
the online link goes only to confirmed people; the feed lists only the owner's confirmed events and dies on reset."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.models import Event
from tests.members.factories import UserFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db


def parsed(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def vevents(calendar: Calendar) -> list:
    return [component for component in calendar.walk("VEVENT")]


def test_event_ics_has_uid_dtstamp_start_in_the_events_zone_with_its_vtimezone_and_location(client):
    start = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    event = EventFactory(timezone="America/New_York", starts_at=start, venue="1 Main St, Boston")

    response = client.get(reverse("events:event_ics", kwargs={"slug": event.slug}))

    calendar = parsed(response)
    assert 'filename="' + event.slug + '.ics"' in response["Content-Disposition"]
    [component] = vevents(calendar)
    assert str(component["UID"]) == f"event-{event.pk}@alliance-portal"
    assert component.get("DTSTAMP") is not None
    assert component["DTSTART"].params["TZID"] == "America/New_York"
    assert component.decoded("DTSTART") == start
    assert str(component.decoded("DTSTART").tzinfo) == "America/New_York"
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert str(component["SUMMARY"]) == event.title
    assert "1 Main St, Boston" in str(component["LOCATION"])


@pytest.mark.parametrize(
    ("role", "gets_link"),
    [("anonymous", False), ("other", False), ("waiting", False), ("confirmed", True), ("organizer", True)],
)
def test_event_ics_has_the_online_link_only_for_confirmed_people_and_organizers(client, staff, role, gets_link):
    event = EventFactory(capacity=1, organizers=[staff])
    confirmed, waiting = UserFactory(), UserFactory()
    services.event_register(actor=confirmed, event=event)
    services.event_register(actor=waiting, event=event)
    viewer = {"other": UserFactory(), "waiting": waiting, "confirmed": confirmed, "organizer": staff}.get(role)
    if viewer is not None:
        client.force_login(viewer)

    [component] = vevents(parsed(client.get(reverse("events:event_ics", kwargs={"slug": event.slug}))))

    assert "Alliance House" in str(component["LOCATION"])  # the venue, for everyone
    assert (event.online_url in str(component["LOCATION"])) is gets_link


def test_event_ics_follows_the_visibility_rules(client, person, member):
    draft = EventFactory(status=Event.Status.DRAFT, published_at=None)
    members_only = EventFactory(visibility=Event.Visibility.MEMBERS)

    assert client.get(reverse("events:event_ics", kwargs={"slug": draft.slug})).status_code == 404
    client.force_login(person)
    assert client.get(reverse("events:event_ics", kwargs={"slug": draft.slug})).status_code == 404
    assert client.get(reverse("events:event_ics", kwargs={"slug": members_only.slug})).status_code == 404
    client.force_login(member)
    assert client.get(reverse("events:event_ics", kwargs={"slug": members_only.slug})).status_code == 200


def test_a_cancelled_events_ics_says_so(client):
    event = EventFactory(status=Event.Status.CANCELLED)

    [component] = vevents(parsed(client.get(reverse("events:event_ics", kwargs={"slug": event.slug}))))

    assert str(component["STATUS"]) == "CANCELLED"


def test_the_feed_lists_only_the_owners_confirmed_events_not_cancelled_ones(client, staff):
    # given a person confirmed at two events (one in Tokyo), waitlisted at a third, cancelled at a fourth,
    # confirmed at an event that was then cancelled, and someone else's event
    owner = UserFactory(name="Fei Owner")
    brussels = EventFactory(title="Brussels workshop")
    tokyo = EventFactory(title="Tokyo meetup", timezone="Asia/Tokyo")
    full = EventFactory(title="Full event", capacity=1)
    left = EventFactory(title="Left event")
    called_off = EventFactory(title="Called off", created_by=staff)
    others = EventFactory(title="Someone else's")
    for event in (brussels, tokyo, left, called_off):
        services.event_register(actor=owner, event=event)
    services.event_register(actor=UserFactory(), event=full)
    services.event_register(actor=owner, event=full)
    services.event_registration_cancel(actor=owner, event=left)
    services.event_cancel(actor=staff, event=called_off)
    services.event_register(actor=UserFactory(), event=others)
    feed = services.calendar_feed_for(actor=owner)

    # when the calendar application fetches the feed, without any session
    calendar = parsed(client.get(reverse("events:calendar_feed", kwargs={"token": feed.token})))

    # then only the confirmed, not cancelled events are there, each in its own zone, with its online link
    components = vevents(calendar)
    assert sorted(str(component["SUMMARY"]) for component in components) == ["Brussels workshop", "Tokyo meetup"]
    assert {component["DTSTART"].params["TZID"] for component in components} == {"Europe/Brussels", "Asia/Tokyo"}
    assert {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")} == {"Europe/Brussels", "Asia/Tokyo"}
    assert all(brussels.online_url in str(component["LOCATION"]) for component in components)
    assert "Fei Owner" in str(calendar.get("X-WR-CALNAME") or calendar.get("NAME"))


def test_the_feed_answers_404_after_a_reset_and_for_unknown_tokens(client, person):
    services.event_register(actor=person, event=EventFactory())
    old = services.calendar_feed_for(actor=person).token

    new = services.calendar_feed_reset(actor=person).token

    assert client.get(reverse("events:calendar_feed", kwargs={"token": old})).status_code == 404
    assert client.get(reverse("events:calendar_feed", kwargs={"token": "not-a-token"})).status_code == 404
    assert len(vevents(parsed(client.get(reverse("events:calendar_feed", kwargs={"token": new}))))) == 1


def test_the_feed_of_a_deactivated_account_is_gone(client, person):
    token = services.calendar_feed_for(actor=person).token
    person.is_active = False
    person.save(update_fields=["is_active"])

    assert client.get(reverse("events:calendar_feed", kwargs={"token": token})).status_code == 404
