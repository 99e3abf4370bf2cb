"""What used to be a 500 (or an untrue answer) is a clear 400 or 404 that changes nothing: licences the SPDX library
cannot tokenize, integers beyond the database's range, JSON values of the wrong type, page numbers that are not
pages, enum filters given unknown values, addresses no route matches; and the OpenAPI schema says what the API
answers."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from events.forms import CapacityForm
from events.models import SEATS_MAX, Event
from projects.models import CatalogEntry, Project
from projects.validators import normalize_spdx_expression, validate_spdx_expression
from tests.api_matrix import API, client_as
from tests.events.factories import EventFactory
from tests.members.factories import AffiliationFactory, StaffFactory
from tests.projects.factories import LeadFactory
from tests.projects.test_pages import proposal_data

pytestmark = pytest.mark.django_db

UNTOKENIZABLE = ["MIT%", "@@", "MIT\x01", "Apache-2.0 ✓", "MIT OR"]
NOT_SPDX = "is not an SPDX licence identifier or expression"


@pytest.fixture
def member():
    return AffiliationFactory().person


# --- licences ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("licence", UNTOKENIZABLE)
def test_a_licence_the_library_cannot_tokenize_is_a_validation_error_not_a_crash(licence):
    with pytest.raises(ValidationError, match=NOT_SPDX):
        validate_spdx_expression(licence)
    assert normalize_spdx_expression(licence) == licence  # never raises either


@pytest.mark.parametrize("licence", UNTOKENIZABLE)
def test_the_api_answers_400_for_such_a_licence_and_creates_nothing(member, licence):
    response = client_as(member).post(
        f"{API}/projects/", {"title": "X", "summary": "Y", "kind": "model", "license": licence}, format="json"
    )

    assert response.status_code == 400
    assert NOT_SPDX in response.json()["errors"]["license"][0]
    assert NOT_SPDX in response.json()["detail"]
    assert not Project.objects.exists()


def test_the_catalog_api_answers_400_for_such_a_licence(member):
    lead = LeadFactory(person=member)

    response = client_as(member).post(
        f"{API}/catalog/",
        {
            "project": lead.project.slug,
            "kind": "tool",
            "name": "Checker",
            "description": "Checks.",
            "link": "https://example.org/checker",
            "license": "MIT%",
        },
        format="json",
    )

    assert response.status_code == 400
    assert NOT_SPDX in response.json()["detail"]
    assert not CatalogEntry.objects.exists()


@pytest.mark.parametrize("licence", ["Apache-2.0 ✓", "@@"])
def test_the_proposal_form_shows_such_a_licence_on_its_field(client, member, licence):
    client.force_login(member)

    response = client.post(
        reverse("projects:project_create"),
        proposal_data(license=licence),
    )

    assert response.status_code == 400
    assert NOT_SPDX in response.context["form"].errors["license"][0]
    assert not Project.objects.exists()


# --- integers ---------------------------------------------------------------------------------------------------


def _event_body(**overrides):
    start = timezone.now() + timedelta(days=20)
    return {
        "title": "API clinic",
        "kind": "workshop",
        "format": "virtual",
        "online_url": "https://meet.example.org/api",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        **overrides,
    }


@pytest.mark.parametrize("field", ["capacity", "organization_seat_cap"])
def test_a_seat_count_beyond_the_database_range_is_a_400_on_create(field):
    response = client_as(StaffFactory()).post(f"{API}/events/", _event_body(**{field: SEATS_MAX + 1}), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Event.objects.exists()


def test_the_largest_seat_count_the_database_holds_is_accepted():
    response = client_as(StaffFactory()).post(f"{API}/events/", _event_body(capacity=SEATS_MAX), format="json")

    assert response.status_code == 201, response.content
    assert Event.objects.get().capacity == SEATS_MAX


def test_a_capacity_change_beyond_the_range_is_a_400_and_changes_nothing():
    event = EventFactory(capacity=5)

    response = client_as(event.created_by).patch(f"{API}/events/{event.slug}/", {"capacity": 2**31}, format="json")

    assert response.status_code == 400
    assert "capacity" in response.json()["errors"]
    event.refresh_from_db()
    assert event.capacity == 5


def test_the_capacity_form_refuses_a_number_beyond_the_range():
    assert not CapacityForm({"capacity": str(2**31)}).is_valid()
    assert CapacityForm({"capacity": str(SEATS_MAX)}).is_valid()


# --- JSON types, pages, filters, addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": 0}, "name"), ({"name": "ci", "expires_in_days": "5"}, "expires_in_days"), ({"name": ["ci"]}, "name")],
)
def test_a_json_value_of_another_type_than_the_schema_says_is_refused(member, body, field):
    response = client_as(member).post(f"{API}/tokens/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert member.api_tokens.count() == 0


def test_a_boolean_field_takes_only_true_or_false_in_json(member):
    response = client_as(member).patch(
        f"{API}/notification-preferences/membership/", {"email_enabled": 0}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"email_enabled": ["Must be true or false."]}


@pytest.mark.parametrize(
    "query", ["page=0", "page=-1", "page=abc", "page=", "page_size=", "page_size=0", "page_size=-5", "page_size=x"]
)
def test_a_page_or_page_size_that_is_not_one_is_a_400(api_client, query):
    response = api_client.get(f"{API}/projects/?{query}")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("A page")


def test_a_page_past_the_last_is_a_404_in_json(api_client):
    response = api_client.get(f"{API}/projects/?page=2")

    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/projects/?state=AAA",
        "/projects/?kind=AAA",
        "/catalog/?status=AAA",
        "/events/?status=AAA",
        "/events/?when=AAA",
        "/organizations/?tier=AAA",
        "/applications/?status=AAA",
        "/notifications/?kind=AAA",
        "/webhooks/?active=AAA",
    ],
)
def test_an_unknown_enum_value_in_a_filter_is_a_400_not_an_empty_list(url):
    response = client_as(StaffFactory()).get(API + url)

    assert response.status_code == 400, response.content
    assert response.json()["errors"]


@pytest.mark.parametrize("url", ["/api/v1/applications/1/no/such/", "/api/v1/no-such-thing/", "/api/v2/"])
def test_an_address_no_route_matches_under_the_api_is_a_404_in_json(api_client, url):
    response = api_client.get(url)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "There is nothing at this address."}


def test_elsewhere_it_is_the_404_page(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- the schema -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_fields_that_may_be_empty_say_so(schema):
    components = schema["components"]["schemas"]
    blank = {"type": "string", "maxLength": 0}

    for component, field in [
        ("Organization", "website"),
        ("Project", "repository_url"),
        ("Project", "website_url"),
        ("CatalogEntry", "documentation_url"),
    ]:
        assert blank in components[component]["properties"][field]["oneOf"], (component, field)
    # A tier is a code of the tiers staff manage (data, not an enum), blank until the organization is a member.
    tier = components["Organization"]["properties"]["tier"]
    assert tier["type"] == "string" and "enum" not in tier and "oneOf" not in tier
    assert tier.get("minLength", 0) == 0


def test_the_people_list_answers_one_of_two_shapes_that_cannot_both_match(schema):
    components = schema["components"]["schemas"]

    assert components["ListedPerson"]["additionalProperties"] is False
    assert set(components["ListedPerson"]["properties"]) < set(components["OrganizationPerson"]["properties"])


def test_every_operation_documents_its_error_answers_in_the_error_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "401", "403"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            for code, response in responses.items():
                if code.startswith("4"):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/Error"
                    }, (method, path, code)


def test_page_parameters_are_bounded_in_the_schema(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/projects/"]["get"]["parameters"]}

    assert parameters["page"]["minimum"] == 1
    assert parameters["page_size"]["minimum"] == 1
