"""Committees, seats and ballots for the governance tests; people and organizations come from the members'."""

from datetime import timedelta

import factory
from django.utils import timezone

from alliance.governance.models import Ballot, Committee, CommitteeMember
from tests.members.factories import UserFactory


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    name = factory.Sequence(lambda n: f"Committee {n}")
    slug = factory.Sequence(lambda n: f"committee-{n}")
    kind = Committee.Kind.TECHNICAL
    description = "Decides on the technical work."
    seats = Committee.Seats.PERSON


class OrganizationSeatsCommitteeFactory(CommitteeFactory):
    kind = Committee.Kind.STEERING
    seats = Committee.Seats.ORGANIZATION


class CommitteeMemberFactory(factory.django.DjangoModelFactory):
    """A voting member; seated directly (the seat rules have their own tests through the services)."""

    class Meta:
        model = CommitteeMember

    committee = factory.SubFactory(CommitteeFactory)
    person = factory.SubFactory(UserFactory)
    role = CommitteeMember.Role.VOTING


class ChairFactory(CommitteeMemberFactory):
    role = CommitteeMember.Role.CHAIR


class BallotFactory(factory.django.DjangoModelFactory):
    """A draft motion that opens now and closes in a week."""

    class Meta:
        model = Ballot

    committee = factory.SubFactory(CommitteeFactory)
    title = factory.Sequence(lambda n: f"Motion {n}")
    description = "Shall we?"
    method = Ballot.Method.YES_NO
    options = factory.LazyFunction(list)
    opens_at = factory.LazyFunction(timezone.now)
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
