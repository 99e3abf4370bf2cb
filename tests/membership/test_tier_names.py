"""A tier staff rename shows its new name wherever a tier is named: the directory, the organization pages, the
API, the dashboards, the admin and the mails, each read from the tier's row, with no query per row."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from members import selectors, services
from members.models import MembershipTier, Organization
from tests.api_matrix import client_as
from tests.members.factories import (
    AdminAffiliationFactory,
    AffiliationFactory,
    ApplicantOrganizationFactory,
    OrganizationFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

OLD, NEW = "General member", "Sustaining member"


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def member():
    return OrganizationFactory(name="Delft Robotics", slug="delft-robotics", tier="general")


@pytest.fixture
def member_admin(member):
    return AdminAffiliationFactory(organization=member).person


@pytest.fixture
def rename(staff, django_capture_on_commit_callbacks):
    """Staff rename the general tier (through its service, as the admin does), after commit."""

    def renamed() -> MembershipTier:
        with django_capture_on_commit_callbacks(execute=True):
            return services.tier_update(actor=staff, tier=MembershipTier.objects.get(code="general"), name=NEW)

    return renamed


def test_the_public_pages_show_the_new_name(client, member, rename):
    # given visitors read the directory and the organization's page (kept in the cache for them)
    assert OLD in client.get(reverse("members:directory")).content.decode()
    assert OLD in client.get(member.get_absolute_url()).content.decode()

    # when staff rename the tier
    rename()

    # then both pages name it anew, and so does the directory's tier filter
    directory = client.get(reverse("members:directory")).content.decode()
    page = client.get(member.get_absolute_url()).content.decode()
    assert NEW in page and OLD not in page
    assert "Delft Robotics" in directory
    assert OLD not in directory
    assert f'<option value="general">{NEW}</option>' in directory
    assert f"· {NEW}" in directory


@pytest.mark.parametrize("size", [1, 8])
def test_the_home_pages_newest_members_show_the_new_name_in_the_same_queries(
    client, rename, django_assert_num_queries, size
):
    # given members at the renamed tier (the home page shows the six newest)
    OrganizationFactory.create_batch(size, tier="general")
    rename()

    # when a visitor reads the home page: the counts by kind, the newest members (with their tier's name)
    with django_assert_num_queries(2):
        page = client.get("/").content.decode()

    # then their cards name the tier anew
    assert f"· {NEW}" in page and OLD not in page


def test_the_organizations_own_pages_show_the_new_name(client, member, member_admin, rename):
    # given the tier renamed
    rename()
    client.force_login(member_admin)

    # when its admin reads their organizations and the organization's management page
    mine = client.get(reverse("members:my_organizations")).content.decode()
    manage = client.get(reverse("members:my_organization", args=[member.slug])).content.decode()

    # then both show the new name
    assert NEW in mine and OLD not in mine
    assert NEW in manage and OLD not in manage


def test_the_api_shows_the_new_name(member, member_admin, staff, rename):
    # given the tier renamed, and an applicant's application at it
    rename()
    applicant = ApplicantOrganizationFactory()
    applicant_admin = AdminAffiliationFactory(organization=applicant).person
    services.application_submit(
        actor=applicant_admin, organization=applicant, tier="general", statement="We join.", charter_accepted=True
    )

    # when the API lists organizations, shows one, and lists applications
    listed = client_as(None).get("/api/v1/organizations/").json()["results"]
    shown = client_as(None).get(f"/api/v1/organizations/{member.slug}/").json()
    applications = client_as(staff).get("/api/v1/applications/").json()["results"]

    # then each names the tier as staff renamed it, beside its code
    assert [(row["tier"], row["tier_name"]) for row in listed] == [("general", NEW)]
    assert (shown["tier"], shown["tier_name"]) == ("general", NEW)
    assert [(row["tier"], row["tier_name"]) for row in applications] == [("general", NEW)]
    assert "tier_name" not in applications[0]["organization"]  # no tier row read per applying organization


def test_the_staff_dashboard_and_its_csv_show_the_new_name(client, member, staff, rename):
    # given two members at the renamed tier and one at another
    OrganizationFactory(tier="general")
    OrganizationFactory(tier="academic")
    rename()

    # when staff read the figures, the page's table as CSV, and the page
    stats = client_as(staff).get("/api/v1/stats/").json()
    client.force_login(staff)
    exported = client.get("/staff/dashboard/", {"table": "members_by_tier"}).content.decode()
    page = client.get("/staff/dashboard/").content.decode()

    # then each counts the members under the new name
    assert stats["members_by_tier"] == {NEW: 2, "Academic member": 1}
    assert list(csv.reader(io.StringIO(exported))) == [["tier", "members"], [NEW, "2"], ["Academic member", "1"]]
    assert NEW in page and OLD not in page


def test_the_mails_name_the_tier_as_renamed(staff, rename, django_capture_on_commit_callbacks):
    # given the tier renamed and an applicant's admin
    rename()
    applicant = ApplicantOrganizationFactory()
    applicant_admin = AdminAffiliationFactory(organization=applicant).person

    # when they apply at it and staff approve
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            actor=applicant_admin, organization=applicant, tier="general", statement="We join.", charter_accepted=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(actor=staff, application=application)

    # then the receipt, the staff's notice and the decision name the new tier
    to_admin = [message.body for message in mail.outbox if applicant_admin.email in message.to]
    to_staff = [message.body for message in mail.outbox if staff.email in message.to]
    assert len(to_admin) == 2 and all("at the tier Sustaining member" in body for body in to_admin)
    assert to_staff and all("applies for the tier Sustaining member" in body for body in to_staff)
    assert not any("general member" in message.body for message in mail.outbox)


def test_the_admin_lists_show_the_new_name(admin_client, member, rename):
    # given the tier renamed and an application at it
    rename()
    applicant = ApplicantOrganizationFactory()
    services.application_submit(
        actor=AdminAffiliationFactory(organization=applicant).person,
        organization=applicant,
        tier="general",
        statement="We join.",
        charter_accepted=True,
    )

    # when staff list organizations and applications in the admin
    organizations = admin_client.get("/admin/members/organization/").content.decode()
    applications = admin_client.get("/admin/members/membershipapplication/").content.decode()

    # then the tier column names it anew
    assert f'<td class="field-tier_display">{NEW}</td>' in organizations
    assert f'<td class="field-tier_display">{NEW}</td>' in applications


@pytest.mark.parametrize("size", [2, 30])
def test_my_organizations_costs_the_same_queries_for_few_and_many(client, django_assert_num_queries, size):
    # given a person in organizations of several tiers
    person = AffiliationFactory(organization=OrganizationFactory(tier="academic")).person
    for index in range(size - 1):
        AffiliationFactory(person=person, organization=OrganizationFactory(tier=("founding", "general")[index % 2]))
    client.force_login(person)

    # session, person, their organizations (each with its tier's name), their applications; the header's unread
    # notifications and whether they administer one
    with django_assert_num_queries(6):
        page = client.get(reverse("members:my_organizations")).content.decode()

    assert "Academic member" in page and "Founding member" in page


# session, user, count, total count, the page's rows (standing and tier name), the tier and country filters' values
ADMIN_ORGANIZATION_LIST_QUERIES = 7


@pytest.mark.parametrize("size", [2, 30])
def test_the_admins_organization_list_costs_the_same_queries_for_few_and_many(
    admin_client, django_assert_num_queries, size
):
    OrganizationFactory.create_batch(size)
    admin_client.get("/admin/members/organization/")  # the session and the admin's own lookups settle

    with django_assert_num_queries(ADMIN_ORGANIZATION_LIST_QUERIES):
        assert admin_client.get("/admin/members/organization/").status_code == 200


def test_a_row_reads_its_tier_name_once_and_again_when_its_code_changes(django_assert_num_queries):
    # given an organization loaded without the annotation
    organization = Organization.objects.get(pk=OrganizationFactory(tier="general").pk)

    # when its tier is shown twice, then once more after its code changed
    with django_assert_num_queries(1):
        first, second = organization.get_tier_display(), organization.get_tier_display()
    organization.tier = "academic"
    with django_assert_num_queries(1):
        changed = organization.get_tier_display()

    # then the first read is kept and the changed code reads its own tier
    assert (first, second, changed) == ("General member", "General member", "Academic member")


def test_an_annotated_row_whose_code_changed_reads_the_new_tier(django_assert_num_queries):
    # given an organization loaded with its tier's name
    OrganizationFactory(slug="aurora", tier="general")
    organization = selectors.with_tier_name(Organization.objects.all()).get(slug="aurora")
    with django_assert_num_queries(0):
        assert organization.get_tier_display() == "General member"

    # when its code changes (an approval at another tier), then the name follows the code, not the annotation
    organization.tier = "academic"
    assert organization.get_tier_display() == "Academic member"


def test_no_tier_is_blank_and_a_code_without_a_row_shows_the_code():
    assert OrganizationFactory.build(tier="").get_tier_display() == ""
    assert OrganizationFactory.build(tier="retired").get_tier_display() == "retired"
