"""Submissions: an organization's results for a round, editable until the deadline, frozen after.

The one exception to the freeze is a fix that an upheld objection asked for: editing a ``fix_required``
submission is the fix, and puts it back in review. Every check of the results (only the benchmark's metric keys,
the primary one present, low ≤ value ≤ high) is here; the database repeats the interval check on its own.
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from django.db import transaction

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted

from ..models import Division, Metric, Objection, Result, Round, Submission
from ..selectors import may_change_submission, may_submit_for, may_submit_results, submission_change_refusal
from ._common import (
    benchmark_leads,
    locked_round,
    locked_submission,
    notify_benchmark,
    now,
    organization_people,
)

SYSTEM_FIELDS = {  # the API's names of the system description, and the model's
    "model": "system_model",
    "model_version": "system_model_version",
    "hardware": "hardware",
    "software": "software",
}
MAX_ARTIFACTS = 20
EDITABLE_FIELDS = ("division", "availability", "system", "results", "artifacts")


def require_submitter(actor: Any, organization: Any) -> None:
    """Only a person of an active member organization submits, and only for their own organization."""
    if not may_submit_results(actor):
        raise NotPermitted("Only people of an active member organization can submit results.")
    if not may_submit_for(actor, organization):
        raise NotPermitted("You can only submit results for your own organization, while it is an active member.")


def _choice(value: str, choices: Any, field: str, what: str) -> str:
    if value not in choices.values:
        raise DomainError(f"Choose the {what}: {', '.join(choices.values)}.", field=field)
    return value


def _number(value: Any, label: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise DomainError(f"{label} must be a number.", field="results")
    try:
        number = float(value)
    except (TypeError, ValueError) as error:
        raise DomainError(f"{label} must be a number.", field="results") from error
    if not math.isfinite(number):
        raise DomainError(f"{label} must be a finite number.", field="results")
    return number


def clean_results(metrics: Sequence[Metric], results: Mapping[str, Any]) -> list[Result]:
    """One unsaved result per metric given: only the benchmark's keys, the primary one required, low ≤ value ≤ high."""
    by_key = {metric.key: metric for metric in metrics}
    if not isinstance(results, Mapping):
        raise DomainError("Give the results as an object of metric keys.", field="results")
    unknown = sorted(set(results) - set(by_key))
    if unknown:
        raise DomainError(
            f"This benchmark has no metric {', '.join(unknown)}; its metrics are {', '.join(by_key)}.",
            field="results",
        )
    primary = next(metric for metric in metrics if metric.primary)
    if primary.key not in results:
        raise DomainError(f"Give a result for the primary metric, {primary.key}.", field="results")
    rows = []
    for key, metric in by_key.items():
        if key not in results:
            continue
        given = results[key]
        if not isinstance(given, Mapping):
            given = {"value": given}
        value = _number(given.get("value"), f"The value of {key}")
        if value is None:
            raise DomainError(f"Give the value of {key}.", field="results")
        low, high = (
            _number(given.get("ci_low"), f"The interval's low end of {key}"),
            _number(given.get("ci_high"), f"The interval's high end of {key}"),
        )
        if (low is None) != (high is None):
            raise DomainError(f"Give both ends of the confidence interval of {key}, or neither.", field="results")
        if low is not None and high is not None and not low <= value <= high:
            raise DomainError(
                f"The value of {key} must lie inside its confidence interval (low ≤ value ≤ high).", field="results"
            )
        rows.append(Result(metric=metric, value=value, ci_low=low, ci_high=high))
    return rows


def clean_system(system: Mapping[str, Any]) -> dict[str, str]:
    """The system description: model, model version, hardware and software, each given."""
    if not isinstance(system, Mapping):
        raise DomainError("Describe the system: model, model_version, hardware and software.", field="system")
    cleaned = {}
    for key, attribute in SYSTEM_FIELDS.items():
        text = str(system.get(key) or "").strip()
        if not text:
            raise DomainError(f"Describe the system's {key.replace('_', ' ')}.", field="system")
        cleaned[attribute] = text[:300]
    return cleaned


def clean_artifacts(artifacts: Sequence[Any]) -> list[str]:
    """Links to what backs the results (logs, code at a commit): http(s) addresses, at most twenty."""
    links = []
    for link in artifacts or []:
        link = str(link).strip()
        parsed = urlparse(link)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise DomainError(f"“{link}” is not a web address (http or https).", field="artifacts")
        if link not in links:
            links.append(link)
    if len(links) > MAX_ARTIFACTS:
        raise DomainError(f"Link at most {MAX_ARTIFACTS} artifacts.", field="artifacts")
    return links


def _require_open(round: Round) -> None:
    """The round (locked by the caller) still takes submissions: before its deadline, and review not started."""
    state = round.state_at(now())
    if state == Round.State.CANCELLED:
        raise DomainError("This round was cancelled.")
    if state != Round.State.OPEN:
        raise DomainError("The submission deadline of this round has passed.")


def submission_create(
    *,
    actor: Any,
    round: Round,
    organization: Any,
    division: str,
    availability: str,
    system: Mapping[str, Any],
    results: Mapping[str, Any],
    artifacts: Sequence[str] = (),
) -> Submission:
    """A person of a member organization submits its results while the round is open; the organization is told."""
    require_submitter(actor, organization)
    _choice(division, Division, "division", "division")
    _choice(availability, Submission.Availability, "availability", "availability")
    cleaned_system = clean_system(system)
    links = clean_artifacts(artifacts)
    metrics = list(round.benchmark.metrics.order_by("position", "pk"))
    rows = clean_results(metrics, results)
    with transaction.atomic():
        round = locked_round(round)  # the deadline is checked under the lock review start takes
        _require_open(round)
        submission = Submission.objects.create(
            round=round,
            organization=organization,
            submitted_by=actor,
            division=division,
            availability=availability,
            artifacts=links,
            **cleaned_system,
        )
        for row in rows:
            row.submission = submission
        Result.objects.bulk_create(rows)
        audit_record(actor=actor, action="benchmark_submission.received", target=submission)
        notify_benchmark(
            organization_people([organization]),
            "submission_received",
            url=submission.get_absolute_url(),
            transactional=True,
            submission=submission,
            round=round,
        )
    return submission


def submission_update(*, actor: Any, submission: Submission, **fields: Any) -> Submission:
    """Its organization edits a submission until the deadline, or fixes one an upheld objection sent back.

    Results, when given, replace all of them. A fix puts the submission back in review; the objectors and the
    leads are told.
    """
    if not may_change_submission(actor, submission):
        raise NotPermitted("Only the submitting organization can change its submission.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        round = locked_round(submission.round)
        submission = locked_submission(submission)
        submission.round = round  # checked against the round as it is under the lock
        refusal = submission_change_refusal(submission, now=now())
        if refusal:
            raise DomainError(refusal)
        fixing = submission.state == Submission.State.FIX_REQUIRED
        changes: dict[str, tuple[Any, Any]] = {}
        if "division" in fields:
            changes["division"] = (submission.division, _choice(fields["division"], Division, "division", "division"))
        if "availability" in fields:
            value = _choice(fields["availability"], Submission.Availability, "availability", "availability")
            changes["availability"] = (submission.availability, value)
        if "system" in fields:
            for attribute, value in clean_system(fields["system"]).items():
                changes[attribute] = (getattr(submission, attribute), value)
        if "artifacts" in fields:
            changes["artifacts"] = (submission.artifacts, clean_artifacts(fields["artifacts"]))
        changes = {name: change for name, change in changes.items() if change[0] != change[1]}
        for name, (_, value) in changes.items():
            setattr(submission, name, value)
        if "results" in fields:
            rows = clean_results(list(round.benchmark.metrics.order_by("position", "pk")), fields["results"])
            before = {r.metric.key: r.value for r in submission.results.select_related("metric")}
            submission.results.all().delete()
            for row in rows:
                row.submission = submission
            Result.objects.bulk_create(rows)
            after = {row.metric.key: row.value for row in rows}
            if before != after:
                changes["results"] = (before, after)
        if fixing:
            changes["state"] = (submission.state, Submission.State.SUBMITTED)
            submission.state = Submission.State.SUBMITTED
        if not changes and not fixing:
            return submission
        submission.save(update_fields=[name for name in changes if name != "results"] + ["updated_at"])
        action = "benchmark_submission.fixed" if fixing else "benchmark_submission.updated"
        audit_record(actor=actor, action=action, target=submission, changes=changes)
        if fixing:
            objectors = Objection.objects.filter(
                submission=submission, state=Objection.State.UPHELD, outcome=Objection.Outcome.FIX_REQUIRED
            ).values_list("objector_organization", flat=True)
            notify_benchmark(
                [*organization_people(list(objectors)), *benchmark_leads(round.benchmark)],
                "submission_fixed",
                url=submission.get_absolute_url(),
                submission=submission,
            )
    return submission


def submission_withdraw(*, actor: Any, submission: Submission) -> Submission:
    """Its organization takes a submission back, at any time before publication; it is then never published."""
    if not may_change_submission(actor, submission):
        raise NotPermitted("Only the submitting organization can withdraw its submission.")
    with transaction.atomic():
        round = locked_round(submission.round)
        submission = locked_submission(submission)
        if round.published_at is not None or round.cancelled_at is not None:
            raise DomainError("The round is over: its submissions can no longer be withdrawn.")
        if submission.state not in Submission.IN_REVIEW_STATES:
            raise DomainError(f"A {submission.get_state_display().lower()} submission cannot be withdrawn.")
        before = submission.state
        submission.state = Submission.State.WITHDRAWN
        submission.save(update_fields=["state", "updated_at"])
        audit_record(
            actor=actor,
            action="benchmark_submission.withdrawn",
            target=submission,
            changes={"state": (before, submission.state)},
        )
        notify_benchmark(
            organization_people([submission.organization_id]).exclude(pk=actor.pk),
            "submission_withdrawn",
            url=submission.get_absolute_url(),
            submission=submission,
        )
    return submission


def submission_mark_available(*, actor: Any, submission: Submission) -> Submission:
    """A published preview becomes available: its organization says so before the next round's publication."""
    if not may_change_submission(actor, submission):
        raise NotPermitted("Only the submitting organization can say its system is available.")
    with transaction.atomic():
        submission = locked_submission(submission)
        if not submission.is_public or submission.availability != Submission.Availability.PREVIEW:
            raise DomainError("Only a published preview result can become available.")
        if submission.preview_lapsed_at is not None:
            raise DomainError("This preview was not available by the next round's publication; it stays marked so.")
        submission.availability = Submission.Availability.AVAILABLE
        submission.save(update_fields=["availability", "updated_at"])
        audit_record(
            actor=actor,
            action="benchmark_submission.made_available",
            target=submission,
            changes={"availability": (Submission.Availability.PREVIEW, Submission.Availability.AVAILABLE)},
        )
    return submission
