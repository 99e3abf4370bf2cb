"""Helpers the members services share; private to ``members.services`` (nothing outside the package imports them)."""

import hashlib
from typing import Any

from alliance.audit import audit_record
from alliance.errors import DomainError
from alliance.locking import lock_row

from ..models import Affiliation, Organization


def secret_hash(secret: str) -> str:
    """What is stored of an invitation token or an API key: its SHA-256, never the secret itself."""
    return hashlib.sha256(secret.encode()).hexdigest()


def locked_organization(organization_id: int) -> Organization:
    """The organization's current row, locked until the transaction ends: decide on it, not on a caller's copy."""
    organization = lock_row(Organization.objects.filter(pk=organization_id))
    if organization is None:
        raise DomainError("This organization no longer exists.")
    return organization


def audit_affiliation_created(actor: Any, affiliation: Affiliation) -> None:
    """A person joined an organization (by invitation or an approved join request)."""
    audit_record(
        actor=actor, action="affiliation.created", target=affiliation, changes={"role": (None, affiliation.role)}
    )
