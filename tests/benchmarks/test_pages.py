"""The benchmark pages as people read them: the benchmark page, the round page with its timeline, the submission
form (the benchmark's metrics as fields, the service's refusals shown), the submission page, the objection queue,
the leaderboard with its filters, downloads and chart. Nothing is drawn with inline styles (the Content Security
Policy refuses them), so the intervals and the chart are SVG shapes."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from projects.benchmarks import services
from projects.benchmarks.models import Submission

from .conftest import REVIEW_BY, SUBMIT_BY, in_state

pytestmark = pytest.mark.django_db


def page(person, url: str, **kwargs) -> str:
    client = Client()
    if person is not None:
        client.force_login(person)
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert not re.search(r"<[^>]+\sstyle=", html), "an inline style the CSP would refuse"
    return html


def post(person, url: str, data: dict, **kwargs):
    client = Client()
    client.force_login(person)
    return client.post(url, data, **kwargs)


# --- the benchmark page -------------------------------------------------------------------------------------------


def test_the_benchmark_page_shows_rules_metrics_rounds_and_the_latest_leaderboard_with_intervals(registry):
    in_state(registry, "published")

    html = page(None, registry.benchmark.get_absolute_url())

    assert "<h2>Closed division</h2>" in html  # the rules, rendered from Markdown
    assert "Accuracy" in html and "<code>latency_ms</code>" in html and "higher is better" in html
    assert f'href="/benchmark-rounds/{registry.round.pk}/"' in html and "published" in html
    # the leaderboard ranks A (81.0) above B (77.0), each interval drawn on one scale
    assert html.index("Aurora LM") < html.index("Borealis LM")
    assert html.count('class="interval-range"') == 2
    assert 'aria-label="81, interval 79 to 83"' in html
    assert "Separable from the next" in html
    # and the chart of the primary metric per round: a dot per result, the best marked
    assert html.count('class="dot"') == 2 and html.count('class="best"') == 1


def test_the_benchmark_page_before_any_publication_says_so(registry):
    in_state(registry, "review")

    html = page(None, registry.benchmark.get_absolute_url())

    assert "No published result here yet." in html
    assert "The chart appears once a round is published." in html
    assert "Aurora LM" not in html  # a round in review shows nothing of its submissions here


# --- the round page -----------------------------------------------------------------------------------------------


def test_the_round_page_shows_its_timeline_state_my_submissions_and_my_assignments(registry):
    in_state(registry, "review")

    html = page(registry.people["a"], registry.round.get_absolute_url())

    assert 'id="round-state">review</span>' in html
    timeline = re.findall(r'<li class="(past|future)"><time datetime="[^"]+">[^<]+</time> ([^<]+)</li>', html)
    assert timeline == [("past", "Opened"), ("past", "Submission deadline"), ("future", "Review deadline"),
                        ("future", "Publication")]  # fmt: skip
    own = html[html.index("My organization's submissions") : html.index("My review assignments")]
    assert "Aurora LM" in own and "Borealis LM" not in own
    assignments = html[html.index("My review assignments") : html.index("The round's submissions")]
    assert f"Submission {registry.submissions['b'].pk}</a> of Borealis AI" in assignments
    assert "To review" in assignments


def test_anonymous_visitors_see_no_my_sections_on_the_round_page(registry):
    in_state(registry, "open")

    html = page(None, registry.round.get_absolute_url())

    assert "My organization's submissions" not in html and "My review assignments" not in html
    assert "each organization sees only its own submissions" in html


def test_the_lead_publishes_from_the_round_page_once_the_review_deadline_passed(registry):
    in_state(registry, "review")
    services.objection_dismiss(actor=registry.staff, objection=registry.objection, reason="Fine.")
    assert "Publish the round" not in page(registry.lead, registry.round.get_absolute_url())
    registry.at(REVIEW_BY + timedelta(minutes=1))
    assert "Publish the round" in page(registry.lead, registry.round.get_absolute_url())

    response = post(registry.lead, reverse("benchmarks:round_publish", args=[registry.round.pk]), {}, follow=True)

    html = response.content.decode()
    assert "release 1 is frozen" in html
    assert "results.csv" in html and "results.json" in html  # the round's releases, downloadable


# --- the submission form ------------------------------------------------------------------------------------------


def test_the_submission_form_has_the_benchmarks_metrics_as_fields(registry):
    html = page(registry.people["a"], reverse("benchmarks:submission_create", args=[registry.round.pk]))

    for name in ("accuracy", "accuracy_ci_low", "accuracy_ci_high", "latency_ms", "latency_ms_ci_low"):
        assert f'name="{name}"' in html
    assert "primary metric, required" in html and "<legend>Accuracy (%)" in html
    assert f'<option value="{registry.organizations["a"].pk}">Aurora Labs</option>' in html  # their organization


FORM = {"division": "closed", "availability": "available", "model": "Nordic LM", "model_version": "7B",
        "hardware": "8 x H100", "software": "harness 2.1", "artifacts": "https://git.example.org/logs/1"}  # fmt: skip


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"accuracy": "85", "accuracy_ci_low": "78", "accuracy_ci_high": "82"}, "inside its confidence interval"),
        ({"latency_ms": "12"}, "Give a result for the primary metric, accuracy."),
        ({"accuracy": "80", "accuracy_ci_low": "78"}, "Give both ends of the confidence interval"),
        ({"accuracy": "high"}, "Enter a number."),
    ],
)
def test_the_submission_form_shows_what_is_wrong_and_saves_nothing(registry, values, message):
    url = reverse("benchmarks:submission_create", args=[registry.round.pk])
    data = {**FORM, "organization": registry.organizations["a"].pk, **values}

    response = post(registry.people["a"], url, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Submission.objects.exists()


def test_a_submission_through_the_form_lands_on_its_page(registry):
    url = reverse("benchmarks:submission_create", args=[registry.round.pk])
    data = {**FORM, "organization": registry.organizations["a"].pk, "accuracy": "81.5", "accuracy_ci_low": "80",
            "accuracy_ci_high": "83", "latency_ms": "120"}  # fmt: skip

    response = post(registry.people["a"], url, data, follow=True)

    submission = Submission.objects.get()
    assert response.redirect_chain[-1][0] == submission.get_absolute_url()
    html = response.content.decode()
    assert "Your submission was received." in html
    assert "81.5 %" in html and "80 – 83" in html and "120 ms" in html


def test_the_form_of_a_closed_round_sends_people_back_to_the_round(registry):
    registry.at(SUBMIT_BY)

    client = Client()
    client.force_login(registry.people["a"])
    response = client.get(reverse("benchmarks:submission_create", args=[registry.round.pk]), follow=True)

    assert response.redirect_chain[-1][0] == registry.round.get_absolute_url()
    assert "no longer takes submissions" in response.content.decode()


def test_a_fix_is_made_through_the_edit_form(registry):
    world = in_state(registry, "review")
    services.objection_uphold(actor=registry.lead, objection=world.objection, outcome="fix_required", reason="Rerun.")
    b = world.submissions["b"]
    html = page(registry.people["b"], b.get_absolute_url())
    assert "An upheld objection asks for a fix." in html and "Fix the submission" in html

    edit = reverse("benchmarks:submission_edit", args=[b.pk])
    assert "goes back to review" in page(registry.people["b"], edit)
    data = {**FORM, "accuracy": "76", "accuracy_ci_low": "75", "accuracy_ci_high": "77"}
    response = post(registry.people["b"], edit, data, follow=True)

    assert "The fix is made; the submission is back in review." in response.content.decode()
    b.refresh_from_db()
    assert b.state == Submission.State.SUBMITTED


# --- the submission page ------------------------------------------------------------------------------------------


def test_the_submission_page_shows_system_results_artifacts_reviews_and_objections(registry):
    world = in_state(registry, "review")
    b = world.submissions["b"]
    services.review_submit(actor=registry.people["a"], submission=b, verdict="questions", comment="Which seed?")

    html = page(registry.lead, b.get_absolute_url())

    assert "<dt>Hardware</dt><dd>8 x H100</dd>" in html and "<dt>Software</dt><dd>harness 2.1</dd>" in html
    assert "77 %" in html and "75.5 – 78.5" in html
    assert 'href="https://git.example.org/logs/1"' in html
    assert "Aurora Labs: Which seed?" in html and "Needs clarification" in html
    assert "cites “Closed division: reference setup”" in html and "The logs show a modified harness." in html
    assert "Decision on objection" in html  # the lead may decide it here


def test_a_reviewer_reviews_and_a_peer_objects_from_the_submission_page(registry):
    world = in_state(registry, "review")
    a = world.submissions["a"]
    html = page(registry.people["b"], a.get_absolute_url())
    assert "Your organization's review" in html and "Object to this submission" in html

    review = post(registry.people["b"], reverse("benchmarks:review_post", args=[a.pk]),
                  {"verdict": "compliant", "comment": "Logs match."}, follow=True)  # fmt: skip
    objection = post(registry.people["b"], reverse("benchmarks:objection_post", args=[a.pk]),
                     {"rule": "Rule 4", "description": "No grader config."}, follow=True)  # fmt: skip

    assert "Your organization&#x27;s review is recorded." in review.content.decode()
    assert "Your objection is recorded" in objection.content.decode()
    assert a.objections.filter(rule="Rule 4", state="open").exists()


# --- the objection queue ------------------------------------------------------------------------------------------


def test_the_objection_queue_lists_what_the_person_may_decide(registry):
    world = in_state(registry, "review")

    html = page(registry.lead, reverse("benchmarks:objection_queue"))

    assert "Borealis LM" in html and "cites “Closed division: reference setup”" in html
    assert f"Decision on objection {world.objection.pk}" in html

    decide = reverse("benchmarks:objection_decide", args=[world.objection.pk])
    response = post(registry.lead, decide, {"decision": "dismiss", "reason": "Fine.", "from": "queue"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("benchmarks:objection_queue")
    assert "The objection was dismissed." in response.content.decode()
    assert "No objection is waiting for you." in response.content.decode()


# --- the leaderboard page -----------------------------------------------------------------------------------------


def test_the_leaderboard_page_filters_and_links_the_downloads_and_the_chart(registry):
    world = in_state(registry, "published")
    services.objection_uphold(actor=registry.staff, objection=world.objection, outcome="remove", reason="Not sold.")
    url = reverse("benchmarks:leaderboard", args=[registry.benchmark.slug])

    html = page(None, url)

    assert '<select name="division"' in html and '<select name="availability"' in html
    board = html[html.index('<table class="table leaderboard">') : html.index("</table>")]
    assert "Aurora LM" in board and "Borealis LM" not in board  # removed after publication
    for version in (1, 2):
        for extension in ("csv", "json"):
            assert f'href="/api/v1/rounds/{registry.round.pk}/releases/{version}/results.{extension}"' in html
    assert "removed after an objection" in html
    assert 'class="chart"' in html
    # the availability filter keeps only preview results: none here
    assert "No published result here yet." in page(None, url, data={"availability": "preview"})
    assert "Aurora LM" in page(None, url, data={"round": registry.round.pk, "division": "closed"})
