"""An event at 09:00 in Tokyo, read from Berlin and from New York, in winter and in summer (each side of a
daylight-saving change): the page, the email and the API say the event's own time and the reader's."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from alliance.locale import ZONE_COOKIE, person_time_zone_set
from alliance.models import Notification
from events import services
from members.services import api_token_create
from tests.members.factories import UserFactory

from ..events.factories import EventFactory

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
SEASONS = [
    pytest.param(
        datetime(2027, 1, 15, 9, 0, tzinfo=TOKYO),
        {"Europe/Berlin": ("Fri 15 Jan, 01:00 CET", "+01:00"), "America/New_York": ("Thu 14 Jan, 19:00 EST", "-05:00")},
        id="winter",
    ),
    pytest.param(
        datetime(2027, 7, 15, 9, 0, tzinfo=TOKYO),
        {
            "Europe/Berlin": ("Thu 15 Jul, 02:00 CEST", "+02:00"),
            "America/New_York": ("Wed 14 Jul, 20:00 EDT", "-04:00"),
        },
        id="summer",
    ),
]


def _event(starts: datetime):
    return EventFactory(starts_at=starts, ends_at=starts + timedelta(hours=2), timezone="Asia/Tokyo")


@pytest.mark.parametrize(("starts", "readers"), SEASONS)
def test_the_event_page_shows_the_events_time_and_each_readers(client, starts, readers):
    event = _event(starts)
    for zone, (theirs, _) in readers.items():
        person = UserFactory()
        person_time_zone_set(person=person, time_zone=zone)
        client.force_login(person)

        page = client.get(reverse("events:event_detail", kwargs={"slug": event.slug})).content.decode()

        assert "09:00" in page and "JST" in page  # the event's own time, with its zone
        assert f"Your time: <span data-local-text>{theirs} – " in page  # and theirs, written by the server


@pytest.mark.parametrize(("starts", "readers"), SEASONS)
def test_the_confirmation_email_says_the_events_time_and_the_recipients(starts, readers):
    event = _event(starts)
    for zone, (theirs, _) in readers.items():
        person = UserFactory()
        person_time_zone_set(person=person, time_zone=zone)

        services.event_register(actor=person, event=event)

        body = Notification.objects.get(recipient=person).body
        assert "09:00 JST (Asia/Tokyo; " in body and f"{theirs} for you)" in body


@pytest.mark.parametrize(("starts", "readers"), SEASONS)
def test_the_api_gives_iso_times_in_the_readers_zone(api_client, starts, readers):
    event = _event(starts)
    for zone, (_, offset) in readers.items():
        person = UserFactory()
        person_time_zone_set(person=person, time_zone=zone)
        _, key = api_token_create(actor=person, name="laptop")

        answer = api_client.get(f"/api/v1/events/{event.slug}/", HTTP_AUTHORIZATION=f"Token {key}").json()

        assert answer["starts_at"].endswith(offset)
        assert datetime.fromisoformat(answer["starts_at"]) == starts  # the same moment, written for the reader


def test_a_reader_in_the_events_own_zone_is_not_told_it_twice(client):
    event = _event(datetime(2027, 1, 15, 9, 0, tzinfo=TOKYO))
    person = UserFactory()
    person_time_zone_set(person=person, time_zone="Asia/Tokyo")
    client.force_login(person)

    page = client.get(reverse("events:event_detail", kwargs={"slug": event.slug})).content.decode()

    # the server knew, and left "your time" out; the browser's script (which reads the browser's zone) leaves it too
    assert "data-rendered hidden>Your time: <span data-local-text></span>" in page


def test_visitors_in_two_zones_each_get_their_own_cached_list(client, settings):
    # given the events list kept in the cache for visitors, and two visitors whose browsers are in two zones
    settings.PAGE_CACHE_SECONDS = 60
    _event(datetime(2027, 1, 15, 9, 0, tzinfo=TOKYO))

    def events_page(zone: str) -> str:
        client.cookies[ZONE_COOKIE] = zone
        return client.get(reverse("events:event_list")).content.decode()

    # when each opens it twice (the second time from the cache)
    berlin = [events_page("Europe/Berlin") for _ in range(2)]
    new_york = [events_page("America/New_York") for _ in range(2)]

    # then each reads their own time, never the other's
    assert all("Fri 15 Jan, 01:00 CET" in page and "EST" not in page for page in berlin)
    assert all("Thu 14 Jan, 19:00 EST" in page and "01:00 CET" not in page for page in new_york)


def test_a_visitor_in_utc_and_a_visitor_whose_zone_is_unknown_get_their_own_cached_list(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    _event(datetime(2027, 1, 15, 9, 0, tzinfo=TOKYO))

    client.cookies[ZONE_COOKIE] = "UTC"
    in_utc = client.get(reverse("events:event_list")).content.decode()
    del client.cookies[ZONE_COOKIE]
    unknown = client.get(reverse("events:event_list")).content.decode()

    assert "Fri 15 Jan, 00:00 UTC" in in_utc
    assert "data-rendered" not in unknown  # the browser's script writes "your time" for a first-time visitor
