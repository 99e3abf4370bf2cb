"""The project journey in a real browser (system Chromium through Playwright), against a live server."""

import pytest
from playwright.sync_api import Browser, Page, expect

from projects.models import CatalogEntry, Participation, Project
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory

PASSWORD = "correct horse battery"  # the factories' password


def sign_in(page: Page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_proposes_staff_accept_someone_joins_and_an_entry_reaches_the_catalog(
    live_server, page: Page, browser: Browser, settings
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    organization = OrganizationFactory(name="Aurora Labs")
    proposer = AffiliationFactory(organization=organization, person__name="Mira Koskinen").person
    joiner = AffiliationFactory(organization=OrganizationFactory(), person__name="Tom Okafor").person
    staff = StaffFactory(name="Sam Rivera")

    # Given a member who proposes a project that needs approval to join
    sign_in(page, base, proposer.email, "/my-projects/propose/")
    expect(page.get_by_role("heading", name="Propose a project")).to_be_visible()
    page.get_by_label("Title").fill("Nordic Open Models")
    page.get_by_label("Summary").fill("Open-weight models for the Nordic languages.")
    page.get_by_label("Description").fill("## Goals\n\nRelease **open** models.")
    page.get_by_label("Kind").select_option("model")
    page.get_by_label("Licence").fill("apache-2.0")
    page.get_by_label("Help wanted").fill("Evaluator, Icelandic speaker")
    page.get_by_label("Who may join").select_option("approval")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Goals")).to_be_visible()

    # When they submit it
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Your proposal was submitted")).to_be_visible()
    project = Project.objects.get(title="Nordic Open Models")
    assert project.state == Project.State.PROPOSED

    # Then staff accept it in the queue
    staff_page = browser.new_context().new_page()
    sign_in(staff_page, base, staff.email, "/staff/proposals/")
    expect(staff_page.get_by_role("heading", name="Project proposals awaiting a decision")).to_be_visible()
    row = staff_page.locator("tr", has_text="Nordic Open Models")
    row.get_by_role("button", name="Accept").click()
    expect(row.get_by_text("Nordic Open Models was accepted and is now incubating.")).to_be_visible()
    project.refresh_from_db()
    assert project.state == Project.State.INCUBATING

    # When another member asks to join and the lead approves
    joiner_page = browser.new_context().new_page()
    sign_in(joiner_page, base, joiner.email, f"/projects/{project.slug}/")
    joiner_page.get_by_label("Message to the leads").fill("I can evaluate Icelandic.")
    joiner_page.get_by_role("button", name="Ask to join").click()
    expect(joiner_page.get_by_text("its leads will decide")).to_be_visible()
    page.goto(f"{base}/projects/{project.slug}/")
    page.get_by_role("button", name="Approve Tom Okafor").click()
    expect(page.get_by_text("Tom Okafor now takes part in the project.")).to_be_visible()
    assert Participation.objects.get(person=joiner).status == Participation.Status.ACTIVE

    # And the lead submits a catalog entry
    page.get_by_role("link", name="Submit a catalog entry").click()
    page.get_by_label("Kind").select_option("model")
    page.get_by_label("Name").fill("Nordic LM 7B")
    page.get_by_label("Version").fill("1.0")
    page.get_by_label("Description").fill("A 7B open-weight model.")
    page.get_by_label("Link", exact=True).fill("https://example.org/nordic-lm")
    page.get_by_label("Licence").fill("Apache-2.0")
    page.get_by_role("button", name="Submit for validation").click()
    expect(page.get_by_text("Nordic LM 7B 1.0 was submitted")).to_be_visible()
    entry = CatalogEntry.objects.get(name="Nordic LM 7B")

    # Then staff validate it with the whole checklist
    staff_page.goto(f"{base}/catalog/{entry.pk}/")
    staff_page.get_by_label("A licence is stated and fits the entry").check()
    staff_page.get_by_label("Documentation explains how to use it").check()
    staff_page.get_by_label("The evaluation can be reproduced (or does not apply)").check()
    staff_page.get_by_label("Safety notes describe known risks and limits").check()
    staff_page.get_by_role("button", name="Validate").click()
    expect(staff_page.get_by_text("Nordic LM 7B 1.0 was validated until")).to_be_visible()

    # And it appears in the public catalog
    public = browser.new_context().new_page()
    public.goto(f"{base}/catalog/")
    public.get_by_role("searchbox", name="Search").fill("Nordic")
    card = public.locator(".project-card", has_text="Nordic LM 7B")
    expect(card).to_be_visible()
    expect(card.get_by_text("Validated", exact=True)).to_be_visible()
    entry.refresh_from_db()
    assert (entry.status, entry.validated_by) == (CatalogEntry.Status.VALIDATED, staff)
