"""An organization with a term whose end is known to the second, its people, and a frozen clock to walk it."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from members.models import MembershipTerm
from tests.members.factories import (
    AdminAffiliationFactory,
    AffiliationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
    tier_for,
)

# The term under test ends here; every test moves the clock around it.
TERM_END = datetime.datetime(2027, 6, 30, 12, 0, tzinfo=datetime.UTC)
TERM_START = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def clock():
    """Freeze the clock at a moment: ``clock(moment)``; it stays there until the test moves it again."""
    travellers = []

    def travel(moment: datetime.datetime) -> datetime.datetime:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return moment

    yield travel
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def member(clock):
    """An active member whose one term runs from TERM_START to TERM_END (created while the clock is at its start)."""
    clock(TERM_START)
    organization = OrganizationFactory(term=False, member_since=TERM_START.date())
    MembershipTerm.objects.create(
        organization=organization, tier=tier_for(organization.tier), starts_at=TERM_START, ends_at=TERM_END
    )
    return organization


@pytest.fixture
def member_admin(member):
    return AdminAffiliationFactory(organization=member).person


@pytest.fixture
def member_person(member):
    return AffiliationFactory(organization=member).person


@pytest.fixture
def outsider():
    return UserFactory()


@pytest.fixture
def other_admin():
    return AdminAffiliationFactory(organization=OrganizationFactory()).person


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def paid_tier():
    tier = tier_for("general")
    tier.annual_fee = "1200.00"
    tier.save(update_fields=["annual_fee"])
    return tier


def now() -> datetime.datetime:
    return timezone.now()
