"""Schemathesis over every operation of the OpenAPI schema, for three roles: anonymous, a member's API token and a
staff API token. All checks, positive and negative data, a bounded number of examples per operation (derandomized,
so every run tries the same cases), against the portal's WSGI application in-process, inside the test's
transaction on PostgreSQL and Redis. 0 server errors, 0 schema violations, 0 other check failures.

Paths name the seeded world (an organization, a project, an event, a focus area, a catalog entry, a webhook
endpoint...) in positive cases, so operations act on something that exists; negative cases keep the generated
(invalid) values. No traffic leaves the machine: the webhooks' resolver and sender are replaced for the test
(every host resolves to one documentation address, every delivery is answered 204 without a connection).

Check configuration, in one place (every check enabled; what differs from Schemathesis's defaults, and why):

| check                    | setting                         | reason                                         |
|--------------------------|---------------------------------|------------------------------------------------|
| positive_data_acceptance | 400 also expected for requests  | a request the schema allows may still break a  |
|                          | valid by the schema (with the   | business rule it cannot express (ends before   |
|                          | default 2xx, 3xx, 401, 403,     | it starts, already a member, a state that      |
|                          | 404, 409, 429; 5xx never)       | forbids the step): the service refuses it with |
|                          |                                 | a 400 and a sentence, changing nothing.        |
| max_response_time        | not set (off by default)        | timings on a shared 2-core machine say nothing |
|                          |                                 | about the code.                                |
| every other check        | enabled, defaults               |                                                |
"""

import ipaddress
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.generation.modes import GenerationMode

from alliance.webhooks.models import WebhookEndpoint
from alliance.webhooks.services import deliveries as webhook_deliveries
from alliance.webhooks.ssrf import HttpResult
from members.models import Affiliation
from members.services import api_token_create
from tests.events.factories import EventFactory
from tests.members.factories import (
    AdminAffiliationFactory,
    ApplicantOrganizationFactory,
    ApplicationFactory,
    StaffFactory,
)
from tests.projects.factories import CatalogEntryFactory, FocusAreaFactory, LeadFactory

EXAMPLES_PER_OPERATION = 6
ROLES = ["anonymous", "member", "staff"]

CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]}
        },
        "generation": {"mode": "all"},
    }
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)

pytestmark = pytest.mark.django_db


class World:
    """What the operations act on, and the API tokens of the roles."""

    def __init__(self) -> None:
        admin = AdminAffiliationFactory(organization__slug="acme")
        self.organization = admin.organization
        self.member = admin.person
        self.staff = StaffFactory()
        lead = LeadFactory(person=self.member, project__slug="open-evals")
        self.project = lead.project
        self.project.sponsors.add(self.organization)
        self.focus_area = FocusAreaFactory(slug="safety")
        self.project.focus_areas.add(self.focus_area)
        self.event = EventFactory(slug="eval-workshop", organizers=[self.member], project=self.project)
        self.entry = CatalogEntryFactory(project=self.project, submitted_by=self.member)
        applicant = ApplicantOrganizationFactory(slug="newcomer")
        AdminAffiliationFactory(organization=applicant, person=self.member)
        self.application = ApplicationFactory(organization=applicant, submitted_by=self.member)
        self.webhook = WebhookEndpoint.objects.create(
            organization=self.organization,
            created_by=self.member,
            url="https://hooks.example.org/alliance",
            event_types=["organization.updated"],
            secret="whsec_fuzz",
        )
        self.affiliation = Affiliation.objects.get(organization=self.organization, person=self.member)
        self.tokens = {
            "anonymous": None,
            "member": api_token_create(actor=self.member, name="fuzz")[1],
            "staff": api_token_create(actor=self.staff, name="fuzz")[1],
        }

    def path_parameters(self) -> dict[str, Any]:
        return {
            "slug": {"organizations": "acme", "projects": "open-evals", "events": "eval-workshop"},
            "organization_slug": "acme",
            "project_slug": "open-evals",
            "event_slug": "eval-workshop",
            "kind": None,
            "id": {
                "applications": self.application.pk,
                "catalog": self.entry.pk,
                "webhooks": self.webhook.pk,
                "members": self.affiliation.pk,
            },
            "user_id": self.member.pk,
        }


def _seeded(case: Any, world: World) -> None:
    """In a positive case, point the path at the seeded world (negative cases keep their invalid values)."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE or not case.path_parameters:
        return
    collection = case.path.strip("/").split("/")[2]  # /api/v1/<collection>/...
    for name in list(case.path_parameters):
        value = world.path_parameters().get(name)
        if name == "slug" and collection == "focus-areas":
            value = "safety"
        elif isinstance(value, dict):
            last = [part for part in case.path.split("/") if part and not part.startswith("{")][-1]
            value = value.get(last if name == "id" and last in value else collection)
        if value is not None:
            case.path_parameters[name] = value


@pytest.fixture
def world(monkeypatch) -> Iterator[World]:
    # No traffic leaves the machine: every host resolves to a documentation address and no delivery connects.
    from alliance.webhooks import ssrf

    monkeypatch.setattr(ssrf, "_resolve", lambda host, port: [ipaddress.ip_address("93.184.215.14")])
    monkeypatch.setattr(webhook_deliveries, "http_post", lambda destination, body, headers: HttpResult(204, 1))
    monkeypatch.setattr(ssrf, "_connect", _no_connection)
    # As Django's test client does: the WSGI handler must not close the test's connection (and its transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield World()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _no_connection(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("the fuzz must not connect anywhere")


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, role, world):
    # given a case for this role, its path pointing at the seeded world when the case is valid
    _seeded(case, world)
    token = world.tokens[role]
    headers = {"Authorization": f"Token {token}"} if token else {}

    # when / then: every check passes (server errors, schema conformance, status codes, content types, headers,
    # positive data accepted, negative data rejected, ...)
    case.call_and_validate(headers=headers)


def test_the_fuzz_covers_every_operation_of_the_schema():
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 90  # 96 when written; none is excluded
