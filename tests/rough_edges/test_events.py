"""Events' rough edges: an event that has already started is never published; a cancelled one shows neither seats
nor calendar links; the others offer Google Calendar and Outlook beside the .ics file."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.errors import DomainError
from alliance.models import AuditEntry
from events import services
from events.models import Event
from tests.events.factories import EventFactory
from tests.members.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_draft():
    staff = StaffFactory()
    starts_at = timezone.now() - timedelta(days=365 * 6)
    return EventFactory(
        status=Event.Status.DRAFT,
        published_at=None,
        created_by=staff,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
    )


def test_publishing_an_event_that_already_started_is_refused(past_draft):
    with pytest.raises(DomainError, match="already started") as refusal:
        services.event_publish(actor=past_draft.created_by, event=past_draft)

    assert refusal.value.field == "starts_at"
    past_draft.refresh_from_db()
    assert past_draft.status == Event.Status.DRAFT
    assert not AuditEntry.objects.filter(action="event.published").exists()


def test_the_publish_button_says_why_and_leaves_the_draft(client, past_draft):
    client.force_login(past_draft.created_by)

    response = client.post(reverse("events:event_publish", args=[past_draft.slug]), follow=True)

    assert "already started" in response.content.decode()
    past_draft.refresh_from_db()
    assert past_draft.status == Event.Status.DRAFT


def test_the_api_refuses_it_in_the_one_error_shape(api_client, past_draft):
    api_client.force_authenticate(past_draft.created_by)

    response = api_client.post(f"/api/v1/events/{past_draft.slug}/publish/")

    assert response.status_code == 400
    assert "already started" in response.json()["detail"]
    past_draft.refresh_from_db()
    assert past_draft.status == Event.Status.DRAFT


def test_a_future_draft_is_still_published(past_draft):
    past_draft.starts_at = timezone.now() + timedelta(days=2)
    past_draft.ends_at = past_draft.starts_at + timedelta(hours=2)
    past_draft.save()

    assert services.event_publish(actor=past_draft.created_by, event=past_draft).status == Event.Status.PUBLISHED


def test_a_cancelled_event_shows_neither_seats_nor_calendar_links(client):
    event = EventFactory(status=Event.Status.CANCELLED)

    page = client.get(reverse("events:event_detail", args=[event.slug])).content.decode()

    assert "Cancelled" in page
    assert "<dt>Seats</dt>" not in page
    assert reverse("events:event_ics", args=[event.slug]) not in page
    assert "calendar.google.com" not in page and "outlook.live.com" not in page


def test_an_event_offers_google_calendar_and_outlook_beside_the_ics_file(client, settings):
    settings.SITE_URL = "https://portal.alliance.example"
    starts_at = timezone.now().replace(microsecond=0) + timedelta(days=3)
    event = EventFactory(title="Evals & tea", starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))

    page = client.get(reverse("events:event_detail", args=[event.slug])).content.decode()

    assert "<dt>Seats</dt>" in page
    assert reverse("events:event_ics", args=[event.slug]) in page
    start = starts_at.astimezone(UTC)
    end = start + timedelta(hours=2)
    google = (
        "https://calendar.google.com/calendar/render?action=TEMPLATE&amp;text=Evals+%26+tea"
        f"&amp;dates={start:%Y%m%dT%H%M%SZ}%2F{end:%Y%m%dT%H%M%SZ}"
    )
    assert google in page
    assert "https://outlook.live.com/calendar/0/deeplink/compose?path=%2Fcalendar%2Faction%2Fcompose" in page
    assert f"startdt={start:%Y-%m-%dT%H}%3A" in page
    assert "portal.alliance.example%2Fevents%2F" in page
    assert event.online_url not in page.split("calendar-links", 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize("htmx", [True, False])
def test_registering_says_you_have_a_seat_once(client, htmx):
    event = EventFactory()
    client.force_login(UserFactory())
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(reverse("events:event_register", args=[event.slug]), headers=headers, follow=not htmx)

    page = response.content.decode()
    assert page.count("You have a seat") == 1
    assert "You are registered. A confirmation is on its way to your inbox." in page


def test_the_time_zone_list_offers_each_zone_once_the_common_ones_first():
    from events.forms import EventForm

    choices = list(EventForm().fields["timezone"].choices)
    (common_label, common), (all_label, others) = choices
    names = [name for name, _label in common] + [name for name, _label in others]

    assert (common_label, all_label) == ("Common", "All time zones")
    assert common[0][0] == "UTC" and "Europe/Brussels" in dict(common)
    assert len(names) == len(set(names))
    assert "Asia/Kolkata" in names and "Asia/Calcutta" not in names
    assert "Europe/Kyiv" in names and "Europe/Kiev" not in names
    assert not any(name.startswith(("US/", "Etc/")) for name in names)
    assert ("America/Sao_Paulo", "America/Sao Paulo") in common


def test_my_events_lists_a_cancelled_event_apart_not_under_coming_up(client):
    person = UserFactory()
    kept = EventFactory(title="Kept workshop")
    called_off = EventFactory(title="Called-off workshop")
    services.event_register(actor=person, event=kept)
    services.event_register(actor=person, event=called_off)
    services.event_cancel(actor=called_off.created_by, event=called_off, reason="Snow.")
    client.force_login(person)

    page = client.get(reverse("events:my_events")).content.decode()
    coming_up = page.split('id="upcoming-heading"', 1)[1].split("</section>", 1)[0]
    cancelled = page.split('id="cancelled-heading"', 1)[1].split("</section>", 1)[0]

    assert "Kept workshop" in coming_up and "Called-off workshop" not in coming_up
    assert "Called-off workshop" in cancelled and "Cancelled" in cancelled
