"""Review assignment for many shapes of a round: 2 to 30 organizations with 1 to 5 submissions each, drawn from
seeded random generators (the same sets on every run). Nobody reviews their own organization, every submitting
organization reviews at least one submission, the loads differ by at most one, and no submission is given twice."""

import random
from collections import Counter

import pytest

from projects.benchmarks import services
from projects.benchmarks.models import ReviewAssignment
from tests.members.factories import OrganizationFactory

from .factories import RoundFactory, SubmissionFactory

SEEDS = range(300)


def shape(seed: int) -> dict[int, list[int]]:
    """Submission ids grouped by organization id: 2 to 30 organizations, 1 to 5 submissions each."""
    generator = random.Random(seed)
    organizations = generator.randint(2, 30)
    grouped, next_id = {}, 1
    for organization in generator.sample(range(1, 1000), organizations):
        count = generator.randint(1, 5)
        grouped[organization] = list(range(next_id, next_id + count))
        next_id += count
    return grouped


def check_plan(grouped: dict[int, list[int]], plan: list[tuple[int, int]]) -> None:
    owner = {submission: organization for organization, ids in grouped.items() for submission in ids}
    loads = Counter(reviewer for _, reviewer in plan)
    # nobody reviews their own organization
    assert all(owner[submission] != reviewer for submission, reviewer in plan)
    # every submitting organization reviews at least one, and the loads differ by at most one
    assert set(loads) == set(grouped)
    assert min(loads.values()) >= 1
    assert max(loads.values()) - min(loads.values()) <= 1
    # each submission is reviewed at most once, and as many are reviewed as the loads allow
    assert len({submission for submission, _ in plan}) == len(plan)
    assert len(plan) == sum(services.review_loads({o: len(ids) for o, ids in grouped.items()}).values())


@pytest.mark.parametrize("seed", SEEDS)
def test_the_plan_never_gives_an_organization_its_own_and_spreads_the_load_evenly(seed):
    grouped = shape(seed)

    plan = services.plan_review_assignments(grouped)

    check_plan(grouped, plan)
    assert services.plan_review_assignments(grouped) == plan  # the same input gives the same plan


def test_the_random_shapes_cover_the_whole_range():
    # the seeds above are not all alike: they reach both ends of both ranges
    shapes = [shape(seed) for seed in SEEDS]
    assert {len(grouped) for grouped in shapes} >= {2, 30}
    assert {len(ids) for grouped in shapes for ids in grouped.values()} == {1, 2, 3, 4, 5}


@pytest.mark.parametrize(
    ("counts", "loads"),
    [
        ({1: 1, 2: 1}, {1: 1, 2: 1}),  # two organizations review each other
        ({1: 5, 2: 1}, {1: 1, 2: 2}),  # 1 can review only 2's one submission; 2 takes one more
        ({1: 3, 2: 3, 3: 3}, {1: 3, 2: 3, 3: 3}),  # every submission reviewed once
        ({1: 5, 2: 1, 3: 1}, {1: 2, 2: 3, 3: 2}),  # 1 reviews the other two; 1's five go to 2 and 3
    ],
)
def test_the_loads_of_some_shapes(counts, loads):
    assert services.review_loads(counts) == loads


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 7, 42])
def test_review_start_writes_such_a_plan_for_a_real_round(seed):
    # given a round with a random shape of submissions, whose deadline has come
    generator = random.Random(seed)
    round = RoundFactory()
    organizations = [OrganizationFactory() for _ in range(generator.randint(2, 30))]
    for organization in organizations:
        for _ in range(generator.randint(1, 5)):
            SubmissionFactory(round=round, organization=organization)

    # when the beat job starts review
    assert services.benchmark_rounds_advance(moment=round.submission_deadline)["reviews_started"] == 1

    # then the assignments are such a plan
    grouped: dict[int, list[int]] = {}
    for submission in round.submissions.order_by("pk"):
        grouped.setdefault(submission.organization_id, []).append(submission.pk)
    plan = sorted(ReviewAssignment.objects.filter(round=round).values_list("submission_id", "reviewer_organization_id"))
    check_plan(grouped, plan)
