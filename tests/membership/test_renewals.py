"""Renewal: who may, when, with the charter; the term arithmetic; invoices; staff corrections; the API."""

import pytest
from django.conf import settings

from alliance.errors import DomainError, NotPermitted
from alliance.models import AuditEntry, Notification
from members import selectors, services
from members.models import Invoice, MembershipTerm, MembershipTier
from tests.api_matrix import client_as

from .conftest import SECOND, TERM_END, days, now

pytestmark = pytest.mark.django_db


def test_renewing_too_early_is_refused_with_the_date_the_window_opens(member, member_admin, clock):
    clock(TERM_END - days(60) - SECOND)

    with pytest.raises(DomainError) as error:
        services.membership_renew(actor=member_admin, organization=member, accept_charter=True)

    assert "Renewal opens on 1 May 2027" in error.value.message
    assert member.terms.count() == 1


def test_only_an_admin_renews(member, member_person, staff, other_admin, clock):
    clock(TERM_END - days(10))
    for actor in (member_person, staff, other_admin):
        with pytest.raises(NotPermitted):
            services.membership_renew(actor=actor, organization=member, accept_charter=True)
    assert member.terms.count() == 1


def test_the_charter_must_be_accepted(member, member_admin, clock):
    clock(TERM_END - days(10))

    with pytest.raises(DomainError) as error:
        services.membership_renew(actor=member_admin, organization=member, accept_charter=False)

    assert error.value.field == "accept_charter"
    assert member.terms.count() == 1


@pytest.mark.parametrize("moment", [TERM_END - days(10), TERM_END + days(10)], ids=["renewal_due", "grace"])
def test_renewing_before_the_lapse_continues_from_the_old_end(
    member, member_admin, clock, moment, django_capture_on_commit_callbacks
):
    clock(moment)

    with django_capture_on_commit_callbacks(execute=True):
        term = services.membership_renew(actor=member_admin, organization=member, accept_charter=True)

    assert term.starts_at == TERM_END
    assert term.ends_at == TERM_END.replace(year=2028)
    assert term.charter_version == settings.ALLIANCE_CHARTER_VERSION
    assert term.renewed_by == member_admin
    assert selectors.organization_membership(member).standing == "current"
    assert AuditEntry.objects.filter(action="membership.renewed", target_id=str(member.pk)).count() == 1
    assert Notification.objects.filter(recipient=member_admin, subject__contains="renewed its membership").exists()


def test_renewing_when_lapsed_starts_today_and_restores_the_benefits(member, member_admin, clock):
    lapsed_at = clock(TERM_END + days(45))
    assert selectors.organization_membership(member).standing == "lapsed"
    assert not selectors.is_in_good_standing(member)

    term = services.membership_renew(actor=member_admin, organization=member, accept_charter=True)

    assert term.starts_at == lapsed_at
    assert term.ends_at == lapsed_at.replace(year=lapsed_at.year + 1)
    assert selectors.is_in_good_standing(member)


def test_two_renewals_in_a_row_are_refused_the_second_time(member, member_admin, clock):
    clock(TERM_END - days(10))
    services.membership_renew(actor=member_admin, organization=member, accept_charter=True)

    with pytest.raises(DomainError, match="Renewal opens on"):
        services.membership_renew(actor=member_admin, organization=member, accept_charter=True)
    assert member.terms.count() == 2


def test_changing_tier_with_a_fee_issues_a_numbered_invoice(member, member_admin, paid_tier, clock):
    # given a tier change towards a tier with a fee, and billing details
    from tests.members.factories import tier_for

    academic = tier_for("academic")
    academic.annual_fee = "600.00"
    academic.term_months = 24
    academic.save()
    member.billing_address = "Example GmbH\nHauptstrasse 1\nBerlin"
    member.save(update_fields=["billing_address"])
    clock(TERM_END - days(10))

    # when it renews twice (the second far ahead, to get a second invoice)
    term = services.membership_renew(actor=member_admin, organization=member, accept_charter=True, tier="academic")

    # then the term runs 24 months and its invoice bills them
    member.refresh_from_db()
    assert member.tier == "academic"
    assert term.ends_at == TERM_END.replace(year=2029)
    invoice = Invoice.objects.get(term=term)
    assert invoice.amount == 1200  # 600 a year, for 24 months
    assert invoice.currency == "EUR"
    assert invoice.billing_address.startswith("Example GmbH")
    assert invoice.number == f"INV-2027-{invoice.pk:06d}"
    assert not invoice.is_paid


def test_a_free_tier_issues_no_invoice(member, member_admin, clock):
    clock(TERM_END - days(10))
    term = services.membership_renew(actor=member_admin, organization=member, accept_charter=True)
    assert not Invoice.objects.filter(term=term).exists()


def test_an_unknown_tier_is_refused_on_its_field(member, member_admin, clock):
    clock(TERM_END - days(10))
    with pytest.raises(DomainError) as error:
        services.membership_renew(actor=member_admin, organization=member, accept_charter=True, tier="platinum")
    assert error.value.field == "tier"


def test_staff_correct_a_term_and_the_standing_follows_audited(member, staff, clock):
    clock(TERM_END + days(45))
    term = member.terms.get()
    assert selectors.organization_membership(member).standing == "lapsed"

    services.membership_term_correct(actor=staff, term=term, ends_at=TERM_END + days(365), note="Agreed extension")

    assert selectors.organization_membership(member).standing == "current"
    entry = AuditEntry.objects.get(action="membership.term_corrected")
    assert entry.note == "Agreed extension"
    assert "ends_at" in entry.changes


def test_a_correction_that_ends_before_the_start_is_refused(member, staff, clock):
    clock(TERM_END)
    term = member.terms.get()
    with pytest.raises(DomainError, match="end after it starts"):
        services.membership_term_correct(actor=staff, term=term, ends_at=term.starts_at - SECOND)


# --- the API ---------------------------------------------------------------------------------------------------


def test_the_api_renews_for_admins_only(member, member_admin, member_person, staff, outsider, clock):
    clock(TERM_END + days(10))
    path = f"/api/v1/organizations/{member.slug}/membership/renew/"
    body = {"accept_charter": True}

    assert client_as(outsider).post(path, body, format="json").status_code == 404
    assert client_as(member_person).post(path, body, format="json").status_code == 403
    assert client_as(staff).post(path, body, format="json").status_code == 403
    refused = client_as(member_admin).post(path, {"accept_charter": False}, format="json")
    assert refused.status_code == 400
    assert "accept_charter" in refused.json()["errors"]
    assert member.terms.count() == 1

    renewed = client_as(member_admin).post(path, body, format="json")

    assert renewed.status_code == 201, renewed.content
    assert renewed.json()["standing"] == "current"
    assert renewed.json()["term_start"].startswith("2027-06-30T12:00:00")
    assert member.terms.count() == 2


def test_the_api_refuses_an_early_renewal_saying_when(member, member_admin, clock):
    clock(TERM_END - days(100))
    answer = client_as(member_admin).post(
        f"/api/v1/organizations/{member.slug}/membership/renew/", {"accept_charter": True}, format="json"
    )
    assert answer.status_code == 400
    assert "Renewal opens on" in answer.json()["detail"]


def test_only_staff_patch_the_membership(member, member_admin, staff, outsider, clock):
    clock(TERM_END + days(45))
    path = f"/api/v1/organizations/{member.slug}/membership/"
    body = {"term_end": "2028-01-31T00:00:00Z"}

    assert client_as(outsider).patch(path, body, format="json").status_code == 404
    assert client_as(member_admin).patch(path, body, format="json").status_code == 403
    assert member.terms.get().ends_at == TERM_END

    answer = client_as(staff).patch(path, {**body, "tier": "academic"}, format="json")

    assert answer.status_code == 200, answer.content
    assert answer.json()["standing"] == "current"
    assert answer.json()["tier"] == "academic"
    member.refresh_from_db()
    assert member.tier == "academic"


def test_tiers_are_public(client):
    answer = client_as(None).get("/api/v1/tiers/")
    assert answer.status_code == 200
    codes = [tier["code"] for tier in answer.json()]
    assert codes == ["founding", "general", "associate", "academic"]


def test_a_tier_shows_its_code_and_every_field_staff_edit(client):
    # given the fields staff may edit (the service's list); when the public reads a tier
    answer = client_as(None).get("/api/v1/tiers/general/")
    # then it shows its code and each of them, nothing else
    assert answer.status_code == 200
    assert list(answer.json()) == ["code", *services.TIER_EDITABLE_FIELDS]
    assert answer.json()["position"] == MembershipTier.objects.get(code="general").position


def test_invoices_for_admins_and_staff_and_staff_mark_them_paid(
    member, member_admin, member_person, other_admin, staff, paid_tier, clock
):
    clock(TERM_END - days(10))
    term = services.membership_renew(actor=member_admin, organization=member, accept_charter=True)
    invoice = term.invoice

    def listed(user):
        return [row["number"] for row in client_as(user).get("/api/v1/invoices/").json()["results"]]

    assert listed(member_admin) == [invoice.number]
    assert listed(staff) == [invoice.number]
    assert listed(member_person) == []
    assert listed(other_admin) == []
    assert client_as(other_admin).get(f"/api/v1/invoices/{invoice.pk}/").status_code == 404
    assert client_as(member_admin).post(f"/api/v1/invoices/{invoice.pk}/mark-paid/").status_code == 403

    paid = client_as(staff).post(f"/api/v1/invoices/{invoice.pk}/mark-paid/")

    assert paid.status_code == 200
    assert paid.json()["is_paid"] is True
    assert client_as(staff).post(f"/api/v1/invoices/{invoice.pk}/mark-paid/").status_code == 400


# --- the pages ------------------------------------------------------------------------------------------------


def test_the_membership_page_renews(member, member_admin, client, clock):
    clock(TERM_END + days(5))
    client.force_login(member_admin)
    path = f"/organizations/{member.slug}/membership/"

    refused = client.post(path, {"tier": "general"})
    assert refused.status_code == 200
    assert "charter must be accepted" in refused.content.decode()
    assert member.terms.count() == 1

    renewed = client.post(path, {"tier": "general", "accept_charter": "on"})

    assert renewed.status_code == 302
    assert member.terms.count() == 2
    assert "badge-standing-current" in client.get(path).content.decode()


def test_a_member_who_is_not_an_admin_cannot_renew_on_the_page(member, member_person, client, clock):
    clock(TERM_END + days(5))
    client.force_login(member_person)
    assert client.post(f"/organizations/{member.slug}/membership/", {"accept_charter": "on"}).status_code == 403
    assert member.terms.count() == 1


def test_the_invoice_page_is_printable_for_admins(member, member_admin, other_admin, paid_tier, client, clock):
    clock(TERM_END - days(10))
    invoice = services.membership_renew(actor=member_admin, organization=member, accept_charter=True).invoice
    client.force_login(other_admin)
    assert client.get(f"/invoices/{invoice.pk}/").status_code == 404
    client.force_login(member_admin)
    page = client.get(f"/invoices/{invoice.pk}/")
    assert page.status_code == 200
    assert invoice.number in page.content.decode()
    assert "1200.00 EUR" in page.content.decode()


def test_approval_starts_the_first_term(clock, django_capture_on_commit_callbacks):
    from tests.members.factories import AdminAffiliationFactory, ApplicationFactory, StaffFactory

    approved_at = clock(TERM_END)
    application = ApplicationFactory(tier="associate")
    AdminAffiliationFactory(organization=application.organization)

    services.application_approve(actor=StaffFactory(), application=application)

    term = MembershipTerm.objects.get(organization=application.organization)
    assert (term.tier.code, term.starts_at, term.ends_at) == ("associate", approved_at, approved_at.replace(year=2028))
    assert now() == approved_at


def test_a_tier_staff_add_can_be_applied_for_and_sets_the_term_length(clock, staff):
    from tests.members.factories import AdminAffiliationFactory, ApplicantOrganizationFactory

    approved_at = clock(TERM_END)
    services.tier_create(actor=staff, code="supporting", name="Supporting member", term_months=6, annual_fee="100")
    organization = ApplicantOrganizationFactory()
    admin = AdminAffiliationFactory(organization=organization).person

    answer = client_as(admin).post(
        "/api/v1/applications/",
        {"organization": organization.slug, "tier": "supporting", "statement": "We join.", "charter_accepted": True},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    application = organization.applications.get()
    services.application_approve(actor=staff, application=application)

    term = MembershipTerm.objects.get(organization=organization)
    assert (term.tier.code, term.ends_at) == ("supporting", approved_at.replace(month=12, day=30))
    assert (
        client_as(admin)
        .post(
            "/api/v1/applications/",
            {"organization": organization.slug, "tier": "platinum", "statement": "Again.", "charter_accepted": True},
            format="json",
        )
        .status_code
        == 400
    )


def test_permission_comes_before_input(member, member_person, member_admin, clock):
    clock(TERM_END + days(10))
    renew = f"/api/v1/organizations/{member.slug}/membership/renew/"
    membership = f"/api/v1/organizations/{member.slug}/membership/"
    nonsense = {"accept_charter": "perhaps", "tier": 7, "term_end": "soon"}

    assert client_as(member_person).post(renew, nonsense, format="json").status_code == 403
    assert client_as(member_admin).patch(membership, nonsense, format="json").status_code == 403
    assert client_as(member_admin).post(renew, nonsense, format="json").status_code == 400
    assert member.terms.count() == 1
