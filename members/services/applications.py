"""Membership applications: an organization's admins submit, resubmit or withdraw; staff decide.

Every decision is taken on the locked, current row (a caller's copy may predate another decision), by someone
``selectors.is_application_decider`` accepts, and tells the applicant's admins after commit.
"""

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, require_reason, require_staff, validate_model
from alliance.locking import lock_row
from alliance.models import Notification
from alliance.notifications import notify, staff_recipients

from ..models import MembershipApplication, Organization, User
from ..selectors import is_application_decider, organization_admins
from ._common import locked_organization
from .membership import membership_term_start, require_tier
from .organizations import require_organization_admin

CHARTER_NOT_ACCEPTED = "The alliance charter must be accepted to apply."


def require_charter_accepted(charter_accepted: bool) -> None:
    """No application without the charter: the one statement of the rule (the database's CHECK backs it)."""
    if not charter_accepted:
        raise DomainError(CHARTER_NOT_ACCEPTED, field="charter_accepted")


def require_application_decider(actor: Any, application: MembershipApplication) -> None:
    """Staff decide, never on an application of their own organization (``selectors.is_application_decider``)."""
    if not is_application_decider(actor, application):
        require_staff(actor)
        raise NotPermitted("You cannot decide on an application of your own organization.")


def application_submit(
    *, actor: User, organization: Organization, tier: str, statement: str, charter_accepted: bool
) -> MembershipApplication:
    """An admin applies for membership at a tier, accepting the charter; staff are told."""
    require_organization_admin(actor, organization)
    require_tier(tier)
    require_charter_accepted(charter_accepted)
    application = MembershipApplication(
        organization=organization,
        submitted_by=actor,
        tier=tier,
        statement=statement.strip(),
        charter_accepted=True,
    )
    validate_model(application, exclude=["organization"])
    with transaction.atomic():
        # Decide on the locked, current row: the caller's copy may predate a withdrawal or a decision.
        organization = locked_organization(organization.pk)
        if organization.status == Organization.Status.ACTIVE:
            raise DomainError(f"{organization} is already an active member.")
        if organization.status == Organization.Status.SUSPENDED:
            raise DomainError(f"{organization} is suspended; contact the secretariat.")
        if organization.applications.filter(status__in=MembershipApplication.OPEN_STATUSES).exists():
            raise DomainError(f"{organization} already has an open application.")
        application.organization = organization
        application.save()
        if organization.status != Organization.Status.APPLICANT:
            before = organization.status
            organization.status = Organization.Status.APPLICANT
            organization.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=actor,
                action="organization.status_changed",
                target=organization,
                changes={"status": (before, organization.status)},
            )
        audit_record(actor=actor, action="application.submitted", target=application)
        _application_notify(
            application,
            "members/notifications/application_received",
            list(organization_admins(organization)),
            transactional=True,
        )
        _application_notify(application, "members/notifications/application_received_staff", staff_recipients())
    return application


def _locked_application(application: MembershipApplication) -> MembershipApplication:
    locked = lock_row(MembershipApplication.objects.select_related("organization").filter(pk=application.pk))
    if locked is None:
        raise DomainError("This application no longer exists.")
    return locked


def _require_status(application: MembershipApplication, allowed: tuple[str, ...], doing: str) -> None:
    if application.status not in allowed:
        raise DomainError(f"An application that is {application.get_status_display().lower()} cannot be {doing}.")


def _application_notify(
    application: MembershipApplication,
    template: str,
    recipients: list[Any],
    *,
    transactional: bool = False,
    welcome_note: str = "",
) -> None:
    notify(
        recipients=recipients,
        kind=Notification.Kind.MEMBERSHIP,
        template=template,
        context={
            "application": application,
            "organization": application.organization,
            "tier_name": application.get_tier_display(),
            "welcome_note": welcome_note,
        },
        url=reverse("members:application_detail", kwargs={"pk": application.pk}),
        transactional=transactional,
    )


def _application_decide(
    *,
    actor: User,
    application: MembershipApplication,
    status: str,
    doing: str,
    reason: str = "",
    welcome_note: str = "",
    allowed: tuple[str, ...] = MembershipApplication.AWAITING_STAFF,
) -> MembershipApplication:
    """Record a staff decision (approve, reject, request changes) on the locked application and tell its admins.

    The caller checked the decider first (``require_application_decider``) and, where needed, the reason. An
    approval's welcome note goes into the admins' mail and the application's history (the audit entry's note).
    """
    with transaction.atomic():
        application = _locked_application(application)
        _require_status(application, allowed, doing)
        before = application.status
        application.status = status
        application.reason = reason
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
        audit_record(
            actor=actor,
            action=f"application.{status}",
            target=application,
            changes={"status": (before, status)},
            note=reason or welcome_note,
        )
        template = (
            "members/notifications/application_changes_requested"
            if status == MembershipApplication.Status.CHANGES_REQUESTED
            else "members/notifications/application_decided"
        )
        _application_notify(
            application,
            template,
            list(organization_admins(application.organization)),
            transactional=True,
            welcome_note=welcome_note,
        )
    return application


def application_request_changes(
    *, actor: User, application: MembershipApplication, reason: str
) -> MembershipApplication:
    """Staff send the application back with what to change; the applicant may resubmit."""
    require_application_decider(actor, application)
    return _application_decide(
        actor=actor,
        application=application,
        status=MembershipApplication.Status.CHANGES_REQUESTED,
        doing="sent back for changes",
        reason=require_reason(reason, reader="applicant"),
    )


def application_reject(*, actor: User, application: MembershipApplication, reason: str) -> MembershipApplication:
    """Staff reject the application with a reason shown to the applicant."""
    require_application_decider(actor, application)
    return _application_decide(
        actor=actor,
        application=application,
        status=MembershipApplication.Status.REJECTED,
        doing="rejected",
        reason=require_reason(reason, reader="applicant"),
    )


def application_approve(
    *, actor: User, application: MembershipApplication, welcome_note: str = ""
) -> MembershipApplication:
    """Staff approve: the organization becomes an active member at the tier applied for. A welcome note, if any,
    reaches its admins with the news."""
    require_application_decider(actor, application)
    with transaction.atomic():
        application = _application_decide(
            actor=actor,
            application=application,
            status=MembershipApplication.Status.APPROVED,
            doing="approved",
            welcome_note=welcome_note.strip(),
        )
        organization = locked_organization(application.organization_id)
        before = (organization.status, organization.tier)
        organization.status = Organization.Status.ACTIVE
        organization.tier = application.tier
        organization.member_since = organization.member_since or timezone.localdate()
        organization.save(update_fields=["status", "tier", "member_since", "updated_at"])
        audit_record(
            actor=actor,
            action="organization.activated",
            target=organization,
            changes={"status": (before[0], organization.status), "tier": (before[1], organization.tier)},
        )
        # Approval starts a term, unless one is still running (a reinstated member keeps its dates).
        if not organization.terms.filter(ends_at__gt=timezone.now()).exists():
            membership_term_start(actor=actor, organization=organization, tier=require_tier(application.tier))
    application.organization = organization
    return application


def application_resubmit(
    *, actor: User, application: MembershipApplication, statement: str | None = None, tier: str | None = None
) -> MembershipApplication:
    """The applicant answers a request for changes; staff are told it is back in the queue."""
    require_organization_admin(actor, application.organization)
    with transaction.atomic():
        application = _locked_application(application)
        _require_status(application, (MembershipApplication.Status.CHANGES_REQUESTED,), "resubmitted")
        changes: dict[str, tuple[Any, Any]] = {"status": (application.status, MembershipApplication.Status.RESUBMITTED)}
        if statement is not None and statement.strip() != application.statement:
            changes["statement"] = (application.statement, statement.strip())
            application.statement = statement.strip()
        if tier is not None and tier != application.tier:
            require_tier(tier)
            changes["tier"] = (application.tier, tier)
            application.tier = tier
        application.status = MembershipApplication.Status.RESUBMITTED
        validate_model(application, exclude=["organization", "submitted_by", "decided_by"])
        application.save(update_fields=["status", "statement", "tier", "updated_at"])
        audit_record(actor=actor, action="application.resubmitted", target=application, changes=changes)
        _application_notify(application, "members/notifications/application_received_staff", staff_recipients())
    return application


def application_withdraw(*, actor: User, application: MembershipApplication) -> MembershipApplication:
    """The applicant withdraws an open application; an organization that never became a member is withdrawn."""
    require_organization_admin(actor, application.organization)
    with transaction.atomic():
        application = _locked_application(application)
        _require_status(application, MembershipApplication.OPEN_STATUSES, "withdrawn")
        before = application.status
        application.status = MembershipApplication.Status.WITHDRAWN
        application.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="application.withdrawn",
            target=application,
            changes={"status": (before, application.status)},
        )
        # Locked after the application, as the approval does: the status is read as it is now.
        organization = locked_organization(application.organization_id)
        if organization.status == Organization.Status.APPLICANT:
            organization.status = Organization.Status.WITHDRAWN
            organization.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=actor,
                action="organization.status_changed",
                target=organization,
                changes={"status": (Organization.Status.APPLICANT, organization.status)},
            )
        application.organization = organization
    return application
