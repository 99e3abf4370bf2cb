import pytest

from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory, UserFactory

from .factories import EventFactory


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def event(staff):
    return EventFactory(created_by=staff)


@pytest.fixture
def person():
    return UserFactory()


@pytest.fixture
def member():
    return AffiliationFactory(organization=OrganizationFactory()).person
