"""Ballots of a committee: drafting, opening (the electorate is frozen), closing (counted once), cancelling, and
the schedule that opens, reminds and closes them at their times.

Every change of state locks the ballot row first and checks the state under the lock; votes take the same lock
(``votes.py``), so a vote is either in before the close counts, or refused after it.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, validate_model
from alliance.sweeps import claim_each
from members.models import User
from members.selectors import COMMITTEE_SEAT, organizations_in_good_standing

from ..models import Ballot, BallotVoter, Committee, CommitteeMember, Vote
from ..selectors import ballot_places_without_vote, committee_people, committee_voting_seats
from ._common import ballot_locked, notify_governance
from .committees import require_committee_manager
from .counting import ballot_result_store

logger = logging.getLogger(__name__)

BALLOT_EDITABLE_FIELDS = (
    "title", "description", "method", "options", "quorum_percent", "threshold_percent", "secret", "opens_at",
    "closes_at",
)  # fmt: skip
OPTION_MAX_LENGTH = 200
REMINDER_BEFORE = timedelta(days=1)  # the one reminder goes this long before the ballot closes


def require_ballot_manager(actor: Any, ballot: Ballot) -> None:
    """Staff and the chairs of the ballot's committee draft, open, close and cancel it."""
    require_committee_manager(actor, ballot.committee)


def ballot_options_clean(method: str, options: Iterable[Any] | None) -> list[str]:
    """The options as stored: none for a motion; for the others two or more, trimmed, distinct (whatever the
    case), none empty."""
    cleaned = [str(option).strip() for option in (options or [])]
    if method == Ballot.Method.YES_NO:
        if any(cleaned):
            raise DomainError("A yes/no motion has no options: people vote yes, no or abstain.", field="options")
        return []
    if any(not option for option in cleaned):
        raise DomainError("An option cannot be empty.", field="options")
    if len(cleaned) < 2:
        raise DomainError("Give two or more options to choose from.", field="options")
    too_long = next((option for option in cleaned if len(option) > OPTION_MAX_LENGTH), None)
    if too_long is not None:
        raise DomainError(f"An option has at most {OPTION_MAX_LENGTH} characters: shorten “{too_long[:40]}…”.")
    seen: set[str] = set()
    for option in cleaned:
        if option.casefold() in seen:
            raise DomainError(f"The option “{option}” is listed twice: options must differ.", field="options")
        seen.add(option.casefold())
    return cleaned


def _check_ballot(ballot: Ballot, *, now: datetime) -> None:
    """What a draft must satisfy whenever it is saved: valid fields and constraints, and a closing time ahead."""
    ballot.title = (ballot.title or "").strip()
    ballot.options = ballot_options_clean(ballot.method, ballot.options)
    if ballot.opens_at and ballot.closes_at and ballot.closes_at <= ballot.opens_at:
        raise DomainError("A ballot must close after it opens.", field="closes_at")
    validate_model(ballot, exclude=["created_by", "committee"])
    if ballot.closes_at <= now:
        raise DomainError("The closing time has already passed: choose one in the future.", field="closes_at")


def ballot_create(
    *,
    actor: User,
    committee: Committee,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    method: str = Ballot.Method.YES_NO,
    options: Iterable[str] | None = None,
    description: str = "",
    quorum_percent: int = 50,
    threshold_percent: int = 50,
    secret: bool = True,
) -> Ballot:
    """A chair (or staff) drafts a ballot; only they and staff see it until it opens."""
    require_committee_manager(actor, committee)
    ballot = Ballot(
        committee=committee,
        title=title,
        description=description,
        method=method,
        options=list(options or []),
        quorum_percent=quorum_percent,
        threshold_percent=threshold_percent,
        secret=secret,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
    )
    _check_ballot(ballot, now=timezone.now())
    with transaction.atomic():
        ballot.save()
        audit_record(actor=actor, action="ballot.created", target=ballot)
    return ballot


def ballot_update(*, actor: User, ballot: Ballot, **fields: Any) -> Ballot:
    """A chair (or staff) changes a draft. Once a ballot opens nothing in it changes: people vote on what they see.

    Changing a draft to a yes/no motion drops its options.
    """
    require_ballot_manager(actor, ballot)
    unknown = set(fields) - set(BALLOT_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        ballot = ballot_locked(ballot)
        if ballot.state != Ballot.State.DRAFT:
            raise DomainError(f"Only a draft can be edited; this ballot is {ballot.get_state_display().lower()}.")
        if fields.get("method") == Ballot.Method.YES_NO and "options" not in fields:
            fields["options"] = []
        before = {field: getattr(ballot, field) for field in fields}
        for field, value in fields.items():
            setattr(ballot, field, list(value) if field == "options" else value)
        _check_ballot(ballot, now=timezone.now())
        changes = {
            field: (before[field], getattr(ballot, field))
            for field in fields
            if before[field] != getattr(ballot, field)
        }
        if changes:
            ballot.save(update_fields=[*changes, "updated_at"])
            audit_record(actor=actor, action="ballot.updated", target=ballot, changes=changes)
    return ballot


# --- opening: the electorate is frozen ----------------------------------------------------------------------------


def _electorate(ballot: Ballot) -> tuple[list[BallotVoter], int]:
    """The places of the electorate and how many votes it has, from the committee's seats at this moment.

    Person seats: each chair and voting member (with an active account) has a place and a vote. Organization
    seats: each active member organization holding a voting seat has a vote; its voting member and its alternates
    have places.
    """
    committee = ballot.committee
    seats = committee_voting_seats(committee).filter(person__is_active=True)
    if committee.has_organization_seats:
        # A lapsed organization (or one whose tier brings no seat) has no vote until it renews.
        seats = seats.filter(organization__in=organizations_in_good_standing(benefit=COMMITTEE_SEAT).values("pk"))
    places = [
        BallotVoter(ballot=ballot, person=seat.person, organization=seat.organization, role=seat.role) for seat in seats
    ]
    if not committee.has_organization_seats:
        return places, len(places)
    organization_ids = {seat.organization_id for seat in seats}
    alternates = committee.members.filter(
        role=CommitteeMember.Role.ALTERNATE, organization_id__in=organization_ids, person__is_active=True
    ).select_related("person", "organization")
    places += [
        BallotVoter(ballot=ballot, person=seat.person, organization=seat.organization, role=seat.role)
        for seat in alternates.order_by("pk")
    ]
    return places, len(organization_ids)


def _open(ballot: Ballot, *, actor: Any, now: datetime) -> Ballot:
    """Open a locked draft: freeze its electorate, tell the electorate."""
    if ballot.state != Ballot.State.DRAFT:
        raise DomainError(f"Only a draft can be opened; this ballot is {ballot.get_state_display().lower()}.")
    if ballot.closes_at <= now:
        raise DomainError("The closing time has passed: move it into the future before opening.", field="closes_at")
    places, eligible = _electorate(ballot)
    if eligible == 0:
        raise DomainError("Nobody could vote: the committee has no voting members. Seat them before opening.")
    BallotVoter.objects.bulk_create(places)
    ballot.state = Ballot.State.OPEN
    ballot.opened_at = now
    ballot.eligible = eligible
    ballot.save(update_fields=["state", "opened_at", "eligible", "updated_at"])
    audit_record(
        actor=actor,
        action="ballot.opened",
        target=ballot,
        changes={"state": (Ballot.State.DRAFT, Ballot.State.OPEN)},
        note=f"Electorate: {eligible} vote{'s' if eligible != 1 else ''}.",
    )
    notify_governance([place.person for place in places], "ballot_opened", about=ballot)
    return ballot


def ballot_open(*, actor: User, ballot: Ballot) -> Ballot:
    """A chair (or staff) opens a draft now, whatever its opening time; the committee's voting members at this
    moment are its electorate (a member seated later has no vote in it)."""
    require_ballot_manager(actor, ballot)
    with transaction.atomic():
        return _open(ballot_locked(ballot), actor=actor, now=timezone.now())


# --- closing: counted once ----------------------------------------------------------------------------------------


def _forget_who_voted_what(ballot: Ballot, *, now: datetime) -> None:
    """A secret ballot, once counted, keeps its votes without voters: the rows are written again in the order of
    their content, all cast "at the close", so neither a voter, nor the order or the time of voting (which the
    audit trail knows, as it knows who voted) leads back to a vote."""
    contents = sorted(ballot.votes.values_list("choice", "ranking"), key=lambda content: (content[0], content[1]))
    ballot.votes.all().delete()
    Vote.objects.bulk_create(
        [Vote(ballot=ballot, choice=choice, ranking=ranking, cast_at=now) for choice, ranking in contents]
    )


def _close(ballot: Ballot, *, actor: Any, now: datetime) -> Ballot:
    """Count a locked open ballot, store the result, forget who voted what if it is secret, tell the committee."""
    if ballot.state != Ballot.State.OPEN:
        raise DomainError(f"Only an open ballot can be closed; this ballot is {ballot.get_state_display().lower()}.")
    result = ballot_result_store(ballot, now=now)
    if ballot.secret:
        _forget_who_voted_what(ballot, now=now)
    ballot.state = Ballot.State.CLOSED
    ballot.closed_at = now
    ballot.save(update_fields=["state", "closed_at", "updated_at"])
    if ballot.method == Ballot.Method.YES_NO:
        outcome = "passed" if result.passed else "not passed"
    else:
        outcome = f"winner {result.winner}" if result.winner else "no winner"
    audit_record(
        actor=actor,
        action="ballot.closed",
        target=ballot,
        changes={"state": (Ballot.State.OPEN, Ballot.State.CLOSED)},
        note=f"Turnout {result.turnout} of {result.eligible}; quorum {'met' if result.quorum_met else 'not met'}; "
        f"{outcome}.",
    )
    people = {person.pk: person for person in committee_people(ballot.committee)}
    for place in ballot.electorate.select_related("person").filter(person__is_active=True):
        people.setdefault(place.person.pk, place.person)
    notify_governance(list(people.values()), "ballot_result", about=ballot, result=result)
    return ballot


def ballot_close(*, actor: User, ballot: Ballot) -> Ballot:
    """A chair (or staff) closes an open ballot now, before its closing time if they choose; it is counted."""
    require_ballot_manager(actor, ballot)
    with transaction.atomic():
        return _close(ballot_locked(ballot), actor=actor, now=timezone.now())


def ballot_cancel(*, actor: User, ballot: Ballot, reason: str = "") -> Ballot:
    """A chair (or staff) calls a draft or open ballot off. It counts nothing and keeps no votes; the electorate
    of an open one is told, with the reason."""
    require_ballot_manager(actor, ballot)
    with transaction.atomic():
        ballot = ballot_locked(ballot)
        if ballot.state not in (Ballot.State.DRAFT, Ballot.State.OPEN):
            raise DomainError(f"This ballot is {ballot.get_state_display().lower()}: it can no longer be cancelled.")
        was_open = ballot.state == Ballot.State.OPEN
        before = ballot.state
        ballot.votes.all().delete()
        ballot.state = Ballot.State.CANCELLED
        ballot.cancelled_at = timezone.now()
        ballot.save(update_fields=["state", "cancelled_at", "updated_at"])
        audit_record(
            actor=actor,
            action="ballot.cancelled",
            target=ballot,
            changes={"state": (before, Ballot.State.CANCELLED)},
            note=(reason or "").strip(),
        )
        if was_open:
            people = [
                place.person for place in ballot.electorate.select_related("person").filter(person__is_active=True)
            ]
            notify_governance(
                people, "ballot_cancelled", about=ballot, reason=(reason or "").strip(), cancelled_by=actor
            )
    return ballot


# --- the schedule (the beat job) -------------------------------------------------------------------------------


def _open_on_schedule(ballot: Ballot, now: datetime) -> bool:
    try:
        with transaction.atomic():
            _open(ballot, actor=None, now=now)
    except DomainError as error:
        logger.warning("Ballot %s did not open at its time: %s", ballot.pk, error.message)
        return False
    return True


def _remind(ballot: Ballot, now: datetime) -> bool:
    ballot.reminder_sent_at = now
    ballot.save(update_fields=["reminder_sent_at"])
    people = [place.person for place in ballot_places_without_vote(ballot)]
    notify_governance(people, "ballot_reminder", about=ballot)
    return True


def _close_on_schedule(ballot: Ballot, now: datetime) -> bool:
    _close(ballot, actor=None, now=now)
    return True


def ballot_schedule_advance(*, now: datetime | None = None) -> dict[str, int]:
    """The beat job: open drafts whose time has come, remind the electorate once a day before a ballot closes,
    close (and count) ballots whose time is up.

    Each ballot is claimed in a transaction of its own (``claim_each``), so a vote holding a ballot's lock is never
    waited for (that ballot is handled on the next run), two runs never do one ballot's work twice, and the
    reminder is marked sent in the transaction that records its notifications: run twice, it sends one.
    A ballot open for less than ``REMINDER_BEFORE`` gets no reminder: the message that it opened is recent.
    """
    now = now or timezone.now()
    opened = claim_each(
        Ballot.objects.filter(state=Ballot.State.DRAFT, opens_at__lte=now, closes_at__gt=now),
        lambda ballot: _open_on_schedule(ballot, now),
    )
    reminded = claim_each(
        Ballot.objects.filter(
            state=Ballot.State.OPEN,
            reminder_sent_at__isnull=True,
            closes_at__gt=now,
            closes_at__lte=now + REMINDER_BEFORE,
            opened_at__lt=F("closes_at") - REMINDER_BEFORE,
        ),
        lambda ballot: _remind(ballot, now),
    )
    closed = claim_each(
        Ballot.objects.filter(state=Ballot.State.OPEN, closes_at__lte=now),
        lambda ballot: _close_on_schedule(ballot, now),
    )
    return {"opened": opened, "reminded": reminded, "closed": closed}
