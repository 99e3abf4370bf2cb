"""Real races on PostgreSQL: admins renewing at once add one term; reminder jobs running at once send each once."""

import pytest

from alliance.errors import DomainError
from alliance.models import Notification
from members import services
from members.models import MembershipReminder
from tests.members.factories import AdminAffiliationFactory
from tests.races import race, require_free_connections

from .conftest import TERM_END, days

pytestmark = pytest.mark.django_db(transaction=True)


def test_admins_renewing_at_once_add_one_term(member, clock):
    require_free_connections(6)
    admins = [AdminAffiliationFactory(organization=member).person for _ in range(4)]
    clock(TERM_END - days(10))

    results, errors = race(
        [
            lambda admin=admin: services.membership_renew(actor=admin, organization=member, accept_charter=True)
            for admin in admins
        ]
    )

    assert member.terms.count() == 2
    assert len([result for result in results if result is not None]) == 1
    assert len(errors) == 3
    assert all(isinstance(error, DomainError) and "Renewal opens" in error.message for error in errors)


def test_reminder_jobs_running_at_once_send_each_reminder_once(member, member_admin, clock):
    require_free_connections(6)
    clock(TERM_END - days(7))

    results, errors = race([services.membership_reminders_send for _ in range(4)])

    assert errors == []
    assert sum(results) == 1
    assert MembershipReminder.objects.filter(term__organization=member).count() == 1
    assert Notification.objects.filter(recipient=member_admin).count() == 1
