"""In a real browser, at 1280 and 390 px: the application form (tiers with their fee and benefits, none chosen), the
approval's confirmation page, and the staff and organization audit trails; none scrolls sideways. Screenshots go to
the test's temporary folder (``--basetemp`` to keep them)."""

import pytest
from playwright.sync_api import Page, expect

from members import services
from members.models import MembershipApplication
from tests.browser import sign_in
from tests.members.factories import (
    AdminAffiliationFactory,
    ApplicantOrganizationFactory,
    StaffFactory,
    UserFactory,
    tier_for,
)

WIDTHS = (1280, 390)


@pytest.fixture
def world(db):
    for position, (code, fee, seat) in enumerate(
        [("founding", 25000, True), ("general", 10000, True), ("associate", 2500, False), ("academic", 0, False)]
    ):
        tier = tier_for(code)  # a transactional test flushed the migration's rows
        tier.annual_fee, tier.committee_seat, tier.position = fee, seat, position
        tier.save()
    applying = ApplicantOrganizationFactory(name="Aurora Labs for Responsible Evaluation")
    applying_admin = AdminAffiliationFactory(
        organization=applying, person=UserFactory(name="Ada Admin", email="ada@aurora.example")
    ).person
    waiting = ApplicantOrganizationFactory(name="Boreal Institute of Open Models")
    waiting_admin = AdminAffiliationFactory(organization=waiting, person=UserFactory(name="Bo Admin")).person
    application = services.application_submit(
        actor=waiting_admin,
        organization=waiting,
        tier="associate",
        statement="We publish evaluation suites and want to share them.",
        charter_accepted=True,
    )
    services.organization_update(
        actor=waiting_admin, organization=waiting, website="https://boreal-institute-of-open-models.example/research"
    )
    staff = StaffFactory(name="Sam Staff", email="sam@alliance.example")
    return {
        "applying": applying,
        "applying_admin": applying_admin,
        "waiting": waiting,
        "waiting_admin": waiting_admin,
        "application": application,
        "staff": staff,
    }


def _width(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_the_application_form_makes_the_person_choose_a_tier(live_server, page: Page, world, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    path = f"/organizations/{world['applying'].slug}/apply/"
    sign_in(page, live_server.url, world["applying_admin"].email, path)
    page.goto(live_server.url + path)

    expect(page.get_by_role("group", name="Membership tier")).to_be_visible()
    assert page.locator('input[name="tier"]:checked').count() == 0
    page.screenshot(path=tmp_path / f"application-form-{width}.png", full_page=True)
    assert _width(page) <= width

    page.get_by_label("Statement of intent").fill("We evaluate models in the open.")
    page.get_by_label("We accept the alliance charter on behalf of the organization.").check()
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text("Choose a membership tier.")).to_be_visible()
    page.screenshot(path=tmp_path / f"application-form-error-{width}.png", full_page=True)

    page.get_by_label("Associate member").check()
    page.get_by_role("button", name="Submit the application").click()
    expect(
        page.get_by_role("heading", name="Membership application of Aurora Labs for Responsible Evaluation")
    ).to_be_visible()
    assert MembershipApplication.objects.get(organization=world["applying"]).tier == "associate"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", WIDTHS)
def test_staff_confirm_an_approval_and_read_the_trails(live_server, page: Page, world, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, world["staff"].email, "/staff/applications/")
    page.goto(live_server.url + "/staff/applications/")
    page.screenshot(path=tmp_path / f"review-queue-{width}.png", full_page=True)
    page.get_by_role("link", name="Approve…").click()

    expect(page.get_by_role("heading", name="Approve Boreal Institute of Open Models?")).to_be_visible()
    page.screenshot(path=tmp_path / f"approve-confirm-{width}.png", full_page=True)
    assert _width(page) <= width
    page.get_by_label("Welcome note").fill("Welcome aboard!")
    page.get_by_label("I have read the application and approve").check()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("is approved and now an active member")).to_be_visible()

    page.goto(live_server.url + "/staff/audit/")
    expect(page.get_by_role("cell", name="Application approved")).to_be_visible()
    expect(page.get_by_role("cell", name="Sam Staff").first).to_be_visible()
    page.screenshot(path=tmp_path / f"staff-audit-{width}.png", full_page=True)
    assert _width(page) <= width

    page.goto(live_server.url + f"/organizations/{world['waiting'].slug}/manage/audit/?start=2030-01-02&end=2030-01-01")
    expect(page.get_by_text("The end date is before the start date.")).to_be_visible()
    page.screenshot(path=tmp_path / f"organization-audit-error-{width}.png", full_page=True)
    page.goto(live_server.url + f"/organizations/{world['waiting'].slug}/manage/audit/")
    expect(page.get_by_role("cell", name="Application submitted")).to_be_visible()
    page.screenshot(path=tmp_path / f"organization-audit-{width}.png", full_page=True)
    assert _width(page) <= width
