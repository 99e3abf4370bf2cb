"""Security of the webhooks API: registering an endpoint never tells who is an applicant organization."""

import pytest

from alliance.webhooks.models import WebhookEndpoint
from tests.members.factories import ApplicantOrganizationFactory

from .test_api import URL, client_as

pytestmark = pytest.mark.django_db


def test_an_organization_one_may_not_see_answers_as_if_it_did_not_exist(org_admin):
    # given an organization that applied for membership and is not public yet
    applicant = ApplicantOrganizationFactory(name="Stealth Startup")

    # when an admin of another organization names it, and an organization that does not exist
    hidden = client_as(org_admin).post(
        "/api/v1/webhooks/", {"url": URL, "event_types": ["event.cancelled"], "organization": applicant.slug}
    )
    missing = client_as(org_admin).post(
        "/api/v1/webhooks/", {"url": URL, "event_types": ["event.cancelled"], "organization": "no-such-org"}
    )

    # then both answers are the same: the applicant's existence is not revealed
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["errors"]["organization"] == [
        message.replace("no-such-org", applicant.slug) for message in missing.json()["errors"]["organization"]
    ]
    assert not WebhookEndpoint.objects.exists()
