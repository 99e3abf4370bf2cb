"""Every write of the projects domain: proposals and their lifecycle, reviews, participation, updates, catalog.

Who may move what is decided here: the proposer edits a draft and submits it (members of an active
organization only); staff accept, reject, promote, archive and revive; leads ask to archive, manage people,
post updates and submit catalog entries; staff validate entries. Each transition is audited and notified.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, require_staff, validate_model
from alliance.models import Notification
from alliance.notifications import notify, staff_recipients
from alliance.slugs import unique_slug
from members.models import Affiliation, Organization, User
from members.selectors import is_alliance_member

from .models import CatalogEntry, FocusArea, Participation, Project, ProjectUpdate, ProposalReview
from .selectors import is_project_lead
from .validators import normalize_spdx_expression

PROJECT_EDITABLE_FIELDS = (
    "title", "summary", "description", "kind", "repository_url", "website_url", "license", "help_wanted",
    "join_policy", "visibility",
)  # fmt: skip
CATALOG_CHECKLIST = {
    "license": "A licence is stated and fits the entry",
    "documentation": "Documentation explains how to use it",
    "evaluation": "The evaluation can be reproduced (or does not apply)",
    "safety_notes": "Safety notes describe known risks and limits",
}


# --- who is who ---------------------------------------------------------------------------------------------


def _require_lead(actor: Any, project: Project, *, allow_staff: bool = True) -> None:
    if allow_staff and getattr(actor, "is_staff", False):
        return
    if not is_project_lead(actor, project):
        raise NotPermitted(f"Only a lead of {project} can do this.")


def _require_member(actor: Any) -> None:
    if not is_alliance_member(actor):
        raise NotPermitted("Only people of an active member organization can do this.")


def _require_decider(actor: Any, project: Project) -> None:
    """Staff decide on proposals, except those sponsored by an organization they belong to."""
    require_staff(actor)
    if Affiliation.objects.filter(person=actor, organization__in=project.sponsors.all()).exists():
        raise NotPermitted("You belong to a sponsoring organization of this proposal: another reviewer must decide.")


def _active_leads(project: Project) -> list[User]:
    return list(
        User.objects.filter(
            participations__project=project,
            participations__role=Participation.Role.LEAD,
            participations__status=Participation.Status.ACTIVE,
        ).order_by("pk")
    )


def _notify_project(project: Project, template: str, recipients: Iterable[Any], **context: Any) -> None:
    notify(
        recipients=recipients,
        kind=Notification.Kind.PROJECTS,
        template=template,
        context={"project": project, **context},
        url=project.get_absolute_url(),
    )


# --- focus areas ----------------------------------------------------------------------------------------------


FOCUS_AREA_EDITABLE_FIELDS = ("name", "description")


def focus_area_create(*, actor: User, name: str, description: str = "", slug: str = "") -> FocusArea:
    """Staff add a theme of the alliance's work; the address (slug) is chosen from the name unless given."""
    require_staff(actor)
    area = FocusArea(
        name=(name or "").strip(),
        slug=slug or unique_slug(FocusArea, name or "", fallback="focus-area"),
        description=(description or "").strip(),
    )
    validate_model(area)
    with transaction.atomic():
        area.save()
        audit_record(actor=actor, action="focus_area.created", target=area)
    return area


def focus_area_update(*, actor: User, focus_area: FocusArea, **fields: Any) -> FocusArea:
    """Staff rename or describe a focus area; its address stays, so links to it keep working."""
    require_staff(actor)
    unknown = set(fields) - set(FOCUS_AREA_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    changes = {}
    for field, value in fields.items():
        value = (value or "").strip()
        if getattr(focus_area, field) != value:
            changes[field] = (getattr(focus_area, field), value)
            setattr(focus_area, field, value)
    validate_model(focus_area)
    if changes:
        with transaction.atomic():
            focus_area.save(update_fields=list(changes))
            audit_record(actor=actor, action="focus_area.updated", target=focus_area, changes=changes)
    return focus_area


# --- proposals and their lifecycle -------------------------------------------------------------------------------


def _check_sponsors(actor: Any, sponsors: Iterable[Organization], project: Project | None = None) -> list[Organization]:
    """Sponsors are active members, and a person names only their own organizations (staff any)."""
    from .selectors import sponsor_choices

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
    _require_member(actor)
    if sponsors is None:
        sponsors = Organization.objects.filter(affiliations__person=actor, status=Organization.Status.ACTIVE).order_by(
            "pk"
        )
    sponsors = _check_sponsors(actor, sponsors)
    project = Project(
        title=(title or "").strip(),
        slug=slug or unique_slug(Project, title or "", fallback="project"),
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
        project.sponsors.set(sponsors)
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
    """The proposer edits their draft; leads edit a live project; staff edit any."""
    is_staff = getattr(actor, "is_staff", False)
    if project.state == Project.State.DRAFT:
        if not is_staff and actor.pk != project.proposer_id:
            raise NotPermitted("Only the proposer can edit this draft.")
    elif project.state in (Project.State.PROPOSED, Project.State.REJECTED):
        if not is_staff:
            raise NotPermitted("A proposal under review can only be changed by staff.")
    else:
        _require_lead(actor, project)
    unknown = set(fields) - set(PROJECT_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
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
            project.sponsors.set(_check_sponsors(actor, sponsors, project))
            changes["sponsors"] = (None, ", ".join(str(org) for org in project.sponsors.all()))
        if changes:
            audit_record(actor=actor, action="project.updated", target=project, changes=changes)
    return project


def _locked_project(project: Project) -> Project:
    """The project as it is now, locked for the rest of the transaction: state checks never trust a stale copy."""
    return Project.objects.select_for_update().get(pk=project.pk)


def _transition(
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
    locked = _locked_project(project)
    if locked.state not in allowed:
        raise DomainError(
            f"A project that is {locked.get_state_display().lower()} cannot be {action.replace('_', ' ')}."
        )
    if to in Project.LIVE_STATES and not _active_leads(locked):
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
    if actor.pk != project.proposer_id:
        raise NotPermitted("Only the proposer can submit this draft.")
    _require_member(actor)
    with transaction.atomic():
        project = _transition(
            actor=actor, project=project, allowed=(Project.State.DRAFT,), to=Project.State.PROPOSED, action="submitted"
        )
        _notify_project(project, "projects/notifications/project_submitted_staff", staff_recipients())
    return project


def proposal_review_add(*, actor: User, project: Project, recommendation: str, comment: str) -> ProposalReview:
    """A staff reviewer comments on a proposal and recommends; the decision is a separate act."""
    require_staff(actor)
    review = ProposalReview(project=project, reviewer=actor, recommendation=recommendation, comment=comment.strip())
    validate_model(review, exclude=["project", "reviewer"])
    with transaction.atomic():
        if not Project.objects.select_for_update().filter(pk=project.pk, state=Project.State.PROPOSED).exists():
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
    _require_decider(actor, project)
    with transaction.atomic():
        project = _transition(
            actor=actor,
            project=project,
            allowed=(Project.State.PROPOSED,),
            to=Project.State.INCUBATING,
            action="accepted",
            reason=reason.strip(),
        )
        _notify_project(project, "projects/notifications/project_decided", [project.proposer, *_active_leads(project)])
    return project


def project_reject(*, actor: User, project: Project, reason: str) -> Project:
    """Staff reject a proposal with a reason the proposer reads."""
    _require_decider(actor, project)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give a reason: the proposer will read it.", field="reason")
    with transaction.atomic():
        project = _transition(
            actor=actor,
            project=project,
            allowed=(Project.State.PROPOSED,),
            to=Project.State.REJECTED,
            action="rejected",
            reason=reason,
        )
        _notify_project(project, "projects/notifications/project_decided", [project.proposer, *_active_leads(project)])
    return project


def _staff_transition(
    *, actor: User, project: Project, allowed: tuple[str, ...], to: str, action: str, reason: str = ""
) -> Project:
    require_staff(actor)
    with transaction.atomic():
        project = _transition(actor=actor, project=project, allowed=allowed, to=to, action=action, reason=reason)
        _notify_project(
            project,
            "projects/notifications/project_state_changed",
            _participants(project),
            action=action,
            reason=reason,
        )
    return project


def project_promote(*, actor: User, project: Project) -> Project:
    """Staff graduate an incubating project to active."""
    return _staff_transition(
        actor=actor, project=project, allowed=(Project.State.INCUBATING,), to=Project.State.ACTIVE, action="promoted"
    )


def project_archive(*, actor: User, project: Project, reason: str = "") -> Project:
    """Staff archive a live project (often at its leads' request)."""
    return _staff_transition(
        actor=actor,
        project=project,
        allowed=Project.LIVE_STATES,
        to=Project.State.ARCHIVED,
        action="archived",
        reason=reason.strip(),
    )


def project_revive(*, actor: User, project: Project) -> Project:
    """Staff bring an archived project back to active."""
    return _staff_transition(
        actor=actor, project=project, allowed=(Project.State.ARCHIVED,), to=Project.State.ACTIVE, action="revived"
    )


def project_request_archive(*, actor: User, project: Project, reason: str = "") -> Project:
    """A lead asks staff to archive the project."""
    _require_lead(actor, project, allow_staff=False)
    with transaction.atomic():
        project = _locked_project(project)
        if project.state not in Project.LIVE_STATES:
            raise DomainError("Only an incubating or active project can be archived.")
        if project.archive_requested_at:
            raise DomainError("Archiving was already requested; staff will decide.")
        project.archive_requested_at = timezone.now()
        project.save(update_fields=["archive_requested_at", "updated_at"])
        audit_record(actor=actor, action="project.archive_requested", target=project, note=reason)
        _notify_project(
            project, "projects/notifications/project_archive_requested", staff_recipients(), person=actor, reason=reason
        )
    return project


# --- participation --------------------------------------------------------------------------------------------


def _participants(project: Project, *, exclude: Any = None) -> list[User]:
    people = User.objects.filter(
        participations__project=project, participations__status=Participation.Status.ACTIVE, is_active=True
    )
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return list(people.order_by("pk"))


def participation_join(*, actor: User, project: Project, message: str = "") -> Participation:
    """Join an open project at once, or ask to join one that needs a lead's approval."""
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to join a project.")
    try:
        with transaction.atomic():
            project = _locked_project(project)
            if project.state not in Project.LIVE_STATES:
                raise DomainError("Only incubating and active projects take new participants.")
            if project.visibility == Project.Visibility.MEMBERS:
                _require_member(actor)
            pending = project.join_policy == Project.JoinPolicy.APPROVAL
            participation = Participation.objects.create(
                project=project,
                person=actor,
                role=Participation.Role.CONTRIBUTOR,
                status=Participation.Status.PENDING if pending else Participation.Status.ACTIVE,
                message=(message or "").strip(),
            )
            audit_record(
                actor=actor,
                action="participation.requested" if pending else "participation.joined",
                target=participation,
                changes={"status": (None, participation.status)},
            )
            if pending:
                _notify_project(
                    project,
                    "projects/notifications/participation_requested",
                    _active_leads(project),
                    person=actor,
                    message=participation.message,
                )
    except IntegrityError as error:
        raise DomainError(f"You already take part in {project} (or asked to).") from error
    return participation


def _locked_participation(participation: Participation) -> Participation:
    return Participation.objects.select_for_update().select_related("project", "person").get(pk=participation.pk)


def _lock_leads(project: Project) -> int:
    """Lock the project's lead rows and count them, so two departures cannot both pass the last-lead check."""
    return len(
        Participation.objects.select_for_update()
        .filter(project=project, role=Participation.Role.LEAD, status=Participation.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _check_last_lead(participation: Participation, leads: int) -> None:
    if (
        participation.role == Participation.Role.LEAD
        and participation.status == Participation.Status.ACTIVE
        and participation.project.state in Project.LIVE_STATES
        and leads <= 1
    ):
        raise DomainError("A live project must keep at least one lead: make someone else a lead first.")


def participation_approve(*, actor: User, participation: Participation) -> Participation:
    """A lead accepts a request to join."""
    _require_lead(actor, participation.project)
    with transaction.atomic():
        participation = _locked_participation(participation)
        if participation.status != Participation.Status.PENDING:
            raise DomainError(f"{participation.person} already takes part in the project.")
        participation.status = Participation.Status.ACTIVE
        participation.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="participation.approved",
            target=participation,
            changes={"status": (Participation.Status.PENDING, Participation.Status.ACTIVE)},
        )
        _notify_project(
            participation.project, "projects/notifications/participation_decided", [participation.person], approved=True
        )
    return participation


def participation_decline(*, actor: User, participation: Participation) -> None:
    """A lead declines a request to join; the person is told."""
    _require_lead(actor, participation.project)
    with transaction.atomic():
        participation = _locked_participation(participation)
        if participation.status != Participation.Status.PENDING:
            raise DomainError("Only a pending request can be declined; remove the participant instead.")
        audit_record(
            actor=actor,
            action="participation.declined",
            target=participation.project,
            changes={"person": (participation.person.email, None)},
        )
        _notify_project(
            participation.project,
            "projects/notifications/participation_decided",
            [participation.person],
            approved=False,
        )
        participation.delete()


def participation_change_role(*, actor: User, participation: Participation, role: str) -> Participation:
    """A lead changes someone's role; a live project keeps at least one lead."""
    _require_lead(actor, participation.project)
    if role not in Participation.Role.values:
        raise DomainError("The role must be lead, maintainer, contributor or observer.", field="role")
    with transaction.atomic():
        leads = _lock_leads(participation.project)
        # Checked again under the lock: a concurrent change may just have demoted the actor.
        _require_lead(actor, participation.project)
        participation = _locked_participation(participation)
        if participation.status != Participation.Status.ACTIVE:
            raise DomainError("Approve the request to join before changing the role.")
        if participation.role == role:
            return participation
        _check_last_lead(participation, leads)
        before = participation.role
        participation.role = role
        participation.save(update_fields=["role"])
        audit_record(
            actor=actor, action="participation.role_changed", target=participation, changes={"role": (before, role)}
        )
    return participation


def participation_remove(*, actor: User, participation: Participation) -> None:
    """A lead removes someone, or a person leaves; a live project keeps at least one lead."""
    if actor.pk != participation.person_id:
        _require_lead(actor, participation.project)
    with transaction.atomic():
        leads = _lock_leads(participation.project)
        if actor.pk != participation.person_id:
            _require_lead(actor, participation.project)
        participation = _locked_participation(participation)
        _check_last_lead(participation, leads)
        audit_record(
            actor=actor,
            action="participation.left" if actor.pk == participation.person_id else "participation.removed",
            target=participation.project,
            changes={"person": (participation.person.email, None)},
        )
        participation.delete()


def participation_leave(*, actor: User, project: Project) -> None:
    participation = Participation.objects.filter(project=project, person=actor).first()
    if participation is None:
        raise DomainError(f"You do not take part in {project}.")
    participation_remove(actor=actor, participation=participation)


# --- updates ---------------------------------------------------------------------------------------------------


def project_update_post(*, actor: User, project: Project, title: str, body: str) -> ProjectUpdate:
    """A lead posts news; every other participant is told."""
    _require_lead(actor, project, allow_staff=False)
    update = ProjectUpdate(project=project, author=actor, title=(title or "").strip(), body=(body or "").strip())
    validate_model(update, exclude=["project", "author"])
    with transaction.atomic():
        if _locked_project(project).state not in (*Project.LIVE_STATES, Project.State.PROPOSED):
            raise DomainError("Updates can be posted on proposed, incubating and active projects.")
        update.save()
        audit_record(actor=actor, action="project.update_posted", target=project, note=update.title)
        _notify_project(
            project,
            "projects/notifications/project_update_posted",
            _participants(project, exclude=actor),
            update=update,
        )
    return update


# --- catalog ---------------------------------------------------------------------------------------------------


def catalog_entry_submit(
    *,
    actor: User,
    project: Project,
    kind: str,
    name: str,
    description: str,
    link: str,
    license: str,
    version: str = "",
    documentation_url: str = "",
    safety_notes: str = "",
    evaluation_notes: str = "",
) -> CatalogEntry:
    """A lead submits a tool, model, dataset, benchmark or learning resource for validation."""
    _require_lead(actor, project, allow_staff=False)
    entry = CatalogEntry(
        project=project,
        kind=kind,
        name=(name or "").strip(),
        description=description or "",
        link=link,
        license=normalize_spdx_expression(license) if license else "",
        version=(version or "").strip(),
        documentation_url=documentation_url,
        safety_notes=safety_notes or "",
        evaluation_notes=evaluation_notes or "",
        submitted_by=actor,
    )
    validate_model(entry, exclude=["project", "submitted_by"])
    with transaction.atomic():
        if _locked_project(project).state not in Project.LIVE_STATES:
            raise DomainError("Only incubating and active projects publish catalog entries.")
        entry.save()
        audit_record(actor=actor, action="catalog.submitted", target=entry)
        _notify_catalog(entry, "projects/notifications/catalog_submitted_staff", staff_recipients())
    return entry


def _notify_catalog(entry: CatalogEntry, template: str, recipients: Iterable[Any], **context: Any) -> None:
    notify(
        recipients=recipients,
        kind=Notification.Kind.PROJECTS,
        template=template,
        context={"entry": entry, "project": entry.project, **context},
        url=entry.get_absolute_url(),
    )


def catalog_entry_validate(*, actor: User, entry: CatalogEntry, checklist: dict[str, bool]) -> CatalogEntry:
    """Staff validate (or renew) an entry against the checklist; validation lasts CATALOG_VALIDATION_PERIOD."""
    require_staff(actor)
    missing = [label for key, label in CATALOG_CHECKLIST.items() if not checklist.get(key)]
    if missing:
        raise DomainError(f"The checklist is not complete: {'; '.join(missing)}.", field="checklist")
    with transaction.atomic():
        entry = CatalogEntry.objects.select_for_update().select_related("project").get(pk=entry.pk)
        if entry.status == CatalogEntry.Status.DEPRECATED:
            raise DomainError("A deprecated entry cannot be validated; submit a new version instead.")
        if not entry.license:
            raise DomainError("The entry states no licence.", field="checklist")
        before = entry.status
        now = timezone.now()
        entry.status = CatalogEntry.Status.VALIDATED
        entry.checklist = {key: bool(checklist.get(key)) for key in CATALOG_CHECKLIST}
        entry.validated_by = actor
        entry.validated_at = now
        entry.expires_at = now + settings.CATALOG_VALIDATION_PERIOD
        entry.expiry_warning_sent_at = None
        entry.save(update_fields=[
            "status", "checklist", "validated_by", "validated_at", "expires_at", "expiry_warning_sent_at",
            "updated_at",
        ])  # fmt: skip
        action = (
            "catalog.renewed"
            if before in (CatalogEntry.Status.VALIDATED, CatalogEntry.Status.EXPIRED)
            else ("catalog.validated")
        )
        audit_record(actor=actor, action=action, target=entry, changes={"status": (before, entry.status)})
        _notify_catalog(entry, "projects/notifications/catalog_validated", _active_leads(entry.project))
    return entry


def catalog_entry_deprecate(*, actor: User, entry: CatalogEntry, reason: str = "") -> CatalogEntry:
    """Staff or the project's leads retire an entry: it stays listed, marked deprecated."""
    if not getattr(actor, "is_staff", False):
        _require_lead(actor, entry.project)
    with transaction.atomic():
        entry = CatalogEntry.objects.select_for_update().select_related("project").get(pk=entry.pk)
        if entry.status == CatalogEntry.Status.DEPRECATED:
            raise DomainError("This entry is already deprecated.")
        before = entry.status
        entry.status = CatalogEntry.Status.DEPRECATED
        entry.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="catalog.deprecated",
            target=entry,
            changes={"status": (before, entry.status)},
            note=reason,
        )
        _notify_catalog(entry, "projects/notifications/catalog_deprecated", _active_leads(entry.project), reason=reason)
    return entry


def catalog_expire_due(*, now: datetime | None = None) -> dict[str, int]:
    """The beat job: warn leads a month before validation lapses, then mark overdue entries expired.

    Each step is recorded on the row (``expiry_warning_sent_at``, ``status``) in the same transaction as its
    notification, so running the job twice, or two workers at once, notifies once.
    """
    now = now or timezone.now()
    expired = warned = 0
    for entry in _due_entries(CatalogEntry.objects.filter(expires_at__lte=now)):
        with transaction.atomic():
            entry = (
                CatalogEntry.objects.select_for_update(skip_locked=True)
                .filter(pk=entry.pk, status=CatalogEntry.Status.VALIDATED, expires_at__lte=now)
                .select_related("project")
                .first()
            )
            if entry is None:
                continue
            entry.status = CatalogEntry.Status.EXPIRED
            entry.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                action="catalog.expired",
                target=entry,
                changes={"status": (CatalogEntry.Status.VALIDATED, CatalogEntry.Status.EXPIRED)},
            )
            _notify_catalog(entry, "projects/notifications/catalog_expired", _active_leads(entry.project))
            expired += 1
    warning_until = now + settings.CATALOG_EXPIRY_WARNING
    for entry in _due_entries(
        CatalogEntry.objects.filter(expires_at__gt=now, expires_at__lte=warning_until, expiry_warning_sent_at=None)
    ):
        with transaction.atomic():
            entry = (
                CatalogEntry.objects.select_for_update(skip_locked=True)
                .filter(pk=entry.pk, status=CatalogEntry.Status.VALIDATED, expiry_warning_sent_at=None)
                .select_related("project")
                .first()
            )
            if entry is None:
                continue
            entry.expiry_warning_sent_at = now
            entry.save(update_fields=["expiry_warning_sent_at", "updated_at"])
            _notify_catalog(entry, "projects/notifications/catalog_expiring", _active_leads(entry.project))
            warned += 1
    return {"expired": expired, "warned": warned}


def _due_entries(entries: QuerySet[CatalogEntry]) -> list[CatalogEntry]:
    return list(entries.filter(status=CatalogEntry.Status.VALIDATED).order_by("pk").only("pk"))
