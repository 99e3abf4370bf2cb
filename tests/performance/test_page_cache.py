"""The list pages anonymous visitors see are served from the cache, with this visitor's nonce and CSRF token, and a
change made through a service shows on the next visit (the services' audit entries move the pages' versions on)."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from events import services as event_services
from members import services as member_services
from projects import services as project_services
from tests.events.factories import EventFactory
from tests.members.factories import AdminAffiliationFactory, OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import LeadFactory, ProjectFactory

pytestmark = pytest.mark.django_db

EVENTS, PROJECTS, MEMBERS = "events:event_list", "projects:project_list", "members:directory"
NONCE = re.compile(r'nonce="([^"]+)"')
TOKEN = re.compile(r'"x-csrftoken": "([A-Za-z0-9]+)"')


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def _page(client, name: str, **headers) -> str:
    response = client.get(reverse(name), **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visitor_gets_the_page_from_the_cache_with_a_nonce_and_token_of_their_own(
    client, django_assert_num_queries
):
    # given one visitor who saw the events page
    EventFactory(title="Red-teaming clinic")
    first = client.get(reverse(EVENTS))
    first_page = first.content.decode()

    # when another visitor asks for it
    other = type(client)()
    with django_assert_num_queries(0):
        second = other.get(reverse(EVENTS))

    # then it is the same page, without a query, but with this visitor's own nonce (named by the CSP header) and
    # CSRF token (matching the cookie this answer sets)
    second_page = second.content.decode()
    assert "Red-teaming clinic" in second_page
    assert NONCE.sub("", second_page).replace(TOKEN.search(second_page)[1], "") == NONCE.sub("", first_page).replace(
        TOKEN.search(first_page)[1], ""
    )
    nonce = NONCE.search(second_page)[1]
    assert nonce != NONCE.search(first_page)[1]
    assert f"'nonce-{nonce}'" in second["Content-Security-Policy"]
    assert TOKEN.search(second_page)[1] != TOKEN.search(first_page)[1]
    assert "csrftoken" in second.cookies


def test_signed_in_people_get_their_own_page(client):
    _page(client, EVENTS)  # kept for visitors
    person = UserFactory(name="Grace Hopper")
    client.force_login(person)

    assert "Grace Hopper" in _page(client, EVENTS)


def test_htmx_results_and_the_whole_page_are_kept_apart(client):
    EventFactory(title="Evaluation sprint")
    results = _page(client, EVENTS, HTTP_HX_REQUEST="true")
    whole = _page(client, EVENTS)

    assert "Evaluation sprint" in results and "<html" not in results
    assert "<html" in whole and "Evaluation sprint" in whole


def test_an_event_renamed_through_its_service_shows_on_the_next_visit(client, django_capture_on_commit_callbacks):
    event = EventFactory(title="Benchmarking workshop")
    assert "Benchmarking workshop" in _page(client, EVENTS)

    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_update(actor=event.created_by, event=event, title="Benchmarking summit")

    page = _page(client, EVENTS)
    assert "Benchmarking summit" in page and "Benchmarking workshop" not in page


def test_an_event_published_and_cancelled_through_the_services_shows_at_once(client):
    staff = StaffFactory()
    draft = EventFactory(title="Model cards clinic", status="draft", published_at=None, created_by=staff)
    assert "Model cards clinic" not in _page(client, EVENTS)

    event_services.event_publish(actor=staff, event=draft)
    assert "Model cards clinic" in _page(client, EVENTS)

    event_services.event_cancel(actor=staff, event=draft, reason="Venue closed.")
    assert "Cancelled" in _page(client, EVENTS)


def test_a_project_renamed_through_its_service_shows_on_the_projects_and_events_pages(client):
    lead = LeadFactory(project=ProjectFactory(title="Open evals"))
    project = lead.project
    EventFactory(title="Evals meetup", project=project)
    assert "Open evals" in _page(client, PROJECTS)
    assert "hosted by Open evals" in _page(client, EVENTS)

    project_services.project_update(actor=lead.person, project=project, title="Open evaluations")

    assert "Open evaluations" in _page(client, PROJECTS)
    assert "hosted by Open evaluations" in _page(client, EVENTS)


def test_an_organization_renamed_through_its_service_shows_in_the_directory(client):
    organization = OrganizationFactory(name="Aurora Labs")
    admin = AdminAffiliationFactory(organization=organization).person
    assert "Aurora Labs" in _page(client, MEMBERS)

    member_services.organization_update(actor=admin, organization=organization, name="Aurora Research")

    page = _page(client, MEMBERS)
    assert "Aurora Research" in page and "Aurora Labs" not in page


def test_a_lost_version_never_brings_back_an_old_page(client):
    event = EventFactory(title="Old title")
    _page(client, EVENTS)  # kept under the first version
    event_services.event_update(actor=event.created_by, event=event, title="New title")
    assert "New title" in _page(client, EVENTS)  # kept under the second

    cache.delete("page-version:events")  # evicted, or Redis restarted empty

    page = _page(client, EVENTS)
    assert "New title" in page and "Old title" not in page
