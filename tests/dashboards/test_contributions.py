"""The contribution dashboard's figures equal what a test did: join a project, register, check in, submit, take
a seat; on the page (with its charts and CSV), through the API, and for a chosen period."""

import csv
import io
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from alliance.governance import services as governance
from events import services as events
from projects import services as projects
from tests.api_matrix import client_as
from tests.benchmarks.conftest import T0
from tests.events.factories import EventFactory
from tests.governance.factories import OrganizationSeatsCommitteeFactory
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import CatalogEntryFactory, LeadFactory, ProjectFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def work(registry):
    """Aurora Labs' person A joins two projects (one as its lead), registers for two events and is checked in at
    one, submits to the round and takes the organization's seat on a committee."""
    aurora, person = registry.organizations["a"], registry.people["a"]
    colleague = AffiliationFactory(organization=aurora).person
    staff = StaffFactory()
    first, second = ProjectFactory(title="Safety Tools", slug="safety-tools"), ProjectFactory(slug="open-data")
    projects.participation_join(actor=person, project=first)
    projects.participation_join(actor=colleague, project=first)
    LeadFactory(project=second, person=person)
    CatalogEntryFactory(project=second, submitted_by=person)
    workshop, meetup = EventFactory(created_by=staff), EventFactory(created_by=staff)
    workshop.organizers.add(staff)
    registration = events.event_register(actor=person, event=workshop)
    events.event_register(actor=person, event=meetup)
    registry.clock.move_to(T0 + timedelta(hours=2))
    events.registration_check_in(actor=staff, registration=registration)
    registry.submit("a")
    governance.committee_member_add(
        actor=staff, committee=OrganizationSeatsCommitteeFactory(), person=person, organization=aurora
    )
    # Someone else's work, which must not count for Aurora Labs
    other = AffiliationFactory(organization=OrganizationFactory()).person
    projects.participation_join(actor=other, project=first)
    events.event_register(actor=other, event=workshop)
    registry.submit("b")
    return registry


EXPECTED = {
    "people": 2,
    "project_count": 2,
    "projects": [{"slug": "open-data", "roles": ["lead"]}, {"slug": "safety-tools", "roles": ["contributor"]}],
    "events_registered": 2,
    "events_attended": 1,
    "catalog_entries": 1,
    "benchmark_submissions": 1,
    "committee_seats": 1,
    "ballots_voted": 0,
}


def test_the_api_counts_what_the_people_did(work):
    answer = client_as(work.people["a"]).get("/api/v1/organizations/aurora-labs/contributions/")

    assert answer.status_code == 200
    body = answer.json()
    assert sorted(body["projects"], key=lambda p: p["slug"]) == EXPECTED["projects"]
    assert {k: v for k, v in body.items() if k != "projects"} == {k: v for k, v in EXPECTED.items() if k != "projects"}


def test_a_period_counts_only_what_happened_in_it(work):
    path = "/api/v1/organizations/aurora-labs/contributions/"
    client = client_as(work.people["a"])

    before = client.get(path, {"to": (T0 - timedelta(days=1)).date().isoformat()}).json()
    the_day = client.get(path, {"from": T0.date().isoformat(), "to": T0.date().isoformat()}).json()

    assert (before["project_count"], before["events_registered"], before["benchmark_submissions"]) == (0, 0, 0)
    assert the_day["events_attended"] == 1
    assert the_day["benchmark_submissions"] == 1
    assert client.get(path, {"from": "2026-05-01", "to": "2026-04-01"}).status_code == 400
    assert client.get(path, {"from": "yesterday"}).status_code == 400


def test_only_its_people_and_staff_see_the_contributions(work):
    path = "/api/v1/organizations/aurora-labs/contributions/"
    assert client_as(work.staff).get(path).status_code == 200
    assert client_as(work.people["b"]).get(path).status_code == 404
    assert client_as(UserFactory()).get(path).status_code == 404
    assert client_as(None).get(path).status_code == 404


def test_the_page_shows_the_figures_charts_and_table_and_exports_csv(work, client):
    client.force_login(work.people["a"])

    page = client.get("/organizations/aurora-labs/dashboard/")

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="events_attended">1<' in html
    assert 'data-figure="benchmark_submissions">1<' in html
    charts = [ElementTree.fromstring(svg + "</svg>") for svg in _svgs(html)]
    assert len(charts) == 2
    for chart in charts:
        assert chart.get("role") == "img"
        assert chart.find(f"{SVG}title").text
    texts = [text.text for text in charts[0].iter(f"{SVG}text")]
    assert "Safety Tools" in texts
    assert "2" in texts  # two of its people take part in Safety Tools
    attendance_texts = [text.text for text in charts[1].iter(f"{SVG}text")]
    assert "Registered" in attendance_texts and "Attended" in attendance_texts

    exported = client.get("/organizations/aurora-labs/dashboard/", {"export": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert ["events_attended", "1"] in rows
    assert ["safety-tools", "contributor", "2"] in rows


def test_the_page_filters_by_dates_and_refuses_outsiders(work, client):
    client.force_login(work.people["a"])
    before = client.get("/organizations/aurora-labs/dashboard/", {"end": "2026-01-01"}).content.decode()
    assert 'data-figure="events_registered">0<' in before

    client.force_login(work.people["b"])
    assert client.get("/organizations/aurora-labs/dashboard/").status_code == 404


def _svgs(html: str) -> list[str]:
    """Each inline <svg> of the page, without its closing tag."""
    return ["<svg" + part.split("</svg>")[0] for part in html.split("<svg")[1:]]


def test_the_page_filters_by_term(work, client):
    # given Aurora Labs' current term (from the frozen T0) and an earlier one that ended before it
    from members.models import MembershipTerm

    aurora = work.organizations["a"]
    current = aurora.terms.get()
    earlier = MembershipTerm.objects.create(
        organization=aurora, tier=current.tier, starts_at=T0 - timedelta(days=400), ends_at=T0 - timedelta(days=35)
    )
    client.force_login(work.people["a"])

    # then the earlier term saw none of the work, the current one all of it, "all time" too
    during_earlier = client.get("/organizations/aurora-labs/dashboard/", {"term": earlier.pk}).content.decode()
    during_current = client.get("/organizations/aurora-labs/dashboard/", {"term": current.pk}).content.decode()
    all_time = client.get("/organizations/aurora-labs/dashboard/", {"term": ""}).content.decode()
    assert 'data-figure="benchmark_submissions">0<' in during_earlier
    assert 'data-figure="benchmark_submissions">1<' in during_current
    assert 'data-figure="events_registered">2<' in all_time
