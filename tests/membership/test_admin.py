"""Staff manage tiers and correct terms in the Django admin, through the services (audited); invoices are marked
paid by an admin action."""

import pytest

from alliance.models import AuditEntry
from members import services
from members.models import MembershipTier

from .conftest import TERM_END, days

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    client.force_login(staff)
    return client


TIER_FORM = {
    "name": "Supporting member",
    "description": "For individuals' organizations.",
    "annual_fee": "250.00",
    "currency": "eur",
    "term_months": "6",
    "members_only_events": "on",
    "position": "50",
}


def test_staff_add_and_change_a_tier_through_the_services(admin_client):
    added = admin_client.post("/admin/members/membershiptier/add/", {"code": "supporting", **TIER_FORM})
    assert added.status_code == 302
    tier = MembershipTier.objects.get(code="supporting")
    assert (tier.currency, tier.term_months, tier.propose_projects) == ("EUR", 6, False)
    assert AuditEntry.objects.filter(action="tier.created").count() == 1

    changed = admin_client.post(
        f"/admin/members/membershiptier/{tier.pk}/change/", {**TIER_FORM, "annual_fee": "300.00"}
    )

    assert changed.status_code == 302
    tier.refresh_from_db()
    assert tier.annual_fee == 300
    assert AuditEntry.objects.get(action="tier.updated").changes["annual_fee"][1] == "300.00"


def test_staff_correct_a_term_in_the_admin_audited(admin_client, staff, member, clock):
    clock(TERM_END + days(45))
    admin_client.force_login(staff)  # a session from before the clock moved would have expired
    term = member.terms.get()

    answer = admin_client.post(
        f"/admin/members/membershipterm/{term.pk}/change/",
        {
            "starts_at_0": "2026-06-30",
            "starts_at_1": "12:00:00",
            "ends_at_0": "2028-06-30",
            "ends_at_1": "12:00:00",
            "tier": str(term.tier_id),
            "note": "Paid by bank transfer; extended.",
        },
    )

    assert answer.status_code == 302
    term.refresh_from_db()
    assert term.ends_at.year == 2028
    assert AuditEntry.objects.get(action="membership.term_corrected").note == "Paid by bank transfer; extended."


def test_the_admin_marks_invoices_paid(admin_client, staff, member, member_admin, paid_tier, clock):
    clock(TERM_END - days(10))
    admin_client.force_login(staff)  # a session from before the clock moved would have expired
    invoice = services.membership_renew(actor=member_admin, organization=member, accept_charter=True).invoice

    admin_client.post("/admin/members/invoice/", {"action": "mark_paid", "_selected_action": [invoice.pk]}, follow=True)

    invoice.refresh_from_db()
    assert invoice.is_paid
    assert AuditEntry.objects.filter(action="invoice.paid").count() == 1
