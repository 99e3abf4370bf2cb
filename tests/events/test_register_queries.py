"""What a registration costs: the service, the page and the API each run a fixed number of queries, seat or waitlist.

The event is read lightly (its row, no viewer annotations) and the seat taken by one conditional UPDATE after the
registration, audit entry and notification are written: these pins only ever go down.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.errors import DomainError
from events import selectors, services
from events.models import Event, Registration
from tests.members.factories import UserFactory

from .factories import EventFactory

pytestmark = pytest.mark.django_db

SERVICE_QUERIES = 9  # seat organization, (savepoint), registration, audit, webhooks,
# notification, lock timeout, the seat (or the lock, when waiting), (release)
PAGE_QUERIES = 12  # a plain form post: session, person, the event's row, the service, the waitlist position
HTMX_QUERIES = 14  # and the fresh registration panel
API_QUERIES = 10  # token or session, the event's row, the service


@pytest.fixture
def event():
    """Two seats; one taken already (and the process's caches warm)."""
    event = EventFactory(capacity=2)
    services.event_register(actor=UserFactory(), event=event)
    return event


def _queries(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        result = call()
    return len(queries), result


def test_the_service_costs_the_same_for_a_seat_and_for_the_waitlist(event):
    first, second = UserFactory(), UserFactory()
    seated, seat = _queries(lambda: services.event_register(actor=first, event=event))
    waiting, wait = _queries(lambda: services.event_register(actor=second, event=event))

    assert (seat.status, wait.status) == (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
    assert seated == waiting == SERVICE_QUERIES


@pytest.mark.parametrize("full", [False, True])
def test_the_page_post_costs_a_fixed_number_of_queries(client, event, full, django_assert_num_queries):
    if full:
        services.event_register(actor=UserFactory(), event=event)
    client.force_login(UserFactory())
    url = reverse("events:event_register", kwargs={"slug": event.slug})

    with django_assert_num_queries(PAGE_QUERIES + (1 if full else 0)):  # the waitlist position is told
        assert client.post(url).status_code == 302


def test_the_htmx_post_costs_a_fixed_number_of_queries(client, event, django_assert_num_queries):
    client.force_login(UserFactory())
    url = reverse("events:event_register", kwargs={"slug": event.slug})

    with django_assert_num_queries(HTMX_QUERIES):
        response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "You have a seat" in response.content.decode()


def test_the_api_post_costs_a_fixed_number_of_queries(api_client, event, django_assert_num_queries):
    api_client.force_authenticate(UserFactory())

    with django_assert_num_queries(API_QUERIES):
        response = api_client.post(f"/api/v1/events/{event.slug}/register/")
    assert response.status_code == 201 and response.json()["status"] == "confirmed"


def test_registering_twice_from_a_stale_page_is_refused_by_the_database_and_changes_nothing(event):
    # given a person who opened the event page, then registered from another tab
    person = UserFactory()
    stale = selectors.event_for_viewer(person=person, slug=event.slug)  # read before they registered
    services.event_register(actor=person, event=event)
    event.refresh_from_db()

    # when the first tab registers with what it read
    with pytest.raises(DomainError, match=r"You are already registered for this event\."):
        services.event_register(actor=person, event=stale)

    # then nothing changed: one registration, the seat count as it was
    assert Registration.objects.filter(event=event, person=person).count() == 1
    assert Event.objects.get(pk=event.pk).confirmed_count == event.confirmed_count == 2


def test_the_event_a_registration_starts_from_is_read_in_one_query_when_public(event, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert selectors.event_visible(person=UserFactory.build(), slug=event.slug) == event


@pytest.mark.parametrize(
    ("changes", "hidden_from_a_stranger"),
    [
        ({"status": Event.Status.DRAFT}, True),
        ({"visibility": Event.Visibility.MEMBERS}, True),
        ({"status": Event.Status.CANCELLED}, False),
    ],
    ids=["draft", "members only", "cancelled (listed)"],
)
def test_any_other_event_is_asked_of_the_visibility_rules(event, changes, hidden_from_a_stranger):
    # given an event that is not a listed public one, and a stranger and one of its organizers
    Event.objects.filter(pk=event.pk).update(**changes)
    stranger, organizer = UserFactory(), event.organizers.get()

    # then the stranger sees it only when the rules say so, the organizer always
    assert (selectors.event_visible(person=stranger, slug=event.slug) is None) is hidden_from_a_stranger
    assert selectors.event_visible(person=organizer, slug=event.slug) == event
    assert selectors.event_visible(person=stranger, slug="no-such-event") is None
