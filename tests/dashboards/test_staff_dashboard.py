"""The staff dashboard and /api/v1/stats/: members by tier, kind and country and their growth, the application
pipeline, renewals due, in grace and lapsed, projects by state, attendance, expiring validations, failed
deliveries; each chart an SVG carrying its numbers, with a table and a CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine

from members import services
from members.models import Organization
from tests.api_matrix import client_as
from tests.members.factories import (
    AdminAffiliationFactory,
    ApplicationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def alliance():
    with time_machine.travel(NOW, tick=False):
        OrganizationFactory(kind=Organization.Kind.UNIVERSITY, country="FR", tier="academic")
        OrganizationFactory(country="DE", term__ends_at=NOW + timedelta(days=20))  # renewal due
        OrganizationFactory(
            country="DE", term__starts_at=NOW - timedelta(days=370), term__ends_at=NOW - timedelta(days=5)
        )  # grace
        OrganizationFactory(
            country="NL", term__starts_at=NOW - timedelta(days=400), term__ends_at=NOW - timedelta(days=40)
        )  # lapsed
        staff = StaffFactory()
        approved = ApplicationFactory(submitted_at=NOW - timedelta(days=4))
        AdminAffiliationFactory(organization=approved.organization)
        services.application_approve(actor=staff, application=approved)
        ApplicationFactory()  # waiting
        yield staff


def test_the_stats_api_has_the_figures(alliance):
    with time_machine.travel(NOW, tick=False):
        answer = client_as(alliance).get("/api/v1/stats/")

    assert answer.status_code == 200
    stats = answer.json()
    assert stats["members_by_kind"] == {"Company": 4, "University": 1}
    assert stats["members_by_country"] == {"DE": 3, "FR": 1, "NL": 1}
    assert stats["members_by_tier"] == {"General member": 4, "Academic member": 1}
    assert (stats["renewals_due"], stats["in_grace"], stats["lapsed"]) == (1, 1, 1)
    assert stats["applications_by_state"] == {"Approved": 1, "Submitted": 1}
    assert stats["median_days_to_decision"] == 4.0


def test_only_staff_see_the_stats(alliance):
    assert client_as(UserFactory()).get("/api/v1/stats/").status_code == 403
    assert client_as(None).get("/api/v1/stats/").status_code in (401, 403)


def test_the_page_draws_each_chart_with_its_numbers_and_a_csv(alliance, client):
    client.force_login(alliance)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/staff/dashboard/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="in_grace">1<' in html
    svgs = ["<svg" + part.split("</svg>")[0] + "</svg>" for part in html.split("<svg")[1:]]
    assert len(svgs) == 7
    by_country = ElementTree.fromstring(svgs[2])
    assert by_country.get("role") == "img"
    assert by_country.find(f"{SVG}title").text == "Members by country"
    texts = [text.text for text in by_country.iter(f"{SVG}text")]
    assert texts[:2] == ["DE", "3"]

    exported = client.get("/staff/dashboard/", {"table": "members_by_country"})
    assert list(csv.reader(io.StringIO(exported.content.decode()))) == [
        ["country", "members"],
        ["DE", "3"],
        ["FR", "1"],
        ["NL", "1"],
    ]
    assert client.get("/staff/dashboard/", {"table": "passwords"}).status_code == 404


def test_people_who_are_not_staff_are_refused(client):
    client.force_login(UserFactory())
    assert client.get("/staff/dashboard/").status_code == 403
