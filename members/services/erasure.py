"""The members app's part of erasing an account: what the person holds here is ended through the usual services
(tokens revoked, organizations left, which keeps the last-admin rule), then the account itself is emptied.

The account row stays: audit entries, votes, submissions and reviews point at it and keep what others rely on; it
shows as "Former member", has no name, an address of the reserved ``.invalid`` domain, no password and cannot sign
in. Called by the privacy orchestration of the top floor inside its one transaction.
"""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError
from alliance.models import ERASED_ADDRESS_DOMAIN

from ..models import Affiliation, ApiToken, Invitation, JoinRequest, User
from .affiliations import affiliation_remove
from .tokens import api_token_revoke


def erased_address(person: User) -> str:
    """The placeholder address of an erased account: unique, and never delivered to anyone."""
    return f"erased-{person.pk}@{ERASED_ADDRESS_DOMAIN}"


def person_memberships_end(*, person: User) -> None:
    """Revoke the person's tokens, leave their organizations (refused while they are an organization's last
    admin), withdraw their pending join requests and the invitations waiting for their address."""
    with transaction.atomic():
        for token in ApiToken.objects.filter(user=person, revoked_at__isnull=True).order_by("pk"):
            api_token_revoke(actor=person, token=token)
        ApiToken.objects.filter(user=person).update(name="", prefix="")
        for affiliation in Affiliation.objects.filter(person=person).select_related("organization", "person"):
            affiliation_remove(actor=person, affiliation=affiliation)
        for join_request in JoinRequest.objects.filter(person=person, status=JoinRequest.Status.PENDING):
            audit_record(actor=person, action="join_request.withdrawn", target=join_request)
            join_request.delete()
        JoinRequest.objects.filter(person=person).update(message="")
        now = timezone.now()
        for invitation in Invitation.objects.filter(email__iexact=person.email, status=Invitation.Status.PENDING):
            invitation.status, invitation.decided_at = Invitation.Status.REVOKED, now
            invitation.save(update_fields=["status", "decided_at"])
            audit_record(
                actor=person,
                action="invitation.revoked",
                target=invitation,
                changes={"status": (Invitation.Status.PENDING, Invitation.Status.REVOKED)},
                note="The invited address was erased.",
            )


def person_account_empty(*, person: User) -> User:
    """The last step: the account keeps its id and loses everything personal; it can no longer sign in, and every
    session of it ends (the session's password hash no longer matches)."""
    with transaction.atomic():
        placeholder = erased_address(person)
        Invitation.objects.filter(email__iexact=person.email).update(email=placeholder)
        EmailAddress.objects.filter(user=person).delete()
        Authenticator.objects.filter(user=person).delete()
        person.name = ""
        person.email = placeholder
        person.set_unusable_password()
        person.is_active = False
        person.is_staff = False
        person.is_superuser = False
        person.listed_by_name, person.listed_by_name_changed_at = False, None
        person.language, person.time_zone, person.time_zone_follows_browser = "", "", True
        person.erased_at = timezone.now()
        person.save(
            update_fields=[
                "name", "email", "password", "is_active", "is_staff", "is_superuser", "listed_by_name",
                "listed_by_name_changed_at", "language", "time_zone", "time_zone_follows_browser", "erased_at",
            ]
        )  # fmt: skip
        person.groups.clear()
        person.user_permissions.clear()
    return person


WRONG_PASSWORD = "This is not your password."
CODE_NEEDED = "Your account uses two-factor authentication: give the code your authenticator app shows now."
WRONG_CODE = "This code is not right (or was used already): give the code your authenticator app shows now."


def account_credentials_check(*, person: User, password: str, code: str = "") -> None:
    """Who erases an account proves it is theirs again: the password, and the current TOTP code when two-factor
    authentication is on (allauth's MFA; a code is accepted once)."""
    if not person.check_password(password or ""):
        raise DomainError(WRONG_PASSWORD, field="password")
    totp = Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).first()
    if totp is None:
        return
    if not (code or "").strip():
        raise DomainError(CODE_NEEDED, field="code")
    if not TOTP(totp).validate_code(code.strip()):
        raise DomainError(WRONG_CODE, field="code")
