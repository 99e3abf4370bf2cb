"""Peer review: when a round's review starts every submitting organization is assigned submissions of others.

The plan (``plan_review_assignments``) never gives an organization its own submission, gives every organization
at least one, and keeps the loads within one of each other; within that, it covers every submission once when
the numbers allow it. Reviewers then leave a verdict and a comment until the review deadline.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted

from ..models import Review, ReviewAssignment, Round, Submission
from ..selectors import may_review
from ._common import locked_round, notify_benchmark, now, organization_people


def review_loads(counts: Mapping[int, int]) -> dict[int, int]:
    """How many submissions each organization reviews, given how many each submitted.

    Every load is ``m`` or ``m + 1`` with ``m ≥ 1``; no organization is given more than the others submitted; the
    total is the number of submissions when that fits (every submission reviewed once), else as near as it can.
    """
    if len(counts) < 2:
        return {}
    total = sum(counts.values())
    capacity = {organization: total - count for organization, count in counts.items()}
    base = min(total // len(counts), min(capacity.values()))
    loads = dict.fromkeys(counts, base)
    extra = total - base * len(counts)
    for organization in sorted(counts, key=lambda o: (-capacity[o], o)):
        if extra <= 0:
            break
        if capacity[organization] > base:
            loads[organization] += 1
            extra -= 1
    return loads


def plan_review_assignments(submissions: Mapping[int, Sequence[int]]) -> list[tuple[int, int]]:
    """(submission id, reviewer organization id) pairs for submissions grouped by their organization's id.

    The loads come from ``review_loads``; each reviewer's slots are matched to submissions of other
    organizations (a bipartite matching, so a slot is never left empty while a fitting submission exists), each
    submission reviewed at most once. Deterministic: the same input gives the same plan.
    """
    loads = review_loads({organization: len(ids) for organization, ids in submissions.items()})
    owner = {submission: organization for organization, ids in submissions.items() for submission in ids}
    # round-robin over organizations (the first submission of each, then the second...): when not every
    # submission can be reviewed, each organization has one reviewed before any has a second
    rank = {submission: index for ids in submissions.values() for index, submission in enumerate(sorted(ids))}
    order = sorted(owner, key=lambda s: (rank[s], owner[s], s))
    slots = [organization for organization in sorted(loads) for _ in range(loads[organization])]
    taken: dict[int, int] = {}  # submission -> slot index

    def place(slot: int, seen: set[int]) -> bool:
        reviewer = slots[slot]
        for submission in order:
            if owner[submission] == reviewer or submission in seen:
                continue
            seen.add(submission)
            if submission not in taken or place(taken[submission], seen):
                taken[submission] = slot
                return True
        return False

    for slot in range(len(slots)):
        if not place(slot, set()):
            raise RuntimeError("No review plan fits these submissions.")  # review_loads makes this impossible
    return sorted((submission, slots[slot]) for submission, slot in taken.items())


def round_review_start(*, round: Round) -> bool:
    """Assign the reviews of a round whose submission deadline has passed (the beat job, or publication).

    The caller holds the round locked; returns whether review started now (False when it had already).
    """
    if round.review_started_at is not None:
        return False
    grouped: dict[int, list[int]] = {}
    for submission_id, organization_id in (
        Submission.objects.filter(round=round, state=Submission.State.SUBMITTED)
        .order_by("pk")
        .values_list("pk", "organization_id")
    ):
        grouped.setdefault(organization_id, []).append(submission_id)
    plan = plan_review_assignments(grouped)
    owner = {submission: organization for organization, ids in grouped.items() for submission in ids}
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            round=round,
            submission_id=submission,
            reviewer_organization_id=reviewer,
            submitter_organization_id=owner[submission],
        )
        for submission, reviewer in plan
    )
    round.review_started_at = now()
    round.save(update_fields=["review_started_at"])
    audit_record(
        actor=None,
        action="benchmark_round.review_started",
        target=round,
        changes={"state": (Round.State.OPEN, Round.State.REVIEW)},
        note=f"{len(plan)} review assignments for {len(grouped)} organizations",
    )
    loads: dict[int, int] = {}
    for _, reviewer in plan:
        loads[reviewer] = loads.get(reviewer, 0) + 1
    for organization_id, load in sorted(loads.items()):
        notify_benchmark(
            organization_people([organization_id]),
            "review_assigned",
            url=round.get_absolute_url(),
            round=round,
            load=load,
        )
    return True


def review_submit(
    *, actor: Any, submission: Submission, verdict: str, comment: str, organization: Any = None
) -> Review:
    """An assigned organization's person records its verdict and comment, once, before the review deadline."""
    if not may_review(actor, submission):
        raise NotPermitted("Only an organization assigned to review this submission can review it.")
    if verdict not in Review.Verdict.values:
        raise DomainError(f"Choose the verdict: {', '.join(Review.Verdict.values)}.", field="verdict")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("Explain the verdict: the submitter reads it.", field="comment")
    with transaction.atomic():
        round = locked_round(submission.round)
        if round.state_at(now()) != Round.State.REVIEW:
            raise DomainError("Reviews are written while the round is in review.")
        if now() >= round.review_deadline:
            raise DomainError("The review deadline has passed.")
        assignments = ReviewAssignment.objects.filter(
            submission=submission, reviewer_organization__affiliations__person=actor
        ).select_related("reviewer_organization")
        if organization is not None:
            assignments = assignments.filter(reviewer_organization=organization)
        assignment = assignments.filter(review__isnull=True).order_by("reviewer_organization__name", "pk").first()
        if assignment is None:
            raise DomainError("Your organization already reviewed this submission.")
        review = Review.objects.create(assignment=assignment, reviewer=actor, verdict=verdict, comment=comment)
        audit_record(actor=actor, action="benchmark_review.submitted", target=review, note=verdict)
        notify_benchmark(
            organization_people([submission.organization_id]),
            "review_received",
            url=submission.get_absolute_url(),
            submission=submission,
            review=review,
        )
    return review
