"""Titles are single-line, and every text property of a calendar is escaped as RFC 5545 says.

An event title with a line break broke that event's .ics for everyone (icalendar refuses to write the line: a
500), and a bare carriage return in a person's name went unescaped into the feed's NAME and X-WR-CALNAME.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from alliance.errors import DomainError
from events import services
from events.models import Event
from members.models import User
from tests.api_matrix import API, client_as
from tests.members.factories import UserFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db

BROKEN_TITLES = ["Clinic\nDTSTART:19700101T000000Z", "Clinic\r\nATTACH:https://evil.example/", "Clinic\rX-EVIL:1"]
AWKWARD = "Red-teaming; evals, \\Night\\ school\nDay two\r\nDay three\rEnd"
ESCAPED = "Red-teaming\\; evals\\, \\\\Night\\\\ school\\nDay two\\nDay three\\nEnd"


def content_lines(body: bytes) -> list[bytes]:
    """The content lines of an iCalendar body, unfolded; each must hold no CR or LF of its own."""
    assert body.endswith(b"\r\n")
    unfolded = body.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
    lines = unfolded[: -len(b"\r\n")].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, line
    return lines


def property_value(lines: list[bytes], name: bytes) -> str:
    [line] = [line for line in lines if line.split(b":", 1)[0].split(b";", 1)[0] == name]
    return line.split(b":", 1)[1].decode()


def _create(staff, **overrides) -> Event:
    start = timezone.now() + timedelta(days=10)
    values = {
        "title": "Red-teaming clinic", "kind": Event.Kind.WORKSHOP, "format": Event.Format.VIRTUAL,
        "starts_at": start, "ends_at": start + timedelta(hours=2),
    }  # fmt: skip
    return services.event_create(actor=staff, **{**values, **overrides})


# --- titles are single-line ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("title", BROKEN_TITLES)
def test_the_service_refuses_a_title_with_a_line_break_on_create_and_on_update(staff, event, title):
    with pytest.raises(DomainError) as on_create:
        _create(staff, title=title)
    with pytest.raises(DomainError) as on_update:
        services.event_update(actor=staff, event=event, title=title)

    assert on_create.value.field == on_update.value.field == "title"
    assert "one line" in on_create.value.message
    assert not Event.objects.filter(title__startswith="Clinic").exists()
    event.refresh_from_db()
    assert event.title.startswith("Workshop")


def test_the_api_answers_400_on_the_title_and_creates_or_changes_nothing(staff, event):
    client = client_as(staff)
    start = timezone.now() + timedelta(days=20)
    body = {
        "title": "API clinic\r\nX-EVIL:1",
        "kind": "workshop",
        "format": "virtual",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
    }

    created = client.post(f"{API}/events/", body, format="json")
    updated = client.patch(f"{API}/events/{event.slug}/", {"title": "Renamed\rX-EVIL:1"}, format="json")

    for response in (created, updated):
        assert response.status_code == 400, response.content
        assert "one line" in response.json()["errors"]["title"][0]
    assert not Event.objects.filter(title__startswith="API clinic").exists()
    event.refresh_from_db()
    assert not event.title.startswith("Renamed")


def test_the_form_shows_the_refusal_on_the_title(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("events:event_create"),
        {
            "title": "Form clinic\nX-EVIL:1",
            "kind": "workshop",
            "format": "virtual",
            "timezone": "UTC",
            "starts_at": "2031-05-04T18:00",
            "ends_at": "2031-05-04T21:00",
            "visibility": "public",
        },
    )

    assert response.status_code == 400
    assert "one line" in " ".join(response.context["form"].errors["title"])
    assert not Event.objects.filter(title__startswith="Form clinic").exists()


# --- every text property is escaped ----------------------------------------------------------------------------------


def test_an_existing_title_with_line_breaks_still_gives_a_valid_ics_with_every_text_property_escaped(client):
    # given an event written before titles were single-line, with awkward characters in every text property
    event = EventFactory(title=AWKWARD, venue=AWKWARD, description=AWKWARD)

    # when anyone downloads its .ics
    response = client.get(reverse("events:event_ics", kwargs={"slug": event.slug}))

    # then each property is one content line, escaped as RFC 5545 says, and reads back as it was written
    assert response.status_code == 200
    lines = content_lines(response.content)
    assert property_value(lines, b"SUMMARY") == ESCAPED
    assert property_value(lines, b"DESCRIPTION") == ESCAPED
    assert property_value(lines, b"LOCATION") == ESCAPED  # the venue alone: no online link for a visitor
    assert property_value(lines, b"NAME") == ESCAPED
    assert property_value(lines, b"X-WR-CALNAME") == ESCAPED
    [component] = Calendar.from_ical(response.content).walk("VEVENT")
    expected = AWKWARD.replace("\r\n", "\n").replace("\r", "\n")
    assert str(component["SUMMARY"]) == str(component["DESCRIPTION"]) == expected


def test_a_bare_carriage_return_in_the_owners_name_is_escaped_in_the_feeds_name(client):
    # given a person whose name (written before names were checked) holds a bare CR and a property of its own
    owner = UserFactory()
    User.objects.filter(pk=owner.pk).update(name="Fei\rX-EVIL:1; Owner, \\ Jr")
    owner.refresh_from_db()
    services.event_register(actor=owner, event=EventFactory(title="Brussels workshop"))
    token = services.calendar_feed_for(actor=owner).token

    # when the calendar application fetches the feed
    response = client.get(reverse("events:calendar_feed", kwargs={"token": token}))

    # then the name stays inside NAME and X-WR-CALNAME, escaped
    assert response.status_code == 200
    lines = content_lines(response.content)
    expected = "Alliance events of Fei\\nX-EVIL:1\\; Owner\\, \\\\ Jr"
    assert property_value(lines, b"NAME") == property_value(lines, b"X-WR-CALNAME") == expected
    assert not any(line.startswith(b"X-EVIL") for line in lines)
    assert property_value(lines, b"SUMMARY") == "Brussels workshop"
