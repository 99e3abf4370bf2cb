"""The leaderboard: ranked by the primary metric in its direction with ties sharing a rank, separation read from
the intervals, verified (published) results only, filters by division and availability; and every list, the
leaderboard and the round and benchmark pages cost the same number of queries for 5 submissions as for 200."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects.benchmarks import selectors, services
from projects.benchmarks.models import Submission
from tests.api_matrix import API, client_as
from tests.members.factories import AffiliationFactory, OrganizationFactory

from .conftest import in_state
from .factories import BenchmarkFactory, MetricFactory, ResultFactory, RoundFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def published_round(*, higher_is_better: bool = True):
    benchmark = BenchmarkFactory()
    metric = MetricFactory(benchmark=benchmark, key="score", higher_is_better=higher_is_better, primary=True)
    other = MetricFactory(benchmark=benchmark, key="cost", higher_is_better=False, position=1)
    now = timezone.now()
    round = RoundFactory(
        benchmark=benchmark,
        submission_deadline=now - timedelta(days=30),
        review_deadline=now - timedelta(days=20),
        publish_at=now - timedelta(days=10),
        review_started_at=now - timedelta(days=30),
        published_at=now - timedelta(days=10),
    )
    return round, metric, other


def result(round, metric, name: str, value: float, low=None, high=None, **fields) -> Submission:
    """A published submission of the organization ``name`` with this primary value (and interval)."""
    fields.setdefault("state", Submission.State.PUBLISHED)
    fields.setdefault("published_at", round.published_at)
    submission = SubmissionFactory(
        round=round, organization=OrganizationFactory(name=name), system_model=f"{name} LM", **fields
    )
    ResultFactory(submission=submission, metric=metric, value=value, ci_low=low, ci_high=high)
    return submission


def ranking(board) -> list[tuple[int, str, float]]:
    return [(row.rank, row.submission.organization.name, row.value) for row in board.rows]


# --- ranking ------------------------------------------------------------------------------------------------------


def test_higher_is_better_ranks_the_largest_first_and_ties_share_a_rank():
    round, metric, _ = published_round(higher_is_better=True)
    for name, value in (("Delta", 80.0), ("Bravo", 85.0), ("Alpha", 85.0), ("Echo", 70.0), ("Charlie", 80.0)):
        result(round, metric, name, value)

    board = selectors.leaderboard(round=round)

    # equal values share a rank and are ordered by organization; the next rank skips the shared places
    assert ranking(board) == [(1, "Alpha", 85.0), (1, "Bravo", 85.0), (3, "Charlie", 80.0), (3, "Delta", 80.0),
                              (5, "Echo", 70.0)]  # fmt: skip


def test_lower_is_better_ranks_the_smallest_first_and_ties_share_a_rank():
    round, metric, _ = published_round(higher_is_better=False)
    for name, value in (("Delta", 2.5), ("Bravo", 1.2), ("Alpha", 1.2), ("Echo", 4.0)):
        result(round, metric, name, value)

    board = selectors.leaderboard(round=round)

    assert ranking(board) == [(1, "Alpha", 1.2), (1, "Bravo", 1.2), (3, "Delta", 2.5), (4, "Echo", 4.0)]


@pytest.mark.parametrize(
    ("higher_is_better", "rows", "separable"),
    [
        # higher is better: separable when the better row's low end lies above the next row's high end
        (True, [(90, 88, 92), (85, 84, 86), (84, 83, 85), (80, None, None), (70, 60, 75)],
         [True, False, False, False, None]),
        (True, [(90, 86, 92), (85, 84, 86)], [False, None]),  # touching ends do not separate
        # lower is better: separable when the better row's high end lies below the next row's low end
        (False, [(1.0, 0.8, 1.2), (1.5, 1.3, 1.7), (1.6, 1.4, 1.8), (3.0, 2.9, 3.1)], [True, False, True, None]),
        (False, [(1.0, 0.8, 1.2), (1.0, 0.8, 1.2)], [False, None]),  # a tie never separates
    ],
)  # fmt: skip
def test_separable_from_next_is_read_from_the_intervals(higher_is_better, rows, separable):
    round, metric, _ = published_round(higher_is_better=higher_is_better)
    for index, (value, low, high) in enumerate(rows):
        result(round, metric, f"Team {index}", value, low, high)

    board = selectors.leaderboard(round=round)

    assert [row.separable_from_next for row in board.rows] == separable


def test_only_verified_results_of_the_division_are_ranked(registry):
    # given a round where A's is published, B's withdrawn, C's removed by an upheld objection, and a second
    # submission of A's was never fixed; and a submission of C's to the open division
    a = registry.submit("a", value=90.0, low=89.0, high=91.0)
    withdrawn = registry.submit("b", value=99.0, low=98.0, high=99.5)
    removed = registry.submit("c", value=95.0, low=94.0, high=96.0)
    not_fixed = registry.submit("a", value=97.0, low=96.0, high=98.0)
    open_division = registry.submit("c", value=50.0, low=49.0, high=51.0, division="open")
    services.submission_withdraw(actor=registry.people["b"], submission=withdrawn)
    registry.start_review()
    for target, outcome in ((removed, "remove"), (not_fixed, "fix_required")):
        objection = services.objection_raise(
            actor=registry.people["b"], submission=target, rule="Rule 1", description="Not the reference setup."
        )
        services.objection_uphold(actor=registry.staff, objection=objection, outcome=outcome, reason="Upheld.")

    # when the round is not yet published, there is no leaderboard
    assert selectors.leaderboard(round=registry.round) is None
    registry.publish()

    # then only the verified result of the closed division is ranked, and the open one in its own division
    assert [row.submission for row in selectors.leaderboard(round=registry.round).rows] == [a]
    assert [row.submission for row in selectors.leaderboard(round=registry.round, division="open").rows] == [
        open_division
    ]
    response = client_as(None).get(f"{API}/benchmarks/{registry.benchmark.slug}/leaderboard/").json()
    assert [row["submission"] for row in response["rows"]] == [a.pk]


def test_the_availability_filter_keeps_one_availability_and_ranks_within_it():
    round, metric, _ = published_round()
    result(round, metric, "Alpha", 90.0, availability="research")
    preview = result(round, metric, "Bravo", 85.0, availability="preview")
    available = result(round, metric, "Charlie", 80.0, availability="available")

    assert len(selectors.leaderboard(round=round).rows) == 3  # all availabilities unless filtered
    board = selectors.leaderboard(round=round, availability="available")
    assert [(row.rank, row.submission) for row in board.rows] == [(1, available)]

    url = f"{API}/benchmarks/{round.benchmark.project.slug}/leaderboard/"
    answer = client_as(None).get(url, {"round": round.pk, "division": "closed", "availability": "preview"}).json()
    assert [(row["rank"], row["submission"]) for row in answer["rows"]] == [(1, preview.pk)]
    assert client_as(None).get(url, {"availability": "soon"}).status_code == 400


def test_the_api_answers_the_shape_the_issue_gives():
    round, metric, _ = published_round(higher_is_better=False)
    first = result(round, metric, "Alpha", 1.5, 1.2, 1.8)
    result(round, metric, "Bravo", 2.5, 2.0, 3.0)

    url = f"{API}/benchmarks/{round.benchmark.project.slug}/leaderboard/?round={round.pk}&division=closed"
    answer = client_as(None).get(url).json()

    assert answer["metric"] == "score" and answer["higher_is_better"] is False
    assert answer["rows"][0] == {
        "rank": 1,
        "submission": first.pk,
        "organization": first.organization.slug,
        "model": "Alpha LM",
        "availability": "available",
        "value": 1.5,
        "ci_low": 1.2,
        "ci_high": 1.8,
        "separable_from_next": True,
    }
    assert answer["rows"][1]["separable_from_next"] is None  # the last row has no next one
    # a round of another benchmark, or one not published, is not found here
    other, _, _ = published_round()
    assert client_as(None).get(url.replace(f"round={round.pk}", f"round={other.pk}")).status_code == 404


# --- fixed query counts -------------------------------------------------------------------------------------------


def board_of(size: int):
    """A published round of ``size`` organizations' results (two metrics each), all of them assigned for review to
    one more organization, a release, and a person of that organization and of the first submitting one."""
    round, metric, other = published_round()
    reviewers = OrganizationFactory(name=f"Reviewers {size}")
    submissions = []
    for index in range(size):
        submission = result(round, metric, f"Team {size}-{index:03}", 50.0 + index, 49.0 + index, 51.0 + index)
        ResultFactory(submission=submission, metric=other, value=1.0 + index)
        submission.assignments.create(
            round=round, reviewer_organization=reviewers, submitter_organization=submission.organization
        )
        submissions.append(submission)
    services.release_make(actor=None, round=round, changelog="First release.")
    person = AffiliationFactory(organization=reviewers).person
    AffiliationFactory(person=person, organization=submissions[0].organization)
    return round, person


PAGES = {  # name: (path template, pinned queries anonymous, pinned queries signed in)
    "benchmarks list (API)": ("/api/v1/benchmarks/", 4, 6),
    "rounds (API)": ("/api/v1/benchmarks/{slug}/rounds/", 4, 6),
    "round submissions (API)": ("/api/v1/rounds/{round}/submissions/", 4, 6),
    "leaderboard (API)": ("/api/v1/benchmarks/{slug}/leaderboard/", 6, 8),
    "releases (API)": ("/api/v1/rounds/{round}/releases/", 2, 4),
    "assignments (API)": ("/api/v1/rounds/{round}/assignments/", 1, 4),
    "benchmarks page": ("/benchmarks/", 2, 6),
    "benchmark page": ("/benchmarks/{slug}/", 8, 13),
    "leaderboard page": ("/benchmarks/{slug}/leaderboard/", 10, 14),
    "round page": ("/benchmark-rounds/{round}/", 5, 14),
}


def count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.mark.parametrize("name", PAGES)
def test_lists_and_pages_cost_the_same_for_5_and_200_submissions(name):
    path, anonymous, signed_in = PAGES[name]
    counts = {}
    for size in (5, 200):
        round, person = board_of(size)
        url = path.format(slug=round.benchmark.project.slug, round=round.pk)
        member = Client()
        member.force_login(person)
        counts[size] = (count_queries(Client(), url), count_queries(member, url))
        assert len(selectors.leaderboard(round=round).rows) == size
        assert len(client_as(person).get(f"{API}/rounds/{round.pk}/assignments/").json()) == size

    assert counts[5] == counts[200] == (anonymous, signed_in), counts


def test_a_round_in_review_costs_the_same_for_its_participants_whatever_its_size(registry):
    # the review-state round page for a submitter and the lead: the whole round is listed for them
    in_state(registry, "review")
    counts = []
    for extra in (0, 40):
        for index in range(extra):
            organization = OrganizationFactory(name=f"Extra {index:02}")
            submission = SubmissionFactory(round=registry.round, organization=organization)
            ResultFactory(submission=submission, metric=registry.benchmark.metrics.get(key="accuracy"), value=1.0)
        for role in ("submitter", "lead"):
            client = Client()
            client.force_login(registry.users[role])
            counts.append((role, extra, count_queries(client, registry.round.get_absolute_url())))
    by_role = {role: {count for r, _, count in counts if r == role} for role in ("submitter", "lead")}
    assert all(len(values) == 1 for values in by_role.values()), counts
