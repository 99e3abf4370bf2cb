"""Heading order: on the main list pages a heading never goes deeper than one level below the one before it (no
jump from h1 to h3), so a screen reader's outline of the page has no holes. Walks the pages with data in them, as
visitor, member and staff, and reads the headings from the HTML."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from alliance.models import Notification
from events.models import Registration
from members.models import Affiliation
from projects.models import Project
from tests.benchmarks.factories import BenchmarkFactory
from tests.events.factories import EventFactory
from tests.governance.factories import CommitteeFactory, CommitteeMemberFactory
from tests.members.factories import ApplicationFactory, OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import CatalogEntryFactory, LeadFactory, ProjectFactory

pytestmark = pytest.mark.django_db


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            self.levels.append(int(tag[1]))


def headings(html: str) -> list[int]:
    parser = _Headings()
    parser.feed(html)
    return parser.levels


def skips(levels: list[int]) -> list[str]:
    """Where a heading goes more than one level deeper than the one before (the page's first must be an h1)."""
    found = []
    previous = 0
    for level in levels:
        if level > previous + 1:
            found.append(f"h{previous or '-'} → h{level}")
        previous = level
    return found


def test_the_checker_finds_a_jump_and_accepts_going_back_up():
    assert skips(headings("<h1>A</h1><h3>B</h3>")) == ["h1 → h3"]
    assert skips(headings("<h2>A</h2>")) == ["h- → h2"]
    assert skips(headings("<h1>A</h1><h2>B</h2><h3>C</h3><h2>D</h2><h3>E</h3><h2>F</h2>")) == []


@pytest.fixture
def world():
    organization = OrganizationFactory(name="Aurora Labs")
    member = UserFactory(name="Mia Member")
    Affiliation.objects.create(person=member, organization=organization, role=Affiliation.Role.ADMIN)
    project = ProjectFactory(title="Open evaluation harness")
    LeadFactory(project=project, person=member)
    CatalogEntryFactory(project=project, status="validated", name="Open harness checker")
    event = EventFactory(title="Open evaluation workshop")
    past = timezone.now() - timedelta(days=30)
    EventFactory(title="Open evaluation sprint", starts_at=past, ends_at=past + timedelta(hours=2))
    ProjectFactory(title="Open proposal", state=Project.State.PROPOSED)
    Registration.objects.create(event=event, person=member, status=Registration.Status.CONFIRMED)
    committee = CommitteeFactory(name="Open technical committee")
    CommitteeMemberFactory(committee=committee, person=member)
    BenchmarkFactory()
    ApplicationFactory()
    for number in range(2):
        Notification.objects.create(
            recipient=member, email=member.email, kind="events", subject=f"Open seat {number}", body="x", status="sent"
        )
    Notification.objects.create(email="gone@example.org", kind="events", subject="Lost", body="x", status="failed")
    return {"member": member, "staff": StaffFactory()}


LIST_PAGES = {
    "visitor": [
        "/members/",
        "/projects/",
        "/catalog/",
        "/events/",
        "/events/?when=past",
        "/benchmarks/",
        "/committees/",
        "/search/?q=open",
        "/search/?q=nothing-matches-this",
    ],
    "member": [
        "/inbox/",
        "/organizations/",
        "/my-projects/",
        "/account/events/",
        "/my-ballots/",
        "/webhooks/",
        "/search/?q=open",
        "/account/tokens/",  # the account pages' menu has no heading above the page's h1
        "/account/notifications/",
        "/",
    ],
    "staff": [
        "/staff/applications/",
        "/staff/proposals/",
        "/staff/audit/",
        "/staff/notifications/failed/",
        "/benchmark-objections/",
        "/staff/dashboard/",
    ],
}


def test_no_main_list_page_skips_a_heading_level(client, world):
    # given each role's list pages, with rows in them
    skipped = {}
    for role, paths in LIST_PAGES.items():
        client.logout()
        if role != "visitor":
            client.force_login(world[role])
        for path in paths:
            # when the page is shown
            response = client.get(path)
            assert response.status_code == 200, path
            # then its headings go down one level at a time
            levels = headings(response.content.decode())
            assert levels, path
            if skips(levels):
                skipped[f"{role} {path}"] = skips(levels)
    assert skipped == {}
