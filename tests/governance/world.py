"""The governance tests' world: a committee with a chair and three voting members, staff, an outsider."""

from dataclasses import dataclass

from alliance.governance import services
from alliance.governance.models import Ballot, Committee
from members.models import User

from .factories import BallotFactory


@dataclass
class Board:
    committee: Committee
    chair: User
    voters: list[User]  # voting members (the chair votes too)
    staff: User
    outsider: User

    @property
    def electorate(self) -> list[User]:
        return [self.chair, *self.voters]


def open_ballot(board: Board, **fields) -> Ballot:
    """A ballot of the board's committee, drafted and opened by its chair."""
    ballot = BallotFactory(committee=board.committee, **fields)
    return services.ballot_open(actor=board.chair, ballot=ballot)
