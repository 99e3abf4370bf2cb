"""The election journey in a real browser (system Chromium through Playwright), against a live server."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from alliance.governance.models import Ballot, BallotResult
from tests.members.factories import StaffFactory

from .factories import ChairFactory, CommitteeFactory, CommitteeMemberFactory

PASSWORD = "correct horse battery"  # the factories' password
RANKINGS = {  # each member's numbers for (Oslo, Lyon, Porto): Lyon wins, Oslo second, Porto last
    "Ada Voter": {"Oslo": "2", "Lyon": "1", "Porto": "3"},
    "Ben Voter": {"Oslo": "1", "Lyon": "2"},
    "Cy Voter": {"Lyon": "1", "Porto": "2"},
}


def sign_in(page: Page, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_chair_runs_a_ranked_election_members_rank_and_the_results_show_the_ranking_and_matrix(
    live_server, page: Page, browser: Browser, settings
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    StaffFactory()
    committee = CommitteeFactory(name="Technical Committee", slug="technical-committee")
    chair = ChairFactory(committee=committee, person__name="Cleo Chair").person
    members = [CommitteeMemberFactory(committee=committee, person__name=name).person for name in RANKINGS]

    # Given a chair who drafts a ranked ballot on the committee's page
    sign_in(page, base, chair.email, committee.get_absolute_url())
    page.get_by_role("link", name="New ballot").click()
    page.get_by_label("Title").fill("Where shall we meet in 2031?")
    page.get_by_label("How people vote").select_option("ranked")
    page.get_by_label("Options").fill("Oslo\nLyon\nPorto")
    page.get_by_label("Opens (UTC)").fill((timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Closes (UTC)").fill((timezone.now() + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("is saved as a draft")).to_be_visible()

    # When they open it now
    page.get_by_role("button", name="Open the ballot now").click()
    expect(page.get_by_text("The ballot is open; the electorate was told.")).to_be_visible()
    ballot = Ballot.objects.get(title="Where shall we meet in 2031?")
    assert (ballot.state, ballot.eligible) == (Ballot.State.OPEN, 4)

    # And three members number the options (without JavaScript's help: plain selects and a button)
    for member in members:
        voter = browser.new_context().new_page()
        sign_in(voter, base, member.email, ballot.get_absolute_url())
        expect(voter.get_by_role("heading", name="Where shall we meet in 2031?")).to_be_visible()
        for option, number in RANKINGS[member.name].items():
            voter.get_by_label(option, exact=True).select_option(number)
        voter.get_by_role("button", name="Vote").click()
        expect(voter.get_by_text("Your vote is in. You may change it until the ballot closes.")).to_be_visible()
        expect(voter.get_by_text("You voted:")).to_be_visible()
        voter.context.close()

    # Then the chair closes it and the results page shows the ranking and the pairwise matrix
    page.goto(f"{base}{ballot.get_absolute_url()}")
    page.get_by_role("button", name="Close and count").click()
    expect(page.get_by_role("heading", name="Results: Where shall we meet in 2031?")).to_be_visible()
    expect(page.get_by_text("The ballot is closed and counted.")).to_be_visible()
    expect(page.locator(".outcome")).to_contain_text("Winner: Lyon")
    expect(page.locator("ol.ranking li")).to_have_text(["Lyon", "Oslo", "Porto"])
    matrix = page.get_by_role("table", name="Pairwise preferences")
    expect(matrix.locator("thead th")).to_have_text(["Preferred", "Lyon", "Oslo", "Porto"])
    expect(matrix.locator("tbody tr").first).to_contain_text("Lyon")
    expect(matrix.locator("tbody tr").first.locator("td")).to_have_text(["—", "2", "3"])
    expect(page.get_by_text("3 of 4 voted (75%)")).to_be_visible()
    result = BallotResult.objects.get(ballot=ballot)
    assert (result.winner, result.ranking, result.pairwise["Lyon"]) == (
        "Lyon",
        ["Lyon", "Oslo", "Porto"],
        {"Oslo": 2, "Porto": 3},
    )
