"""Rounds of a benchmark: opened by its leads or staff with their three dates in order, or cancelled."""

from datetime import datetime
from typing import Any

from django.db import transaction

from alliance.audit import audit_record
from alliance.errors import DomainError, require_reason, validate_model

from ..models import Benchmark, Objection, Round
from ._common import (
    locked_round,
    mark_decided,
    notify_benchmark,
    now,
    project_people,
    require_manager,
    round_submitter_people,
)

CANCELLED_DISMISSAL = "The round was cancelled: nothing of it is published."


def check_round_dates(submission_deadline: datetime, review_deadline: datetime, publish_at: datetime) -> None:
    """A submission deadline still ahead, then the review deadline, then publication (any durations)."""
    if submission_deadline <= now():
        raise DomainError("The submission deadline must be in the future.", field="submission_deadline")
    if review_deadline <= submission_deadline:
        raise DomainError("The review deadline must come after the submission deadline.", field="review_deadline")
    if publish_at < review_deadline:
        raise DomainError("Publication cannot come before the review deadline.", field="publish_at")


def round_open(
    *,
    actor: Any,
    benchmark: Benchmark,
    version: str,
    harness_url: str,
    harness_commit: str,
    submission_deadline: datetime,
    review_deadline: datetime,
    publish_at: datetime,
) -> Round:
    """Leads or staff open a round: it takes submissions at once, until its deadline; the project is told."""
    require_manager(actor, benchmark)
    version, harness_commit = (version or "").strip(), (harness_commit or "").strip()
    if not version:
        raise DomainError("Name the round's version, such as v1.0.", field="version")
    if not harness_commit:
        raise DomainError("Give the commit (or tag) of the harness to run.", field="harness_commit")
    check_round_dates(submission_deadline, review_deadline, publish_at)
    if benchmark.rounds.filter(version=version).exists():
        raise DomainError("The benchmark already has a round of this version.", field="version")
    round = Round(
        benchmark=benchmark,
        version=version,
        harness_url=harness_url,
        harness_commit=harness_commit,
        submission_deadline=submission_deadline,
        review_deadline=review_deadline,
        publish_at=publish_at,
        created_by=actor,
    )
    validate_model(round, exclude=["created_by", "benchmark"])
    with transaction.atomic():
        round.save()
        audit_record(actor=actor, action="benchmark_round.opened", target=round)
        notify_benchmark(
            project_people(benchmark).exclude(pk=actor.pk), "round_opened", url=round.get_absolute_url(), round=round
        )
    return round


def round_cancel(*, actor: Any, round: Round, reason: str) -> Round:
    """Leads or staff call a round off before publication; whoever submitted to it is told why.

    Its open objections are closed with it (dismissed: there is nothing left to correct), so no queue keeps them.
    """
    require_manager(actor, round.benchmark)
    reason = require_reason(reason, reader="submitters")
    with transaction.atomic():
        round = locked_round(round)
        if round.published_at is not None:
            raise DomainError("A published round cannot be cancelled; its releases stay.")
        if round.cancelled_at is not None:
            raise DomainError("This round is already cancelled.")
        before = round.state_at(now())
        round.cancelled_at = now()
        round.cancel_reason = reason
        round.save(update_fields=["cancelled_at", "cancel_reason"])
        audit_record(
            actor=actor,
            action="benchmark_round.cancelled",
            target=round,
            changes={"state": (before, Round.State.CANCELLED)},
            note=reason,
        )
        for objection in Objection.objects.filter(submission__round=round, state=Objection.State.OPEN).order_by("pk"):
            mark_decided(objection, actor, Objection.State.DISMISSED, CANCELLED_DISMISSAL)
            audit_record(
                actor=actor,
                action="benchmark_objection.dismissed",
                target=objection,
                changes={"state": (Objection.State.OPEN, Objection.State.DISMISSED)},
                note=CANCELLED_DISMISSAL,
            )
        notify_benchmark(
            round_submitter_people(round), "round_cancelled", url=round.get_absolute_url(), round=round, reason=reason
        )
    return round
