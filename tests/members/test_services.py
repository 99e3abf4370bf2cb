"""Every service of the members domain: its happy path, each refusal, its audit entry and its notification."""

import hashlib
import re
import threading
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from alliance.errors import DomainError, NotPermitted
from alliance.models import AuditEntry, Notification
from members import services
from members.models import (
    Affiliation,
    ApiToken,
    Invitation,
    JoinRequest,
    MembershipApplication,
    Organization,
    OrganizationDomain,
)
from members.services import affiliations

from .factories import (
    AdminAffiliationFactory,
    AffiliationFactory,
    ApplicationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- helpers -------------------------------------------------------------------------------------------------


def audit_entries(action: str, target=None) -> list[AuditEntry]:
    entries = AuditEntry.objects.filter(action=action)
    if target is not None:
        entries = entries.filter(target_id=str(target.pk))
    return list(entries)


def the_audit_entry(action: str, target=None) -> AuditEntry:
    entries = audit_entries(action, target)
    assert len(entries) == 1, f"expected one {action} entry, found {len(entries)}"
    return entries[0]


def emails_to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if address in message.to]


def the_email_to(address: str) -> mail.EmailMessage:
    messages = emails_to(address)
    assert len(messages) == 1, f"expected one email to {address}, found {[m.subject for m in mail.outbox]}"
    return messages[0]


def invitation_token(message: mail.EmailMessage) -> str:
    match = re.search(r"/invitations/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def applicant_admin(applicant_organization):
    return AdminAffiliationFactory(organization=applicant_organization).person


@pytest.fixture
def application(applicant_organization, applicant_admin):
    return ApplicationFactory(organization=applicant_organization, submitted_by=applicant_admin)


# --- organizations ---------------------------------------------------------------------------------------------


def test_organization_register_makes_the_registrant_its_first_admin(person):
    # when
    organization = services.organization_register(
        actor=person, name="Lumen Robotics", kind=Organization.Kind.STARTUP, country="FR"
    )

    # then
    organization.refresh_from_db()
    assert organization.status == Organization.Status.APPLICANT
    assert organization.slug == "lumen-robotics"
    assert organization.tier == ""
    assert Affiliation.objects.get(organization=organization).person == person
    assert Affiliation.objects.get(organization=organization).role == Affiliation.Role.ADMIN
    assert the_audit_entry("organization.registered", organization).actor == person


def test_organization_register_refuses_anonymous_and_a_taken_name(organization, person):
    with pytest.raises(NotPermitted):
        services.organization_register(actor=AnonymousUser(), name="Nobody Inc", kind="company", country="DE")

    with pytest.raises(DomainError, match="already registered") as error:
        services.organization_register(actor=person, name=organization.name, kind="company", country="DE")
    assert error.value.field == "name"

    with pytest.raises(DomainError) as error:
        services.organization_register(actor=person, name="Nowhere Labs", kind="company", country="XX")
    assert error.value.field == "country"
    assert Organization.objects.count() == 1


def test_organization_register_finds_a_free_slug(person):
    # given
    OrganizationFactory(name="Other", slug="lumen")

    # when
    organization = services.organization_register(actor=person, name="Lumen", kind="company", country="DE")

    # then
    assert organization.slug == "lumen-2"


def test_organization_update_by_its_admin_records_before_and_after(organization, org_admin):
    # when
    services.organization_update(actor=org_admin, organization=organization, description="Open tools.", country="NL")

    # then
    organization.refresh_from_db()
    assert organization.description == "Open tools."
    assert organization.country == "NL"
    entry = the_audit_entry("organization.updated", organization)
    assert entry.actor == org_admin
    assert entry.changes == {"description": ["Works on open AI.", "Open tools."], "country": ["DE", "NL"]}


def test_organization_update_by_staff(organization, staff):
    services.organization_update(actor=staff, organization=organization, website="https://new.example")

    organization.refresh_from_db()
    assert organization.website == "https://new.example"


def test_organization_update_without_a_change_records_nothing(organization, org_admin):
    services.organization_update(actor=org_admin, organization=organization, description=organization.description)

    assert audit_entries("organization.updated") == []


@pytest.mark.parametrize("who", ["org_member", "other_admin", "person"])
def test_organization_update_refused_to_anyone_but_its_admins(request, organization, who):
    actor = request.getfixturevalue(who)

    with pytest.raises(NotPermitted):
        services.organization_update(actor=actor, organization=organization, description="Hijacked")

    organization.refresh_from_db()
    assert organization.description == "Works on open AI."
    assert audit_entries("organization.updated") == []


@pytest.mark.parametrize("field, value", [("status", "active"), ("tier", "founding"), ("member_since", None)])
def test_organization_update_refuses_fields_that_only_decisions_change(organization, org_admin, field, value):
    with pytest.raises(DomainError, match=field):
        services.organization_update(actor=org_admin, organization=organization, **{field: value})

    organization.refresh_from_db()
    assert organization.status == Organization.Status.ACTIVE
    assert organization.tier == Organization.Tier.GENERAL


def test_organization_update_refuses_invalid_values(organization, org_admin):
    with pytest.raises(DomainError) as error:
        services.organization_update(actor=org_admin, organization=organization, website="not a url")

    assert error.value.field == "website"
    organization.refresh_from_db()
    assert organization.website == "https://example.org"


def test_organization_change_status_by_staff_tells_the_admins(
    organization, org_admin, staff, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.organization_change_status(
            actor=staff, organization=organization, status="suspended", note="Fees unpaid."
        )

    # then
    organization.refresh_from_db()
    assert organization.status == Organization.Status.SUSPENDED
    entry = the_audit_entry("organization.status_changed", organization)
    assert (entry.actor, entry.changes, entry.note) == (staff, {"status": ["active", "suspended"]}, "Fees unpaid.")
    message = the_email_to(org_admin.email)
    assert "is now suspended" in message.subject
    assert "Fees unpaid." in message.body
    assert Notification.objects.get().recipient == org_admin


def test_organization_change_status_refusals(organization, applicant_organization, org_admin, staff):
    with pytest.raises(NotPermitted, match="staff"):
        services.organization_change_status(actor=org_admin, organization=organization, status="suspended")
    with pytest.raises(DomainError, match="Choose"):
        services.organization_change_status(actor=staff, organization=organization, status="applicant")
    with pytest.raises(DomainError, match="approved application"):
        services.organization_change_status(actor=staff, organization=applicant_organization, status="active")

    organization.refresh_from_db()
    applicant_organization.refresh_from_db()
    assert organization.status == Organization.Status.ACTIVE
    assert applicant_organization.status == Organization.Status.APPLICANT
    assert not Notification.objects.exists()


# --- membership applications -------------------------------------------------------------------------------------


def test_application_submit_tells_the_applicant_and_staff(
    applicant_organization, applicant_admin, staff, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            actor=applicant_admin,
            organization=applicant_organization,
            tier=Organization.Tier.ACADEMIC,
            statement="  We publish open benchmarks.  ",
            charter_accepted=True,
        )

    # then
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert application.statement == "We publish open benchmarks."
    assert application.submitted_by == applicant_admin
    assert the_audit_entry("application.submitted", application).actor == applicant_admin
    assert "We received the membership application" in the_email_to(applicant_admin.email).subject
    assert "Application to review" in the_email_to(staff.email).subject
    assert "Application to review" in the_email_to("secretariat@alliance.example").subject
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 3


def test_application_submit_refused_without_the_charter(applicant_organization, applicant_admin):
    with pytest.raises(DomainError, match="charter") as error:
        services.application_submit(
            actor=applicant_admin,
            organization=applicant_organization,
            tier="general",
            statement="Hi",
            charter_accepted=False,
        )

    assert error.value.field == "charter_accepted"
    assert not MembershipApplication.objects.exists()


@pytest.mark.parametrize("who", ["staff", "person", "member"])
def test_application_submit_refused_to_anyone_but_the_organizations_admins(request, applicant_organization, who):
    actor = (
        AffiliationFactory(organization=applicant_organization).person
        if who == "member"
        else request.getfixturevalue(who)
    )

    with pytest.raises(NotPermitted):
        services.application_submit(
            actor=actor, organization=applicant_organization, tier="general", statement="Hi", charter_accepted=True
        )

    assert not MembershipApplication.objects.exists()


def test_a_second_open_application_is_refused(application, applicant_organization, applicant_admin):
    with pytest.raises(DomainError, match="already has an open application"):
        services.application_submit(
            actor=applicant_admin,
            organization=applicant_organization,
            tier="general",
            statement="Again",
            charter_accepted=True,
        )

    assert MembershipApplication.objects.count() == 1


def test_the_database_refuses_a_second_open_application_even_past_the_service(application):
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(organization=application.organization, submitted_by=application.submitted_by)


def test_an_active_member_cannot_apply_again(organization, org_admin):
    with pytest.raises(DomainError, match="already an active member"):
        services.application_submit(
            actor=org_admin, organization=organization, tier="founding", statement="More", charter_accepted=True
        )


def test_application_submit_refuses_an_unknown_tier(applicant_organization, applicant_admin):
    with pytest.raises(DomainError) as error:
        services.application_submit(
            actor=applicant_admin,
            organization=applicant_organization,
            tier="platinum",
            statement="Hi",
            charter_accepted=True,
        )

    assert error.value.field == "tier"


def test_application_changes_requested_resubmitted_then_approved(
    application, applicant_organization, applicant_admin, staff, django_capture_on_commit_callbacks
):
    # when staff ask for changes
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_changes(actor=staff, application=application, reason="Say which projects.")

    # then the applicant reads the reason
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.CHANGES_REQUESTED
    assert application.reason == "Say which projects."
    entry = the_audit_entry("application.changes_requested", application)
    assert (entry.actor, entry.changes) == (staff, {"status": ["submitted", "changes_requested"]})
    message = the_email_to(applicant_admin.email)
    assert "Changes requested" in message.subject
    assert "Say which projects." in message.body
    assert f"/applications/{application.pk}/" in message.body
    mail.outbox.clear()

    # when the applicant resubmits
    with django_capture_on_commit_callbacks(execute=True):
        services.application_resubmit(
            actor=applicant_admin, application=application, statement="Projects: A and B.", tier="associate"
        )

    # then it is back in the staff queue
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.RESUBMITTED
    assert (application.statement, application.tier) == ("Projects: A and B.", "associate")
    assert the_audit_entry("application.resubmitted", application).changes == {
        "status": ["changes_requested", "resubmitted"],
        "statement": ["We build open evaluation tools and want to share them.", "Projects: A and B."],
        "tier": ["general", "associate"],
    }
    assert "(resubmitted)" in the_email_to(staff.email).subject
    mail.outbox.clear()

    # when staff approve
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(actor=staff, application=application)

    # then the organization is an active member at the tier applied for
    application.refresh_from_db()
    applicant_organization.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert (application.decided_by, application.reason) == (staff, "")
    assert applicant_organization.status == Organization.Status.ACTIVE
    assert applicant_organization.tier == Organization.Tier.ASSOCIATE
    assert applicant_organization.member_since == timezone.localdate()
    assert the_audit_entry("application.approved", application).changes == {"status": ["resubmitted", "approved"]}
    assert the_audit_entry("organization.activated", applicant_organization).changes == {
        "status": ["applicant", "active"],
        "tier": ["", "associate"],
    }
    message = the_email_to(applicant_admin.email)
    assert message.subject.startswith("[Alliance Portal] Welcome to the alliance")
    assert "at the tier Associate member" in message.body


def test_application_rejected_with_a_reason_shown_to_the_applicant(
    application, applicant_organization, applicant_admin, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(actor=staff, application=application, reason="  Out of scope.  ")

    application.refresh_from_db()
    applicant_organization.refresh_from_db()
    assert application.status == MembershipApplication.Status.REJECTED
    assert application.reason == "Out of scope."
    assert application.decided_at is not None
    assert applicant_organization.status == Organization.Status.APPLICANT
    entry = the_audit_entry("application.rejected", application)
    assert (entry.actor, entry.note) == (staff, "Out of scope.")
    message = the_email_to(applicant_admin.email)
    assert "was not accepted" in message.subject
    assert "Out of scope." in message.body


@pytest.mark.parametrize("decide", [services.application_reject, services.application_request_changes])
def test_reject_and_request_changes_need_a_reason(application, staff, decide):
    with pytest.raises(DomainError, match="reason") as error:
        decide(actor=staff, application=application, reason="   ")

    assert error.value.field == "reason"
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED


@pytest.mark.parametrize("decide", [services.application_reject, services.application_request_changes])
def test_a_reason_is_asked_only_of_someone_who_may_decide(application, applicant_admin, decide):
    with pytest.raises(NotPermitted, match="Only alliance staff"):
        decide(actor=applicant_admin, application=application, reason="")

    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_application_withdrawn_by_the_applicant(application, applicant_organization, applicant_admin):
    services.application_withdraw(actor=applicant_admin, application=application)

    application.refresh_from_db()
    applicant_organization.refresh_from_db()
    assert application.status == MembershipApplication.Status.WITHDRAWN
    assert applicant_organization.status == Organization.Status.WITHDRAWN
    assert the_audit_entry("application.withdrawn", application).actor == applicant_admin
    assert the_audit_entry("organization.status_changed", applicant_organization).changes == {
        "status": ["applicant", "withdrawn"]
    }


def test_a_withdrawn_organization_may_apply_again(application, applicant_organization, applicant_admin):
    # given
    services.application_withdraw(actor=applicant_admin, application=application)

    # when
    again = services.application_submit(
        actor=applicant_admin,
        organization=applicant_organization,
        tier="general",
        statement="Back",
        charter_accepted=True,
    )

    # then
    applicant_organization.refresh_from_db()
    assert again.status == MembershipApplication.Status.SUBMITTED
    assert applicant_organization.status == Organization.Status.APPLICANT


def test_only_the_applicant_withdraws_or_resubmits(application, staff, other_admin):
    with pytest.raises(NotPermitted):
        services.application_withdraw(actor=staff, application=application)
    with pytest.raises(NotPermitted):
        services.application_withdraw(actor=other_admin, application=application)
    services.application_request_changes(actor=staff, application=application, reason="More")
    with pytest.raises(NotPermitted):
        services.application_resubmit(actor=other_admin, application=application, statement="Mine now")

    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.CHANGES_REQUESTED


@pytest.mark.parametrize(
    "decide",
    [
        lambda actor, application: services.application_approve(actor=actor, application=application),
        lambda actor, application: services.application_reject(actor=actor, application=application, reason="No"),
        lambda actor, application: services.application_request_changes(
            actor=actor, application=application, reason="X"
        ),
    ],
    ids=["approve", "reject", "request-changes"],
)
def test_only_staff_decide(application, applicant_admin, other_admin, decide):
    for actor in (applicant_admin, other_admin):
        with pytest.raises(NotPermitted, match="Only alliance staff"):
            decide(actor, application)

    application.refresh_from_db()
    application.organization.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert application.organization.status == Organization.Status.APPLICANT
    assert not AuditEntry.objects.exists()


def test_staff_cannot_decide_on_their_own_organizations_application(application, applicant_organization):
    # given a staff member who is affiliated with the applicant (even as a plain member)
    affiliated_staff = StaffFactory()
    AffiliationFactory(person=affiliated_staff, organization=applicant_organization)

    # when / then
    with pytest.raises(NotPermitted, match="your own organization"):
        services.application_approve(actor=affiliated_staff, application=application)
    with pytest.raises(NotPermitted, match="your own organization"):
        services.application_reject(actor=affiliated_staff, application=application, reason="Conflict")

    application.refresh_from_db()
    applicant_organization.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert applicant_organization.status == Organization.Status.APPLICANT


def test_a_decided_application_cannot_be_decided_again(application, staff):
    # given
    services.application_approve(actor=staff, application=application)

    # when / then
    with pytest.raises(DomainError, match="approved cannot be approved"):
        services.application_approve(actor=staff, application=application)
    with pytest.raises(DomainError, match="approved cannot be rejected"):
        services.application_reject(actor=staff, application=application, reason="Changed our mind")
    with pytest.raises(DomainError, match="approved cannot be withdrawn"):
        services.application_withdraw(actor=application.submitted_by, application=application)

    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.APPROVED
    assert len(audit_entries("application.approved")) == 1


def test_a_stale_copy_cannot_decide_twice(application, staff):
    # given two staff pages opened on the same application
    first, second = (MembershipApplication.objects.get(pk=application.pk) for _ in range(2))

    # when both decide
    services.application_reject(actor=staff, application=first, reason="No")

    # then the second decision reads the stored state, not its stale copy
    with pytest.raises(DomainError, match="rejected cannot be approved"):
        services.application_approve(actor=staff, application=second)
    application.organization.refresh_from_db()
    assert application.organization.status == Organization.Status.APPLICANT


def test_an_application_waiting_for_the_applicant_cannot_be_decided_or_resubmitted_twice(
    application, applicant_admin, staff
):
    services.application_request_changes(actor=staff, application=application, reason="More detail")

    with pytest.raises(DomainError, match="changes requested cannot be approved"):
        services.application_approve(actor=staff, application=application)

    services.application_resubmit(actor=applicant_admin, application=application)
    with pytest.raises(DomainError, match="resubmitted cannot be resubmitted"):
        services.application_resubmit(actor=applicant_admin, application=application)


def test_a_resubmitted_application_can_be_rejected(application, applicant_admin, staff):
    services.application_request_changes(actor=staff, application=application, reason="More detail")
    services.application_resubmit(actor=applicant_admin, application=application)

    services.application_reject(actor=staff, application=application, reason="Still out of scope")

    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.REJECTED


def test_a_rolled_back_decision_notifies_no_one(application, staff, django_capture_on_commit_callbacks):
    # when the approval's transaction fails after the service ran
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.application_approve(actor=staff, application=application)
        raise RuntimeError("the request failed later")

    # then nothing happened
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert not Notification.objects.exists()
    assert not AuditEntry.objects.exists()
    assert mail.outbox == []


# --- people and roles --------------------------------------------------------------------------------------------


def test_an_admin_promotes_a_member(organization, org_admin, org_member):
    affiliation = Affiliation.objects.get(person=org_member, organization=organization)

    services.affiliation_change_role(actor=org_admin, affiliation=affiliation, role="admin")

    affiliation.refresh_from_db()
    assert affiliation.role == Affiliation.Role.ADMIN
    entry = the_audit_entry("affiliation.role_changed", affiliation)
    assert (entry.actor, entry.changes) == (org_admin, {"role": ["member", "admin"]})


def test_the_last_admin_cannot_be_demoted(organization, org_admin):
    affiliation = Affiliation.objects.get(person=org_admin, organization=organization)

    with pytest.raises(DomainError, match="at least one admin"):
        services.affiliation_change_role(actor=org_admin, affiliation=affiliation, role="member")

    affiliation.refresh_from_db()
    assert affiliation.role == Affiliation.Role.ADMIN
    assert audit_entries("affiliation.role_changed") == []


def test_with_two_admins_one_can_step_down(organization, org_admin):
    # given
    AdminAffiliationFactory(organization=organization)
    affiliation = Affiliation.objects.get(person=org_admin, organization=organization)

    # when
    services.affiliation_change_role(actor=org_admin, affiliation=affiliation, role="member")

    # then
    affiliation.refresh_from_db()
    assert affiliation.role == Affiliation.Role.MEMBER
    assert organization.affiliations.filter(role="admin").count() == 1


def test_change_role_refusals(organization, org_admin, org_member, other_admin):
    member_affiliation = Affiliation.objects.get(person=org_member, organization=organization)
    admin_affiliation = Affiliation.objects.get(person=org_admin, organization=organization)

    with pytest.raises(NotPermitted):
        services.affiliation_change_role(actor=org_member, affiliation=member_affiliation, role="admin")
    with pytest.raises(NotPermitted):
        services.affiliation_change_role(actor=other_admin, affiliation=admin_affiliation, role="member")
    with pytest.raises(DomainError, match="admin or member"):
        services.affiliation_change_role(actor=org_admin, affiliation=member_affiliation, role="owner")

    member_affiliation.refresh_from_db()
    assert member_affiliation.role == Affiliation.Role.MEMBER


def test_the_last_admin_cannot_be_removed_or_leave(organization, org_admin, staff):
    affiliation = Affiliation.objects.get(person=org_admin, organization=organization)

    with pytest.raises(DomainError, match="at least one admin"):
        services.affiliation_remove(actor=org_admin, affiliation=affiliation)
    with pytest.raises(DomainError, match="at least one admin"):
        services.affiliation_remove(actor=staff, affiliation=affiliation)

    assert Affiliation.objects.filter(pk=affiliation.pk).exists()


def test_with_two_admins_one_can_be_removed(organization, org_admin):
    # given
    second = AdminAffiliationFactory(organization=organization)

    # when
    services.affiliation_remove(actor=org_admin, affiliation=second)

    # then
    assert not Affiliation.objects.filter(pk=second.pk).exists()
    entry = the_audit_entry("affiliation.removed", organization)
    assert entry.changes == {"person": [second.person.email, None]}


def test_a_member_can_leave(organization, org_member):
    affiliation = Affiliation.objects.get(person=org_member, organization=organization)

    services.affiliation_remove(actor=org_member, affiliation=affiliation)

    assert not Affiliation.objects.filter(pk=affiliation.pk).exists()
    assert the_audit_entry("affiliation.removed", organization).actor == org_member


def test_a_member_cannot_remove_someone_else(organization, org_admin, org_member):
    admin_affiliation = Affiliation.objects.get(person=org_admin, organization=organization)
    AdminAffiliationFactory(organization=organization)

    with pytest.raises(NotPermitted):
        services.affiliation_remove(actor=org_member, affiliation=admin_affiliation)

    assert Affiliation.objects.filter(pk=admin_affiliation.pk).exists()


def test_a_person_chooses_how_they_are_listed(organization, org_member, org_admin):
    affiliation = Affiliation.objects.get(person=org_member, organization=organization)

    with pytest.raises(NotPermitted):
        services.affiliation_update_profile(actor=org_admin, affiliation=affiliation, listed=False)
    services.affiliation_update_profile(actor=org_member, affiliation=affiliation, listed=False, title=" Engineer ")

    affiliation.refresh_from_db()
    assert (affiliation.listed, affiliation.title) == (False, "Engineer")
    assert the_audit_entry("affiliation.updated", affiliation).changes == {
        "listed": [True, False],
        "title": ["", "Engineer"],
    }


def _demote_each_other_at_once(organization, first, second) -> dict[str, str]:
    """Two admins demote each other in two threads, each with its own database connection."""
    first_affiliation = Affiliation.objects.get(organization=organization, person=first)
    second_affiliation = Affiliation.objects.get(organization=organization, person=second)
    outcomes: dict[str, str] = {}

    def demote(name, actor, affiliation):
        try:
            services.affiliation_change_role(actor=actor, affiliation=affiliation, role="member")
            outcomes[name] = "demoted"
        except DomainError as error:
            outcomes[name] = error.message
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=("first", first, second_affiliation)),
        threading.Thread(target=demote, args=("second", second, first_affiliation)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a demotion never finished"
    return outcomes


def _both_threads_reach(function, barrier: threading.Barrier, *, when=lambda *args, **kwargs: True):
    def waiting(*args, **kwargs):
        if when(*args, **kwargs):
            barrier.wait()
        return function(*args, **kwargs)

    return waiting


@pytest.mark.django_db(transaction=True)
def test_the_race_is_real_without_the_lock(monkeypatch):
    """Proves the next test can fail: counting the admins without locking lets both demotions through."""
    # given an organization with exactly two admins, and a count of admins that takes no lock
    organization = OrganizationFactory()
    first, second = (AdminAffiliationFactory(organization=organization).person for _ in range(2))
    monkeypatch.setattr(
        affiliations,
        "lock_and_count_admins",
        lambda organization_id: Affiliation.objects.filter(organization_id=organization_id, role="admin").count(),
    )
    # both transactions have changed their row before either commits
    monkeypatch.setattr(
        affiliations,
        "audit_record",
        _both_threads_reach(
            affiliations.audit_record,
            threading.Barrier(2, timeout=10),
            when=lambda **kwargs: kwargs["action"] == "affiliation.role_changed",
        ),
    )

    # when they demote each other at the same moment
    outcomes = _demote_each_other_at_once(organization, first, second)

    # then both succeed and the organization is left without an admin
    assert outcomes == {"first": "demoted", "second": "demoted"}
    assert organization.affiliations.filter(role="admin").count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(monkeypatch):
    # given an organization with exactly two admins who both pass the permission check before either locks
    organization = OrganizationFactory()
    first, second = (AdminAffiliationFactory(organization=organization).person for _ in range(2))
    monkeypatch.setattr(
        affiliations,
        "lock_and_count_admins",
        _both_threads_reach(affiliations.lock_and_count_admins, threading.Barrier(2, timeout=10)),
    )

    # when they demote each other at the same moment
    outcomes = _demote_each_other_at_once(organization, first, second)

    # then exactly one succeeds and the organization keeps one admin
    assert sorted(outcomes) == ["first", "second"]
    assert list(outcomes.values()).count("demoted") == 1
    assert organization.affiliations.filter(role="admin").count() == 1
    assert AuditEntry.objects.filter(action="affiliation.role_changed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_admin_demoted_meanwhile_cannot_demote_another_admin(monkeypatch):
    """With three admins the count allows both demotions; the permission is checked again under the lock."""
    # given
    organization = OrganizationFactory()
    first, second, _third = (AdminAffiliationFactory(organization=organization).person for _ in range(3))
    monkeypatch.setattr(
        affiliations,
        "lock_and_count_admins",
        _both_threads_reach(affiliations.lock_and_count_admins, threading.Barrier(2, timeout=10)),
    )

    # when the first two demote each other at the same moment
    outcomes = _demote_each_other_at_once(organization, first, second)

    # then only the one who locked first succeeds: the other is no longer an admin
    assert list(outcomes.values()).count("demoted") == 1
    assert any("Only an admin" in outcome for outcome in outcomes.values())
    assert organization.affiliations.filter(role="admin").count() == 2


# --- invitations -------------------------------------------------------------------------------------------------


@pytest.fixture
def invited(organization, org_admin, django_capture_on_commit_callbacks):
    """An invitation to new@example.net, and the token read from its email."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=org_admin, organization=organization, email=" New@Example.net ", role="member"
        )
    token = invitation_token(the_email_to("new@example.net"))
    mail.outbox.clear()
    return invitation, token


def test_invitation_create_emails_a_link_and_keeps_only_a_hash(organization, org_admin, invited):
    invitation, token = invited

    invitation.refresh_from_db()
    assert invitation.email == "new@example.net"
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in Invitation.objects.values_list().get()}
    assert timedelta(days=13, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=14)
    assert services.invitation_for_token(token) == invitation
    entry = the_audit_entry("invitation.created", invitation)
    assert (entry.actor, entry.changes) == (org_admin, {"role": [None, "member"]})
    notification = Notification.objects.get(kind=Notification.Kind.INVITATION)
    assert (notification.email, notification.status) == ("new@example.net", Notification.Status.SENT)
    assert organization.name in notification.subject


def test_invitation_create_refusals(organization, org_admin, org_member, invited):
    with pytest.raises(NotPermitted):
        services.invitation_create(actor=org_member, organization=organization, email="x@example.net", role="member")
    with pytest.raises(DomainError, match="pending invitation"):
        services.invitation_create(actor=org_admin, organization=organization, email="NEW@example.net", role="admin")
    with pytest.raises(DomainError, match="already belongs"):
        services.invitation_create(actor=org_admin, organization=organization, email=org_member.email, role="admin")
    with pytest.raises(DomainError, match="admin or member"):
        services.invitation_create(actor=org_admin, organization=organization, email="y@example.net", role="owner")
    with pytest.raises(DomainError) as error:
        services.invitation_create(actor=org_admin, organization=organization, email="not-an-address", role="member")
    assert error.value.field == "email"

    assert Invitation.objects.count() == 1


def test_a_suspended_organization_cannot_invite(organization, org_admin, staff):
    suspended = services.organization_change_status(actor=staff, organization=organization, status="suspended")

    with pytest.raises(DomainError, match="suspended"):
        services.invitation_create(actor=org_admin, organization=suspended, email="x@example.net", role="member")


def test_invitation_accepted_with_the_invited_address(
    organization, org_admin, invited, django_capture_on_commit_callbacks
):
    # given
    invitation, token = invited
    newcomer = UserFactory(email="new@example.net")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        affiliation = services.invitation_accept(actor=newcomer, token=token)

    # then
    assert (affiliation.person, affiliation.organization, affiliation.role) == (newcomer, organization, "member")
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by) == (Invitation.Status.ACCEPTED, newcomer)
    assert the_audit_entry("invitation.accepted", invitation).actor == newcomer
    assert the_audit_entry("affiliation.created", affiliation).changes == {"role": [None, "member"]}
    assert "joined" in the_email_to(org_admin.email).subject


def test_invitation_refused_with_another_address(invited, person):
    invitation, token = invited

    with pytest.raises(NotPermitted, match=r"new@example\.net"):
        services.invitation_accept(actor=person, token=token)
    with pytest.raises(NotPermitted, match="Sign in"):
        services.invitation_accept(actor=AnonymousUser(), token=token)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert not Affiliation.objects.filter(person=person).exists()


def test_an_unknown_token_is_refused(invited):
    with pytest.raises(DomainError, match="not valid"):
        services.invitation_accept(actor=UserFactory(email="new@example.net"), token="made-up-token")


def test_an_invitation_is_single_use(invited):
    _invitation, token = invited
    newcomer = UserFactory(email="new@example.net")
    services.invitation_accept(actor=newcomer, token=token)

    with pytest.raises(DomainError, match="already accepted"):
        services.invitation_accept(actor=newcomer, token=token)

    assert Affiliation.objects.filter(person=newcomer).count() == 1
    assert len(audit_entries("invitation.accepted")) == 1


def test_an_expired_invitation_is_refused(invited, monkeypatch):
    # given the clock is fifteen days later
    invitation, token = invited
    newcomer = UserFactory(email="new@example.net")
    later = timezone.now() + timedelta(days=15)
    monkeypatch.setattr(timezone, "now", lambda: later)

    # when / then
    with pytest.raises(DomainError, match="expired"):
        services.invitation_accept(actor=newcomer, token=token)
    invitation.refresh_from_db()
    assert invitation.is_expired
    assert invitation.display_status == "Expired"
    assert not Affiliation.objects.filter(person=newcomer).exists()


def test_an_invitation_still_works_the_day_before_it_expires(organization, invited, monkeypatch):
    _invitation, token = invited
    later = timezone.now() + timedelta(days=13)
    monkeypatch.setattr(timezone, "now", lambda: later)

    affiliation = services.invitation_accept(actor=UserFactory(email="new@example.net"), token=token)

    assert affiliation.organization == organization


def test_resend_replaces_the_link_and_restarts_the_expiry(
    organization, org_admin, invited, django_capture_on_commit_callbacks
):
    # given an invitation that expired
    invitation, old_token = invited
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    invitation.refresh_from_db()

    # when the admin resends it
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(actor=org_admin, invitation=invitation)

    # then a new link is emailed, the old one stops working and the expiry starts again
    new_token = invitation_token(the_email_to("new@example.net"))
    assert new_token != old_token
    invitation.refresh_from_db()
    assert invitation.expires_at - timezone.now() > timedelta(days=13)
    assert the_audit_entry("invitation.resent", invitation).actor == org_admin
    newcomer = UserFactory(email="new@example.net")
    with pytest.raises(DomainError, match="not valid"):
        services.invitation_accept(actor=newcomer, token=old_token)
    assert services.invitation_accept(actor=newcomer, token=new_token).organization == organization


def test_resend_and_revoke_need_an_admin_and_a_pending_invitation(org_member, org_admin, invited):
    invitation, _ = invited

    with pytest.raises(NotPermitted):
        services.invitation_resend(actor=org_member, invitation=invitation)
    with pytest.raises(NotPermitted):
        services.invitation_revoke(actor=org_member, invitation=invitation)
    services.invitation_revoke(actor=org_admin, invitation=invitation)
    with pytest.raises(DomainError, match="already revoked"):
        services.invitation_resend(actor=org_admin, invitation=invitation)
    with pytest.raises(DomainError, match="already revoked"):
        services.invitation_revoke(actor=org_admin, invitation=invitation)


def test_a_revoked_invitation_cannot_be_accepted(org_admin, invited):
    # given
    invitation, token = invited

    # when
    services.invitation_revoke(actor=org_admin, invitation=invitation)

    # then
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert the_audit_entry("invitation.revoked", invitation).changes == {"status": ["pending", "revoked"]}
    newcomer = UserFactory(email="new@example.net")
    with pytest.raises(DomainError, match="already revoked"):
        services.invitation_accept(actor=newcomer, token=token)
    assert not Affiliation.objects.filter(person=newcomer).exists()


def test_after_a_revocation_the_address_can_be_invited_again(organization, org_admin, invited):
    invitation, _ = invited
    services.invitation_revoke(actor=org_admin, invitation=invitation)

    again = services.invitation_create(
        actor=org_admin, organization=organization, email="new@example.net", role="admin"
    )

    assert again.status == Invitation.Status.PENDING


# --- verified domains and join requests --------------------------------------------------------------------------


def test_an_admin_adds_the_domain_of_their_verified_address(organization, org_admin):
    domain = services.domain_add(actor=org_admin, organization=organization, domain=" @Example.ORG ")

    assert (domain.domain, domain.organization, domain.added_by) == ("example.org", organization, org_admin)
    assert the_audit_entry("domain.added", organization).changes == {"domain": [None, "example.org"]}


def test_an_admin_cannot_add_a_domain_they_hold_no_verified_address_on(organization):
    # given an admin whose only address on their domain is not verified
    admin = AdminAffiliationFactory(organization=organization, person=UserFactory(verified=False)).person
    assert not EmailAddress.objects.filter(user=admin, verified=True).exists()

    with pytest.raises(DomainError, match="verified"):
        services.domain_add(actor=admin, organization=organization, domain="example.org")
    with pytest.raises(DomainError, match="verified"):
        services.domain_add(actor=admin, organization=organization, domain="alliance.example")

    assert not OrganizationDomain.objects.exists()


def test_staff_add_any_domain_and_a_domain_belongs_to_one_organization(organization, staff, other_admin):
    services.domain_add(actor=staff, organization=organization, domain="university.example")
    other = other_admin.affiliations.get().organization

    with pytest.raises(DomainError, match="already registered"):
        services.domain_add(actor=staff, organization=other, domain="University.example")

    assert OrganizationDomain.objects.get().organization == organization


def test_domain_add_refusals(organization, org_admin, org_member):
    with pytest.raises(NotPermitted):
        services.domain_add(actor=org_member, organization=organization, domain="example.org")
    with pytest.raises(DomainError, match=r"such as example\.org"):
        services.domain_add(actor=org_admin, organization=organization, domain="localhost")

    assert not OrganizationDomain.objects.exists()


def test_domain_remove(organization, org_admin, org_member):
    domain = services.domain_add(actor=org_admin, organization=organization, domain="example.org")

    with pytest.raises(NotPermitted):
        services.domain_remove(actor=org_member, domain=domain)
    services.domain_remove(actor=org_admin, domain=domain)

    assert not OrganizationDomain.objects.exists()
    assert the_audit_entry("domain.removed", organization).changes == {"domain": ["example.org", None]}


@pytest.fixture
def domain_organization(organization, staff):
    services.domain_add(actor=staff, organization=organization, domain="aurora.example")
    return organization


@pytest.fixture
def colleague():
    return UserFactory(email="colleague@aurora.example")


def test_a_person_on_the_domain_asks_to_join_and_the_admins_are_told(
    domain_organization, org_admin, colleague, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        join_request = services.join_request_create(actor=colleague, organization=domain_organization, message=" Hi ")

    assert (join_request.status, join_request.message) == (JoinRequest.Status.PENDING, "Hi")
    assert the_audit_entry("join_request.created", join_request).actor == colleague
    message = the_email_to(org_admin.email)
    assert "asks to join" in message.subject
    assert "Hi" in message.body


def test_join_request_refused_without_a_verified_address_on_the_domain(domain_organization, person):
    unverified = UserFactory(email="unverified@aurora.example", verified=False)

    with pytest.raises(DomainError, match="registered domains"):
        services.join_request_create(actor=person, organization=domain_organization)
    with pytest.raises(DomainError, match="registered domains"):
        services.join_request_create(actor=unverified, organization=domain_organization)
    with pytest.raises(NotPermitted):
        services.join_request_create(actor=AnonymousUser(), organization=domain_organization)

    assert not JoinRequest.objects.exists()


def test_a_second_address_on_the_domain_is_enough(domain_organization, person):
    EmailAddress.objects.create(user=person, email="person@aurora.example", verified=True, primary=False)

    join_request = services.join_request_create(actor=person, organization=domain_organization)

    assert join_request.person == person


def test_duplicate_join_requests_and_members_are_refused(domain_organization, colleague):
    services.join_request_create(actor=colleague, organization=domain_organization)
    with pytest.raises(DomainError, match="already asked"):
        services.join_request_create(actor=colleague, organization=domain_organization)

    member = AffiliationFactory(organization=domain_organization, person=UserFactory(email="m@aurora.example")).person
    with pytest.raises(DomainError, match="already belong"):
        services.join_request_create(actor=member, organization=domain_organization)

    assert JoinRequest.objects.count() == 1


def test_approving_a_join_request_creates_the_affiliation(
    domain_organization, org_admin, colleague, django_capture_on_commit_callbacks
):
    join_request = services.join_request_create(actor=colleague, organization=domain_organization)

    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_approve(actor=org_admin, join_request=join_request)

    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == (JoinRequest.Status.APPROVED, org_admin)
    affiliation = Affiliation.objects.get(person=colleague, organization=domain_organization)
    assert affiliation.role == Affiliation.Role.MEMBER
    assert the_audit_entry("join_request.approved", join_request).changes == {"status": ["pending", "approved"]}
    assert the_audit_entry("affiliation.created", affiliation).actor == org_admin
    assert the_email_to(colleague.email).subject.endswith(f"You are now part of {domain_organization}")


def test_declining_a_join_request(domain_organization, org_admin, colleague, django_capture_on_commit_callbacks):
    join_request = services.join_request_create(actor=colleague, organization=domain_organization)

    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decline(actor=org_admin, join_request=join_request)

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED
    assert not Affiliation.objects.filter(person=colleague).exists()
    assert the_audit_entry("join_request.declined", join_request).actor == org_admin
    assert "was declined" in the_email_to(colleague.email).subject


def test_a_join_request_is_decided_once_and_by_an_admin(domain_organization, org_admin, org_member, colleague):
    join_request = services.join_request_create(actor=colleague, organization=domain_organization)

    with pytest.raises(NotPermitted):
        services.join_request_approve(actor=org_member, join_request=join_request)
    with pytest.raises(NotPermitted):
        services.join_request_approve(actor=colleague, join_request=join_request)
    services.join_request_decline(actor=org_admin, join_request=join_request)
    with pytest.raises(DomainError, match="already declined"):
        services.join_request_approve(actor=org_admin, join_request=join_request)

    assert not Affiliation.objects.filter(person=colleague).exists()


def test_after_a_decline_the_person_may_ask_again(domain_organization, org_admin, colleague):
    first = services.join_request_create(actor=colleague, organization=domain_organization)
    services.join_request_decline(actor=org_admin, join_request=first)

    second = services.join_request_create(actor=colleague, organization=domain_organization)

    assert second.status == JoinRequest.Status.PENDING


# --- personal API tokens -----------------------------------------------------------------------------------------


def test_api_token_key_is_returned_once_and_only_its_hash_is_stored(person):
    # when
    token, key = services.api_token_create(actor=person, name=" laptop ", expires_in_days=30)

    # then
    token.refresh_from_db()
    assert key.startswith("ap_") and len(key) > 40
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {str(value) for value in ApiToken.objects.values_list().get()}
    assert (token.name, token.prefix) == ("laptop", key[:10])
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert the_audit_entry("api_token.created", token).actor == person
    assert services.api_token_authenticate(key) == token
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_api_token_create_refusals(person):
    with pytest.raises(DomainError, match="name"):
        services.api_token_create(actor=person, name="  ")
    with pytest.raises(DomainError, match="between"):
        services.api_token_create(actor=person, name="forever", expires_in_days=0)

    assert not ApiToken.objects.exists()


def test_a_revoked_token_no_longer_authenticates(person, other_admin):
    token, key = services.api_token_create(actor=person, name="ci")

    with pytest.raises(NotPermitted):
        services.api_token_revoke(actor=other_admin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    assert services.api_token_authenticate(key) == token

    services.api_token_revoke(actor=person, token=token)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.api_token_authenticate(key) is None
    assert the_audit_entry("api_token.revoked", token).actor == person


def test_staff_revoke_a_leaked_token(person, staff):
    token, key = services.api_token_create(actor=person, name="leaked")

    services.api_token_revoke(actor=staff, token=token)

    assert services.api_token_authenticate(key) is None
    assert the_audit_entry("api_token.revoked", token).actor == staff


def test_an_expired_token_no_longer_authenticates(person, monkeypatch):
    token, key = services.api_token_create(actor=person, name="short", expires_in_days=1)
    assert services.api_token_authenticate(key) == token

    later = timezone.now() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert services.api_token_authenticate(key) is None


def test_a_deactivated_persons_token_and_a_made_up_key_do_not_authenticate(person):
    _, key = services.api_token_create(actor=person, name="old")
    person.is_active = False
    person.save(update_fields=["is_active"])

    assert services.api_token_authenticate(key) is None
    assert services.api_token_authenticate("ap_made-up") is None


def test_a_person_sets_their_own_name_and_no_one_else_can(person, staff):
    services.person_update_profile(actor=person, person=person, name="  Grace   Hopper ")

    with pytest.raises(NotPermitted):
        services.person_update_profile(actor=staff, person=person, name="Someone Else")
    with pytest.raises(DomainError) as error:
        services.person_update_profile(actor=person, person=person, name=" ")

    person.refresh_from_db()
    assert person.name == "Grace Hopper"
    assert error.value.field == "name"
    entry = AuditEntry.objects.get(action="person.renamed")
    assert entry.changes["name"][1] == "Grace Hopper"
