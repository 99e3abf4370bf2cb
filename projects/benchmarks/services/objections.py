"""Objections: a submitter (during review) or any member (after publication) cites a rule another organization's
submission breaks; staff or the benchmark's leads uphold it with an outcome, or dismiss it, always with a reason.

Nobody from the objecting or the objected organization decides, and the objector never does. Upholding after
publication corrects the public results, so it freezes the round's next release with a changelog.
"""

from typing import Any

from django.db import IntegrityError, transaction

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, require_reason

from ..models import Division, Objection, Round, Submission
from ..selectors import (
    may_decide_objections,
    objecting_organizations,
    objection_conflict,
    objection_refusal,
)
from ._common import (
    benchmark_leads,
    locked_objection,
    locked_round,
    locked_submission,
    mark_decided,
    notify_benchmark,
    now,
    organization_people,
)
from .publication import release_make

AUTOMATIC_DISMISSAL = "The submission was removed after another objection."


def require_objection_decider(actor: Any, objection: Objection) -> None:
    """Staff or the benchmark's leads, without a conflict of interest; anyone else is refused."""
    benchmark = objection.submission.round.benchmark
    if not may_decide_objections(actor, benchmark):
        raise NotPermitted(f"Only staff and the leads of {benchmark.project} decide objections.")
    conflict = objection_conflict(actor, objection)
    if conflict:
        raise NotPermitted(conflict)


def objection_raise(
    *, actor: Any, submission: Submission, rule: str, description: str, organization: Any = None
) -> Objection:
    """An organization objects to another's submission, citing a rule; the deciders and the objected are told.

    During review that is an organization that submitted to the round, until the review deadline; after
    publication, any member organization. ``organization`` says which of the person's organizations objects
    (needed only when they could object for several).
    """
    # the round's state as it is now, whatever copy the caller holds
    submission = Submission.objects.select_related("organization", "round__benchmark__project").get(pk=submission.pk)
    refusal = objection_refusal(actor, submission)
    if refusal:
        raise NotPermitted(refusal)
    rule, description = (rule or "").strip(), (description or "").strip()
    if not rule:
        raise DomainError("Name the rule the submission breaks.", field="rule")
    if not description:
        raise DomainError("Describe what breaks the rule: the deciders and the submitter read it.", field="description")
    candidates = objecting_organizations(actor, submission)
    if organization is None:
        if len(candidates) > 1:
            raise DomainError("Say which of your organizations objects.", field="organization")
        organization = candidates[0]
    elif organization not in candidates:
        raise DomainError("Your organization named here cannot object to this submission.", field="organization")
    with transaction.atomic():
        round = locked_round(submission.round)  # publication takes this lock too: never an objection it missed
        submission = locked_submission(submission)
        state = round.state_at(now())
        if state == Round.State.REVIEW:
            if now() >= round.review_deadline:
                raise DomainError("The review deadline has passed; objections reopen once the round is published.")
            if submission.state not in Submission.IN_REVIEW_STATES:
                raise DomainError(f"This submission is {submission.get_state_display().lower()}: nothing to object to.")
        elif state == Round.State.PUBLISHED:
            if submission.state not in Submission.PUBLIC_STATES:
                raise DomainError(f"This submission is {submission.get_state_display().lower()}: nothing to object to.")
        else:
            raise DomainError("Objections are raised during review and after publication.")
        try:
            with transaction.atomic():
                objection = Objection.objects.create(
                    submission=submission,
                    objector=actor,
                    objector_organization=organization,
                    rule=rule[:200],
                    description=description,
                    after_publication=state == Round.State.PUBLISHED,
                )
        except IntegrityError as error:
            raise DomainError("Your organization already has an open objection to this submission.") from error
        audit_record(actor=actor, action="benchmark_objection.raised", target=objection, note=rule[:200])
        notify_benchmark(
            [*organization_people([submission.organization_id]), *benchmark_leads(round.benchmark)],
            "objection_raised",
            url=objection.get_absolute_url(),
            objection=objection,
            submission=submission,
        )
    return objection


def _tell(objection: Objection, submission: Submission) -> None:
    notify_benchmark(
        organization_people([objection.objector_organization_id, submission.organization_id]),
        "objection_decided",
        url=objection.get_absolute_url(),
        objection=objection,
        submission=submission,
    )


def objection_uphold(*, actor: Any, objection: Objection, outcome: str, reason: str) -> Objection:
    """Uphold an objection: the submission needs a fix, moves to the open division, or is removed.

    During review all three apply; after publication a result is moved or removed (not sent back for a fix), and
    the correction becomes the round's next release. Other open objections to a removed submission are closed.
    """
    require_objection_decider(actor, objection)
    if outcome not in Objection.Outcome.values:
        raise DomainError(f"Choose the outcome: {', '.join(Objection.Outcome.values)}.", field="outcome")
    reason = require_reason(reason, reader="objecting and objected organizations")
    with transaction.atomic():
        round = locked_round(objection.submission.round)
        objection = locked_objection(objection)
        submission = locked_submission(objection.submission)
        if objection.state != Objection.State.OPEN:
            raise DomainError("This objection was already decided.")
        state = round.state_at(now())
        standing: tuple[str, ...]
        if state == Round.State.REVIEW:
            standing = Submission.IN_REVIEW_STATES
        elif state == Round.State.PUBLISHED:
            standing = Submission.PUBLIC_STATES
            if outcome == Objection.Outcome.FIX_REQUIRED:
                raise DomainError(
                    "After publication a result can be moved to the open division or removed, not sent back for a fix.",
                    field="outcome",
                )
        else:
            raise DomainError("This round is not in review or published: dismiss the objection instead.")
        if submission.state not in standing:
            raise DomainError(
                f"The submission is {submission.get_state_display().lower()}: dismiss the objection instead."
            )
        before = {"state": submission.state, "division": submission.division}
        if outcome == Objection.Outcome.FIX_REQUIRED:
            submission.state = Submission.State.FIX_REQUIRED
            action = "benchmark_submission.fix_required"
        elif outcome == Objection.Outcome.MOVE_TO_OPEN:
            if submission.division == Division.OPEN:
                raise DomainError("This submission is already in the open division.", field="outcome")
            submission.division = Division.OPEN
            submission.state = Submission.State.MOVED_TO_OPEN
            action = "benchmark_submission.moved_to_open"
        else:
            submission.state = Submission.State.REMOVED
            submission.removal_reason = reason
            action = "benchmark_result.removed"
        submission.save(update_fields=["state", "division", "removal_reason", "updated_at"])
        mark_decided(objection, actor, Objection.State.UPHELD, reason, outcome)
        audit_record(
            actor=actor,
            action="benchmark_objection.upheld",
            target=objection,
            changes={"state": (Objection.State.OPEN, Objection.State.UPHELD)},
            note=f"{outcome}: {reason}",
        )
        audit_record(
            actor=actor,
            action=action,
            target=submission,
            changes={
                name: (before[name], getattr(submission, name))
                for name in before
                if before[name] != getattr(submission, name)
            },
            note=reason,
        )
        if submission.state == Submission.State.REMOVED:
            for other in Objection.objects.filter(submission=submission, state=Objection.State.OPEN).order_by("pk"):
                mark_decided(other, actor, Objection.State.DISMISSED, AUTOMATIC_DISMISSAL)
                audit_record(
                    actor=actor, action="benchmark_objection.dismissed", target=other, note=AUTOMATIC_DISMISSAL
                )
                _tell(other, submission)
        _tell(objection, submission)
        if state == Round.State.PUBLISHED:
            what = "removed" if submission.state == Submission.State.REMOVED else "moved to the open division"
            release_make(
                actor=actor,
                round=round,
                changelog=f"Submission {submission.pk} ({submission.organization.name}, {submission.system_model} "
                f"{submission.system_model_version}) {what} after an objection citing “{objection.rule}”: {reason}",
            )
    return objection


def objection_dismiss(*, actor: Any, objection: Objection, reason: str) -> Objection:
    """Dismiss an objection with a reason; both organizations are told."""
    require_objection_decider(actor, objection)
    reason = require_reason(reason, reader="objecting and objected organizations")
    with transaction.atomic():
        objection = locked_objection(objection)
        if objection.state != Objection.State.OPEN:
            raise DomainError("This objection was already decided.")
        mark_decided(objection, actor, Objection.State.DISMISSED, reason)
        audit_record(
            actor=actor,
            action="benchmark_objection.dismissed",
            target=objection,
            changes={"state": (Objection.State.OPEN, Objection.State.DISMISSED)},
            note=reason,
        )
        _tell(objection, objection.submission)
    return objection
