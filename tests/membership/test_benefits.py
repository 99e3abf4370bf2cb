"""Benefits follow the standing: kept in grace, off everywhere once lapsed (members-only events refuse its people,
they cannot propose projects, it cannot hold an organization seat, it leaves the public directory), and back the
moment it renews — through the services, the pages and the API alike."""

import pytest

from alliance.errors import DomainError, NotPermitted
from alliance.governance import services as governance
from events import services as events
from events.models import Event, Registration
from members import services
from projects import services as projects
from projects.models import Project
from tests.api_matrix import client_as
from tests.events.factories import EventFactory
from tests.governance.factories import OrganizationSeatsCommitteeFactory

from .conftest import TERM_END, days

pytestmark = pytest.mark.django_db

IN_GRACE = TERM_END + days(29)
LAPSED = TERM_END + days(31)


def _register(person, event):
    return events.event_register(actor=person, event=event)


def test_members_only_events_refuse_a_lapsed_organizations_people_until_it_renews(
    member, member_person, member_admin, clock
):
    clock(TERM_END - days(200))
    event = EventFactory(
        visibility=Event.Visibility.MEMBERS,
        starts_at=LAPSED + days(10),
        ends_at=LAPSED + days(10) + days(1),
        published_at=TERM_END - days(200),
    )

    # in grace, the person still registers
    clock(IN_GRACE)
    assert _register(member_admin, event).status == Registration.Status.CONFIRMED

    # lapsed: refused, by the service, the page and the API
    clock(LAPSED)
    with pytest.raises(NotPermitted):
        _register(member_person, event)
    assert client_as(member_person).post(f"/api/v1/events/{event.slug}/register/").status_code in (403, 404)

    # renewed: welcome again
    services.membership_renew(actor=member_admin, organization=member, accept_charter=True)
    assert _register(member_person, event).status == Registration.Status.CONFIRMED


def _propose(person):
    return projects.project_create(
        actor=person, title="Open evaluation kit", summary="Tools.", kind=Project.Kind.SOFTWARE
    )


def test_a_lapsed_organizations_people_cannot_propose_projects_until_it_renews(
    member, member_person, member_admin, clock
):
    clock(IN_GRACE)
    _propose(member_person)

    clock(LAPSED)
    with pytest.raises(NotPermitted):
        _propose(member_person)
    api = client_as(member_person).post(
        "/api/v1/projects/", {"title": "Kit", "summary": "Tools.", "kind": Project.Kind.SOFTWARE}, format="json"
    )
    assert api.status_code == 403

    services.membership_renew(actor=member_admin, organization=member, accept_charter=True)
    assert _propose(member_person).pk


def test_a_lapsed_organization_cannot_take_an_organization_seat(member, member_person, member_admin, staff, clock):
    clock(LAPSED)
    committee = OrganizationSeatsCommitteeFactory()

    with pytest.raises(DomainError, match="good standing"):
        governance.committee_member_add(actor=staff, committee=committee, person=member_person, organization=member)

    services.membership_renew(actor=member_admin, organization=member, accept_charter=True)
    seat = governance.committee_member_add(actor=staff, committee=committee, person=member_person, organization=member)
    assert seat.organization == member


def test_a_tier_without_the_benefit_keeps_its_people_out(member, member_person, staff, clock):
    clock(TERM_END - days(100))
    tier = member.terms.get().tier
    services.tier_update(actor=staff, tier=tier, propose_projects=False)

    with pytest.raises(NotPermitted):
        _propose(member_person)


def test_a_lapsed_organization_leaves_the_public_directory_and_comes_back(
    member, member_admin, outsider, client, clock
):
    clock(IN_GRACE)
    assert member.name in client.get("/members/").content.decode()
    assert member.slug in [row["slug"] for row in client_as(None).get("/api/v1/organizations/").json()["results"]]

    clock(LAPSED)
    client.force_login(outsider)  # a signed-in reader: no visitors' page cache between the two readings
    assert member.name not in client.get("/members/").content.decode()
    assert member.slug not in [row["slug"] for row in client_as(None).get("/api/v1/organizations/").json()["results"]]
    assert client.get(f"/members/{member.slug}/").status_code == 404

    services.membership_renew(actor=member_admin, organization=member, accept_charter=True)
    assert member.name in client.get("/members/").content.decode()
