"""People in every role around one organization, for permission matrices and service tests."""

import pytest

from .factories import (
    AdminAffiliationFactory,
    AffiliationFactory,
    ApplicantOrganizationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)


@pytest.fixture
def organization():
    return OrganizationFactory()


@pytest.fixture
def applicant_organization():
    return ApplicantOrganizationFactory()


@pytest.fixture
def org_admin(organization):
    return AdminAffiliationFactory(organization=organization).person


@pytest.fixture
def org_member(organization):
    return AffiliationFactory(organization=organization).person


@pytest.fixture
def other_admin():
    """An admin of another organization: must never see or change the first one's private data."""
    return AdminAffiliationFactory(organization=OrganizationFactory()).person


@pytest.fixture
def person():
    return UserFactory()


@pytest.fixture
def staff():
    return StaffFactory()
