"""Standing follows the clock: current, renewal due, grace and lapsed at each boundary, one second either side,
read the same way by the selector, the list annotation, the API, the membership page and the admin list."""

import pytest

from members import selectors
from members.models import Organization
from tests.api_matrix import client_as

from .conftest import SECOND, TERM_END, days

pytestmark = pytest.mark.django_db

RENEWAL_OPENS = TERM_END - days(60)
GRACE_ENDS = TERM_END + days(30)

BOUNDARIES = [
    (RENEWAL_OPENS - SECOND, "current"),
    (RENEWAL_OPENS, "renewal_due"),
    (RENEWAL_OPENS + SECOND, "renewal_due"),
    (TERM_END - SECOND, "renewal_due"),
    (TERM_END, "grace"),
    (TERM_END + SECOND, "grace"),
    (GRACE_ENDS - SECOND, "grace"),
    (GRACE_ENDS, "lapsed"),
    (GRACE_ENDS + SECOND, "lapsed"),
]


@pytest.mark.parametrize(("moment", "standing"), BOUNDARIES)
def test_the_standing_at_each_boundary(member, member_person, clock, moment, standing):
    # given a term ending at TERM_END, and the clock at the moment
    clock(moment)

    # when the standing is read by each reader
    membership = selectors.organization_membership(member)
    annotated = selectors.with_membership(Organization.objects.filter(pk=member.pk)).get()
    answer = client_as(member_person).get(f"/api/v1/organizations/{member.slug}/membership/")

    # then they agree, and the API gives the dates the standing follows from
    assert membership.standing == standing
    assert annotated.standing == standing
    assert answer.status_code == 200
    body = answer.json()
    assert body["standing"] == standing
    assert body["tier"] == member.tier
    assert body["term_end"].startswith("2027-06-30T12:00:00")
    assert body["grace_until"].startswith("2027-07-30T12:00:00")
    assert body["renewal_opens"].startswith("2027-05-01T12:00:00")


@pytest.mark.parametrize(
    ("moment", "in_good_standing"),
    [(TERM_END - SECOND, True), (GRACE_ENDS - SECOND, True), (GRACE_ENDS, False), (GRACE_ENDS + SECOND, False)],
)
def test_benefits_last_through_grace_and_stop_when_lapsed(member, clock, moment, in_good_standing):
    clock(moment)

    assert selectors.is_in_good_standing(member) is in_good_standing
    assert selectors.organizations_in_good_standing().filter(pk=member.pk).exists() is in_good_standing


def test_suspended_and_withdrawn_stay_staff_decisions(member, clock):
    # given a suspended member whose term is current
    clock(TERM_END - days(100))
    Organization.objects.filter(pk=member.pk).update(status=Organization.Status.SUSPENDED)
    member.refresh_from_db()

    # then its standing is its status, and it has no benefits
    assert selectors.organization_membership(member).standing == "suspended"
    assert not selectors.is_in_good_standing(member)


def test_the_membership_page_and_the_admin_list_show_the_standing(member, member_admin, staff, client, clock):
    clock(TERM_END + SECOND)

    client.force_login(member_admin)
    page = client.get(f"/organizations/{member.slug}/membership/")
    assert page.status_code == 200
    assert "badge-standing-grace" in page.content.decode()

    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)
    admin_list = client.get("/admin/members/organization/")
    assert admin_list.status_code == 200
    assert "In grace" in admin_list.content.decode()


def test_who_reads_the_membership(member, member_person, outsider, other_admin, staff, clock):
    clock(TERM_END - days(100))
    path = f"/api/v1/organizations/{member.slug}/membership/"

    assert client_as(member_person).get(path).status_code == 200
    assert client_as(staff).get(path).status_code == 200
    assert client_as(outsider).get(path).status_code == 404
    assert client_as(other_admin).get(path).status_code == 404
    assert client_as(None).get(path).status_code == 404
    assert client_as(None).get("/api/v1/organizations/nobody-at-all/membership/").status_code == 404
