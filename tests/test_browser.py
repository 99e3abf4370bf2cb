"""The main membership journey in a real browser (system Chromium through Playwright), against a live server."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from members.models import Affiliation, MembershipApplication, Organization
from tests.members.factories import TIER_NAMES, OrganizationFactory, StaffFactory, tier_for

PASSWORD = "a long enough passphrase"


def last_link(prefix: str) -> str:
    """The first link starting with ``prefix`` in the newest email that has one."""
    for message in reversed(mail.outbox):
        match = re.search(re.escape(prefix) + r"\S+", message.body)
        if match:
            return match.group(0)
    raise AssertionError(f"No email with a link to {prefix}; outbox: {[m.subject for m in mail.outbox]}")


def sign_up_and_verify(page: Page, base_url: str, email: str, name: str) -> None:
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    page.goto(last_link(f"{base_url}/accounts/confirm-email/"))
    page.get_by_role("button", name="Confirm").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_organization_signs_up_applies_is_approved_and_a_colleague_joins(
    live_server, page: Page, browser: Browser, settings
):
    settings.SITE_URL = live_server.url  # links in notification emails point at the live server
    base = live_server.url
    staff = StaffFactory(email="secretariat@alliance.example")
    for code in TIER_NAMES:  # the tiers the migration seeds (this test's tables were flushed before it)
        tier_for(code)

    # Given a person who signs up and confirms their address
    page.goto(f"{base}/accounts/signup/")
    sign_up_and_verify(page, base, "founder@openhealth.example", "Farah Founder")
    expect(page.locator(".menu summary")).to_have_text("Farah Founder")  # signed in

    # When they register their organization and apply
    page.goto(f"{base}/organizations/register/")
    page.get_by_label("Name").fill("Open Health Lab")
    page.get_by_label("Kind").select_option("healthcare")
    page.get_by_label("Country").select_option("NL")
    page.get_by_label("Website").fill("https://openhealth.example")
    page.get_by_label("Description").fill("Hospitals evaluating clinical AI in the open.")
    page.get_by_role("button", name="Register and continue").click()
    expect(page.get_by_role("heading", name="Apply for membership")).to_be_visible()
    page.get_by_label("General member").check()
    page.get_by_label("Statement of intent").fill("We will share our clinical evaluation benchmarks.")
    page.get_by_label("We accept the alliance charter on behalf of the organization.").check()
    page.get_by_role("button", name="Submit the application").click()
    expect(page.get_by_text("Your application was submitted.")).to_be_visible()
    expect(page.locator(".badge").first).to_have_text("Submitted")

    # Then staff approve it in the review queue
    staff_page = browser.new_context().new_page()
    staff_page.goto(f"{base}/accounts/login/?next=/staff/applications/")
    staff_page.get_by_label("Email").fill(staff.email)
    staff_page.get_by_label("Password").fill("correct horse battery")
    staff_page.get_by_role("button", name="Sign In").click()
    expect(staff_page.get_by_role("heading", name="Applications awaiting a decision")).to_be_visible()
    row = staff_page.locator("tr", has_text="Open Health Lab")
    row.get_by_role("link", name="Approve…").click()
    expect(staff_page.get_by_role("heading", name="Approve Open Health Lab?")).to_be_visible()
    staff_page.get_by_label("Welcome note").fill("Welcome! The kick-off call is on Monday.")
    staff_page.get_by_label("I have read the application and approve Open Health Lab as General member.").check()
    staff_page.get_by_role("button", name="Approve", exact=True).click()
    expect(staff_page.get_by_text("Open Health Lab is approved and now an active member.")).to_be_visible()
    organization = Organization.objects.get(name="Open Health Lab")
    assert organization.status == Organization.Status.ACTIVE
    assert organization.applications.get().status == MembershipApplication.Status.APPROVED

    # And the admin invites a colleague from the organization's page
    page.goto(f"{base}/organizations/{organization.slug}/manage/")
    invitations = page.locator("#invitations")
    invitations.get_by_label("Email address").fill("colleague@openhealth.example")
    invitations.get_by_label("Role").select_option("member")
    invitations.get_by_role("button", name="Invite").click()
    expect(invitations.get_by_text("An invitation was sent to colleague@openhealth.example.")).to_be_visible()

    # When the colleague opens the invitation, signs up with the address it fills in (the invitation's link proved
    # it: no confirmation mail) and accepts
    invitation_link = last_link(f"{base}/invitations/")
    colleague = browser.new_context().new_page()
    colleague.goto(invitation_link)
    expect(colleague.get_by_role("heading", name="Join Open Health Lab")).to_be_visible()
    colleague.get_by_role("link", name="Create an account").click()
    expect(colleague.get_by_label("Email")).to_have_value("colleague@openhealth.example")
    colleague.get_by_label("Full name").fill("Cole Colleague")
    colleague.get_by_label("Password", exact=True).fill(PASSWORD)
    colleague.get_by_label("Password (again)").fill(PASSWORD)
    colleague.get_by_role("button", name="Sign Up").click()
    expect(colleague).to_have_url(invitation_link)
    colleague.get_by_role("button", name="Accept and join Open Health Lab").click()

    # Then they are on the organization's people list
    expect(colleague.get_by_text("Welcome to Open Health Lab!")).to_be_visible()
    people = colleague.locator("#people")
    expect(people.get_by_text("Cole Colleague")).to_be_visible()
    expect(people.get_by_text("Farah Founder")).to_be_visible()
    expect(people.get_by_text("founder@openhealth.example")).to_have_count(0)  # a member sees names, not addresses
    assert Affiliation.objects.get(person__email="colleague@openhealth.example").role == Affiliation.Role.MEMBER


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_directory_filters_as_the_visitor_types(live_server, page: Page):
    OrganizationFactory(name="Delft Robotics", kind=Organization.Kind.UNIVERSITY)
    OrganizationFactory(name="Lyon Health", kind=Organization.Kind.HEALTHCARE)

    page.goto(f"{live_server.url}/members/")
    expect(page.get_by_text("2 organizations.")).to_be_visible()
    page.get_by_role("searchbox", name="Search").fill("robot")

    expect(page.get_by_text("1 organization matches.")).to_be_visible()
    expect(page.get_by_role("link", name="Lyon Health")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/members/\?q=robot"))
    page.get_by_label("Kind").select_option("healthcare")
    expect(page.get_by_text("0 organizations match.")).to_be_visible()
