"""Permission before input: whoever may not act is refused for that (403, or 404 when they may not even see the
event) whatever the body says, and nothing changes; only a caller who may act hears about bad input (400)."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alliance.models import AuditEntry
from events import services
from events.models import CalendarFeed, Event, Registration
from members.models import User
from tests.api_matrix import API, client_as
from tests.members.factories import UserFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db

NOT_A_DATE = "the day after tomorrow"


@dataclass
class World:
    public: Event
    members_only: Event  # organized by ``organizer``, who belongs to no member organization
    draft: Event
    attendance: Registration
    organizer: User
    outsider: User  # signed in, organizes nothing, belongs to no member organization
    colleague: User


@pytest.fixture
def world() -> World:
    organizer = UserFactory(name="Olga Organizer")
    public = EventFactory(title="Public workshop", organizers=[organizer], capacity=5)
    members_only = EventFactory(title="Members roundtable", visibility=Event.Visibility.MEMBERS, organizers=[organizer])
    draft = EventFactory(title="Draft hackathon", status=Event.Status.DRAFT, published_at=None, organizers=[organizer])
    attendance = services.event_register(actor=UserFactory(), event=public)
    return World(
        public=public,
        members_only=members_only,
        draft=draft,
        attendance=attendance,
        organizer=organizer,
        outsider=UserFactory(name="Otto Outsider"),
        colleague=UserFactory(name="Cleo Colleague"),
    )


def database_state() -> dict[str, Any]:
    """Everything these calls could change, to compare before and after."""
    return {
        "events": list(Event.objects.order_by("pk").values()),
        "organizers": list(Event.organizers.through.objects.order_by("pk").values_list("event_id", "user_id")),
        "registrations": list(Registration.objects.order_by("pk").values()),
        "feeds": list(CalendarFeed.objects.order_by("pk").values_list("person_id", "token")),
        "audit": AuditEntry.objects.count(),
    }


# --- the API ---------------------------------------------------------------------------------------------------

BAD_EVENT = {"title": "", "kind": "party", "starts_at": NOT_A_DATE, "capacity": 0, "timezone": "Mars/Olympus"}

API_CASES = [  # name, caller, method, path, invalid body, expected
    ("create", "outsider", "post", "/events/", BAD_EVENT, 403),
    ("create as an organizer of events, not a lead", "organizer", "post", "/events/", BAD_EVENT, 403),
    ("update", "outsider", "patch", "/events/{w.public.slug}/", BAD_EVENT, 403),
    ("update a draft", "outsider", "patch", "/events/{w.draft.slug}/", BAD_EVENT, 404),
    ("replace", "outsider", "put", "/events/{w.public.slug}/", BAD_EVENT, 403),
    ("change capacity", "outsider", "patch", "/events/{w.public.slug}/", {"capacity": -3}, 403),
    ("publish", "outsider", "post", "/events/{w.public.slug}/publish/", {"status": 12}, 403),
    ("publish a draft", "outsider", "post", "/events/{w.draft.slug}/publish/", {"status": 12}, 404),
    ("cancel", "outsider", "post", "/events/{w.public.slug}/cancel/", {"reason": ["not", "text"]}, 403),
    ("cancel a draft", "outsider", "post", "/events/{w.draft.slug}/cancel/", {"reason": ["not", "text"]}, 404),
    (
        "register for a members-only event",
        "organizer",
        "post",
        "/events/{w.members_only.slug}/register/",
        {"x": []},
        403,
    ),
    ("register for a hidden event", "outsider", "post", "/events/{w.members_only.slug}/register/", {"x": []}, 404),
    (
        "cancel a registration of a hidden event",
        "outsider",
        "post",
        "/events/{w.members_only.slug}/cancel-registration/",
        {"x": []},
        404,
    ),
    (
        "check in",
        "outsider",
        "post",
        "/events/{w.public.slug}/registrations/{w.attendance.pk}/check-in/",
        {"checked_in_at": NOT_A_DATE},
        403,
    ),
    ("filter registrations", "outsider", "get", "/events/{w.public.slug}/registrations/?status=lost", None, 403),
    ("add an organizer", "outsider", "post", "/events/{w.public.slug}/organizers/", {"email": "not an address"}, 403),
    (
        "add an organizer to a draft",
        "outsider",
        "post",
        "/events/{w.draft.slug}/organizers/",
        {"email": "not an address"},
        404,
    ),
    (
        "remove an organizer",
        "outsider",
        "delete",
        "/events/{w.public.slug}/organizers/{w.organizer.pk}/",
        {"user": "not an id"},
        403,
    ),
]


@pytest.mark.parametrize(
    ("name", "caller", "method", "path", "body", "expected"), API_CASES, ids=[c[0] for c in API_CASES]
)
def test_api_refuses_who_may_not_act_before_reading_the_body(world, name, caller, method, path, body, expected):
    # given a caller without the right, and a body that is not valid either
    client = client_as(getattr(world, caller))
    before = database_state()

    # when
    response = getattr(client, method)(API + path.format(w=world), body, format="json")

    # then the answer is about the right, not the body, and nothing changed
    assert response.status_code == expected, response.content
    assert "errors" not in response.json()
    assert database_state() == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/events/{w.public.slug}/", BAD_EVENT),
        ("post", "/events/{w.public.slug}/cancel/", {"reason": ["not", "text"]}),
        ("post", "/events/{w.public.slug}/organizers/", {"email": "not an address"}),
        ("get", "/events/{w.public.slug}/registrations/?status=lost", None),
    ],
)
def test_api_tells_who_may_act_about_the_bad_input(world, method, path, body):
    response = getattr(client_as(world.organizer), method)(API + path.format(w=world), body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["errors"]


# --- the pages -------------------------------------------------------------------------------------------------

BAD_FORM = {"title": "", "kind": "party", "starts_at": NOT_A_DATE, "timezone": "Mars/Olympus", "capacity": "0"}

PAGE_CASES = [  # name, caller, url name, url arguments, invalid body, expected
    ("create", "outsider", "event_create", [], BAD_FORM, 403),
    ("edit", "outsider", "event_edit", ["{w.public.slug}"], BAD_FORM, 403),
    ("edit a draft", "outsider", "event_edit", ["{w.draft.slug}"], BAD_FORM, 404),
    ("publish", "outsider", "event_publish", ["{w.draft.slug}"], {"status": "x"}, 404),
    ("publish a visible event", "outsider", "event_publish", ["{w.public.slug}"], {"status": "x"}, 403),
    ("cancel", "outsider", "event_cancel", ["{w.public.slug}"], {"reason": "x" * 5000}, 403),
    ("capacity", "outsider", "event_capacity", ["{w.public.slug}"], {"capacity": "-3"}, 403),
    ("register for a members-only event", "organizer", "event_register", ["{w.members_only.slug}"], {"x": "?"}, 403),
    ("register for a hidden event", "outsider", "event_register", ["{w.members_only.slug}"], {"x": "?"}, 404),
    (
        "cancel a registration of a hidden event",
        "outsider",
        "event_registration_cancel",
        ["{w.members_only.slug}"],
        {"x": "?"},
        404,
    ),
    ("check in", "outsider", "registration_check_in", ["{w.public.slug}", "{w.attendance.pk}"], {"x": "?"}, 403),
    (
        "cancel someone's registration",
        "outsider",
        "registration_cancel",
        ["{w.public.slug}", "{w.attendance.pk}"],
        {"x": "?"},
        403,
    ),
    ("add an organizer", "outsider", "event_organizer_add", ["{w.public.slug}"], {"email": "not an address"}, 403),
    (
        "remove an organizer",
        "outsider",
        "event_organizer_remove",
        ["{w.public.slug}", "{w.organizer.pk}"],
        {"x": "?"},
        403,
    ),
]


@pytest.mark.parametrize(
    ("name", "caller", "url", "args", "body", "expected"), PAGE_CASES, ids=[c[0] for c in PAGE_CASES]
)
def test_pages_refuse_who_may_not_act_before_reading_the_form(world, name, caller, url, args, body, expected):
    # given a signed-in person without the right, and a form that is not valid either
    client = Client()
    client.force_login(getattr(world, caller))
    before = database_state()

    # when
    response = client.post(reverse(f"events:{url}", args=[arg.format(w=world) for arg in args]), body)

    # then
    assert response.status_code == expected
    assert database_state() == before


def test_the_calendar_feed_reset_sends_anonymous_visitors_to_sign_in_and_changes_nothing(world):
    services.calendar_feed_for(actor=world.outsider)
    before = database_state()

    response = Client().post(reverse("events:calendar_feed_reset"), {"token": ["x", "y"]})

    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert database_state() == before


def test_the_page_offers_no_registration_to_whom_the_service_would_refuse(world):
    # the organizer of a members-only event, who belongs to no member organization, sees it but may not take a seat
    client = Client()
    client.force_login(world.organizer)

    page = client.get(world.members_only.get_absolute_url()).content.decode()

    assert "This event is for people of alliance member organizations." in page
    assert 'type="submit">Register</button>' not in page
