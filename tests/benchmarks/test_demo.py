"""The benchmarks part of the demo: built on the members and projects demo, through the services, loaded twice
without change."""

import hashlib

import pytest

from alliance.models import AuditEntry
from members.demo import load_members_demo
from projects.benchmarks import selectors
from projects.benchmarks.demo import load_benchmarks_demo
from projects.benchmarks.models import Benchmark, Objection, Release, Review, Round, Submission
from projects.demo import load_projects_demo

pytestmark = pytest.mark.django_db

TABLES = [Benchmark, Round, Submission, Review, Objection, Release, AuditEntry]


def load() -> list[str]:
    lines: list[str] = []
    load_members_demo(log=lines.append)
    load_projects_demo(log=lines.append)
    load_benchmarks_demo(log=lines.append)
    return lines


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def test_the_demo_has_two_benchmarks_a_published_round_with_two_releases_one_in_review_one_open():
    # when the demo is loaded twice
    first = load()
    after_first = counts()
    second = load()

    # then two benchmarks, one with the unsafe-response rate (lower is better) as its primary metric
    assert Benchmark.objects.count() == 2
    safety = Benchmark.objects.get(project__slug="open-safety-evaluations")
    primary = selectors.primary_metric(safety)
    assert (primary.key, primary.higher_is_better) == ("unsafe_response_rate", False)
    # and rounds in every state the issue names
    states = {round.version: round.state for round in safety.rounds.all()}
    assert states == {"v1.0": "published", "v1.1": "review", "v2.0": "open"}
    published = safety.rounds.get(version="v1.0")
    releases = list(published.releases.order_by("version"))
    assert [release.version for release in releases] == [1, 2]
    assert all(hashlib.sha256(bytes(r.csv_bytes)).hexdigest() == r.csv_sha256 for r in releases)
    board = selectors.leaderboard(round=published)
    assert [row.value for row in board.rows] == sorted(row.value for row in board.rows)  # lower is better
    assert Submission.objects.filter(round=published, state="removed").exists()
    assert Objection.objects.filter(state="open", submission__round__version="v1.1").exists()
    # and the second load changed nothing
    assert counts() == after_first
    assert any("created" in line for line in first)
    assert all("created" not in line for line in second if "Open" in line)
