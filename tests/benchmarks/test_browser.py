"""The benchmark journey in a real browser (system Chromium through Playwright), against a live server: a member
submits through the form, a peer objects, staff uphold with a fix, the submitter fixes, the round is published,
and the leaderboard shows the result with its interval.

The clock is real here; where the journey needs a deadline to pass, the round's dates are moved into the past (what
the clock would have done) and the beat job runs, as it would.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from projects.benchmarks import services
from projects.benchmarks.models import Objection, Round, Submission
from tests.browser import sign_in
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory
from tests.projects.factories import LeadFactory

from .conftest import METRICS, SYSTEM, results
from .factories import BenchmarkProjectFactory


def _deadline_passes(round: Round) -> None:
    """The submission deadline is a minute ago; the beat job starts review."""
    now = timezone.now()
    Round.objects.filter(pk=round.pk).update(
        created_at=now - timedelta(days=10), submission_deadline=now - timedelta(minutes=1)
    )
    services.benchmark_rounds_advance()


def _review_deadline_passes(round: Round) -> None:
    now = timezone.now()
    Round.objects.filter(pk=round.pk).update(
        submission_deadline=now - timedelta(days=2), review_deadline=now - timedelta(minutes=1)
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_member_submits_a_peer_objects_staff_ask_a_fix_it_is_fixed_published_and_ranked(
    live_server, page: Page, browser: Browser, settings
):
    settings.SITE_URL = live_server.url
    base = live_server.url
    project = BenchmarkProjectFactory(title="Open Safety Evaluations", slug="open-safety-evaluations")
    lead = LeadFactory(project=project, person__name="Lena Lead").person
    benchmark = services.benchmark_define(actor=lead, project=project, metrics=METRICS, rules="Run it unchanged.")
    now = timezone.now()
    round = services.round_open(
        actor=lead, benchmark=benchmark, version="v1.0", harness_url="https://git.example.org/harness",
        harness_commit="4f2c9e1", submission_deadline=now + timedelta(days=7),
        review_deadline=now + timedelta(days=14), publish_at=now + timedelta(days=21),
    )  # fmt: skip
    aurora, borealis = OrganizationFactory(name="Aurora Labs"), OrganizationFactory(name="Borealis AI")
    member = AffiliationFactory(organization=aurora, person__name="Mira Koskinen").person
    peer = AffiliationFactory(organization=borealis, person__name="Bo Peer").person
    staff = StaffFactory(name="Sam Rivera")
    services.submission_create(
        actor=peer, round=round, organization=borealis, division="closed", availability="available",
        system={**SYSTEM, "model": "Borealis LM"}, results=results(74.0, 72.5, 75.5),
    )  # fmt: skip

    # Given a member of Aurora Labs who submits through the form, the metrics as fields
    sign_in(page, base, member.email, round.get_absolute_url())
    page.get_by_role("link", name="Submit results").click()
    expect(page.get_by_role("heading", name="Submit results to v1.0")).to_be_visible()
    page.get_by_label("Model", exact=True).fill("Aurora LM")
    page.get_by_label("Model version").fill("7B")
    page.get_by_label("Hardware").fill("8 x H100")
    page.get_by_label("Software").fill("harness 4f2c9e1, default settings")
    page.get_by_label("Accuracy: Value").fill("81.5")
    page.get_by_label("Accuracy: Interval low").fill("83")  # a slip: the interval must hold the value
    page.get_by_label("Accuracy: Interval high").fill("84")
    page.get_by_label("Artifacts").fill("https://git.example.org/aurora/logs/v1.0")
    page.get_by_role("button", name="Submit the results").click()
    expect(page.get_by_text("must lie inside its confidence interval")).to_be_visible()
    page.get_by_label("Accuracy: Interval low").fill("80")
    page.get_by_label("Accuracy: Interval high").fill("83")
    page.get_by_role("button", name="Submit the results").click()
    expect(page.get_by_text("Your submission was received.")).to_be_visible()
    submission = Submission.objects.get(organization=aurora)
    assert submission.results.get(metric__key="accuracy").ci_low == 80.0

    # When the deadline passes and the peer objects to it, citing a rule
    _deadline_passes(round)
    peer_page = browser.new_context().new_page()
    sign_in(peer_page, base, peer.email, submission.get_absolute_url())
    peer_page.get_by_text("Object to this submission").click()
    peer_page.get_by_label("Rule").fill("Rule 1: reference setup")
    peer_page.get_by_label("What breaks it").fill("The logs show a custom system prompt.")
    peer_page.get_by_role("button", name="Raise the objection").click()
    expect(peer_page.get_by_text("Your objection is recorded")).to_be_visible()
    peer_page.context.close()

    # And staff uphold it from the queue, asking for a fix
    staff_page = browser.new_context().new_page()
    sign_in(staff_page, base, staff.email, "/benchmark-objections/")
    expect(staff_page.get_by_text("cites “Rule 1: reference setup”")).to_be_visible()
    staff_page.get_by_label("Uphold").check()
    staff_page.get_by_label("Outcome if upheld").select_option("fix_required")
    staff_page.get_by_label("Reason (both organizations read it)").fill("Rerun with the default prompt.")
    staff_page.get_by_role("button", name="Record the decision").click()
    expect(staff_page.get_by_text("The objection was upheld.")).to_be_visible()
    assert Objection.objects.get().outcome == "fix_required"

    # And the submitter fixes it
    page.goto(f"{base}{submission.get_absolute_url()}")
    expect(page.get_by_text("An upheld objection asks for a fix.")).to_be_visible()
    page.get_by_role("link", name="Fix the submission").click()
    page.get_by_label("Accuracy: Value").fill("79.5")
    page.get_by_label("Accuracy: Interval low").fill("78")
    page.get_by_label("Accuracy: Interval high").fill("81")
    page.get_by_role("button", name="Save the fix").click()
    expect(page.get_by_text("The fix is made; the submission is back in review.")).to_be_visible()
    expect(page.locator("#submission-state")).to_have_text("Submitted")

    # Then, once the review deadline passed, staff publish the round
    _review_deadline_passes(round)
    staff_page.goto(f"{base}{round.get_absolute_url()}")
    staff_page.get_by_role("button", name="Publish the round").click()
    expect(staff_page.get_by_text("release 1 is frozen")).to_be_visible()
    expect(staff_page.locator("#round-state")).to_have_text("published")

    # And the leaderboard ranks Aurora's fixed result first, with its interval drawn
    page.goto(f"{base}/benchmarks/open-safety-evaluations/leaderboard/")
    rows = page.locator("table.leaderboard tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Aurora Labs")
    expect(rows.first).to_contain_text("79.5")
    expect(rows.first).to_contain_text("78 – 81")
    expect(rows.first.get_by_role("img", name="79.5, interval 78 to 81")).to_be_visible()
    expect(rows.nth(1)).to_contain_text("Borealis AI")
    expect(rows.first).to_contain_text("Yes")  # 78–81 lies wholly above 72.5–75.5
    expect(page.get_by_role("link", name="results.csv")).to_be_visible()
