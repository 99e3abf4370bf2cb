"""Taking part in a project: joining (at once or by a lead's approval), roles, leaving and removal.

The last-lead rule holds here: a live project keeps at least one lead. It is decided on the project's lead rows,
locked after the project row (``lock_leads_of``), so two departures, a demotion and a departure, or a departure and
a revival cannot both pass it; who may act is checked again under that lock, since a concurrent change may just
have demoted the actor.
"""

from typing import Any

from django.db import IntegrityError, transaction

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from alliance.locking import lock_row, lock_rows
from members.models import User
from projects.models import Participation, Project
from projects.selectors import (
    leaves_project_without_lead,
    may_join_project,
    may_manage_participants,
    may_remove_participant,
    project_active_leads,
)

from ._common import BUSY, lock_project, notify_project_people, only_leads_refusal

# What a request to join may say to the leads: a few paragraphs, read in a notification.
JOIN_MESSAGE_MAX_LENGTH = 1000

# --- who may act (the pages and the API call these before reading a body) ------------------------------------


def require_may_join(actor: Any, project: Project) -> None:
    """Signed-in people join; a members-only project takes people of active member organizations."""
    if may_join_project(actor, project):
        return
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to join a project.")
    raise NotPermitted("Only people of an active member organization can do this.")


def require_may_manage_participants(actor: Any, project: Project) -> None:
    """Leads and staff decide on requests to join, roles and removals."""
    if not may_manage_participants(actor, project):
        raise only_leads_refusal(project)


def require_may_remove_participant(actor: Any, participation: Participation) -> None:
    """Anyone may leave; removing someone else is for leads and staff."""
    if not may_remove_participant(actor, participation):
        raise only_leads_refusal(participation.project)


# --- locks ---------------------------------------------------------------------------------------------------------


def lock_lead_rows(project: Project) -> list[Participation]:
    """Lock the project's active lead rows (pk order) until the transaction ends; the last-lead rule counts them."""
    return lock_rows(
        Participation.objects.filter(project=project, role=Participation.Role.LEAD, status=Participation.Status.ACTIVE),
        busy=BUSY,
    )


def lock_leads_of(project: Project) -> list[Participation]:
    """The project row, then its lead rows, locked: a staff decision that counts the leads under the project's lock
    (a revival, an acceptance) and a lead leaving or demoted wait for each other, in that one order."""
    lock_project(project)
    return lock_lead_rows(project)


def _lock_participation(participation: Participation) -> Participation:
    """The participation as it is now, locked, with a fresh copy of its project and person."""
    locked = lock_row(Participation.objects.select_related("project", "person").filter(pk=participation.pk), busy=BUSY)
    if locked is None:
        raise DomainError(f"{participation.person} no longer takes part in the project.")
    return locked


def _refuse_leaving_without_lead(participation: Participation, *, lead_count: int) -> None:
    if leaves_project_without_lead(participation, lead_count=lead_count):
        raise DomainError("A live project must keep at least one lead: make someone else a lead first.")


# --- the services ----------------------------------------------------------------------------------------------


def participation_join(*, actor: User, project: Project, message: str = "") -> Participation:
    """Join an open project at once, or ask to join one that needs a lead's approval (its leads are told, with the
    person's message: at most ``JOIN_MESSAGE_MAX_LENGTH`` characters, trimmed)."""
    require_may_join(actor, project)
    message = (message or "").strip()
    if len(message) > JOIN_MESSAGE_MAX_LENGTH:
        raise DomainError(
            f"The message to the leads can have at most {JOIN_MESSAGE_MAX_LENGTH} characters (it has {len(message)}).",
            field="message",
        )
    try:
        with transaction.atomic():
            project = lock_project(project)
            if project.state not in Project.LIVE_STATES:
                raise DomainError("Only incubating and active projects take new participants.")
            require_may_join(actor, project)  # the visibility as it is under the lock
            pending = project.join_policy == Project.JoinPolicy.APPROVAL
            participation = Participation.objects.create(
                project=project,
                person=actor,
                role=Participation.Role.CONTRIBUTOR,
                status=Participation.Status.PENDING if pending else Participation.Status.ACTIVE,
                message=message,
            )
            audit_record(
                actor=actor,
                action="participation.requested" if pending else "participation.joined",
                target=participation,
                changes={"status": (None, participation.status)},
            )
            if pending:
                notify_project_people(
                    project,
                    "projects/notifications/participation_requested",
                    project_active_leads(project),
                    person=actor,
                    message=participation.message,
                )
    except IntegrityError as error:
        raise DomainError(f"You already take part in {project} (or asked to).") from error
    return participation


def participation_approve(*, actor: User, participation: Participation) -> Participation:
    """A lead accepts a request to join; the person is told."""
    require_may_manage_participants(actor, participation.project)
    with transaction.atomic():
        participation = _lock_participation(participation)
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
        notify_project_people(
            participation.project, "projects/notifications/participation_decided", [participation.person], approved=True
        )
    return participation


def participation_decline(*, actor: User, participation: Participation) -> None:
    """A lead declines a request to join; the person is told."""
    require_may_manage_participants(actor, participation.project)
    with transaction.atomic():
        participation = _lock_participation(participation)
        if participation.status != Participation.Status.PENDING:
            raise DomainError("Only a pending request can be declined; remove the participant instead.")
        audit_record(
            actor=actor,
            action="participation.declined",
            target=participation.project,
            changes={"person": (participation.person.email, None)},
        )
        notify_project_people(
            participation.project,
            "projects/notifications/participation_decided",
            [participation.person],
            approved=False,
        )
        participation.delete()


def participation_change_role(*, actor: User, participation: Participation, role: str) -> Participation:
    """A lead changes someone's role; a live project keeps at least one lead."""
    require_may_manage_participants(actor, participation.project)
    if role not in Participation.Role.values:
        raise DomainError("The role must be lead, maintainer, contributor or observer.", field="role")
    with transaction.atomic():
        lead_count = len(lock_leads_of(participation.project))
        participation = _lock_participation(participation)
        # Checked again under the lock (on a fresh copy of the project): a concurrent change may just have
        # demoted the actor.
        require_may_manage_participants(actor, participation.project)
        if participation.status != Participation.Status.ACTIVE:
            raise DomainError("Approve the request to join before changing the role.")
        if participation.role == role:
            return participation
        _refuse_leaving_without_lead(participation, lead_count=lead_count)
        before = participation.role
        participation.role = role
        participation.save(update_fields=["role"])
        audit_record(
            actor=actor, action="participation.role_changed", target=participation, changes={"role": (before, role)}
        )
    return participation


def participation_remove(*, actor: User, participation: Participation) -> None:
    """A lead removes someone, or a person leaves; a live project keeps at least one lead."""
    require_may_remove_participant(actor, participation)
    with transaction.atomic():
        lead_count = len(lock_leads_of(participation.project))
        participation = _lock_participation(participation)
        require_may_remove_participant(actor, participation)  # again under the lock, as above
        _refuse_leaving_without_lead(participation, lead_count=lead_count)
        leaving = actor.pk == participation.person_id
        audit_record(
            actor=actor,
            action="participation.left" if leaving else "participation.removed",
            target=participation.project,
            changes={"person": (participation.person.email, None)},
        )
        participation.delete()


def participation_leave(*, actor: User, project: Project) -> None:
    """A person leaves a project (or withdraws a request to join)."""
    participation = Participation.objects.filter(project=project, person=actor).select_related("project").first()
    if participation is None:
        raise DomainError(f"You do not take part in {project}.")
    participation_remove(actor=actor, participation=participation)
