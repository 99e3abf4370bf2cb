"""Every write of the members domain: organizations, applications, people, invitations, domains, tokens.

Each service checks permission and state, raises ``DomainError`` (or ``NotPermitted``) with a message a
person understands, writes inside one transaction, records an audit entry and notifies after commit.
Views, the API, the admin and tasks call these functions; they never change these rows themselves.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, require_staff, validate_model
from alliance.models import Notification
from alliance.notifications import notify, staff_recipients
from alliance.slugs import unique_slug

from .models import (
    Affiliation,
    ApiToken,
    Invitation,
    JoinRequest,
    MembershipApplication,
    Organization,
    OrganizationDomain,
    User,
)
from .selectors import is_organization_admin, person_verified_domains

ORGANIZATION_EDITABLE_FIELDS = ("name", "kind", "country", "website", "description", "logo")


# --- permission helpers ------------------------------------------------------------------------------------


def _require_admin(actor: Any, organization: Organization, *, allow_staff: bool = True) -> None:
    if allow_staff and getattr(actor, "is_staff", False):
        return
    if not is_organization_admin(actor, organization):
        raise NotPermitted(f"Only an admin of {organization} can do this.")


def _link(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- people ---------------------------------------------------------------------------------------------------


def person_update_profile(*, actor: User, person: User, name: str) -> User:
    """A person sets the name others see on organization and project pages (never their address)."""
    if actor.pk != person.pk:
        raise NotPermitted("Only the person themselves can change their name.")
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("Give the name people will know you by.", field="name")
    if len(name) > User._meta.get_field("name").max_length:
        raise DomainError("The name is too long (150 characters at most).", field="name")
    if name != person.name:
        with transaction.atomic():
            before, person.name = person.name, name
            person.save(update_fields=["name"])
            audit_record(actor=actor, action="person.renamed", target=person, changes={"name": (before, name)})
    return person


# --- organizations -----------------------------------------------------------------------------------------


def organization_register(
    *,
    actor: User,
    name: str,
    kind: str,
    country: str,
    website: str = "",
    description: str = "",
    logo: Any = None,
    slug: str = "",
) -> Organization:
    """Register an organization as an applicant, with the person registering it as its first admin."""
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to register an organization.")
    name = name.strip()
    organization = Organization(
        name=name,
        slug=slug or unique_slug(Organization, name, fallback="organization"),
        kind=kind,
        country=country,
        website=website,
        description=description,
        logo=logo or "",
    )
    validate_model(organization)
    with transaction.atomic():
        organization.save()
        Affiliation.objects.create(person=actor, organization=organization, role=Affiliation.Role.ADMIN)
        audit_record(actor=actor, action="organization.registered", target=organization)
    return organization


def organization_update(*, actor: User, organization: Organization, **fields: Any) -> Organization:
    """Change the profile; admins of the organization and staff may. Status and tier are not edited here."""
    _require_admin(actor, organization)
    unknown = set(fields) - set(ORGANIZATION_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    before = {field: getattr(organization, field) for field in fields}
    for field, value in fields.items():
        setattr(organization, field, value)
    validate_model(organization)
    changes = {f: (before[f], getattr(organization, f)) for f in fields if before[f] != getattr(organization, f)}
    if not changes:
        return organization
    with transaction.atomic():
        organization.save(update_fields=[*changes, "updated_at"])
        audit_record(actor=actor, action="organization.updated", target=organization, changes=changes)
    return organization


def organization_change_status(*, actor: User, organization: Organization, status: str, note: str = "") -> Organization:
    """Staff suspend, lapse, withdraw or reinstate a member organization."""
    require_staff(actor)
    if status not in Organization.Status.values or status == Organization.Status.APPLICANT:
        raise DomainError("Choose active, suspended, lapsed or withdrawn.", field="status")
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        if organization.status == Organization.Status.APPLICANT:
            raise DomainError("An applicant becomes a member only through an approved application.")
        before = organization.status
        if before == status:
            return organization
        organization.status = status
        organization.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="organization.status_changed",
            target=organization,
            changes={"status": (before, status)},
            note=note,
        )
        notify(
            recipients=_admins(organization),
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/organization_status_changed",
            context={"organization": organization, "note": note},
            url=organization.get_absolute_url(),
        )
    return organization


def _admins(organization: Organization) -> list[User]:
    return list(
        User.objects.filter(
            affiliations__organization=organization, affiliations__role=Affiliation.Role.ADMIN, is_active=True
        ).order_by("pk")
    )


# --- membership applications ---------------------------------------------------------------------------------


def application_submit(
    *, actor: User, organization: Organization, tier: str, statement: str, charter_accepted: bool
) -> MembershipApplication:
    """An admin applies for membership at a tier, accepting the charter; staff are told."""
    _require_admin(actor, organization, allow_staff=False)
    if not charter_accepted:
        raise DomainError("The alliance charter must be accepted to apply.", field="charter_accepted")
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
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
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
        _notify_application(
            application, "members/notifications/application_received", [*_admins(organization)], transactional=True
        )
        _notify_application(application, "members/notifications/application_received_staff", staff_recipients())
    return application


def _locked_application(application: MembershipApplication) -> MembershipApplication:
    return MembershipApplication.objects.select_for_update().select_related("organization").get(pk=application.pk)


def _require_status(application: MembershipApplication, allowed: tuple[str, ...], doing: str) -> None:
    if application.status not in allowed:
        raise DomainError(f"An application that is {application.get_status_display().lower()} cannot be {doing}.")


def _require_decider(actor: User, application: MembershipApplication) -> None:
    require_staff(actor)
    if Affiliation.objects.filter(person=actor, organization_id=application.organization_id).exists():
        raise NotPermitted("You cannot decide on an application of your own organization.")


def _notify_application(
    application: MembershipApplication, template: str, recipients: list[Any], *, transactional: bool = False
) -> None:
    notify(
        recipients=recipients,
        kind=Notification.Kind.MEMBERSHIP,
        template=template,
        context={"application": application, "organization": application.organization},
        url=reverse("members:application_detail", kwargs={"pk": application.pk}),
        transactional=transactional,
    )


def _decide(
    *,
    actor: User,
    application: MembershipApplication,
    status: str,
    doing: str,
    reason: str = "",
    allowed: tuple[str, ...] = MembershipApplication.AWAITING_STAFF,
) -> MembershipApplication:
    _require_decider(actor, application)
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
            note=reason,
        )
        template = (
            "members/notifications/application_changes_requested"
            if status == "changes_requested"
            else "members/notifications/application_decided"
        )
        _notify_application(application, template, _admins(application.organization), transactional=True)
    return application


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give a reason: the applicant will read it.", field="reason")
    return reason


def application_request_changes(
    *, actor: User, application: MembershipApplication, reason: str
) -> MembershipApplication:
    """Staff send the application back with what to change; the applicant may resubmit."""
    return _decide(
        actor=actor,
        application=application,
        status=MembershipApplication.Status.CHANGES_REQUESTED,
        doing="sent back for changes",
        reason=_required_reason(reason),
    )


def application_reject(*, actor: User, application: MembershipApplication, reason: str) -> MembershipApplication:
    """Staff reject the application with a reason shown to the applicant."""
    return _decide(
        actor=actor,
        application=application,
        status=MembershipApplication.Status.REJECTED,
        doing="rejected",
        reason=_required_reason(reason),
    )


def application_approve(*, actor: User, application: MembershipApplication) -> MembershipApplication:
    """Staff approve: the organization becomes an active member at the tier applied for."""
    with transaction.atomic():
        application = _decide(
            actor=actor, application=application, status=MembershipApplication.Status.APPROVED, doing="approved"
        )
        organization = Organization.objects.select_for_update().get(pk=application.organization_id)
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
    application.organization = organization
    return application


def application_resubmit(
    *, actor: User, application: MembershipApplication, statement: str | None = None, tier: str | None = None
) -> MembershipApplication:
    """The applicant answers a request for changes; staff are told it is back in the queue."""
    _require_admin(actor, application.organization, allow_staff=False)
    with transaction.atomic():
        application = _locked_application(application)
        _require_status(application, (MembershipApplication.Status.CHANGES_REQUESTED,), "resubmitted")
        changes: dict[str, tuple[Any, Any]] = {"status": (application.status, MembershipApplication.Status.RESUBMITTED)}
        if statement is not None and statement.strip() != application.statement:
            changes["statement"] = (application.statement, statement.strip())
            application.statement = statement.strip()
        if tier is not None and tier != application.tier:
            changes["tier"] = (application.tier, tier)
            application.tier = tier
        application.status = MembershipApplication.Status.RESUBMITTED
        validate_model(application, exclude=["organization", "submitted_by", "decided_by"])
        application.save(update_fields=["status", "statement", "tier", "updated_at"])
        audit_record(actor=actor, action="application.resubmitted", target=application, changes=changes)
        _notify_application(application, "members/notifications/application_received_staff", staff_recipients())
    return application


def application_withdraw(*, actor: User, application: MembershipApplication) -> MembershipApplication:
    """The applicant withdraws an open application; an organization that never became a member is withdrawn."""
    _require_admin(actor, application.organization, allow_staff=False)
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
        organization = application.organization
        if organization.status == Organization.Status.APPLICANT:
            organization.status = Organization.Status.WITHDRAWN
            organization.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=actor,
                action="organization.status_changed",
                target=organization,
                changes={"status": (Organization.Status.APPLICANT, organization.status)},
            )
    return application


# --- people and roles ----------------------------------------------------------------------------------------


def _lock_admins(organization_id: int) -> int:
    """Lock the organization's admin rows and count them, so two demotions cannot both pass the check."""
    return len(
        Affiliation.objects.select_for_update()
        .filter(organization_id=organization_id, role=Affiliation.Role.ADMIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _locked_affiliation(affiliation: Affiliation) -> Affiliation:
    locked = (
        Affiliation.objects.select_for_update(of=("self",))
        .select_related("organization", "person")
        .filter(pk=affiliation.pk)
        .first()
    )
    if locked is None:
        raise DomainError("This person no longer belongs to the organization.")
    return locked


def affiliation_change_role(*, actor: User, affiliation: Affiliation, role: str) -> Affiliation:
    """An admin makes someone an admin or a member; the last admin cannot be demoted."""
    _require_admin(actor, affiliation.organization)
    if role not in Affiliation.Role.values:
        raise DomainError("The role must be admin or member.", field="role")
    with transaction.atomic():
        admins = _lock_admins(affiliation.organization_id)
        # Checked again under the lock: a concurrent change may just have demoted the actor.
        _require_admin(actor, affiliation.organization)
        affiliation = _locked_affiliation(affiliation)
        if affiliation.role == role:
            return affiliation
        if affiliation.role == Affiliation.Role.ADMIN and admins <= 1:
            raise DomainError("An organization must keep at least one admin: make someone else an admin first.")
        before = affiliation.role
        affiliation.role = role
        affiliation.save(update_fields=["role"])
        audit_record(
            actor=actor, action="affiliation.role_changed", target=affiliation, changes={"role": (before, role)}
        )
    return affiliation


def affiliation_remove(*, actor: User, affiliation: Affiliation) -> None:
    """An admin removes someone, or a person leaves; the last admin cannot go."""
    if actor.pk != affiliation.person_id:
        _require_admin(actor, affiliation.organization)
    with transaction.atomic():
        admins = _lock_admins(affiliation.organization_id)
        if actor.pk != affiliation.person_id:
            _require_admin(actor, affiliation.organization)
        affiliation = _locked_affiliation(affiliation)
        if affiliation.role == Affiliation.Role.ADMIN and admins <= 1:
            raise DomainError("An organization must keep at least one admin: make someone else an admin first.")
        audit_record(
            actor=actor,
            action="affiliation.removed",
            target=affiliation.organization,
            changes={"person": (affiliation.person.email, None)},
        )
        affiliation.delete()


def affiliation_update_profile(
    *, actor: User, affiliation: Affiliation, listed: bool | None = None, title: str | None = None
) -> Affiliation:
    """A person chooses whether to be listed on the organization's public page, and their title."""
    if actor.pk != affiliation.person_id:
        raise NotPermitted("Only the person themselves can change how they are listed.")
    changes: dict[str, tuple[Any, Any]] = {}
    if listed is not None and listed != affiliation.listed:
        changes["listed"] = (affiliation.listed, listed)
        affiliation.listed = listed
    if title is not None and title.strip() != affiliation.title:
        changes["title"] = (affiliation.title, title.strip())
        affiliation.title = title.strip()
    if changes:
        with transaction.atomic():
            affiliation.save(update_fields=list(changes))
            audit_record(actor=actor, action="affiliation.updated", target=affiliation, changes=changes)
    return affiliation


def _audit_affiliation_created(actor: User, affiliation: Affiliation) -> None:
    audit_record(
        actor=actor, action="affiliation.created", target=affiliation, changes={"role": (None, affiliation.role)}
    )


# --- invitations -------------------------------------------------------------------------------------------


def _send_invitation(invitation: Invitation, token: str) -> None:
    notify(
        recipients=[invitation.email],
        kind=Notification.Kind.INVITATION,
        template="members/notifications/invitation",
        context={
            "invitation": invitation,
            "organization": invitation.organization,
            "accept_url": _link("members:invitation_accept", token=token),
        },
    )


def invitation_create(*, actor: User, organization: Organization, email: str, role: str) -> Invitation:
    """An admin invites an address with a role; the invitation expires after INVITATION_VALIDITY."""
    _require_admin(actor, organization)
    email = (email or "").strip().lower()
    if role not in Affiliation.Role.values:
        raise DomainError("The role must be admin or member.", field="role")
    if organization.status in (Organization.Status.SUSPENDED, Organization.Status.WITHDRAWN):
        raise DomainError(f"{organization} is {organization.get_status_display().lower()}: it cannot invite people.")
    if Affiliation.objects.filter(organization=organization, person__email__iexact=email).exists():
        raise DomainError(f"{email} already belongs to {organization}.", field="email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + settings.INVITATION_VALIDITY,
    )
    validate_model(invitation, exclude=["organization", "invited_by"])
    try:
        with transaction.atomic():
            invitation.save()
            audit_record(actor=actor, action="invitation.created", target=invitation, changes={"role": (None, role)})
            _send_invitation(invitation, token)
    except IntegrityError as error:
        raise DomainError(f"{email} already has a pending invitation to {organization}.", field="email") from error
    return invitation


def _locked_pending_invitation(invitation: Invitation, doing: str) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise DomainError(
            f"This invitation was already {invitation.get_status_display().lower()}; it cannot be {doing}."
        )
    return invitation


def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send a fresh link (the old one stops working) and restart the expiry period."""
    _require_admin(actor, invitation.organization)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = _locked_pending_invitation(invitation, "resent")
        invitation.token_hash = _hash(token)
        invitation.sent_at = timezone.now()
        invitation.expires_at = invitation.sent_at + settings.INVITATION_VALIDITY
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        audit_record(actor=actor, action="invitation.resent", target=invitation)
        _send_invitation(invitation, token)
    return invitation


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """An admin withdraws an invitation; its link stops working."""
    _require_admin(actor, invitation.organization)
    with transaction.atomic():
        invitation = _locked_pending_invitation(invitation, "revoked")
        invitation.status = Invitation.Status.REVOKED
        invitation.decided_at = timezone.now()
        invitation.save(update_fields=["status", "decided_at"])
        audit_record(
            actor=actor,
            action="invitation.revoked",
            target=invitation,
            changes={"status": (Invitation.Status.PENDING, Invitation.Status.REVOKED)},
        )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organization", "invited_by").filter(token_hash=_hash(token)).first()


def invitation_accept(*, actor: User, token: str) -> Affiliation:
    """The invited person, signed in with the invited address, joins the organization. Single use."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise DomainError("This invitation link is not valid. Ask the organization for a new one.")
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in or sign up with the invited address to accept.")
    if actor.email.lower() != invitation.email.lower():
        raise NotPermitted(f"This invitation is for {invitation.email}; sign in with that address to accept it.")
    with transaction.atomic():
        invitation = _locked_pending_invitation(invitation, "accepted again")
        if invitation.expires_at <= timezone.now():
            raise DomainError("This invitation has expired. Ask the organization to resend it.")
        affiliation, created = Affiliation.objects.get_or_create(
            person=actor, organization=invitation.organization, defaults={"role": invitation.role}
        )
        invitation.status = Invitation.Status.ACCEPTED
        invitation.accepted_by = actor
        invitation.decided_at = timezone.now()
        invitation.save(update_fields=["status", "accepted_by", "decided_at"])
        audit_record(
            actor=actor,
            action="invitation.accepted",
            target=invitation,
            changes={"status": (Invitation.Status.PENDING, Invitation.Status.ACCEPTED)},
        )
        if created:
            audit_record(
                actor=actor,
                action="affiliation.created",
                target=affiliation,
                changes={"role": (None, affiliation.role)},
            )
        notify(
            recipients=[invitation.invited_by],
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/invitation_accepted",
            context={"invitation": invitation, "organization": invitation.organization, "person": actor},
        )
    return affiliation


# --- verified domains and join requests -----------------------------------------------------------------------


def domain_add(*, actor: User, organization: Organization, domain: str) -> OrganizationDomain:
    """An admin registers a domain they hold a verified address on (staff may register any)."""
    _require_admin(actor, organization)
    domain = (domain or "").strip().lower().removeprefix("@")
    if "." not in domain or " " in domain or "@" in domain:
        raise DomainError("Enter a domain such as example.org.", field="domain")
    if not actor.is_staff and domain not in person_verified_domains(actor):
        raise DomainError(
            "You can only register the domain of one of your own verified addresses.",
            field="domain",
        )
    entry = OrganizationDomain(organization=organization, domain=domain, added_by=actor)
    validate_model(entry, exclude=["organization", "added_by"])
    with transaction.atomic():
        entry.save()
        audit_record(actor=actor, action="domain.added", target=organization, changes={"domain": (None, domain)})
    return entry


def domain_remove(*, actor: User, domain: OrganizationDomain) -> None:
    _require_admin(actor, domain.organization)
    with transaction.atomic():
        audit_record(
            actor=actor, action="domain.removed", target=domain.organization, changes={"domain": (domain.domain, None)}
        )
        domain.delete()


def join_request_create(*, actor: User, organization: Organization, message: str = "") -> JoinRequest:
    """A person whose verified address is on one of the organization's domains asks to join."""
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to ask to join.")
    if not organization.domains.filter(domain__in=person_verified_domains(actor)).exists():
        raise DomainError(f"None of your verified addresses is on one of {organization}'s registered domains.")
    if Affiliation.objects.filter(person=actor, organization=organization).exists():
        raise DomainError(f"You already belong to {organization}.")
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(organization=organization, person=actor, message=message.strip())
            audit_record(actor=actor, action="join_request.created", target=join_request)
            notify(
                recipients=_admins(organization),
                kind=Notification.Kind.MEMBERSHIP,
                template="members/notifications/join_request_received",
                context={"join_request": join_request, "organization": organization, "person": actor},
                url=reverse("members:my_organization", kwargs={"slug": organization.slug}),
            )
    except IntegrityError as error:
        raise DomainError(f"You have already asked to join {organization}.") from error
    return join_request


def _decide_join_request(*, actor: User, join_request: JoinRequest, status: str) -> JoinRequest:
    _require_admin(actor, join_request.organization)
    with transaction.atomic():
        join_request = (
            JoinRequest.objects.select_for_update().select_related("organization", "person").get(pk=join_request.pk)
        )
        if join_request.status != JoinRequest.Status.PENDING:
            raise DomainError(f"This request was already {join_request.get_status_display().lower()}.")
        join_request.status = status
        join_request.decided_by = actor
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action=f"join_request.{status}",
            target=join_request,
            changes={"status": (JoinRequest.Status.PENDING, status)},
        )
        if status == JoinRequest.Status.APPROVED:
            affiliation, created = Affiliation.objects.get_or_create(
                person=join_request.person, organization=join_request.organization
            )
            if created:
                _audit_affiliation_created(actor, affiliation)
        notify(
            recipients=[join_request.person],
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/join_request_decided",
            context={"join_request": join_request, "organization": join_request.organization},
            url=join_request.organization.get_absolute_url(),
            transactional=True,
        )
    return join_request


def join_request_approve(*, actor: User, join_request: JoinRequest) -> JoinRequest:
    return _decide_join_request(actor=actor, join_request=join_request, status=JoinRequest.Status.APPROVED)


def join_request_decline(*, actor: User, join_request: JoinRequest) -> JoinRequest:
    return _decide_join_request(actor=actor, join_request=join_request, status=JoinRequest.Status.DECLINED)


# --- personal API tokens -------------------------------------------------------------------------------------


def api_token_create(*, user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token; the key is returned once and only its hash is kept."""
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the token a name, so you can tell it apart later.", field="name")
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise DomainError("Expiry must be between 1 and 3650 days.", field="expires_in_days")
    key = "ap_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=key[:10],
            key_hash=_hash(key),
            expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        audit_record(actor=user, action="api_token.created", target=token)
    return token, key


INVALID_CREDENTIALS = "Unable to sign in with this email address and password."
MFA_REQUIRED = (
    "This account uses two-factor authentication: sign in on the portal and create a token on your API tokens page."
)


def api_token_obtain(
    *, email: str, password: str, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Exchange an active account's verified address and password for a token; one answer for every mismatch.

    Like allauth's mandatory verification: an address nobody has confirmed cannot be used to sign in; and an
    account with two-factor authentication gets its tokens only from a session that passed the second factor.
    """
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        User().set_password(password)  # spend the same time hashing as for a real account
        raise DomainError(INVALID_CREDENTIALS)
    verified = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    if not (user.check_password(password) and user.is_active and verified):
        raise DomainError(INVALID_CREDENTIALS)
    if is_mfa_enabled(user):  # a password alone must not stand in for the second factor
        raise DomainError(MFA_REQUIRED)
    return api_token_create(user=user, name=name, expires_in_days=expires_in_days)


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """The owner revokes a token; staff may revoke anyone's (a leaked key, a departed person)."""
    if token.user_id != actor.pk and not getattr(actor, "is_staff", False):
        raise NotPermitted("You can only revoke your own tokens.")
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="api_token.revoked", target=token)
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The usable token with this key, its last use recorded (at most once a minute, to spare writes)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
