"""Invitations: an admin invites an address with a role; the single-use, expiring link is in the email alone.

Only a hash of the token is stored; resending issues a new token, so an old link stops working.
"""

import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, validate_model
from alliance.locking import lock_row
from alliance.models import Notification
from alliance.notifications import notify

from ..models import Affiliation, Invitation, Organization, User
from ..selectors import is_invited_person
from ._common import audit_affiliation_created, secret_hash
from .affiliations import ROLE_UNKNOWN
from .organizations import require_organization_manager


def _site_link(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _invitation_send(invitation: Invitation, token: str) -> None:
    notify(
        recipients=[invitation.email],
        kind=Notification.Kind.INVITATION,
        template="members/notifications/invitation",
        context={
            "invitation": invitation,
            "organization": invitation.organization,
            "accept_url": _site_link("members:invitation_accept", token=token),
        },
    )


def invitation_create(*, actor: User, organization: Organization, email: str, role: str) -> Invitation:
    """An admin invites an address with a role; the invitation expires after INVITATION_VALIDITY."""
    require_organization_manager(actor, organization)
    email = (email or "").strip().lower()
    if role not in Affiliation.Role.values:
        raise DomainError(ROLE_UNKNOWN, field="role")
    if organization.status in (Organization.Status.SUSPENDED, Organization.Status.WITHDRAWN):
        raise DomainError(f"{organization} is {organization.get_status_display().lower()}: it cannot invite people.")
    if Affiliation.objects.filter(organization=organization, person__email__iexact=email).exists():
        raise DomainError(f"{email} already belongs to {organization}.", field="email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organization=organization,
        email=email,
        role=role,
        token_hash=secret_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + settings.INVITATION_VALIDITY,
    )
    validate_model(invitation, exclude=["organization", "invited_by"])
    try:
        with transaction.atomic():
            invitation.save()
            audit_record(actor=actor, action="invitation.created", target=invitation, changes={"role": (None, role)})
            _invitation_send(invitation, token)
    except IntegrityError as error:
        raise DomainError(f"{email} already has a pending invitation to {organization}.", field="email") from error
    return invitation


def _locked_pending_invitation(invitation: Invitation, doing: str) -> Invitation:
    locked = lock_row(Invitation.objects.select_related("organization").filter(pk=invitation.pk))
    if locked is None:
        raise DomainError("This invitation no longer exists.")
    if locked.status != Invitation.Status.PENDING:
        raise DomainError(f"This invitation was already {locked.get_status_display().lower()}; it cannot be {doing}.")
    return locked


def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Send a fresh link (the old one stops working) and restart the expiry period."""
    require_organization_manager(actor, invitation.organization)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = _locked_pending_invitation(invitation, "resent")
        invitation.token_hash = secret_hash(token)
        invitation.sent_at = timezone.now()
        invitation.expires_at = invitation.sent_at + settings.INVITATION_VALIDITY
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        audit_record(actor=actor, action="invitation.resent", target=invitation)
        _invitation_send(invitation, token)
    return invitation


def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """An admin withdraws an invitation; its link stops working."""
    require_organization_manager(actor, invitation.organization)
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
    """The invitation a link's token belongs to (found by its hash), whatever its state; None for a made-up one."""
    return Invitation.objects.select_related("organization", "invited_by").filter(token_hash=secret_hash(token)).first()


def invitation_vouches_for(*, token: str, email: str) -> bool:
    """Whether the link's invitation proves ``email``: it is still pending and was sent to that very address.

    Only the invited address's own mailbox received the link, so opening it confirms that address (and no other)
    as the confirmation mail would.
    """
    invitation = invitation_for_token(token)
    return (
        invitation is not None
        and invitation.status == Invitation.Status.PENDING
        and not invitation.is_expired
        and invitation.email.lower() == (email or "").strip().lower()
    )


def invitation_accept(*, actor: User, token: str) -> Affiliation:
    """The invited person, signed in with the invited address, joins the organization. Single use.

    The link came by mail to that address, so accepting it also counts as confirming it (allauth's EmailAddress
    of the account for that address only).
    """
    invitation = invitation_for_token(token)
    if invitation is None:
        raise DomainError("This invitation link is not valid. Ask the organization for a new one.")
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in or sign up with the invited address to accept.")
    if not is_invited_person(actor, invitation):
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
        EmailAddress.objects.filter(user=actor, email__iexact=invitation.email, verified=False).update(verified=True)
        audit_record(
            actor=actor,
            action="invitation.accepted",
            target=invitation,
            changes={"status": (Invitation.Status.PENDING, Invitation.Status.ACCEPTED)},
        )
        if created:
            audit_affiliation_created(actor, affiliation)
        notify(
            recipients=[invitation.invited_by],
            kind=Notification.Kind.MEMBERSHIP,
            template="members/notifications/invitation_accepted",
            context={"invitation": invitation, "organization": invitation.organization, "person": actor},
        )
    return affiliation
