"""Reusable reads of governance, each at a fixed number of queries, and the permission predicates.

The predicates at the end are the one statement of who may do what with committees and ballots: the services ask
them before they act, and the pages, the API and the templates (through the context) ask the same ones to offer
an action. Who sees a ballot: staff and the committee's chairs always; the committee's members (and the people
of its electorate) once it has opened; nobody else (a 404, as if it did not exist).
"""

from datetime import datetime
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from alliance.errors import DomainError, NotPermitted
from members.models import Affiliation, Organization, User

from .models import VOTING_ROLES, Ballot, BallotResult, BallotVoter, Committee, CommitteeMember, Vote

ROLE_ORDER = [
    CommitteeMember.Role.CHAIR,
    CommitteeMember.Role.VOTING,
    CommitteeMember.Role.ALTERNATE,
    CommitteeMember.Role.OBSERVER,
]
RESULTS_NOT_YET = "The results are published when the ballot closes."


def signed_in_person(user: Any) -> User:
    """The person behind a request that needed a signed-in account (pages behind ``login_required``, API actions
    that are not read-only): the services' ``actor``. Anonymous visitors are stopped before this; if one is not,
    they are refused."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotPermitted("Sign in to do this.")
    return user


def _signed_in(person: Any) -> bool:
    return bool(getattr(person, "is_authenticated", False))


def _staff(person: Any) -> bool:
    return bool(getattr(person, "is_staff", False))


# --- committees ----------------------------------------------------------------------------------------------------


def committee_list(*, kind: str = "") -> QuerySet[Committee]:
    """Every committee (they are public), by name, with how many sit on it; of one kind when given."""
    committees = Committee.objects.select_related("project").annotate(member_count=Count("members"))
    if kind:
        committees = committees.filter(kind=kind)
    return committees.order_by("name")


def committee_by_slug(slug: str) -> Committee | None:
    return Committee.objects.select_related("project").filter(slug=slug).first()


def _role_rank() -> Case:
    return Case(
        *[When(role=role, then=Value(rank)) for rank, role in enumerate(ROLE_ORDER)],
        output_field=IntegerField(),
    )


def committee_members(committee: Committee) -> QuerySet[CommitteeMember]:
    """Who sits on the committee, chairs first, then voting members, alternates and observers, by organization.

    Each with the person, the organization they stand for and, for the page, the organizations they are listed
    at publicly (``public_affiliations``): two queries whatever the number of members.
    """
    public = Affiliation.objects.filter(listed=True, organization__status=Organization.Status.ACTIVE).select_related(
        "organization"
    )
    return (
        committee.members.select_related("person", "organization")
        .prefetch_related(Prefetch("person__affiliations", queryset=public, to_attr="public_affiliations"))
        .annotate(role_rank=_role_rank())
        .order_by("role_rank", "organization__name", "person__name", "pk")
    )


def committee_members_by_role(committee: Committee) -> list[tuple[str, str, list[CommitteeMember]]]:
    """The members grouped by role, for the committee page: (role, its label in the plural, the members)."""
    plural = {
        CommitteeMember.Role.CHAIR: "Chairs",
        CommitteeMember.Role.VOTING: "Voting members",
        CommitteeMember.Role.ALTERNATE: "Alternates",
        CommitteeMember.Role.OBSERVER: "Observers",
    }
    members = list(committee_members(committee))
    return [
        (role, plural[role], [member for member in members if member.role == role])
        for role in ROLE_ORDER
        if any(member.role == role for member in members)
    ]


def committee_seat(person: Any, committee: Committee) -> CommitteeMember | None:
    """The person's seat on the committee, or None."""
    if not _signed_in(person):
        return None
    return CommitteeMember.objects.filter(committee=committee, person=person).select_related("organization").first()


def committee_voting_seats(committee: Committee) -> QuerySet[CommitteeMember]:
    """The seats that vote (chairs and voting members), with their person and organization."""
    return committee.members.filter(role__in=VOTING_ROLES).select_related("person", "organization").order_by("pk")


def committee_people(committee: Committee) -> list[Any]:
    """Everyone seated on the committee (active accounts), who hear of its results."""
    return [
        member.person
        for member in committee.members.filter(person__is_active=True).select_related("person").order_by("pk")
    ]


def person_member_organizations(person: Any) -> QuerySet[Organization]:
    """The active member organizations the person belongs to: those they may stand for on organization seats."""
    if not _signed_in(person):
        return Organization.objects.none()
    return Organization.objects.filter(affiliations__person=person, status=Organization.Status.ACTIVE).order_by("name")


def committees_chaired_by(person: Any) -> QuerySet[Committee]:
    if not _signed_in(person):
        return Committee.objects.none()
    return Committee.objects.filter(members__person=person, members__role=CommitteeMember.Role.CHAIR).order_by("name")


def committees_managed_by(person: Any) -> QuerySet[Committee]:
    """The committees a person may seat people on and create ballots for: staff all, a chair their own."""
    if _staff(person):
        return Committee.objects.order_by("name")
    return committees_chaired_by(person)


# --- ballots -------------------------------------------------------------------------------------------------------


def _seen_by_members() -> Q:
    """A ballot the committee's members see: it has opened (open, closed, or cancelled after opening)."""
    return Q(state__in=[Ballot.State.OPEN, Ballot.State.CLOSED]) | Q(
        state=Ballot.State.CANCELLED, opened_at__isnull=False
    )


def ballots_visible_to(person: Any) -> QuerySet[Ballot]:
    """Staff see every ballot; a chair the ballots of their committees; a member the opened ones of theirs."""
    if _staff(person):
        return Ballot.objects.all()
    if not _signed_in(person):
        return Ballot.objects.none()
    chairs = Exists(
        CommitteeMember.objects.filter(
            committee_id=OuterRef("committee_id"), person_id=person.pk, role=CommitteeMember.Role.CHAIR
        )
    )
    sits = Exists(CommitteeMember.objects.filter(committee_id=OuterRef("committee_id"), person_id=person.pk))
    placed = Exists(BallotVoter.objects.filter(ballot_id=OuterRef("pk"), person_id=person.pk))
    return Ballot.objects.filter(chairs | (_seen_by_members() & (sits | placed)))


def ballot_list(*, person: Any, committee: str = "", state: str = "", method: str = "") -> QuerySet[Ballot]:
    """The ballots a person may see, newest closing first, filtered by committee slug, state and method."""
    ballots = ballots_visible_to(person).select_related("committee")
    if committee:
        ballots = ballots.filter(committee__slug=committee)
    if state:
        ballots = ballots.filter(state=state)
    if method:
        ballots = ballots.filter(method=method)
    return ballots.order_by("-closes_at", "-pk")


def committee_ballots(*, person: Any, committee: Committee) -> dict[str, list[Ballot]]:
    """The committee's ballots the person may see, as its page lists them: drafts, open, and past (one query)."""
    ballots = list(ballots_visible_to(person).filter(committee=committee).order_by("-closes_at", "-pk"))
    return {
        "drafts": [ballot for ballot in ballots if ballot.state == Ballot.State.DRAFT],
        "open": [ballot for ballot in ballots if ballot.state == Ballot.State.OPEN],
        "past": [ballot for ballot in ballots if ballot.state in (Ballot.State.CLOSED, Ballot.State.CANCELLED)],
    }


def ballot_for_viewer(*, person: Any, pk: Any) -> Ballot | None:
    """The ballot with its committee, if the person may see it; None otherwise (answer 404)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return ballots_visible_to(person).select_related("committee", "committee__project").filter(pk=pk).first()


def ballot_place(person: Any, ballot: Ballot) -> BallotVoter | None:
    """The person's place in the ballot's frozen electorate (None before it opened, or when they have none)."""
    if not _signed_in(person) or ballot.opened_at is None:
        return None
    return BallotVoter.objects.filter(ballot=ballot, person=person).select_related("organization").first()


def vote_standing_for(place: BallotVoter | None) -> Vote | None:
    """The vote that counts for this place: the person's own, or on organization seats their organization's."""
    if place is None:
        return None
    if place.organization_id is not None:
        return Vote.objects.filter(ballot_id=place.ballot_id, organization_id=place.organization_id).first()
    return Vote.objects.filter(ballot_id=place.ballot_id, voter_id=place.person_id, organization__isnull=True).first()


def _has_voted_expression() -> Exists:
    """True, in SQL, for a place (a BallotVoter row) whose vote is in: its own, or its organization's."""
    return Exists(
        Vote.objects.filter(ballot_id=OuterRef("ballot_id")).filter(
            Q(organization__isnull=False, organization_id=OuterRef("organization_id"))
            | Q(organization__isnull=True, voter_id=OuterRef("person_id"))
        )
    )


def ballot_places_without_vote(ballot: Ballot) -> QuerySet[BallotVoter]:
    """The places of the electorate whose vote is not in (on organization seats: the organization has not voted)."""
    return (
        ballot.electorate.alias(has_voted=_has_voted_expression())
        .filter(has_voted=False, person__is_active=True)
        .select_related("person", "organization")
        .order_by("pk")
    )


def ballots_awaiting_vote(person: Any, *, now: datetime | None = None) -> QuerySet[Ballot]:
    """The person's open ballots whose vote is not in yet, closing soonest first: "my open ballots"."""
    if not _signed_in(person):
        return Ballot.objects.none()
    now = now or timezone.now()
    places = BallotVoter.objects.filter(person_id=person.pk, ballot_id=OuterRef("pk")).alias(
        has_voted=_has_voted_expression()
    )
    return (
        Ballot.objects.filter(state=Ballot.State.OPEN, closes_at__gt=now)
        .filter(Exists(places.filter(has_voted=False)))
        .select_related("committee")
        .order_by("closes_at", "pk")
    )


def ballot_result(ballot: Ballot) -> BallotResult:
    """The stored count of a closed ballot; before it closed, a refusal (there is nothing to publish yet)."""
    if ballot.state != Ballot.State.CLOSED:
        raise DomainError(RESULTS_NOT_YET)
    result = BallotResult.objects.filter(ballot=ballot).first()
    if result is None:  # a closed ballot always has one: ballot_close stores it in the same transaction
        raise DomainError(RESULTS_NOT_YET)
    return result


def ballot_open_votes(ballot: Ballot) -> list[Vote]:
    """Each vote of a closed open (not secret) ballot, with who cast it: nothing for a secret one, ever."""
    if ballot.secret or ballot.state != Ballot.State.CLOSED:
        return []
    return list(ballot.votes.select_related("voter", "organization").order_by("organization__name", "voter__name"))


def ballot_electorate_size(committee: Committee) -> int:
    """How many votes the committee's electorate would have now: voting seats, or organizations holding one."""
    seats = committee_voting_seats(committee)
    if committee.has_organization_seats:
        return seats.values("organization_id").distinct().count()
    return seats.count()


# --- personal data -------------------------------------------------------------------------------------------------


def personal_data(person: Any) -> dict[str, QuerySet]:
    """What governance holds about a person, each part a query of the rows (for export and erasure): their seats,
    their places in electorates, their votes, and what they did as a chair or staff (committees and ballots
    created, seats given).

    A secret ballot's votes are unlinked from their voters when it closes, so only votes of open ballots, and of
    open (not secret) closed ones, are still the person's.
    """
    return {
        "committee_seats": CommitteeMember.objects.filter(person=person).select_related("committee", "organization"),
        "ballot_places": BallotVoter.objects.filter(person=person).select_related("ballot", "organization"),
        "votes": Vote.objects.filter(voter=person).select_related("ballot"),
        "committees_created": Committee.objects.filter(created_by=person),
        "ballots_created": Ballot.objects.filter(created_by=person),
        "seats_given": CommitteeMember.objects.filter(seated_by=person).select_related("committee"),
    }


# The parts whose rows are the person's own: the audit trail's entries about them are about the person (the export's
# audit_entries_about_you, ARCHITECTURE.md); votes are left out: a secret vote's trail must not lead to its voter.
PERSONAL_DATA_OWN_ROWS = ("committee_seats", "ballot_places")


# --- who is who (permission predicates: services, views, templates and serializers all ask these) ---------------


def is_committee_chair(person: Any, committee: Committee) -> bool:
    """A chair of this committee (staff are not, by this alone)."""
    if not _signed_in(person):
        return False
    return CommitteeMember.objects.filter(committee=committee, person=person, role=CommitteeMember.Role.CHAIR).exists()


def is_committee_member(person: Any, committee: Committee) -> bool:
    """Seated on the committee, in any role."""
    if not _signed_in(person):
        return False
    return CommitteeMember.objects.filter(committee=committee, person=person).exists()


def has_voting_seat(person: Any, committee: Committee) -> bool:
    """A chair or voting member of the committee now: who will be in the electorate of a ballot opened now."""
    if not _signed_in(person):
        return False
    return CommitteeMember.objects.filter(committee=committee, person=person, role__in=VOTING_ROLES).exists()


def may_create_committee(person: Any) -> bool:
    """Staff create committees."""
    return _staff(person)


def may_manage_committee(person: Any, committee: Committee) -> bool:
    """Staff and the committee's chairs seat people, remove them, and run its ballots."""
    return _staff(person) or is_committee_chair(person, committee)


def may_create_ballots(person: Any) -> bool:
    """Staff, and chairs of at least one committee, create ballots (of the committees they manage)."""
    return _staff(person) or committees_chaired_by(person).exists()


def may_see_ballot(person: Any, ballot: Ballot) -> bool:
    return ballots_visible_to(person).filter(pk=ballot.pk).exists()


def may_manage_ballot(person: Any, ballot: Ballot) -> bool:
    """Staff and the chairs of the ballot's committee edit, open, close and cancel it."""
    return may_manage_committee(person, ballot.committee)


def may_vote_in(person: Any, ballot: Ballot) -> bool:
    """The person has a vote in this ballot: a place in its frozen electorate, or before it opened, a voting seat
    (who would get one when it opens). Whether it is open for votes is a question of state, not of right."""
    if ballot.opened_at is None:
        return has_voting_seat(person, ballot.committee)
    return ballot_place(person, ballot) is not None


def ballot_accepts_votes(ballot: Ballot, *, now: datetime | None = None) -> bool:
    """Open, and its closing time not reached."""
    return ballot.state == Ballot.State.OPEN and (now or timezone.now()) < ballot.closes_at


def may_see_results(person: Any, ballot: Ballot) -> bool:
    """Whoever sees the ballot sees its results, once it is closed."""
    return ballot.state == Ballot.State.CLOSED and may_see_ballot(person, ballot)


def ballot_offers(person: Any, ballot: Ballot) -> dict[str, bool]:
    """What the ballot page offers the person to do (the services decide again when they act)."""
    manages = may_manage_ballot(person, ballot)
    return {
        "can_edit": manages and ballot.state == Ballot.State.DRAFT,
        "can_open": manages and ballot.state == Ballot.State.DRAFT,
        "can_close": manages and ballot.state == Ballot.State.OPEN,
        "can_cancel": manages and ballot.state in (Ballot.State.DRAFT, Ballot.State.OPEN),
        "manages": manages,
    }
