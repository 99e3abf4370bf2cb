"""People in organizations: roles, leaving and removal (an organization always keeps an admin), listings, names.

The last-admin rule is checked under a lock on the organization's admin rows (``lock_and_count_admins``), and the
acting admin's right is checked again under it: two admins demoting each other at once leave one admin.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from alliance.locking import lock_row, lock_rows
from alliance.text import clean_name

from ..models import Affiliation, User
from .organizations import require_organization_manager

LAST_ADMIN = "An organization must keep at least one admin: make someone else an admin first."
ROLE_UNKNOWN = "The role must be admin or member."


def lock_and_count_admins(organization_id: int) -> int:
    """Lock the organization's admin rows and count them, so two demotions cannot both pass the check.

    The seam of the race tests: replaced by a count without the lock, they show two demotions both passing.
    """
    return len(lock_rows(Affiliation.objects.filter(organization_id=organization_id, role=Affiliation.Role.ADMIN)))


def _locked_affiliation(affiliation: Affiliation) -> Affiliation:
    locked = lock_row(Affiliation.objects.select_related("organization", "person").filter(pk=affiliation.pk))
    if locked is None:
        raise DomainError("This person no longer belongs to the organization.")
    return locked


def affiliation_change_role(*, actor: User, affiliation: Affiliation, role: str) -> Affiliation:
    """An admin makes someone an admin or a member; the last admin cannot be demoted."""
    require_organization_manager(actor, affiliation.organization)
    if role not in Affiliation.Role.values:
        raise DomainError(ROLE_UNKNOWN, field="role")
    with transaction.atomic():
        admins = lock_and_count_admins(affiliation.organization_id)
        # Checked again under the lock: a concurrent change may just have demoted the actor.
        require_organization_manager(actor, affiliation.organization)
        affiliation = _locked_affiliation(affiliation)
        if affiliation.role == role:
            return affiliation
        if affiliation.role == Affiliation.Role.ADMIN and admins <= 1:
            raise DomainError(LAST_ADMIN)
        before = affiliation.role
        affiliation.role = role
        affiliation.save(update_fields=["role"])
        audit_record(
            actor=actor, action="affiliation.role_changed", target=affiliation, changes={"role": (before, role)}
        )
    return affiliation


def affiliation_remove(*, actor: User, affiliation: Affiliation) -> None:
    """An admin removes someone, or a person leaves; the last admin cannot go."""
    leaving = actor.pk == affiliation.person_id
    if not leaving:
        require_organization_manager(actor, affiliation.organization)
    with transaction.atomic():
        admins = lock_and_count_admins(affiliation.organization_id)
        if not leaving:
            require_organization_manager(actor, affiliation.organization)
        affiliation = _locked_affiliation(affiliation)
        if affiliation.role == Affiliation.Role.ADMIN and admins <= 1:
            raise DomainError(LAST_ADMIN)
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


def person_update_profile(*, actor: User, person: User, name: str) -> User:
    """A person sets the name others see on organization and project pages (never their address)."""
    if actor.pk != person.pk:
        raise NotPermitted("Only the person themselves can change their name.")
    name = " ".join(clean_name(name, field="name").split())
    if not name:
        raise DomainError("Give the name people will know you by.", field="name")
    longest = User._meta.get_field("name").max_length or 150
    if len(name) > longest:
        raise DomainError(f"The name is too long ({longest} characters at most).", field="name")
    if name != person.name:
        with transaction.atomic():
            before, person.name = person.name, name
            person.save(update_fields=["name"])
            audit_record(actor=actor, action="person.renamed", target=person, changes={"name": (before, name)})
    return person


def person_listing_consent_set(*, actor: User, person: User, listed_by_name: bool) -> User:
    """The person agrees (or no longer agrees) to be listed by name on their organizations' public pages and in
    committee lists; asked at sign-up, changed on the profile. The choice is recorded with its time and audited."""
    if actor.pk != person.pk:
        raise NotPermitted("Only the person themselves can choose how they are listed.")
    if bool(listed_by_name) != person.listed_by_name:
        with transaction.atomic():
            before = person.listed_by_name
            person.listed_by_name, person.listed_by_name_changed_at = bool(listed_by_name), timezone.now()
            person.save(update_fields=["listed_by_name", "listed_by_name_changed_at"])
            audit_record(
                actor=actor,
                action="person.listing_consent_given" if listed_by_name else "person.listing_consent_withdrawn",
                target=person,
                changes={"listed_by_name": (before, person.listed_by_name)},
            )
    return person
