"""Publication and releases: results in good standing become public at once, and the round's files freeze.

Staff or the leads publish once the review deadline has passed and no objection is open; the beat job
(``benchmark_rounds_advance``) starts review at the submission deadline, publishes at the publication time on
its own, and marks previews that did not become available by the next round's publication. Each release is the
exact CSV and JSON bytes of the round's published results with their SHA-256, written once: a correction makes
the next release, and the earlier ones stay as they were, byte for byte.
"""

import csv
import hashlib
import io
import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from alliance.audit import audit_record
from alliance.errors import DomainError
from alliance.sweeps import claim_each

from ..models import Objection, Release, Round, Submission
from ..selectors import public_results
from ._common import (
    locked_round,
    notify_benchmark,
    now,
    organization_people,
    project_people,
    require_manager,
    round_submitter_people,
)
from .reviews import round_review_start

NOT_FIXED = "The fix an upheld objection asked for was not made before publication."
CSV_COLUMNS = [
    "release", "benchmark", "round", "submission", "organization", "division", "availability", "state", "model",
    "model_version", "hardware", "software", "metric", "unit", "higher_is_better", "primary", "value", "ci_low",
    "ci_high",
]  # fmt: skip


# --- the release files ------------------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def release_files(*, round: Round, version: int, published_at: datetime, changelog: str) -> tuple[bytes, bytes]:
    """The CSV and JSON of the round's published results as they are now: the same rows give the same bytes."""
    benchmark = round.benchmark
    metrics = list(benchmark.metrics.order_by("position", "pk"))
    submissions = list(public_results(round))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    entries = []
    for submission in submissions:
        values = {result.metric_id: result for result in submission.results.all()}
        for metric in metrics:
            result = values.get(metric.pk)
            if result is None:
                continue
            writer.writerow(
                [
                    version, benchmark.project.slug, round.version, submission.pk, submission.organization.slug,
                    submission.division, submission.availability, submission.state, submission.system_model,
                    submission.system_model_version, submission.hardware, submission.software, metric.key,
                    metric.unit, str(metric.higher_is_better).lower(), str(metric.primary).lower(),
                    _number(result.value), _number(result.ci_low), _number(result.ci_high),
                ]
            )  # fmt: skip
        entries.append(
            {
                "submission": submission.pk,
                "organization": {"slug": submission.organization.slug, "name": submission.organization.name},
                "division": submission.division,
                "availability": submission.availability,
                "state": submission.state,
                "system": {
                    "model": submission.system_model,
                    "model_version": submission.system_model_version,
                    "hardware": submission.hardware,
                    "software": submission.software,
                },
                "artifacts": list(submission.artifacts),
                "results": {
                    metric.key: {
                        "value": values[metric.pk].value,
                        "ci_low": values[metric.pk].ci_low,
                        "ci_high": values[metric.pk].ci_high,
                    }
                    for metric in metrics
                    if metric.pk in values
                },
            }
        )
    document = {
        "benchmark": benchmark.project.slug,
        "round": {
            "id": round.pk,
            "version": round.version,
            "harness_url": round.harness_url,
            "harness_commit": round.harness_commit,
        },
        "release": version,
        "published_at": published_at.isoformat(),
        "changelog": changelog,
        "metrics": [
            {
                "key": metric.key,
                "name": metric.name,
                "unit": metric.unit,
                "higher_is_better": metric.higher_is_better,
                "primary": metric.primary,
            }
            for metric in metrics
        ],
        "results": entries,
    }
    as_json = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return text.getvalue().encode("utf-8"), as_json.encode("utf-8")


def release_make(*, actor: Any, round: Round, changelog: str) -> Release:
    """Freeze the next release of a published round (the caller holds the round locked, in its transaction)."""
    latest = round.releases.order_by("-version").values_list("version", flat=True).first()
    version = (latest or 0) + 1
    published_at = now()
    csv_bytes, json_bytes = release_files(round=round, version=version, published_at=published_at, changelog=changelog)
    release = Release.objects.create(
        round=round,
        version=version,
        changelog=changelog,
        csv_bytes=csv_bytes,
        json_bytes=json_bytes,
        csv_sha256=hashlib.sha256(csv_bytes).hexdigest(),
        json_sha256=hashlib.sha256(json_bytes).hexdigest(),
        published_at=published_at,
    )
    audit_record(actor=actor, action="benchmark_release.frozen", target=release, note=changelog)
    if version > 1:
        notify_benchmark(
            [*round_submitter_people(round), *project_people(round.benchmark)],
            "release_corrected",
            url=round.get_absolute_url(),
            round=round,
            release=release,
        )
    return release


# --- publication --------------------------------------------------------------------------------------------------


def _publish_locked(round: Round, actor: Any) -> Round:
    """Publish a round the caller holds locked and has checked: good standing becomes public, release 1 freezes."""
    round_review_start(round=round)  # when the beat job never came by between the deadline and publication
    moment = now()
    for submission in Submission.objects.filter(round=round, state=Submission.State.FIX_REQUIRED).order_by("pk"):
        submission.state = Submission.State.REMOVED
        submission.removal_reason = NOT_FIXED
        submission.save(update_fields=["state", "removal_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="benchmark_result.removed",
            target=submission,
            changes={"state": (Submission.State.FIX_REQUIRED, Submission.State.REMOVED)},
            note=NOT_FIXED,
        )
    Submission.objects.filter(round=round, state=Submission.State.SUBMITTED).update(
        state=Submission.State.PUBLISHED, published_at=moment, updated_at=moment
    )
    Submission.objects.filter(round=round, state=Submission.State.MOVED_TO_OPEN).update(
        published_at=moment, updated_at=moment
    )
    round.published_at = moment
    round.save(update_fields=["published_at"])
    audit_record(
        actor=actor,
        action="benchmark_round.published",
        target=round,
        changes={"state": (Round.State.REVIEW, Round.State.PUBLISHED)},
    )
    release_make(actor=actor, round=round, changelog="First release: the results published with the round.")
    notify_benchmark(
        [*round_submitter_people(round), *project_people(round.benchmark)],
        "round_published",
        url=round.get_absolute_url(),
        round=round,
    )
    return round


def _check_publishable(round: Round) -> None:
    if round.cancelled_at is not None:
        raise DomainError("This round was cancelled.")
    if round.published_at is not None:
        raise DomainError("This round is already published.")
    if now() < round.review_deadline:
        raise DomainError(
            f"The review deadline has not passed yet: publish on or after {round.review_deadline:%d %B %Y, %H:%M} UTC."
        )
    if Objection.objects.filter(submission__round=round, state=Objection.State.OPEN).exists():
        raise DomainError("An objection is still open: decide it before publishing.")


def round_publish(*, actor: Any, round: Round) -> Round:
    """Staff or the leads publish a round once its review deadline has passed and no objection is open."""
    require_manager(actor, round.benchmark)
    with transaction.atomic():
        round = locked_round(round)
        _check_publishable(round)
        return _publish_locked(round, actor)


# --- the beat job ---------------------------------------------------------------------------------------------------


def rounds_due_for_review(moment: datetime) -> QuerySet[Round]:
    return Round.objects.filter(
        review_started_at__isnull=True,
        cancelled_at__isnull=True,
        published_at__isnull=True,
        submission_deadline__lte=moment,
    )


def rounds_due_for_publication(moment: datetime) -> QuerySet[Round]:
    """Rounds whose publication time has come and that no open objection holds back."""
    open_objection = Objection.objects.filter(submission__round=OuterRef("pk"), state=Objection.State.OPEN)
    return Round.objects.filter(cancelled_at__isnull=True, published_at__isnull=True, publish_at__lte=moment).exclude(
        Exists(open_objection)
    )


def previews_lapsed_due() -> QuerySet[Submission]:
    """Published preview results whose benchmark has published a later round since."""
    later = Round.objects.filter(
        benchmark=OuterRef("round__benchmark"), published_at__gt=OuterRef("round__published_at")
    )
    return Submission.objects.filter(
        Q(state__in=Submission.PUBLIC_STATES),
        availability=Submission.Availability.PREVIEW,
        preview_lapsed_at__isnull=True,
        round__published_at__isnull=False,
    ).filter(Exists(later))


def _start_review(round: Round) -> bool:
    return round_review_start(round=Round.objects.select_related("benchmark__project").get(pk=round.pk))


def _publish_due(round: Round) -> bool:
    round = Round.objects.select_related("benchmark__project").get(pk=round.pk)
    if Objection.objects.filter(submission__round=round, state=Objection.State.OPEN).exists():
        return False
    _publish_locked(round, None)
    return True


def _lapse_preview(submission: Submission) -> bool:
    submission.preview_lapsed_at = now()
    submission.save(update_fields=["preview_lapsed_at", "updated_at"])
    audit_record(
        actor=None,
        action="benchmark_submission.preview_lapsed",
        target=submission,
        note="Not available by the next round's publication.",
    )
    notify_benchmark(
        organization_people([submission.organization_id]),
        "preview_lapsed",
        url=submission.get_absolute_url(),
        submission=submission,
    )
    return True


def benchmark_rounds_advance(*, moment: datetime | None = None) -> dict[str, int]:
    """The beat job: start due reviews, publish due rounds, mark lapsed previews; each row claimed on its own.

    Idempotent: a row whose work is done no longer matches its due query, and one another worker holds is
    passed over (``claim_each``), so two runs at once never do a row's work twice.
    """
    moment = moment or now()
    started = claim_each(rounds_due_for_review(moment), _start_review)
    published = claim_each(rounds_due_for_publication(moment), _publish_due)
    lapsed = claim_each(previews_lapsed_due(), _lapse_preview)
    return {"reviews_started": started, "published": published, "previews_lapsed": lapsed}
