"""A project with a lead, in an organization that is an active member, and people around it."""

import pytest

from projects.models import Project
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory, UserFactory

from .factories import LeadFactory, ProjectFactory


@pytest.fixture
def member_organization():
    return OrganizationFactory()


@pytest.fixture
def member(member_organization):
    """A person of an active member organization: may propose and join members-only projects."""
    return AffiliationFactory(organization=member_organization).person


@pytest.fixture
def other_member():
    return AffiliationFactory(organization=OrganizationFactory()).person


@pytest.fixture
def outsider():
    """Signed in, but in no member organization."""
    return UserFactory()


@pytest.fixture
def staff():
    return StaffFactory()


@pytest.fixture
def project(member_organization):
    project = ProjectFactory(state=Project.State.ACTIVE)
    project.sponsors.add(member_organization)
    return project


@pytest.fixture
def lead(project, member_organization):
    person = LeadFactory(project=project).person
    AffiliationFactory(person=person, organization=member_organization)
    return person
