"""Committees: staff create them and change their details; their chairs and staff run them."""

from typing import Any

from django.db import transaction

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted, require_staff, validate_model
from alliance.slugs import unique_slug
from alliance.text import clean_slug
from members.models import User
from projects.models import Project

from ..models import Committee
from ..selectors import may_manage_committee
from ._common import committee_locked

COMMITTEE_EDITABLE_FIELDS = ("name", "kind", "description", "project", "seats")
NOT_A_MANAGER = "Only the committee's chairs and alliance staff can do this."


def require_committee_manager(actor: Any, committee: Committee) -> None:
    """Staff and the committee's chairs seat people and run its ballots; anyone else is refused."""
    if not may_manage_committee(actor, committee):
        raise NotPermitted(NOT_A_MANAGER)


def committee_create(
    *,
    actor: User,
    name: str,
    kind: str,
    description: str = "",
    seats: str = Committee.Seats.PERSON,
    project: Project | None = None,
    slug: str = "",
) -> Committee:
    """Staff set up a committee; its people are seated afterwards (``committee_member_add``)."""
    require_staff(actor)
    committee = Committee(
        name=(name or "").strip(),
        slug=clean_slug(slug) if slug else unique_slug(Committee, name or "", fallback="committee"),
        kind=kind,
        description=description,
        seats=seats,
        project=project,
        created_by=actor,
    )
    validate_model(committee, exclude=["created_by"])
    with transaction.atomic():
        committee.save()
        audit_record(actor=actor, action="committee.created", target=committee)
    return committee


def committee_update(*, actor: User, committee: Committee, **fields: Any) -> Committee:
    """Staff change a committee's details. Its kind of seats changes only while nobody is seated: who holds a
    vote would otherwise change under people's feet."""
    require_staff(actor)
    unknown = set(fields) - set(COMMITTEE_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        committee = committee_locked(committee)
        changes = {}
        for field, value in fields.items():
            if getattr(committee, field) != value:
                changes[field] = (getattr(committee, field), value)
                setattr(committee, field, value)
        if "seats" in changes and committee.members.exists():
            raise DomainError(
                "People already sit on this committee: remove them before changing what its seats belong to.",
                field="seats",
            )
        validate_model(committee, exclude=["created_by"])
        if changes:
            committee.save(update_fields=[*changes, "updated_at"])
            audit_record(actor=actor, action="committee.updated", target=committee, changes=changes)
    return committee
