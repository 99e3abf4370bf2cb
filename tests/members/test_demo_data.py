"""The demo data of `make run`: every application state, enough active members, two logins; safe to run twice."""

from collections import Counter
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command

from alliance.models import AuditEntry, Notification
from members.models import (
    Affiliation,
    Invitation,
    JoinRequest,
    MembershipApplication,
    Organization,
    OrganizationDomain,
    User,
)

pytestmark = pytest.mark.django_db

TABLES = [
    User,
    EmailAddress,
    Organization,
    Affiliation,
    MembershipApplication,
    Invitation,
    OrganizationDomain,
    JoinRequest,
    AuditEntry,
    Notification,
]


def load() -> str:
    output = StringIO()
    call_command("load_demo_data", stdout=output)
    return output.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def test_demo_data_has_members_applications_in_every_state_and_two_logins():
    # when
    output = load()

    # then a dozen or so organizations of different kinds and countries, most of them active members
    organizations = Organization.objects.all()
    assert 12 <= organizations.count() <= 16
    assert len({organization.kind for organization in organizations}) == len(Organization.Kind)
    assert len({organization.country.code for organization in organizations}) >= 12
    active = organizations.filter(status=Organization.Status.ACTIVE)
    assert active.count() >= 8
    assert set(active.values_list("tier", flat=True)) == set(Organization.Tier.values)
    assert not active.filter(member_since=None).exists()
    assert organizations.filter(status=Organization.Status.SUSPENDED).exists()

    # and applications in every state, with the reasons the applicants read
    states = Counter(MembershipApplication.objects.values_list("status", flat=True))
    assert set(states) == set(MembershipApplication.Status.values)
    for status in ("changes_requested", "rejected"):
        assert MembershipApplication.objects.filter(status=status).exclude(reason="").exists()

    # and people, some unlisted; a pending invitation, a verified domain and a pending join request
    assert Affiliation.objects.filter(listed=False).exists()
    assert Affiliation.objects.filter(role=Affiliation.Role.MEMBER).count() >= 8
    assert all(organization.affiliations.filter(role="admin").exists() for organization in organizations)
    assert Invitation.objects.filter(status=Invitation.Status.PENDING).count() == 1
    assert OrganizationDomain.objects.filter(organization__slug="aurora-labs", domain="aurora-labs.example").exists()
    assert JoinRequest.objects.filter(status=JoinRequest.Status.PENDING, organization__slug="aurora-labs").count() == 1

    # and it was all done through the services, which left their audit trail and notifications
    assert AuditEntry.objects.filter(action="application.approved").count() == states["approved"]
    assert Notification.objects.filter(email="admin@aurora-labs.example", subject__startswith="Welcome").exists()

    # and the two printed logins work, with verified addresses
    staff = authenticate(email="staff@alliance.example", password="alliance-demo")
    admin = authenticate(email="admin@aurora-labs.example", password="alliance-demo")
    assert staff is not None and staff.is_staff and not staff.affiliations.exists()
    assert admin is not None and admin.affiliations.get(organization__slug="aurora-labs").role == "admin"
    assert EmailAddress.objects.filter(user__in=[staff, admin], verified=True, primary=True).count() == 2
    assert "staff@alliance.example" in output
    assert "admin@aurora-labs.example" in output
    assert "alliance-demo" in output


def test_running_it_twice_changes_nothing():
    # given
    load()
    before = counts()
    statuses = sorted(MembershipApplication.objects.values_list("organization__slug", "status"))

    # when
    output = load()

    # then
    assert counts() == before
    assert sorted(MembershipApplication.objects.values_list("organization__slug", "status")) == statuses
    assert "already there" in output
    assert "admin@aurora-labs.example" in output
