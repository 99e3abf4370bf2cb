"""Personal API tokens: hashed, shown once, revocable, able to expire (unlike DRF's built-in token)."""

import secrets
from datetime import timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from alliance.locking import lock_rows
from alliance.models import Notification
from alliance.notifications import notify

from ..models import ApiToken, User
from ._common import secret_hash

INVALID_CREDENTIALS = "Unable to sign in with this email address and password."
MFA_REQUIRED = (
    "This account uses two-factor authentication: sign in on the portal and create a token on your API tokens page."
)


def api_token_create(*, actor: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a token to the acting person; the key is returned once and only its hash is kept."""
    if not getattr(actor, "is_authenticated", False):
        raise NotPermitted("Sign in to create an API token.")
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the token a name, so you can tell it apart later.", field="name")
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise DomainError("Expiry must be between 1 and 3650 days.", field="expires_in_days")
    key = "ap_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=actor,
            name=name[:100],
            prefix=key[:10],
            key_hash=secret_hash(key),
            expires_at=timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None,
        )
        audit_record(actor=actor, action="api_token.created", target=token)
    return token, key


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
    return api_token_create(actor=user, name=name, expires_in_days=expires_in_days)


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


def api_tokens_revoke_for_mfa(*, person: User) -> list[ApiToken]:
    """Turning on two-factor authentication revokes the person's usable tokens, and the person is told.

    Each was issued to a password alone (or to a session without the second factor), and would otherwise go on
    standing in for the factor the person just added; new tokens come from a session that passed it. Audited per
    token as a revocation by the person; one security notification lists them (none when there were none).
    """
    with transaction.atomic():
        usable = Q(revoked_at__isnull=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        tokens = lock_rows(ApiToken.objects.filter(usable, user=person))
        if not tokens:
            return []
        now = timezone.now()
        for token in tokens:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=person, action="api_token.revoked", target=token, note="Two-factor authentication turned on."
            )
        notify(
            recipients=[person],
            kind=Notification.Kind.SECURITY,
            template="members/notifications/api_tokens_revoked_for_mfa",
            context={"tokens": tokens},
            url=reverse("members:api_tokens"),
        )
    return tokens


def mfa_authenticator_added(sender: Any, *, user: User, authenticator: Authenticator, **kwargs: Any) -> None:
    """allauth's ``authenticator_added`` signal (connected in ``MembersConfig.ready``), sent after its commit.

    Two-factor authentication turns on when the person's first authenticator other than recovery codes is added
    (allauth adds recovery codes with it, and regenerating them or adding a second key changes nothing).
    """
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        return
    others = Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES)
    if others.exclude(pk=authenticator.pk).exists():
        return  # it was on already: tokens made since came from a session that passed the second factor
    api_tokens_revoke_for_mfa(person=user)


def api_token_authenticate(key: str) -> ApiToken | None:
    """The usable token with this key, its last use recorded (at most once a minute, to spare writes)."""
    token = ApiToken.objects.select_related("user").filter(key_hash=secret_hash(key)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
