"""The members pages: they render, act only through the services, refuse what a person may not do, and keep
a fixed number of queries on the public lists."""

import hashlib
import io
import os
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from alliance.models import AuditEntry
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

from .factories import (
    AdminAffiliationFactory,
    AffiliationFactory,
    ApplicantOrganizationFactory,
    ApplicationFactory,
    OrganizationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def png_bytes(size: int = 32, *, noisy: bool = False) -> bytes:
    """A real PNG; a noisy one does not compress, so its size grows with its dimensions."""
    buffer = io.BytesIO()
    if noisy:
        image = Image.frombytes("RGB", (size, size), os.urandom(size * size * 3))
    else:
        image = Image.new("RGB", (size, size), (30, 64, 175))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def register_data(**overrides):
    return {
        "name": "Open Health Lab",
        "kind": Organization.Kind.HEALTHCARE,
        "country": "NL",
        "website": "https://openhealth.example",
        "description": "Hospitals evaluating clinical AI in the open.",
        **overrides,
    }


def invitation_with_token(
    organization, invited_by, *, email="colleague@example.org", **fields
) -> tuple[Invitation, str]:
    token = f"token-{email}-{fields.get('status', 'pending')}"
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=fields.pop("role", Affiliation.Role.MEMBER),
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        invited_by=invited_by,
        expires_at=fields.pop("expires_at", timezone.now() + timedelta(days=14)),
        **fields,
    )
    return invitation, token


# --- home and directory -----------------------------------------------------------------------------------


def test_home_counts_active_members_by_kind_and_invites_to_apply(client):
    OrganizationFactory.create_batch(2, kind=Organization.Kind.UNIVERSITY)
    OrganizationFactory(kind=Organization.Kind.COMPANY)
    ApplicantOrganizationFactory(kind=Organization.Kind.UNIVERSITY)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "3 member organizations" in page
    assert "<strong>2</strong> <span>University</span>" in page
    assert reverse("members:organization_register") in page


def test_directory_lists_only_active_organizations(client):
    OrganizationFactory(name="Visible Institute")
    ApplicantOrganizationFactory(name="Hidden Applicant")
    OrganizationFactory(name="Suspended Corp", status=Organization.Status.SUSPENDED)

    response = client.get(reverse("members:directory"))

    page = response.content.decode()
    assert "Visible Institute" in page
    assert "Hidden Applicant" not in page
    assert "Suspended Corp" not in page


def test_directory_search_and_filters_narrow_the_list(client):
    OrganizationFactory(name="Delft Robotics", kind=Organization.Kind.UNIVERSITY, country="NL")
    OrganizationFactory(name="Berlin Robotics", kind=Organization.Kind.COMPANY, country="DE")
    OrganizationFactory(name="Lyon Health", kind=Organization.Kind.HEALTHCARE, country="FR", tier="founding")

    by_search = client.get(reverse("members:directory"), {"q": "robotics"}).content.decode()
    by_filters = client.get(reverse("members:directory"), {"kind": "university", "country": "NL"}).content.decode()
    by_tier = client.get(reverse("members:directory"), {"tier": "founding"}).content.decode()

    assert "Delft Robotics" in by_search and "Berlin Robotics" in by_search and "Lyon Health" not in by_search
    assert "Delft Robotics" in by_filters and "Berlin Robotics" not in by_filters
    assert "Lyon Health" in by_tier and "Delft Robotics" not in by_tier


def test_directory_ignores_an_unknown_filter_value_instead_of_failing(client):
    OrganizationFactory(name="Delft Robotics")

    response = client.get(reverse("members:directory"), {"country": "XX", "kind": "spaceship"})

    assert response.status_code == 200
    assert "Delft Robotics" in response.content.decode()


def test_directory_tier_filter_offers_the_tiers_staff_manage_and_filters_on_a_new_one(client, staff):
    # given staff add a tier and a member joins at it
    services.tier_create(actor=staff, code="supporting", name="Supporting member")
    OrganizationFactory(name="Patron Foundation", tier="supporting")
    OrganizationFactory(name="Delft Robotics", tier="general")

    # when the directory is read, then filtered on the new tier
    page = client.get(reverse("members:directory")).content.decode()
    by_tier = client.get(reverse("members:directory"), {"tier": "supporting"}).content.decode()

    # then the filter offers it by its name, and the filter keeps its members only
    assert '<option value="supporting">Supporting member</option>' in page
    assert "Patron Foundation" in by_tier and "Delft Robotics" not in by_tier


def test_directory_ignores_an_unknown_tier_like_its_other_filters(client):
    # given a member; when the directory is filtered on a tier nobody manages
    OrganizationFactory(name="Delft Robotics")
    response = client.get(reverse("members:directory"), {"tier": "gold"})

    # then the filter is left out and the list is whole
    assert response.status_code == 200
    assert "Delft Robotics" in response.content.decode()


def test_directory_answers_htmx_with_only_the_results(client):
    OrganizationFactory(name="Delft Robotics")

    response = client.get(reverse("members:directory"), {"q": "delft"}, **HTMX)

    page = response.content.decode()
    assert "Delft Robotics" in page
    assert "<html" not in page
    assert 'id="results"' not in page


def test_directory_paginates(client):
    OrganizationFactory.create_batch(30)

    first = client.get(reverse("members:directory")).content.decode()
    second = client.get(reverse("members:directory"), {"page": 2}).content.decode()

    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


@pytest.mark.parametrize("organization_count", [5, 200])
def test_directory_costs_the_same_queries_for_5_and_200_organizations(
    client, django_assert_num_queries, organization_count
):
    for organization in OrganizationFactory.create_batch(organization_count):
        AffiliationFactory.create_batch(3, organization=organization)

    # countries present, the tiers (the filter's choices), count, page of organizations (listed people counted)
    with django_assert_num_queries(4):
        response = client.get(reverse("members:directory"), {"kind": "company"})

    assert response.status_code == 200


# --- organization page ------------------------------------------------------------------------------------


def test_organization_page_shows_profile_and_listed_people_only(client, organization):
    AffiliationFactory(organization=organization, person__name="Ada Listed", title="Research lead")
    AffiliationFactory(organization=organization, person__name="Bob Unlisted", listed=False)

    response = client.get(organization.get_absolute_url())

    page = response.content.decode()
    assert organization.name in page
    assert "General member" in page
    assert "Ada Listed" in page and "Research lead" in page
    assert "Bob Unlisted" not in page


@pytest.mark.parametrize("people_count", [2, 60])
def test_organization_page_costs_the_same_queries_for_few_and_many_people(
    client, django_assert_num_queries, organization, people_count
):
    AffiliationFactory.create_batch(people_count, organization=organization)

    # the organization, its listed people
    with django_assert_num_queries(2):
        response = client.get(organization.get_absolute_url())

    assert response.status_code == 200


def test_applicant_organization_page_is_404_for_the_public_and_other_people(client, applicant_organization, person):
    assert client.get(applicant_organization.get_absolute_url()).status_code == 404

    client.force_login(person)
    response = client.get(applicant_organization.get_absolute_url())

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_applicant_organization_page_is_visible_to_its_people_and_staff(client, applicant_organization, staff):
    admin = AdminAffiliationFactory(organization=applicant_organization).person

    client.force_login(admin)
    own = client.get(applicant_organization.get_absolute_url())
    client.force_login(staff)
    by_staff = client.get(applicant_organization.get_absolute_url())

    assert own.status_code == 200 and "not shown publicly" in own.content.decode()
    assert by_staff.status_code == 200


def test_person_on_a_registered_domain_can_ask_to_join(client, organization, org_admin):
    OrganizationDomain.objects.create(organization=organization, domain="example.org", added_by=org_admin)
    person = UserFactory(email="newcomer@example.org")
    client.force_login(person)

    page = client.get(organization.get_absolute_url()).content.decode()
    response = client.post(
        reverse("members:join_request_create", kwargs={"slug": organization.slug}), {"message": "I work here."}
    )

    assert "Ask to join" in page
    assert response.status_code == 302
    join_request = JoinRequest.objects.get(person=person)
    assert join_request.organization == organization and join_request.message == "I work here."


def test_ask_to_join_is_not_offered_and_refused_off_the_domains(client, organization, person):
    client.force_login(person)
    person.email = "someone@elsewhere.example"
    person.save()

    page = client.get(organization.get_absolute_url()).content.decode()
    response = client.post(reverse("members:join_request_create", kwargs={"slug": organization.slug}), follow=True)

    assert "Ask to join" not in page
    assert "None of your verified addresses is on one of" in response.content.decode()
    assert not JoinRequest.objects.exists()


# --- registering and applying -----------------------------------------------------------------------------


def test_registering_makes_an_applicant_with_the_person_as_admin_then_goes_to_apply(client, person):
    client.force_login(person)
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")

    response = client.post(reverse("members:organization_register"), register_data(logo=logo))

    organization = Organization.objects.get(name="Open Health Lab")
    assert response.status_code == 302
    assert response["Location"] == reverse("members:application_create", kwargs={"slug": organization.slug})
    assert organization.status == Organization.Status.APPLICANT
    assert organization.logo.name.startswith("logos/")
    assert Affiliation.objects.get(organization=organization).person == person
    assert AuditEntry.objects.filter(action="organization.registered").count() == 1


def test_registering_needs_a_signed_in_person(client):
    explained = client.get(reverse("members:organization_register"))
    response = client.post(reverse("members:organization_register"), {"name": "Acme"})

    assert explained.status_code == 200
    assert "Sign in to apply" in explained.content.decode()
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"country": "XX"}, "country", "Select a valid choice"),
        ({"name": ""}, "name", "This field is required"),
        ({"website": "not a website"}, "website", "Enter a valid URL"),
    ],
)
def test_registering_with_bad_input_shows_the_error_and_creates_nothing(client, person, overrides, field, message):
    client.force_login(person)

    response = client.post(reverse("members:organization_register"), register_data(**overrides))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Organization.objects.exists()


def test_registering_a_duplicate_name_is_a_form_error(client, person):
    OrganizationFactory(name="Open Health Lab")
    client.force_login(person)

    response = client.post(reverse("members:organization_register"), register_data())

    assert "An organization with this name is already registered." in response.content.decode()
    assert Organization.objects.count() == 1


def test_registering_with_an_svg_logo_is_refused(client, person):
    client.force_login(person)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    logo = SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml")

    response = client.post(reverse("members:organization_register"), register_data(logo=logo))

    assert response.context["form"].errors["logo"]
    assert not Organization.objects.exists()


def test_registering_with_an_oversized_logo_is_refused(client, person, settings):
    settings.LOGO_MAX_BYTES = 2000
    image = png_bytes(64, noisy=True)
    assert len(image) > settings.LOGO_MAX_BYTES
    client.force_login(person)
    logo = SimpleUploadedFile("logo.png", image, content_type="image/png")

    response = client.post(reverse("members:organization_register"), register_data(logo=logo))

    assert "the largest accepted is 2.0" in " ".join(response.context["form"].errors["logo"])
    assert not Organization.objects.exists()


def test_admin_applies_with_tier_statement_and_charter(client, applicant_organization):
    admin = AdminAffiliationFactory(organization=applicant_organization).person
    client.force_login(admin)
    url = reverse("members:application_create", kwargs={"slug": applicant_organization.slug})

    page = client.get(url).content.decode()
    response = client.post(url, {"tier": "general", "statement": "We build open benchmarks.", "charter_accepted": "on"})

    application = MembershipApplication.objects.get(organization=applicant_organization)
    assert "alliance charter" in page
    assert response["Location"] == reverse("members:application_detail", kwargs={"pk": application.pk})
    assert application.status == MembershipApplication.Status.SUBMITTED
    assert application.submitted_by == admin


def test_applying_without_accepting_the_charter_creates_nothing(client, applicant_organization):
    client.force_login(AdminAffiliationFactory(organization=applicant_organization).person)

    response = client.post(
        reverse("members:application_create", kwargs={"slug": applicant_organization.slug}),
        {"tier": "general", "statement": "We build open benchmarks."},
    )

    assert "The alliance charter must be accepted to apply." in response.content.decode()
    assert not MembershipApplication.objects.exists()


def test_a_member_who_is_not_admin_cannot_apply(client, applicant_organization):
    client.force_login(AffiliationFactory(organization=applicant_organization).person)

    response = client.post(
        reverse("members:application_create", kwargs={"slug": applicant_organization.slug}),
        {"tier": "general", "statement": "x", "charter_accepted": "on"},
    )

    assert response.status_code == 403
    assert not MembershipApplication.objects.exists()


def test_applying_again_while_an_application_is_open_leads_to_it(client, applicant_organization):
    admin = AdminAffiliationFactory(organization=applicant_organization).person
    application = ApplicationFactory(organization=applicant_organization, submitted_by=admin)
    client.force_login(admin)

    response = client.get(reverse("members:application_create", kwargs={"slug": applicant_organization.slug}))

    assert response["Location"] == reverse("members:application_detail", kwargs={"pk": application.pk})


# --- application page -------------------------------------------------------------------------------------


def submitted_application(organization=None):
    organization = organization or ApplicantOrganizationFactory()
    admin = AdminAffiliationFactory(organization=organization).person
    application = services.application_submit(
        actor=admin, organization=organization, tier="general", statement="We share tools.", charter_accepted=True
    )
    return application, admin


def test_application_page_shows_status_reason_and_history_to_the_admin(client, staff):
    application, admin = submitted_application()
    services.application_request_changes(actor=staff, application=application, reason="Tell us about your datasets.")
    client.force_login(admin)

    response = client.get(reverse("members:application_detail", kwargs={"pk": application.pk}))

    page = response.content.decode()
    assert "Changes requested" in page
    assert "Tell us about your datasets." in page
    assert "Application submitted" in page  # the history
    assert "Resubmit the application" in page
    assert "Approve" not in page


def test_application_page_is_404_for_another_organizations_admin(client, other_admin):
    application, _ = submitted_application()
    client.force_login(other_admin)

    response = client.get(reverse("members:application_detail", kwargs={"pk": application.pk}))

    assert response.status_code == 404


def test_admin_resubmits_after_changes_were_requested(client, staff):
    application, admin = submitted_application()
    services.application_request_changes(actor=staff, application=application, reason="More detail please.")
    client.force_login(admin)

    response = client.post(
        reverse("members:application_resubmit", kwargs={"pk": application.pk}),
        {"tier": "associate", "statement": "We share tools and two datasets."},
    )

    application.refresh_from_db()
    assert response.status_code == 302
    assert application.status == MembershipApplication.Status.RESUBMITTED
    assert application.tier == "associate"
    assert application.statement == "We share tools and two datasets."


def test_resubmitting_an_application_that_awaits_staff_is_refused(client):
    application, admin = submitted_application()
    client.force_login(admin)

    response = client.post(
        reverse("members:application_resubmit", kwargs={"pk": application.pk}),
        {"tier": "general", "statement": "x"},
        follow=True,
    )

    application.refresh_from_db()
    assert "An application that is submitted cannot be resubmitted." in response.content.decode()
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_admin_withdraws_an_open_application(client):
    application, admin = submitted_application()
    client.force_login(admin)

    client.post(reverse("members:application_withdraw", kwargs={"pk": application.pk}))

    application.refresh_from_db()
    assert application.status == MembershipApplication.Status.WITHDRAWN


def test_staff_approve_from_the_application_page(client, staff):
    application, _ = submitted_application()
    client.force_login(staff)

    page = client.get(reverse("members:application_detail", kwargs={"pk": application.pk})).content.decode()
    response = client.post(
        reverse("members:application_decide", kwargs={"pk": application.pk}), {"decision": "approve", "confirmed": "on"}
    )

    application.refresh_from_db()
    assert "Request changes" in page
    assert response.status_code == 302
    assert application.status == MembershipApplication.Status.APPROVED
    assert application.organization.status == Organization.Status.ACTIVE


def test_rejecting_without_a_reason_is_a_form_error_and_changes_nothing(client, staff):
    application, _ = submitted_application()
    client.force_login(staff)

    response = client.post(
        reverse("members:application_decide", kwargs={"pk": application.pk}), {"decision": "reject", "reason": " "}
    )

    application.refresh_from_db()
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert application.status == MembershipApplication.Status.SUBMITTED


# --- review queue -----------------------------------------------------------------------------------------


def test_review_queue_sends_anonymous_people_to_sign_in(client):
    response = client.get(reverse("members:review_queue"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_review_queue_is_forbidden_to_people_who_are_not_staff(client, org_admin):
    client.force_login(org_admin)

    response = client.get(reverse("members:review_queue"))

    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()


def test_review_queue_lists_applications_awaiting_a_decision(client, staff):
    submitted_application(ApplicantOrganizationFactory(name="Waiting Org"))
    decided, _ = submitted_application(ApplicantOrganizationFactory(name="Decided Org"))
    services.application_reject(actor=staff, application=decided, reason="Out of scope.")
    client.force_login(staff)

    page = client.get(reverse("members:review_queue")).content.decode()

    assert "Waiting Org" in page
    assert "Decided Org" not in page


def test_staff_approve_a_row_of_the_queue_with_htmx(client, staff):
    application, _ = submitted_application()
    client.force_login(staff)

    response = client.post(
        reverse("members:application_decide", kwargs={"pk": application.pk}),
        {"decision": "approve", "confirmed": "on", "from": "queue"},
        **HTMX,
    )

    page = response.content.decode()
    application.refresh_from_db()
    assert response.status_code == 200
    assert page.strip().startswith(f'<tr id="application-{application.pk}"')
    assert "is approved and now an active member" in page
    assert application.status == MembershipApplication.Status.APPROVED


def test_request_changes_from_the_queue_needs_a_reason(client, staff):
    application, _ = submitted_application()
    client.force_login(staff)
    url = reverse("members:application_decide", kwargs={"pk": application.pk})

    refused = client.post(url, {"decision": "request_changes", "reason": "", "from": "queue"}, **HTMX)
    accepted = client.post(url, {"decision": "request_changes", "reason": "Add a statement.", "from": "queue"}, **HTMX)

    application.refresh_from_db()
    assert "Give a reason" in refused.content.decode()
    assert "was asked for changes" in accepted.content.decode()
    assert application.status == MembershipApplication.Status.CHANGES_REQUESTED
    assert application.reason == "Add a statement."


def test_staff_cannot_decide_on_their_own_organizations_application(client):
    application, _ = submitted_application()
    staff_member = StaffFactory()
    AffiliationFactory(organization=application.organization, person=staff_member)
    client.force_login(staff_member)

    response = client.post(
        reverse("members:application_decide", kwargs={"pk": application.pk}),
        {"decision": "approve", "confirmed": "on", "from": "queue"},
        **HTMX,
    )

    application.refresh_from_db()
    assert "You cannot decide on an application of your own organization." in response.content.decode()
    assert application.status == MembershipApplication.Status.SUBMITTED


def test_the_decision_is_offered_only_to_staff_who_may_take_it(client):
    application, _ = submitted_application()
    affiliated, unrelated = StaffFactory(), StaffFactory()
    AffiliationFactory(organization=application.organization, person=affiliated)
    url = reverse("members:application_detail", kwargs={"pk": application.pk})

    client.force_login(affiliated)
    own = client.get(url).content.decode()
    client.force_login(unrelated)
    other = client.get(url).content.decode()

    assert "Request changes" not in own
    assert "Request changes" in other


def test_people_who_are_not_staff_cannot_decide(client, org_admin):
    application, _ = submitted_application()
    client.force_login(org_admin)

    response = client.post(
        reverse("members:application_decide", kwargs={"pk": application.pk}), {"decision": "approve"}
    )

    application.refresh_from_db()
    assert response.status_code == 403
    assert application.status == MembershipApplication.Status.SUBMITTED


# --- my organizations and the management page --------------------------------------------------------------


def manage_url(organization, name="members:my_organization", **kwargs):
    return reverse(name, kwargs={"slug": organization.slug, **kwargs})


def test_my_organizations_lists_the_persons_organizations_and_their_applications(client):
    application, admin = submitted_application(ApplicantOrganizationFactory(name="My Applicant"))
    client.force_login(admin)

    page = client.get(reverse("members:my_organizations")).content.decode()

    assert "My Applicant" in page
    assert reverse("members:application_detail", kwargs={"pk": application.pk}) in page


def test_another_organizations_admin_cannot_see_or_manage_it(client, organization, org_member, other_admin):
    client.force_login(other_admin)

    page = client.get(manage_url(organization))
    invite = client.post(
        manage_url(organization, "members:invitation_create"), {"email": "x@example.org", "role": "admin"}
    )
    remove = client.post(manage_url(organization, "members:person_remove", pk=org_member.affiliations.get().pk))

    assert page.status_code == 404
    assert invite.status_code == 404
    assert remove.status_code == 404
    assert not Invitation.objects.exists()
    assert Affiliation.objects.filter(person=org_member).exists()


def test_a_member_sees_the_people_read_only_and_cannot_invite(client, organization, org_admin, org_member):
    client.force_login(org_member)

    page = client.get(manage_url(organization)).content.decode()
    response = client.post(
        manage_url(organization, "members:invitation_create"), {"email": "x@example.org", "role": "admin"}
    )

    assert org_admin.name in page and org_admin.email not in page  # addresses are for admins, as in the API
    assert "Invite" not in page and "Change role" not in page
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_admin_edits_the_profile(client, organization, org_admin):
    client.force_login(org_admin)

    response = client.post(
        manage_url(organization),
        {"name": "Renamed Org", "kind": "university", "country": "FR", "website": "", "description": "New text."},
    )

    organization.refresh_from_db()
    assert response.status_code == 302
    assert (organization.name, organization.kind, str(organization.country)) == ("Renamed Org", "university", "FR")
    assert AuditEntry.objects.get(action="organization.updated").changes["name"][1] == "Renamed Org"


def test_editing_the_profile_to_a_taken_name_is_a_form_error(client, organization, org_admin):
    OrganizationFactory(name="Taken Name")
    client.force_login(org_admin)

    response = client.post(manage_url(organization), {"name": "Taken Name", "kind": "company", "country": "DE"})

    organization.refresh_from_db()
    assert response.status_code == 400
    assert "An organization with this name is already registered." in response.content.decode()
    assert organization.name != "Taken Name"


def test_admin_invites_with_htmx_and_gets_the_updated_invitations(client, organization, org_admin):
    client.force_login(org_admin)

    response = client.post(
        manage_url(organization, "members:invitation_create"), {"email": "New@Example.org", "role": "member"}, **HTMX
    )

    page = response.content.decode()
    assert page.strip().startswith('<section id="invitations"')
    assert "An invitation was sent to new@example.org." in page
    assert Invitation.objects.get().email == "new@example.org"


def test_inviting_someone_already_invited_is_shown_on_the_email_field(client, organization, org_admin):
    client.force_login(org_admin)
    url = manage_url(organization, "members:invitation_create")
    client.post(url, {"email": "new@example.org", "role": "member"})

    response = client.post(url, {"email": "new@example.org", "role": "member"}, **HTMX)

    assert "already has a pending invitation" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_admin_resends_and_revokes_an_invitation(client, organization, org_admin):
    invitation, _ = invitation_with_token(organization, org_admin)
    old_hash = invitation.token_hash
    client.force_login(org_admin)

    client.post(manage_url(organization, "members:invitation_action", pk=invitation.pk, action="resend"))
    invitation.refresh_from_db()
    resent_hash = invitation.token_hash
    client.post(manage_url(organization, "members:invitation_action", pk=invitation.pk, action="revoke"), **HTMX)
    invitation.refresh_from_db()

    assert resent_hash != old_hash
    assert invitation.status == Invitation.Status.REVOKED


def test_invitation_list_shows_expired_invitations_as_expired(client, organization, org_admin):
    invitation_with_token(organization, org_admin, expires_at=timezone.now() - timedelta(days=1))
    client.force_login(org_admin)

    page = client.get(manage_url(organization)).content.decode()

    assert ">Expired</span>" in page


def test_demoting_the_last_admin_is_refused_with_a_clear_error(client, organization, org_admin):
    client.force_login(org_admin)
    own = org_admin.affiliations.get()

    response = client.post(manage_url(organization, "members:person_role", pk=own.pk), {"role": "member"}, **HTMX)

    own.refresh_from_db()
    assert "An organization must keep at least one admin" in response.content.decode()
    assert own.role == Affiliation.Role.ADMIN


def test_admin_promotes_and_removes_people(client, organization, org_admin, org_member):
    client.force_login(org_admin)
    affiliation = org_member.affiliations.get()

    client.post(manage_url(organization, "members:person_role", pk=affiliation.pk), {"role": "admin"})
    affiliation.refresh_from_db()
    promoted_role = affiliation.role
    response = client.post(manage_url(organization, "members:person_remove", pk=affiliation.pk), **HTMX)

    assert promoted_role == Affiliation.Role.ADMIN
    assert "was removed from" in response.content.decode()
    assert not Affiliation.objects.filter(pk=affiliation.pk).exists()


def test_admin_adds_and_removes_their_own_domain(client, organization, org_admin):
    client.force_login(org_admin)

    refused = client.post(manage_url(organization, "members:domain_add"), {"domain": "someone-else.example"}, **HTMX)
    added = client.post(manage_url(organization, "members:domain_add"), {"domain": "example.org"}, **HTMX)
    domain = OrganizationDomain.objects.get()
    client.post(manage_url(organization, "members:domain_remove", pk=domain.pk))

    assert "You can only register the domain of one of your own verified addresses" in refused.content.decode()
    assert "example.org can now ask to join" in added.content.decode()
    assert not OrganizationDomain.objects.exists()


def test_admin_approves_a_join_request_and_the_people_list_updates(client, organization, org_admin):
    newcomer = UserFactory(name="Nia Newcomer")
    join_request = JoinRequest.objects.create(organization=organization, person=newcomer)
    client.force_login(org_admin)

    response = client.post(
        manage_url(organization, "members:join_request_decide", pk=join_request.pk, decision="approve"), **HTMX
    )

    page = response.content.decode()
    assert "Nia Newcomer joined" in page
    assert 'id="people" class="section" aria-labelledby="people-heading" hx-swap-oob="true"' in page
    assert Affiliation.objects.filter(organization=organization, person=newcomer).exists()


def test_admin_declines_a_join_request(client, organization, org_admin):
    join_request = JoinRequest.objects.create(organization=organization, person=UserFactory())
    client.force_login(org_admin)

    client.post(manage_url(organization, "members:join_request_decide", pk=join_request.pk, decision="decline"))

    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.DECLINED


def test_a_person_sets_their_own_listing(client, organization, org_member):
    client.force_login(org_member)

    client.post(manage_url(organization, "members:affiliation_profile"), {"title": "Data steward"})

    affiliation = org_member.affiliations.get()
    client.logout()
    public_page = client.get(organization.get_absolute_url()).content.decode()
    assert (affiliation.title, affiliation.listed) == ("Data steward", False)
    assert org_member.get_full_name() not in public_page


# --- invitations ------------------------------------------------------------------------------------------


def test_invitation_page_asks_anonymous_people_to_sign_in_or_up_and_come_back(client, organization, org_admin):
    _, token = invitation_with_token(organization, org_admin)
    url = reverse("members:invitation_accept", kwargs={"token": token})

    page = client.get(url).content.decode()

    assert organization.name in page and "colleague@example.org" in page
    assert f"{reverse('account_signup')}?next={quote(url)}" in page
    assert f"{reverse('account_login')}?next={quote(url)}" in page


def test_invited_person_accepts_and_lands_on_the_organizations_people_list(client, organization, org_admin):
    invitation, token = invitation_with_token(organization, org_admin, role=Affiliation.Role.ADMIN)
    invitee = UserFactory(email="colleague@example.org")
    client.force_login(invitee)

    response = client.post(reverse("members:invitation_accept", kwargs={"token": token}), follow=True)

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert Affiliation.objects.get(person=invitee, organization=organization).role == Affiliation.Role.ADMIN
    assert response.redirect_chain[-1][0] == manage_url(organization)
    assert "colleague@example.org" in response.content.decode()


def test_invitation_for_another_address_is_not_accepted(client, organization, org_admin, person):
    _, token = invitation_with_token(organization, org_admin)
    client.force_login(person)

    page = client.get(reverse("members:invitation_accept", kwargs={"token": token})).content.decode()
    client.post(reverse("members:invitation_accept", kwargs={"token": token}))

    assert "but this invitation is for colleague@example.org" in page
    assert not Affiliation.objects.filter(person=person, organization=organization).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "This invitation expired"),
        ({"status": Invitation.Status.REVOKED}, "This invitation was revoked"),
        ({"status": Invitation.Status.ACCEPTED}, "This invitation has already been used"),
    ],
)
def test_expired_revoked_or_used_invitations_say_so_and_cannot_be_accepted(
    client, organization, org_admin, fields, message
):
    _, token = invitation_with_token(organization, org_admin, **fields)
    invitee = UserFactory(email="colleague@example.org")
    client.force_login(invitee)

    page = client.get(reverse("members:invitation_accept", kwargs={"token": token})).content.decode()
    client.post(reverse("members:invitation_accept", kwargs={"token": token}))

    assert message in page
    assert not Affiliation.objects.filter(person=invitee).exists()


def test_unknown_invitation_token_is_a_404_with_an_explanation(client):
    response = client.get(reverse("members:invitation_accept", kwargs={"token": "nope"}))

    assert response.status_code == 404
    assert "This invitation link is not valid" in response.content.decode()


# --- API tokens -------------------------------------------------------------------------------------------


def test_creating_a_token_shows_the_key_once(client, person):
    client.force_login(person)
    url = reverse("members:api_tokens")

    created = client.post(url, {"name": "CRM sync", "expires_in_days": "30"})
    later = client.get(url)

    token = ApiToken.objects.get(user=person)
    key = created.context["new_key"]
    assert key in created.content.decode()
    assert hashlib.sha256(key.encode()).hexdigest() == token.key_hash
    assert key not in later.content.decode()
    assert "CRM sync" in later.content.decode()
    assert token.expires_at is not None


def test_token_with_a_bad_expiry_is_a_form_error(client, person):
    client.force_login(person)

    response = client.post(reverse("members:api_tokens"), {"name": "x", "expires_in_days": "0"})

    assert response.status_code == 400
    assert response.context["form"].errors["expires_in_days"]
    assert not ApiToken.objects.exists()


def test_a_person_revokes_their_token_but_not_someone_elses(client, person):
    own, _ = services.api_token_create(actor=person, name="mine")
    others, _ = services.api_token_create(actor=UserFactory(), name="theirs")
    client.force_login(person)

    client.post(reverse("members:api_token_revoke", kwargs={"pk": own.pk}))
    refused = client.post(reverse("members:api_token_revoke", kwargs={"pk": others.pk}))

    own.refresh_from_db()
    others.refresh_from_db()
    assert own.revoked_at is not None
    assert refused.status_code == 404
    assert others.revoked_at is None


# --- staff audit page -------------------------------------------------------------------------------------


def test_audit_page_is_staff_only(client, org_admin):
    assert client.get(reverse("audit_log")).status_code == 302
    client.force_login(org_admin)
    assert client.get(reverse("audit_log")).status_code == 403


def test_audit_page_filters_by_action_and_target(client, staff):
    first, _ = submitted_application(ApplicantOrganizationFactory(name="Alpha Labs"))
    submitted_application(ApplicantOrganizationFactory(name="Beta Works"))
    services.application_approve(actor=staff, application=first)
    client.force_login(staff)

    by_action = client.get(reverse("audit_log"), {"action": "application.approved"}).context["entries"]
    by_target = client.get(reverse("audit_log"), {"target": "beta"}).context["entries"]

    assert [entry.action for entry in by_action] == ["application.approved"]
    assert by_target and all("Beta Works" in entry.target_repr for entry in by_target)


@pytest.mark.parametrize("application_count", [1, 60])
def test_audit_page_costs_the_same_queries_whatever_the_entries(
    client, django_assert_num_queries, staff, application_count
):
    for _ in range(application_count):
        submitted_application()
    client.force_login(staff)

    # session, user, count, page of entries (with actor and type), the distinct actions, failed notifications,
    # the header's unread notifications
    with django_assert_num_queries(7):
        response = client.get(reverse("audit_log"))

    assert response.status_code == 200
