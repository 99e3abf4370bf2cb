"""Both dashboards (pages and API) cost the same number of queries for 5 organizations as for 200."""

import pytest

from events.models import Registration
from projects.models import Participation
from tests.api_matrix import client_as
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import AdminAffiliationFactory, AffiliationFactory, OrganizationFactory, StaffFactory
from tests.projects.factories import ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _alliance(size: int):
    """``size`` organizations, each with a person who joined a project and registered (and was checked in) for
    an event; the first organization's admin looks at its dashboard, whose people are one from each."""
    staff = StaffFactory()
    viewed = OrganizationFactory()
    admin = AdminAffiliationFactory(organization=viewed).person
    project, event = ProjectFactory(), EventFactory(capacity=None, created_by=staff)
    for index in range(size):
        person = AffiliationFactory(organization=OrganizationFactory()).person
        AffiliationFactory(organization=viewed, person=person)
        ParticipationFactory(
            project=project if index % 2 else ProjectFactory(), person=person, role=Participation.Role.CONTRIBUTOR
        )
        RegistrationFactory(event=event, person=person, status=Registration.Status.CONFIRMED)
    return staff, viewed, admin


# Pinned: the same at both sizes (a page's count includes the session, the person with their grace banner, and
# the header's unread count).
QUERIES = {"organization page": 21, "organization api": 10, "staff page": 17, "staff api": 14}


@pytest.mark.parametrize("reader", list(QUERIES))
@pytest.mark.parametrize("size", [5, 200])
def test_the_dashboards_cost_the_same_for_5_and_200_organizations(django_assert_num_queries, client, reader, size):
    # given an alliance of ``size`` organizations
    staff, viewed, admin = _alliance(size)
    if reader.startswith("organization"):
        path = (
            f"/organizations/{viewed.slug}/dashboard/"
            if reader.endswith("page")
            else (f"/api/v1/organizations/{viewed.slug}/contributions/")
        )
        reader_person = admin
    else:
        path = "/staff/dashboard/" if reader.endswith("page") else "/api/v1/stats/"
        reader_person = staff
    if reader.endswith("page"):
        client.force_login(reader_person)
        caller = client
    else:
        caller = client_as(reader_person)

    # when the dashboard is read, then it costs the pinned number of queries
    with django_assert_num_queries(QUERIES[reader]):
        response = caller.get(path)
    assert response.status_code == 200
