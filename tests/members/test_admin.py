"""The admin changes nothing on its own: its actions call the services, with the signed-in staff as actor."""

import pytest
from django.urls import reverse

from alliance.models import AuditEntry, Notification
from members.models import ApiToken, Invitation, MembershipApplication, Organization, OrganizationDomain, User

from .factories import AdminAffiliationFactory, AffiliationFactory, ApplicationFactory, StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:members_membershipapplication_changelist"


@pytest.fixture
def superuser_staff():
    return StaffFactory(is_superuser=True)


@pytest.fixture
def admin_client(client, superuser_staff):
    client.force_login(superuser_staff)
    return client


@pytest.fixture
def application(applicant_organization):
    admin = AdminAffiliationFactory(organization=applicant_organization).person
    return ApplicationFactory(organization=applicant_organization, submitted_by=admin)


def run_action(client, changelist: str, action: str, *objects, **extra) -> list[str]:
    response = client.post(
        reverse(changelist),
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0, **extra},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_the_approve_action_calls_the_service(
    admin_client, superuser_staff, application, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        messages = run_action(admin_client, CHANGELIST, "approve", application)

    # then
    application.refresh_from_db()
    application.organization.refresh_from_db()
    assert messages == ["Approved: 1."]
    assert (application.status, application.decided_by) == (MembershipApplication.Status.APPROVED, superuser_staff)
    assert application.organization.status == Organization.Status.ACTIVE
    assert AuditEntry.objects.get(action="application.approved").actor == superuser_staff
    assert Notification.objects.filter(subject__startswith="Welcome to the alliance").count() == 1


def test_staff_affiliated_with_the_applicant_get_the_services_refusal(client, application):
    # given a staff superuser who is a member of the applicant organization
    affiliated = StaffFactory(is_superuser=True)
    AffiliationFactory(person=affiliated, organization=application.organization)
    client.force_login(affiliated)

    # when
    messages = run_action(client, CHANGELIST, "approve", application)

    # then
    assert messages == [f"{application}: You cannot decide on an application of your own organization."]
    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert not AuditEntry.objects.exists()


def test_reject_and_request_changes_take_the_reason_from_the_action_form(admin_client, application):
    messages = run_action(admin_client, CHANGELIST, "reject", application, reason="  ")
    assert messages == [f"{application}: Give a reason: the applicant will read it."]

    messages = run_action(admin_client, CHANGELIST, "request_changes", application, reason="Name your projects.")
    assert messages == ["Sent back for changes: 1."]
    application.refresh_from_db()
    assert (application.status, application.reason) == ("changes_requested", "Name your projects.")


def test_an_application_cannot_be_edited_added_or_deleted_in_the_admin(admin_client, application):
    # when staff post a change of status on the change form
    url = reverse("admin:members_membershipapplication_change", args=[application.pk])
    page = admin_client.get(url)
    admin_client.post(url, {"status": "approved", "reason": "sneaky"})

    # then nothing changed: every field is read-only
    assert page.status_code == 200
    assert b'name="status"' not in page.content
    application.refresh_from_db()
    assert (application.status, application.reason) == ("submitted", "")
    assert admin_client.get(reverse("admin:members_membershipapplication_add")).status_code == 403
    assert (
        admin_client.get(reverse("admin:members_membershipapplication_delete", args=[application.pk])).status_code
        == 403
    )


def test_editing_an_organization_goes_through_the_service(admin_client, superuser_staff, organization):
    url = reverse("admin:members_organization_change", args=[organization.pk])
    assert b'name="status"' not in admin_client.get(url).content

    response = admin_client.post(
        url,
        {
            "name": organization.name,
            "kind": organization.kind,
            "country": "NL",
            "website": organization.website,
            "description": "Edited by the secretariat.",
            "status": "suspended",
            "affiliations-TOTAL_FORMS": 0,
            "affiliations-INITIAL_FORMS": 0,
            "domains-TOTAL_FORMS": 0,
            "domains-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    organization.refresh_from_db()
    assert (organization.country, organization.description) == ("NL", "Edited by the secretariat.")
    assert organization.status == Organization.Status.ACTIVE
    entry = AuditEntry.objects.get(action="organization.updated")
    assert entry.actor == superuser_staff
    assert entry.changes == {
        "country": ["DE", "NL"],
        "description": ["Works on open AI.", "Edited by the secretariat."],
    }


def test_the_suspend_action_calls_the_service(admin_client, organization, org_admin):
    messages = run_action(admin_client, "admin:members_organization_changelist", "suspend", organization)

    assert messages == ["Suspended: 1."]
    organization.refresh_from_db()
    assert organization.status == Organization.Status.SUSPENDED
    assert Notification.objects.get().email == org_admin.email


def test_revoking_invitations_and_tokens_from_the_admin(admin_client, organization, org_admin, person):
    from members import services

    invitation = services.invitation_create(
        actor=org_admin, organization=organization, email="x@example.net", role="member"
    )
    token, key = services.api_token_create(actor=person, name="leaked")

    assert run_action(admin_client, "admin:members_invitation_changelist", "revoke", invitation) == ["Revoked: 1."]
    assert run_action(admin_client, "admin:members_apitoken_changelist", "revoke", token) == ["Revoked: 1."]

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert services.api_token_authenticate(key) is None
    assert ApiToken.objects.get().revoked_at is not None


def test_adding_a_domain_in_the_admin_goes_through_the_service(
    admin_client, superuser_staff, organization, other_admin
):
    url = reverse("admin:members_organizationdomain_add")

    response = admin_client.post(url, {"organization": organization.pk, "domain": " @Aurora.Example "})
    duplicate = admin_client.post(
        url, {"organization": other_admin.affiliations.get().organization_id, "domain": "aurora.example"}
    )

    assert response.status_code == 302
    assert duplicate.status_code == 200
    assert "already registered" in duplicate.content.decode()
    domain = OrganizationDomain.objects.get()
    assert (domain.domain, domain.organization, domain.added_by) == ("aurora.example", organization, superuser_staff)
    assert AuditEntry.objects.get(action="domain.added").actor == superuser_staff


def test_audit_entries_and_notifications_are_read_only(admin_client, organization, org_admin, staff):
    from members import services

    services.organization_change_status(actor=staff, organization=organization, status="lapsed")
    entry, notification = AuditEntry.objects.get(), Notification.objects.get()

    assert admin_client.get(reverse("admin:alliance_auditentry_changelist")).status_code == 200
    assert (
        admin_client.get(reverse("admin:alliance_notification_changelist") + "?status__exact=pending").status_code
        == 200
    )
    assert admin_client.get(reverse("admin:alliance_auditentry_add")).status_code == 403
    assert admin_client.get(reverse("admin:alliance_auditentry_delete", args=[entry.pk])).status_code == 403
    assert admin_client.get(reverse("admin:alliance_notification_delete", args=[notification.pk])).status_code == 403
    admin_client.post(reverse("admin:alliance_auditentry_change", args=[entry.pk]), {"action": "forged"})
    entry.refresh_from_db()
    assert entry.action == "organization.status_changed"


def test_staff_create_a_person_with_an_email_login(admin_client):
    response = admin_client.post(
        reverse("admin:members_user_add"),
        {
            "email": "New.Person@Example.org",
            "name": "New Person",
            "usable_password": "true",
            "password1": "a-long-passphrase-1",
            "password2": "a-long-passphrase-1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.person@example.org")
    assert user.check_password("a-long-passphrase-1")
    assert admin_client.get(reverse("admin:members_user_change", args=[user.pk])).status_code == 200
    assert admin_client.get(reverse("admin:members_user_changelist") + "?q=new.person").status_code == 200


def test_a_person_cannot_be_deleted_in_the_admin_only_deactivated(admin_client, organization, org_admin):
    """Deleting a person would cascade past the services: the organization's last admin, a project's last lead
    and an event seat (its confirmed count never given back) would go without any rule or audit entry."""
    # when staff open the delete page of the organization's only admin, confirm it, or use the bulk delete action
    url = reverse("admin:members_user_delete", args=[org_admin.pk])
    page = admin_client.get(url)
    admin_client.post(url, {"post": "yes"})
    changelist = admin_client.get(reverse("admin:members_user_changelist"))
    admin_client.post(
        reverse("admin:members_user_changelist"),
        {"action": "delete_selected", "_selected_action": [org_admin.pk], "post": "yes"},
    )

    # then the person and their role are still there; the admin offers no way to delete them
    assert page.status_code == 403
    assert b"delete_selected" not in changelist.content
    assert User.objects.filter(pk=org_admin.pk).exists()
    assert organization.affiliations.filter(person=org_admin, role="admin").exists()
