"""The two signed-in home pages in a real browser (system Chromium), at desktop and phone widths: what a person and
staff see first, each part's link to its full page, and no sideways scrolling."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from alliance.models import Notification
from members.models import JoinRequest, MembershipApplication
from projects.catalog.models import CatalogEntry
from projects.models import Project, ProjectUpdate
from tests.browser import page_width, sign_in
from tests.events.factories import EventFactory, RegistrationFactory
from tests.members.factories import (
    AdminAffiliationFactory,
    ApplicantOrganizationFactory,
    ApplicationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)
from tests.projects.factories import CatalogEntryFactory, ParticipationFactory, ProjectFactory

SCREENSHOTS = os.environ.get("HOME_SCREENSHOTS", "")  # a folder to keep the pages' pictures in, when set


def _look(page: Page, name: str, width: int) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"home-{name}-{width}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_an_org_admin_sees_their_home_and_follows_a_join_request(live_server, page: Page, width):
    # given an admin of an organization due for renewal, with a join request, events, a project and a notification
    organization = OrganizationFactory(
        name="Aurora Labs with a rather long organization name", term__ends_at=timezone.now() + timedelta(days=20)
    )
    admin = AdminAffiliationFactory(
        organization=organization, person__name="Ada Admin", person__email="ada.admin.long.address@aurora-labs.example"
    ).person
    JoinRequest.objects.create(organization=organization, person=UserFactory(name="Jo Joiner"))
    event = EventFactory(title="Workshop on evaluating multilingual models in the open")
    RegistrationFactory(event=event, person=admin)
    project = ProjectFactory(title="Open evaluation harness for multilingual language models")
    ParticipationFactory(project=project, person=admin)
    ProjectUpdate.objects.create(
        project=project, author=admin, title="Version 2 of the harness runs every benchmark twice as fast", body="."
    )
    Notification.objects.create(
        recipient=admin,
        email=admin.email,
        kind="membership",
        subject="A rather long notification subject about the organization's membership renewal",
        body="Body",
        url=f"/organizations/{organization.slug}/membership/",
        status=Notification.Status.SENT,
    )
    page.set_viewport_size({"width": width, "height": 900})

    # when they sign in
    sign_in(page, live_server.url, admin.email, "/")

    # then their home shows each part, and nothing scrolls sideways
    expect(page.get_by_role("heading", name="Hello, Ada Admin")).to_be_visible()
    for heading in ("Waiting for you", "Your next events", "Your projects", "Unread notifications"):
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("link", name="Workshop on evaluating multilingual models in the open")).to_be_visible()
    expect(page.get_by_text("Version 2 of the harness")).to_be_visible()
    _look(page, "admin", width)
    assert page_width(page) <= width

    # and the join request leads to where the admin answers it
    page.get_by_role("link", name=f"Jo Joiner asks to join {organization.name}").click()
    expect(page.get_by_role("heading", name="Join requests")).to_be_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_staff_see_what_waits_for_them_and_open_the_oldest(live_server, page: Page, width):
    # given an application three days old, a proposal, a catalog entry to validate
    application = ApplicationFactory(organization=ApplicantOrganizationFactory(name="Applicant Analytics Institute"))
    MembershipApplication.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - timedelta(days=3, hours=2)
    )
    ProjectFactory(title="A proposed benchmark for multilingual safety evaluation", state=Project.State.PROPOSED)
    CatalogEntryFactory(name="Toxicity checker", status=CatalogEntry.Status.SUBMITTED)
    staff = StaffFactory(name="Sam Staff")
    page.set_viewport_size({"width": width, "height": 900})

    # when staff sign in
    sign_in(page, live_server.url, staff.email, "/")

    # then the queues are there, with how long the oldest waited, and nothing scrolls sideways
    expect(page.get_by_role("heading", name="Waiting for staff")).to_be_visible()
    applications = page.locator("#queue-applications")
    expect(applications).to_contain_text("waiting 3 days")
    expect(page.locator("#queue-objections")).to_contain_text("No objection waits")
    expect(page.get_by_role("link", name="staff dashboard")).to_be_visible()
    _look(page, "staff", width)
    assert page_width(page) <= width

    # and the oldest application opens its page
    applications.get_by_role("link", name="Applicant Analytics Institute").click()
    expect(page.get_by_role("heading", name="Applicant Analytics Institute")).to_be_visible()
