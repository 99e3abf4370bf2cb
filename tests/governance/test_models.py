"""The database holds the line where a service might not: each constraint refuses a bad row by itself."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.governance.models import Ballot, BallotResult, CommitteeMember, Vote
from tests.members.factories import OrganizationFactory, UserFactory

from .factories import BallotFactory, CommitteeMemberFactory, OrganizationSeatsCommitteeFactory

pytestmark = pytest.mark.django_db


def _refused(constraint: str, create) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        create()


def test_one_voting_seat_per_organization():
    committee = OrganizationSeatsCommitteeFactory()
    organization = OrganizationFactory()
    CommitteeMemberFactory(committee=committee, organization=organization, role=CommitteeMember.Role.CHAIR)

    _refused(
        "committee_one_voting_seat_per_organization",
        lambda: CommitteeMemberFactory(committee=committee, organization=organization),
    )
    # an alternate and an observer of the same organization are fine
    CommitteeMemberFactory(committee=committee, organization=organization, role=CommitteeMember.Role.ALTERNATE)
    CommitteeMemberFactory(committee=committee, organization=organization, role=CommitteeMember.Role.OBSERVER)


def test_one_seat_per_person_and_alternates_stand_for_an_organization():
    member = CommitteeMemberFactory()
    _refused(
        "committee_member_one_seat_per_person",
        lambda: CommitteeMemberFactory(committee=member.committee, person=member.person),
    )
    _refused(
        "committee_alternate_stands_for_an_organization",
        lambda: CommitteeMemberFactory(role=CommitteeMember.Role.ALTERNATE, organization=None),
    )


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"quorum_percent": 101}, "ballot_quorum_is_a_percent"),
        ({"threshold_percent": 200}, "ballot_threshold_is_a_percent"),
        ({"closes_at": timezone.now() - timedelta(days=1)}, "ballot_opens_before_it_closes"),
        ({"state": Ballot.State.OPEN, "eligible": None}, "ballot_opened_with_an_electorate"),
    ],
)
def test_a_ballot_row_is_checked(fields, constraint):
    _refused(constraint, lambda: BallotFactory(**fields))


def test_one_vote_per_voter_and_one_per_organization():
    ballot = BallotFactory(state=Ballot.State.OPEN, eligible=3, opened_at=timezone.now())
    voter, organization = UserFactory(), OrganizationFactory()
    now = timezone.now()
    Vote.objects.create(ballot=ballot, voter=voter, choice="yes", cast_at=now)
    Vote.objects.create(ballot=ballot, voter=UserFactory(), organization=organization, choice="yes", cast_at=now)

    _refused("vote_one_per_voter", lambda: Vote.objects.create(ballot=ballot, voter=voter, choice="no", cast_at=now))
    _refused(
        "vote_one_per_organization",
        lambda: Vote.objects.create(
            ballot=ballot, voter=UserFactory(), organization=organization, choice="no", cast_at=now
        ),
    )
    # the unlinked votes of a closed secret ballot do not collide
    Vote.objects.filter(ballot=ballot).update(voter=None, organization=None)
    Vote.objects.create(ballot=ballot, voter=None, choice="no", cast_at=now)


def test_a_vote_is_a_choice_or_a_ranking():
    ballot = BallotFactory(state=Ballot.State.OPEN, eligible=3, opened_at=timezone.now())
    now = timezone.now()
    _refused("vote_choice_or_ranking", lambda: Vote.objects.create(ballot=ballot, cast_at=now))
    _refused(
        "vote_choice_or_ranking",
        lambda: Vote.objects.create(ballot=ballot, choice="A", ranking=["A"], cast_at=now),
    )
    Vote.objects.create(ballot=ballot, ranking=["A", "B"], cast_at=now)


def test_a_result_counts_no_more_votes_than_voters():
    ballot = BallotFactory(state=Ballot.State.CLOSED, eligible=2, opened_at=timezone.now())
    _refused(
        "ballot_result_turnout_within_electorate",
        lambda: BallotResult.objects.create(
            ballot=ballot, eligible=2, turnout=3, quorum_met=True, computed_at=timezone.now()
        ),
    )
