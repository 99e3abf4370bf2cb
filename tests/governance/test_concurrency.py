"""Real races on PostgreSQL: votes and the close, each on its own connection, released at the same instant.

The window between checking a ballot and writing is widened with a short pause (as if the server were busy), so
that without the ballot's lock the race shows every time; with the lock the same pause only makes people wait
their turn. Each race is first shown to exist without the lock.
"""

import threading
import time

import pytest
from django.db import IntegrityError

from alliance.errors import DomainError
from alliance.governance import services
from alliance.governance.models import Ballot, BallotResult, Vote
from alliance.governance.services import votes as vote_services
from tests.members.factories import UserFactory
from tests.races import race, require_free_connections

from .factories import BallotFactory, ChairFactory, CommitteeFactory, CommitteeMemberFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("room_for_40_connections")]

PAUSE = 0.02
VOTERS = 30


@pytest.fixture
def room_for_40_connections():
    require_free_connections(40)


@pytest.fixture
def widened_window(monkeypatch):
    """Pause between checking that the ballot takes votes and writing the vote."""
    original = vote_services.vote_content_clean

    def slow(*args, **kwargs):
        time.sleep(PAUSE)
        return original(*args, **kwargs)

    monkeypatch.setattr(vote_services, "vote_content_clean", slow)


@pytest.fixture
def voters_meet_before_writing(monkeypatch):
    """Both votes have looked for a standing vote before either writes: the race happens every time, however loaded
    the machine (a fixed pause only makes it likely)."""
    original = vote_services.vote_standing_for
    meeting = threading.Barrier(2, timeout=10)

    def meet(*args, **kwargs):
        standing = original(*args, **kwargs)
        meeting.wait()
        return standing

    monkeypatch.setattr(vote_services, "vote_standing_for", meet)


@pytest.fixture
def votes_without_the_lock(monkeypatch):
    """Votes read the ballot without locking it (the close still locks): what the lock prevents."""
    monkeypatch.setattr(
        vote_services, "ballot_locked", lambda ballot: Ballot.objects.select_related("committee").get(pk=ballot.pk)
    )


@pytest.fixture
def open_motion():
    """An open (not secret) motion of a committee of a chair and VOTERS voting members."""
    committee = CommitteeFactory()
    chair = ChairFactory(committee=committee).person
    voters = [CommitteeMemberFactory(committee=committee, person=UserFactory()).person for _ in range(VOTERS)]
    ballot = services.ballot_open(actor=chair, ballot=BallotFactory(committee=committee, secret=False))
    return ballot, chair, voters


# --- one voter, two connections -----------------------------------------------------------------------------


def _same_voter_twice(ballot, voter):
    return race(
        [
            lambda choice=choice: services.ballot_vote(actor=voter, ballot=ballot, choice=choice)
            for choice in ("yes", "no")
        ]
    )


def test_a_voters_two_simultaneous_votes_leave_one(open_motion, widened_window):
    ballot, _, voters = open_motion

    results, errors = _same_voter_twice(ballot, voters[0])

    assert errors == []
    rows = list(Vote.objects.filter(ballot=ballot))
    assert len(rows) == 1
    # the one left is the vote that took the lock last: it replaced the other
    assert rows[0].choice in {"yes", "no"}
    assert {result.pk for result in results} == {rows[0].pk}


def test_without_the_lock_two_simultaneous_votes_collide_and_the_database_keeps_one(
    open_motion, voters_meet_before_writing, votes_without_the_lock
):
    ballot, _, voters = open_motion

    _results, errors = _same_voter_twice(ballot, voters[0])

    # both saw no vote and both inserted: the unique constraint refused the second (the race is real)
    assert len(errors) == 1
    assert isinstance(errors[0], IntegrityError) and "vote_one_per_voter" in str(errors[0])
    assert Vote.objects.filter(ballot=ballot).count() == 1


# --- votes racing the close ---------------------------------------------------------------------------------


def _votes_and_a_close(ballot, chair, voters, *, close_after: float, stagger: float = 0.0):
    """Every voter votes (the i-th ``i * stagger`` seconds after the start) and the chair closes after
    ``close_after`` seconds."""

    def close():
        time.sleep(close_after)
        return services.ballot_close(actor=chair, ballot=ballot)

    def vote(index, voter):
        time.sleep(index * stagger)
        return services.ballot_vote(actor=voter, ballot=ballot, choice="yes")

    calls = [lambda index=index, voter=voter: vote(index, voter) for index, voter in enumerate(voters)]
    return race([*calls, close])


def test_votes_racing_the_close_are_counted_or_refused_never_lost_or_half_counted(open_motion, widened_window):
    ballot, chair, voters = open_motion

    # when thirty votes arrive over a third of a second and the close in the middle of them
    results, errors = _votes_and_a_close(ballot, chair, voters, close_after=0.15, stagger=0.01)

    # then each vote was either in before the count, or refused as closed: none other failed
    accepted = [result for result in results[:-1] if result is not None]
    assert all(
        isinstance(error, DomainError) and error.message == "Voting in this ballot has closed." for error in errors
    )
    assert len(accepted) + len(errors) == VOTERS
    assert 0 < len(accepted) < VOTERS, "the close did not fall among the votes: the race proves nothing"
    # and the count holds exactly the votes that are in, each once
    result = BallotResult.objects.get(ballot=ballot)
    assert Vote.objects.filter(ballot=ballot).count() == result.turnout == result.tally["yes"] == len(accepted)
    assert Ballot.objects.get(pk=ballot.pk).state == Ballot.State.CLOSED


def test_without_the_lock_votes_racing_the_close_are_lost(open_motion, widened_window, votes_without_the_lock):
    ballot, chair, voters = open_motion

    results, _ = _votes_and_a_close(ballot, chair, voters, close_after=PAUSE / 2)

    # votes that had checked "open" before the close wrote after its count: stored, answered as accepted, not counted
    result = BallotResult.objects.get(ballot=ballot)
    stored = Vote.objects.filter(ballot=ballot).count()
    accepted = [result for result in results[:-1] if result is not None]
    assert stored == len(accepted) > result.turnout, "the race did not show: the lock test above would prove nothing"
