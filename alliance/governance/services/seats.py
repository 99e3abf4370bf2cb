"""Seats on committees: who sits on one, in which role, and on organization seats for which organization.

Any person with an account may be seated (committees seat independent experts). On organization seats the
chairs, voting members and alternates stand for an active member organization they belong to, and an
organization holds one voting seat. Seats are added and removed under the committee's lock, so two chairs seating
two people of one organization at once cannot give it two votes (and the database refuses it as well).

A seat taken or given up while a ballot is open changes nothing in that ballot: its electorate was frozen when it
opened.
"""

from typing import Any

from django.db import transaction

from alliance.audit import audit_record
from alliance.errors import DomainError, validate_model
from members.models import Organization, User
from members.selectors import COMMITTEE_SEAT, belongs_to_organization, is_in_good_standing

from ..models import VOTING_ROLES, Committee, CommitteeMember
from ..selectors import person_member_organizations
from ._common import committee_locked, notify_governance
from .committees import require_committee_manager


def _organization_for_seat(
    committee: Committee, person: User, role: str, organization: Organization | None
) -> Organization | None:
    """The organization the seat stands for, checked: required for voting roles and alternates on organization
    seats (chosen for the person when they belong to just one member organization), never on person seats."""
    if not committee.has_organization_seats:
        if role == CommitteeMember.Role.ALTERNATE:
            raise DomainError(
                "Alternates stand in for an organization, and this committee's seats belong to persons.", field="role"
            )
        if organization is not None:
            raise DomainError(
                "This committee's seats belong to persons: a seat stands for no organization.", field="organization"
            )
        return None
    stands_for = role in VOTING_ROLES or role == CommitteeMember.Role.ALTERNATE
    if organization is None:
        if not stands_for:
            return None
        candidates = list(person_member_organizations(person)[:2])
        if not candidates:
            raise DomainError(
                f"{person.public_name} belongs to no active member organization: on this committee, a "
                f"{CommitteeMember.Role(role).label.lower()} stands for one.",
                field="organization",
            )
        if len(candidates) > 1:
            raise DomainError(
                f"{person.public_name} belongs to several member organizations: say which one they stand for.",
                field="organization",
            )
        return candidates[0]
    if not belongs_to_organization(person, organization.pk):
        raise DomainError(f"{person.public_name} does not belong to {organization.name}.", field="organization")
    if stands_for and not is_in_good_standing(organization, benefit=COMMITTEE_SEAT):
        raise DomainError(
            f"{organization.name} is not an active member organization in good standing whose tier brings a "
            "committee seat: it cannot hold a seat.",
            field="organization",
        )
    return organization


def committee_member_add(
    *,
    actor: User,
    committee: Committee,
    person: User,
    role: str = CommitteeMember.Role.VOTING,
    organization: Organization | None = None,
) -> CommitteeMember:
    """A chair (or staff) seats a person; they are told by email. Checked again under the committee's lock."""
    require_committee_manager(actor, committee)
    if role not in CommitteeMember.Role.values:
        raise DomainError(f"“{role}” is not a role on a committee.", field="role")
    if not person.is_active:
        raise DomainError(f"The account of {person.email} is deactivated: it cannot be seated.", field="email")
    with transaction.atomic():
        committee = committee_locked(committee)
        if committee.members.filter(person=person).exists():
            raise DomainError(f"{person.public_name} already sits on this committee.", field="email")
        organization = _organization_for_seat(committee, person, role, organization)
        if role in VOTING_ROLES and organization is not None:
            holder = (
                committee.members.filter(organization=organization, role__in=VOTING_ROLES)
                .select_related("person")
                .first()
            )
            if holder is not None:
                raise DomainError(
                    f"{organization.name} already holds a voting seat on this committee "
                    f"({holder.person.public_name}): one voting seat per organization.",
                    field="organization",
                )
        member = CommitteeMember(
            committee=committee, person=person, role=role, organization=organization, seated_by=actor
        )
        validate_model(member, exclude=["seated_by"])
        member.save()
        audit_record(
            actor=actor,
            action="committee_member.added",
            target=committee,
            changes={"members": (None, f"{person.email} ({role}{f', {organization.name}' if organization else ''})")},
        )
        notify_governance([person], "committee_seated", about=committee, member=member, seated_by=actor)
    return member


def committee_member_remove(*, actor: Any, member: CommitteeMember) -> None:
    """A chair (or staff) gives up a seat for someone, or their own. Open ballots keep their electorate."""
    committee = member.committee
    require_committee_manager(actor, committee)
    with transaction.atomic():
        committee = committee_locked(committee)
        seat = committee.members.filter(pk=member.pk).select_related("person").first()
        if seat is None:
            raise DomainError("This person no longer sits on the committee.")
        seat.delete()
        audit_record(
            actor=actor,
            action="committee_member.removed",
            target=committee,
            changes={"members": (f"{seat.person.email} ({seat.role})", None)},
        )


def committee_seats_vacate(*, person: User) -> int:
    """The person gives up every seat of theirs (their account is being erased): each removal is audited as a
    departure of the person, under the committee's lock, as ``committee_member_remove`` does. Open ballots keep their
    frozen electorate; closed ballots' results and secret votes are not touched. Returns how many seats went."""
    seats = list(CommitteeMember.objects.filter(person=person).select_related("committee").order_by("committee_id"))
    with transaction.atomic():
        for seat in seats:
            committee = committee_locked(seat.committee)
            committee.members.filter(pk=seat.pk).delete()
            audit_record(
                actor=person,
                action="committee_member.left",
                target=committee,
                changes={"members": (f"{person.email} ({seat.role})", None)},
            )
    return len(seats)
