"""The public API lists anonymous callers read are kept in the cache as data (alliance.api.cached): a second caller
gets the same JSON without a query, anyone with a token or a session gets their own, and a change made through a
service shows on the next call."""

import pytest
from rest_framework.test import APIClient

from events import services as event_services
from members import services as member_services
from tests.events.factories import EventFactory
from tests.members.factories import (
    AdminAffiliationFactory,
    ApplicantOrganizationFactory,
    OrganizationFactory,
    StaffFactory,
)
from tests.projects.factories import LeadFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ORGANIZATIONS, PROJECTS, EVENTS = "/api/v1/organizations/", "/api/v1/projects/", "/api/v1/events/"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


def _names(answer, key="name") -> list[str]:
    assert answer.status_code == 200, answer.content[:300]
    return [row[key] for row in answer.json()["results"]]


@pytest.mark.parametrize(
    ("path", "key"),
    [(ORGANIZATIONS, "name"), (PROJECTS, "title"), (EVENTS, "title")],
    ids=["orgs", "projects", "events"],
)
def test_a_second_anonymous_caller_gets_the_same_json_without_a_query(path, key, django_assert_num_queries):
    OrganizationFactory(name="Aurora Labs")
    LeadFactory(project=ProjectFactory(title="Open evals"))
    EventFactory(title="Evals meetup")
    first = APIClient().get(path)
    assert _names(first, key)

    with django_assert_num_queries(0):
        second = APIClient().get(path)

    assert second.json() == first.json()
    assert second["Content-Type"] == first["Content-Type"] == "application/json"


def test_a_token_or_a_session_gets_its_own_list_never_the_visitors_one():
    OrganizationFactory(name="Aurora Labs")
    applicant = ApplicantOrganizationFactory(name="Borealis Applicants")
    admin = AdminAffiliationFactory(organization=applicant).person
    assert _names(APIClient().get(ORGANIZATIONS)) == ["Aurora Labs"]  # kept for visitors

    _, key = member_services.api_token_create(actor=admin, name="ci")
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    staff = APIClient()
    staff.force_login(StaffFactory())

    assert "Borealis Applicants" in _names(with_token.get(ORGANIZATIONS))  # its own applicant, which visitors never see
    assert "Borealis Applicants" in _names(staff.get(ORGANIZATIONS))
    assert _names(APIClient().get(ORGANIZATIONS)) == ["Aurora Labs"]


def test_a_wrong_token_is_refused_not_served_the_visitors_list():
    OrganizationFactory(name="Aurora Labs")
    APIClient().get(ORGANIZATIONS)
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert wrong.get(ORGANIZATIONS).status_code == 401


def test_a_change_through_a_service_shows_on_the_next_call(django_capture_on_commit_callbacks):
    organization = OrganizationFactory(name="Aurora Labs")
    admin = AdminAffiliationFactory(organization=organization).person
    event = EventFactory(title="Benchmarking workshop")
    assert _names(APIClient().get(ORGANIZATIONS)) == ["Aurora Labs"]
    assert _names(APIClient().get(EVENTS), "title") == ["Benchmarking workshop"]

    with django_capture_on_commit_callbacks(execute=True):
        member_services.organization_update(actor=admin, organization=organization, name="Aurora Research")
        event_services.event_update(actor=event.created_by, event=event, title="Benchmarking summit")

    assert _names(APIClient().get(ORGANIZATIONS)) == ["Aurora Research"]
    assert _names(APIClient().get(EVENTS), "title") == ["Benchmarking summit"]


def test_each_query_is_kept_apart_and_a_refused_one_is_never_kept():
    OrganizationFactory(name="Aurora Labs", country="DE")
    OrganizationFactory(name="Borealis", country="FR")

    assert _names(APIClient().get(ORGANIZATIONS, {"country": "FR"})) == ["Borealis"]
    assert sorted(_names(APIClient().get(ORGANIZATIONS))) == ["Aurora Labs", "Borealis"]
    assert APIClient().get(ORGANIZATIONS, {"page_size": "abc"}).status_code == 400
    assert APIClient().get(ORGANIZATIONS, {"page_size": "abc"}).status_code == 400
