"""Proposals and the project lifecycle: a member drafts and submits, staff review, accept or reject, then promote,
archive and revive; leads ask for archiving.

A draft is its proposer's; a proposal under review is left as staff read it; a live project is its leads'. Each
move locks the project, checks its state under the lock, is audited and tells the people it concerns.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, require_reason, require_staff, validate_model
from alliance.notifications import staff_recipients
from alliance.slugs import unique_slug
from alliance.text import clean_name, clean_slug
from members.models import Organization, User
from projects.models import FocusArea, Participation, Project, ProposalReview
from projects.selectors import (
    has_sponsor_conflict,
    may_decide_project,
    may_edit_project,
    may_propose_project,
    may_request_archive,
    may_submit_project,
    project_active_leads,
    project_participants,
    sponsor_choices,
)
from projects.validators import normalize_spdx_expression

from ._common import lock_project, notify_project_people, only_leads_refusal

PROJECT_EDITABLE_FIELDS = (
    "title", "summary", "description", "kind", "repository_url", "website_url", "license", "help_wanted",
    "join_policy", "visibility",
)  # fmt: skip


# --- who may act (the pages and the API call these before reading a body) ------------------------------------


def require_may_propose(actor: Any) -> None:
    """Proposals come from people of an active member organization."""
    if not may_propose_project(actor):
        raise NotPermitted("Only people of an active member organization can do this.")


def require_may_edit(actor: Any, project: Project) -> None:
    """``may_edit_project`` decides; the refusal says who may edit the project in its state."""
    if may_edit_project(actor, project):
        return
    if project.state == Project.State.DRAFT:
        raise NotPermitted("Only the proposer can edit this draft.")
    if project.state in (Project.State.PROPOSED, Project.State.REJECTED):
        raise NotPermitted("A proposal under review can only be changed by staff.")
    raise only_leads_refusal(project)


def require_may_submit(actor: Any, project: Project) -> None:
    """Only the proposer submits the draft, while they belong to an active member organization."""
    if may_submit_project(actor, project):
        return
    if getattr(actor, "pk", None) != project.proposer_id:
        raise NotPermitted("Only the proposer can submit this draft.")
    require_may_propose(actor)


def require_may_decide(actor: Any, project: Project) -> None:
    """Staff decide on proposals, except those sponsored by an organization they belong to."""
    if may_decide_project(actor, project):
        return
    require_staff(actor)
    if has_sponsor_conflict(actor, project):
        raise NotPermitted("You belong to a sponsoring organization of this proposal: another reviewer must decide.")


def require_may_request_archive(actor: Any, project: Project) -> None:
    """A lead asks; staff archive the project themselves."""
    if not may_request_archive(actor, project):
        raise only_leads_refusal(project)


def _checked_sponsors(
    actor: Any, sponsors: Iterable[Organization], project: Project | None = None
) -> list[Organization]:
    """Sponsors are active members, and a person names only organizations ``sponsor_choices`` offers them."""
    sponsors = list(sponsors)
    inactive = [str(sponsor) for sponsor in sponsors if sponsor.status != Organization.Status.ACTIVE]
    if inactive:
        raise DomainError(
            f"Only active member organizations can sponsor a project: {', '.join(inactive)}.", field="sponsors"
        )
    allowed = set(sponsor_choices(actor, project).values_list("pk", flat=True))
    foreign = [str(sponsor) for sponsor in sponsors if sponsor.pk not in allowed]
    if foreign:
        raise DomainError(
            f"You can only name organizations you belong to as sponsors: {', '.join(foreign)}.", field="sponsors"
        )
    return sponsors


# --- drafts ------------------------------------------------------------------------------------------------------


def project_create(
    *,
    actor: User,
    title: str,
    summary: str,
    kind: str,
    description: str = "",
    focus_areas: Iterable[FocusArea] = (),
    sponsors: Iterable[Organization] | None = None,
    repository_url: str = "",
    website_url: str = "",
    license: str = "",
    help_wanted: list[str] | None = None,
    join_policy: str = Project.JoinPolicy.OPEN,
    visibility: str = Project.Visibility.PUBLIC,
    slug: str = "",
) -> Project:
    """A member starts a draft proposal and becomes its first lead. Sponsors default to their organizations."""
    require_may_propose(actor)
    if sponsors is None:
        sponsors = Organization.objects.filter(affiliations__person=actor, status=Organization.Status.ACTIVE).order_by(
            "pk"
        )
    checked_sponsors = _checked_sponsors(actor, sponsors)
    title = clean_name(title, field="title")
    project = Project(
        title=title,
        slug=clean_slug(slug) if slug else unique_slug(Project, title, fallback="project"),
        summary=(summary or "").strip(),
        description=description or "",
        kind=kind,
        proposer=actor,
        repository_url=repository_url,
        website_url=website_url,
        license=normalize_spdx_expression(license) if license else "",
        help_wanted=[role.strip() for role in (help_wanted or []) if role.strip()],
        join_policy=join_policy,
        visibility=visibility,
    )
    validate_model(project, exclude=["proposer"])
    with transaction.atomic():
        project.save()
        project.focus_areas.set(focus_areas)
        project.sponsors.set(checked_sponsors)
        Participation.objects.create(project=project, person=actor, role=Participation.Role.LEAD)
        audit_record(actor=actor, action="project.created", target=project)
    return project


def project_update(
    *,
    actor: User,
    project: Project,
    focus_areas: Iterable[FocusArea] | None = None,
    sponsors: Iterable[Organization] | None = None,
    **fields: Any,
) -> Project:
    """The proposer edits their draft; leads edit a live project; staff edit any (``may_edit_project``)."""
    require_may_edit(actor, project)
    unknown = set(fields) - set(PROJECT_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if "title" in fields:
        fields["title"] = clean_name(fields["title"], field="title")
    if fields.get("license"):
        fields["license"] = normalize_spdx_expression(fields["license"])
    changes = {}
    for field, value in fields.items():
        if getattr(project, field) != value:
            changes[field] = (getattr(project, field), value)
            setattr(project, field, value)
    validate_model(project, exclude=["proposer"])
    with transaction.atomic():
        if changes:
            project.save(update_fields=[*changes, "updated_at"])
        if focus_areas is not None:
            project.focus_areas.set(focus_areas)
            changes["focus_areas"] = (None, ", ".join(str(area) for area in project.focus_areas.all()))
        if sponsors is not None:
            project.sponsors.set(_checked_sponsors(actor, sponsors, project))
            changes["sponsors"] = (None, ", ".join(str(org) for org in project.sponsors.all()))
        if changes:
            audit_record(actor=actor, action="project.updated", target=project, changes=changes)
    return project


# --- moving through the lifecycle ----------------------------------------------------------------------------------


def _move_project(
    *,
    actor: User,
    project: Project,
    allowed: tuple[str, ...],
    to: str,
    action: str,
    reason: str = "",
) -> Project:
    """Lock the project, check its state, move it, audit it. The caller checked who may do it.

    A project goes live (incubating or active) only with a lead, counted under the project's lock: a lead
    leaving a proposal or an archived project waits for this decision, and then meets the last-lead rule.
    """
    locked = lock_project(project)
    if locked.state not in allowed:
        raise DomainError(
            f"A project that is {locked.get_state_display().lower()} cannot be {action.replace('_', ' ')}."
        )
    if to in Project.LIVE_STATES and not project_active_leads(locked):
        raise DomainError("The project has no lead: add one before it can go live.")
    before = locked.state
    locked.state = to
    locked.state_changed_at = timezone.now()
    update_fields = ["state", "state_changed_at", "updated_at"]
    if reason or to in (Project.State.REJECTED, Project.State.INCUBATING):
        locked.decision_reason = reason
        update_fields.append("decision_reason")
    if locked.archive_requested_at and to != before:
        locked.archive_requested_at = None
        update_fields.append("archive_requested_at")
    locked.save(update_fields=update_fields)
    audit_record(actor=actor, action=f"project.{action}", target=locked, changes={"state": (before, to)}, note=reason)
    return locked


def project_submit(*, actor: User, project: Project) -> Project:
    """The proposer submits the draft for review; staff are told."""
    require_may_submit(actor, project)
    with transaction.atomic():
        project = _move_project(
            actor=actor, project=project, allowed=(Project.State.DRAFT,), to=Project.State.PROPOSED, action="submitted"
        )
        notify_project_people(project, "projects/notifications/project_submitted_staff", staff_recipients())
    return project


def proposal_review_add(*, actor: User, project: Project, recommendation: str, comment: str) -> ProposalReview:
    """A staff reviewer comments on a proposal and recommends; the decision is a separate act, so a reviewer
    from a sponsoring organization may still say what they think."""
    require_staff(actor)
    review = ProposalReview(project=project, reviewer=actor, recommendation=recommendation, comment=comment.strip())
    validate_model(review, exclude=["project", "reviewer"])
    with transaction.atomic():
        if lock_project(project).state != Project.State.PROPOSED:
            raise DomainError("Only a proposal under review can be reviewed.")
        review.save()
        audit_record(
            actor=actor,
            action="project.reviewed",
            target=project,
            changes={"recommendation": (None, recommendation)},
            note=review.comment,
        )
    return review


def project_accept(*, actor: User, project: Project, reason: str = "") -> Project:
    """Staff accept a proposal: it starts incubating."""
    require_may_decide(actor, project)
    with transaction.atomic():
        project = _move_project(
            actor=actor,
            project=project,
            allowed=(Project.State.PROPOSED,),
            to=Project.State.INCUBATING,
            action="accepted",
            reason=(reason or "").strip(),
        )
        notify_project_people(
            project, "projects/notifications/project_decided", [project.proposer, *project_active_leads(project)]
        )
    return project


def project_reject(*, actor: User, project: Project, reason: str = "") -> Project:
    """Staff reject a proposal with a reason the proposer reads."""
    require_may_decide(actor, project)
    reason = require_reason(reason, reader="proposer")
    with transaction.atomic():
        project = _move_project(
            actor=actor,
            project=project,
            allowed=(Project.State.PROPOSED,),
            to=Project.State.REJECTED,
            action="rejected",
            reason=reason,
        )
        notify_project_people(
            project, "projects/notifications/project_decided", [project.proposer, *project_active_leads(project)]
        )
    return project


def _move_project_as_staff(
    *, actor: User, project: Project, allowed: tuple[str, ...], to: str, action: str, reason: str = ""
) -> Project:
    """A staff-only move; every participant is told."""
    require_staff(actor)
    with transaction.atomic():
        project = _move_project(actor=actor, project=project, allowed=allowed, to=to, action=action, reason=reason)
        notify_project_people(
            project,
            "projects/notifications/project_state_changed",
            project_participants(project),
            action=action,
            reason=reason,
        )
    return project


def project_promote(*, actor: User, project: Project) -> Project:
    """Staff graduate an incubating project to active."""
    return _move_project_as_staff(
        actor=actor, project=project, allowed=(Project.State.INCUBATING,), to=Project.State.ACTIVE, action="promoted"
    )


def project_archive(*, actor: User, project: Project, reason: str = "") -> Project:
    """Staff archive a live project (often at its leads' request)."""
    return _move_project_as_staff(
        actor=actor,
        project=project,
        allowed=Project.LIVE_STATES,
        to=Project.State.ARCHIVED,
        action="archived",
        reason=(reason or "").strip(),
    )


def project_revive(*, actor: User, project: Project) -> Project:
    """Staff bring an archived project back to active."""
    return _move_project_as_staff(
        actor=actor, project=project, allowed=(Project.State.ARCHIVED,), to=Project.State.ACTIVE, action="revived"
    )


def project_request_archive(*, actor: User, project: Project, reason: str = "") -> Project:
    """A lead asks staff to archive the project; staff are told and decide."""
    require_may_request_archive(actor, project)
    with transaction.atomic():
        project = lock_project(project)
        if project.state not in Project.LIVE_STATES:
            raise DomainError("Only an incubating or active project can be archived.")
        if project.archive_requested_at:
            raise DomainError("Archiving was already requested; staff will decide.")
        project.archive_requested_at = timezone.now()
        project.save(update_fields=["archive_requested_at", "updated_at"])
        audit_record(actor=actor, action="project.archive_requested", target=project, note=reason)
        notify_project_people(
            project, "projects/notifications/project_archive_requested", staff_recipients(), person=actor, reason=reason
        )
    return project
