"""Fixtures of the governance tests: staff, and a committee with a chair, three voting members and an outsider."""

import pytest

from members.models import User
from tests.members.factories import StaffFactory, UserFactory

from .factories import ChairFactory, CommitteeFactory, CommitteeMemberFactory
from .world import Board


@pytest.fixture
def staff() -> User:
    return StaffFactory(name="Sam Staff")


@pytest.fixture
def board(staff) -> Board:
    committee = CommitteeFactory(name="Technical Committee", slug="technical-committee")
    chair = ChairFactory(committee=committee, person__name="Cleo Chair").person
    voters = [CommitteeMemberFactory(committee=committee, person__name=f"Voter {n}").person for n in (1, 2, 3)]
    return Board(committee=committee, chair=chair, voters=voters, staff=staff, outsider=UserFactory(name="Olaf Out"))
