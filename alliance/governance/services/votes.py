"""Votes: one per voter (per organization on organization seats), replaced by voting again while the ballot is open.

Casting a vote locks the ballot row, as closing it does: a vote either commits before the close counts (and is
counted) or finds the ballot closed (and is refused); it is never lost or half counted. Two votes of one person
at once take turns on the same lock, and the second replaces the first. The database holds the line as well:
one vote per voter, one per organization.

A secret vote is audited as "voted", never with what was chosen.
"""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from members.models import User

from ..counting import YES_NO_CHOICES
from ..models import VOTING_ROLES, Ballot, BallotVoter, Vote
from ..selectors import may_vote_in, vote_standing_for
from ._common import ballot_locked

NO_VOTE = "You have no vote in this ballot: its electorate is the committee's voting members when it opened."


def require_voter(actor: Any, ballot: Ballot) -> None:
    """Only the electorate votes: the voting members frozen when the ballot opened (before that, those who will
    be). The state (open or not) is checked after, under the lock."""
    if not may_vote_in(actor, ballot):
        raise NotPermitted(NO_VOTE)


def vote_content_clean(
    ballot: Ballot, *, choice: str = "", ranking: Sequence[str] | None = None
) -> tuple[str, list[str]]:
    """The vote as stored: yes, no or abstain for a motion; one of the options for plurality; for a ranked ballot,
    some or all of the options in order of preference (those left out are tied last)."""
    choice = (choice or "").strip()
    ranking = [str(option).strip() for option in (ranking or [])]
    if ballot.method == Ballot.Method.RANKED:
        if choice or not ranking:
            raise DomainError("Rank one or more of the options, most preferred first.", field="ranking")
        seen: set[str] = set()
        for option in ranking:
            if option not in ballot.options:
                raise DomainError(f"“{option}” is not an option of this ballot.", field="ranking")
            if option in seen:
                raise DomainError(f"You ranked “{option}” twice: give each option one place.", field="ranking")
            seen.add(option)
        return "", ranking
    if ranking:
        raise DomainError("This ballot is not ranked: choose one answer.", field="choice")
    if ballot.method == Ballot.Method.YES_NO:
        if choice not in YES_NO_CHOICES:
            raise DomainError("Vote yes, no or abstain.", field="choice")
        return choice, []
    if choice not in ballot.options:
        raise DomainError(
            f"“{choice}” is not an option of this ballot." if choice else "Choose one of the options.", field="choice"
        )
    return choice, []


def _check_open(ballot: Ballot) -> None:
    if ballot.state == Ballot.State.DRAFT:
        raise DomainError("This ballot has not opened yet: you can vote once it opens.")
    if ballot.state == Ballot.State.CANCELLED:
        raise DomainError("This ballot was cancelled: there is nothing to vote on.")
    if ballot.state == Ballot.State.CLOSED or timezone.now() >= ballot.closes_at:
        raise DomainError("Voting in this ballot has closed.")


def _check_alternate(ballot: Ballot, place: BallotVoter, standing: Vote | None) -> None:
    """An alternate votes only while the organization's voting member has not."""
    if place.role in VOTING_ROLES or standing is None or standing.voter_id in (None, place.person_id):
        return
    cast_by = BallotVoter.objects.filter(ballot=ballot, person_id=standing.voter_id).values_list("role", flat=True)
    if cast_by.first() in VOTING_ROLES:
        organization = place.organization.name if place.organization else "Your organization"
        raise DomainError(
            f"{organization}'s voting member has already voted; an alternate votes only when they have not."
        )


def ballot_vote(*, actor: User, ballot: Ballot, choice: str = "", ranking: Sequence[str] | None = None) -> Vote:
    """Cast or replace the actor's vote (their organization's, on organization seats) while the ballot is open."""
    require_voter(actor, ballot)
    with transaction.atomic():
        ballot = ballot_locked(ballot)
        _check_open(ballot)
        place = BallotVoter.objects.select_related("organization").filter(ballot=ballot, person=actor).first()
        if place is None:  # the electorate is frozen: someone seated after the opening has no place
            raise NotPermitted(NO_VOTE)
        choice, ranking = vote_content_clean(ballot, choice=choice, ranking=ranking)
        standing = vote_standing_for(place)
        _check_alternate(ballot, place, standing)
        now = timezone.now()
        before = None if standing is None else (standing.choice or standing.ranking)
        if standing is None:
            vote = Vote.objects.create(
                ballot=ballot, voter=actor, organization=place.organization, choice=choice, ranking=ranking, cast_at=now
            )
        else:
            vote = standing
            vote.voter, vote.choice, vote.ranking, vote.cast_at = actor, choice, ranking, now
            vote.save(update_fields=["voter", "choice", "ranking", "cast_at"])
        place.voted_at = now
        place.save(update_fields=["voted_at"])
        for_organization = f" for {place.organization.name}" if place.organization else ""
        audit_record(
            actor=actor,
            action="ballot.voted",
            target=ballot,
            changes=None if ballot.secret else {"vote": (before, choice or ranking)},
            note=f"{'Voted again' if standing is not None else 'Voted'}{for_organization} (secret ballot)."
            if ballot.secret
            else f"{'Voted again' if standing is not None else 'Voted'}{for_organization}.",
        )
    return vote
