"""The members REST API under /api/v1/: permission matrix, lifecycle, bad input, CSRF, query counts, schema."""

import io
import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image
from rest_framework.test import APIClient

from members import services
from members.models import (
    Affiliation,
    ApiToken,
    Invitation,
    JoinRequest,
    MembershipApplication,
    Organization,
    OrganizationDomain,
    User,
)
from tests.api_matrix import API, Case, check_case, client_as, refreshed

from .factories import (
    AdminAffiliationFactory,
    AffiliationFactory,
    ApplicantOrganizationFactory,
    ApplicationFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "person", "other_admin", "org_admin", "staff")


@dataclass
class World:
    """One active organization and one applicant, seen by a person in each role.

    ``org_admin`` administers both ``active`` and ``private``; ``other_admin`` administers a third one.
    """

    active: Organization
    private: Organization
    fresh: Organization
    users: dict[str, User | None]
    member: Affiliation
    unlisted: Affiliation
    application: MembershipApplication
    invitation: Invitation
    join_request: JoinRequest
    token: ApiToken
    extra: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def world(organization, org_admin, other_admin, person, staff) -> World:
    member = AffiliationFactory(organization=organization, title="Engineer")
    unlisted = AffiliationFactory(organization=organization, listed=False)
    private = ApplicantOrganizationFactory()
    AdminAffiliationFactory(organization=private, person=org_admin)
    fresh = ApplicantOrganizationFactory()
    AdminAffiliationFactory(organization=fresh, person=org_admin)
    application = ApplicationFactory(organization=private, submitted_by=org_admin)
    invitation = services.invitation_create(
        actor=org_admin, organization=organization, email="invited@example.net", role="member"
    )
    services.domain_add(actor=staff, organization=organization, domain="joiners.example")
    joiner = UserFactory(email="someone@joiners.example")
    join_request = services.join_request_create(actor=joiner, organization=organization, message="Hello")
    token, _ = services.api_token_create(actor=org_admin, name="laptop")
    return World(
        active=organization,
        private=private,
        fresh=fresh,
        users={
            "anonymous": None,
            "person": person,
            "other_admin": other_admin,
            "org_admin": org_admin,
            "staff": staff,
        },
        member=member,
        unlisted=unlisted,
        application=application,
        invitation=invitation,
        join_request=join_request,
        token=token,
    )


def png_bytes(size: tuple[int, int] = (32, 32), *, noise: bool = False) -> bytes:
    """A real PNG; random noise does not compress, so a large noisy image makes a large file."""
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- the permission matrix ---------------------------------------------------------------------------------------


CASES = [  # expected: anonymous, person, other_admin, org_admin, staff
    # reads: private data is a 404 for those who cannot see the organization, a 403 for those who can
    Case("active organization", "get", "/organizations/{w.active.slug}/", (200, 200, 200, 200, 200)),
    Case("applicant organization", "get", "/organizations/{w.private.slug}/", (404, 404, 404, 200, 200)),
    Case("people of an applicant", "get", "/organizations/{w.private.slug}/members/", (404, 404, 404, 200, 200)),
    Case("invitations", "get", "/organizations/{w.active.slug}/invitations/", (401, 403, 403, 200, 200)),
    Case("applicant's invitations", "get", "/organizations/{w.private.slug}/invitations/", (404, 404, 404, 200, 200)),
    Case("domains", "get", "/organizations/{w.active.slug}/domains/", (401, 403, 403, 200, 200)),
    Case("join requests", "get", "/organizations/{w.active.slug}/join-requests/", (401, 403, 403, 200, 200)),
    Case("application", "get", "/applications/{w.application.pk}/", (401, 404, 404, 200, 200)),
    Case("applications", "get", "/applications/", (401, 200, 200, 200, 200)),
    Case("me", "get", "/me/", (401, 200, 200, 200, 200)),
    Case("tokens", "get", "/tokens/", (401, 200, 200, 200, 200)),
    # writes
    Case(
        "update organization",
        "patch",
        "/organizations/{w.active.slug}/",
        (401, 403, 403, 200, 200),
        body={"description": "Changed through the API."},
        changed=lambda w: refreshed(w.active).description == "Changed through the API.",
    ),
    Case(
        "update applicant organization",
        "patch",
        "/organizations/{w.private.slug}/",
        (401, 404, 404, 200, 200),
        body={"description": "Changed through the API."},
        changed=lambda w: refreshed(w.private).description == "Changed through the API.",
    ),
    Case(
        "invite",
        "post",
        "/organizations/{w.active.slug}/invitations/",
        (401, 403, 403, 201, 201),
        body={"email": "colleague@example.net", "role": "admin"},
        changed=lambda w: Invitation.objects.filter(email="colleague@example.net", role="admin").exists(),
    ),
    Case(
        "invite to an applicant",
        "post",
        "/organizations/{w.private.slug}/invitations/",
        (404, 404, 404, 201, 201),
        body={"email": "colleague@example.net", "role": "member"},
        changed=lambda w: Invitation.objects.filter(email="colleague@example.net").exists(),
    ),
    Case(
        "revoke invitation",
        "post",
        "/organizations/{w.active.slug}/invitations/{w.invitation.pk}/revoke/",
        (401, 403, 403, 200, 200),
        changed=lambda w: refreshed(w.invitation).status == Invitation.Status.REVOKED,
    ),
    Case(
        "resend invitation",
        "post",
        "/organizations/{w.active.slug}/invitations/{w.invitation.pk}/resend/",
        (401, 403, 403, 200, 200),
        changed=lambda w: refreshed(w.invitation).token_hash != w.invitation.token_hash,
    ),
    Case(
        "add domain",
        "post",
        "/organizations/{w.active.slug}/domains/",
        (401, 403, 403, 201, 201),
        body={"domain": "example.org"},
        changed=lambda w: OrganizationDomain.objects.filter(domain="example.org").exists(),
    ),
    Case(
        "approve join request",
        "post",
        "/organizations/{w.active.slug}/join-requests/{w.join_request.pk}/approve/",
        (401, 403, 403, 200, 200),
        changed=lambda w: Affiliation.objects.filter(person=w.join_request.person, organization=w.active).exists(),
    ),
    Case(
        "decline join request",
        "post",
        "/organizations/{w.active.slug}/join-requests/{w.join_request.pk}/decline/",
        (401, 403, 403, 200, 200),
        changed=lambda w: refreshed(w.join_request).status == JoinRequest.Status.DECLINED,
    ),
    Case(
        "change role",
        "patch",
        "/organizations/{w.active.slug}/members/{w.member.pk}/",
        (401, 403, 403, 200, 200),
        body={"role": "admin"},
        changed=lambda w: refreshed(w.member).role == Affiliation.Role.ADMIN,
    ),
    Case(
        "change role of an unlisted person",
        "patch",
        "/organizations/{w.active.slug}/members/{w.unlisted.pk}/",
        (401, 404, 404, 200, 200),
        body={"role": "admin"},
        changed=lambda w: refreshed(w.unlisted).role == Affiliation.Role.ADMIN,
    ),
    Case(
        "remove person",
        "delete",
        "/organizations/{w.active.slug}/members/{w.member.pk}/",
        (401, 403, 403, 204, 204),
        changed=lambda w: refreshed(w.member) is None,
    ),
    Case(
        "apply",
        "post",
        "/applications/",
        (401, 400, 400, 201, 403),
        body={"organization": "{w.fresh.slug}", "tier": "general", "statement": "We join.", "charter_accepted": True},
        changed=lambda w: MembershipApplication.objects.filter(organization=w.fresh).exists(),
    ),
    Case(
        "approve application",
        "post",
        "/applications/{w.application.pk}/approve/",
        (401, 404, 404, 403, 200),
        changed=lambda w: refreshed(w.private).status == Organization.Status.ACTIVE,
    ),
    Case(
        "reject application",
        "post",
        "/applications/{w.application.pk}/reject/",
        (401, 404, 404, 403, 200),
        body={"reason": "Not this year."},
        changed=lambda w: refreshed(w.application).status == MembershipApplication.Status.REJECTED,
    ),
    Case(
        "request changes",
        "post",
        "/applications/{w.application.pk}/request-changes/",
        (401, 404, 404, 403, 200),
        body={"reason": "Tell us more."},
        changed=lambda w: refreshed(w.application).status == MembershipApplication.Status.CHANGES_REQUESTED,
    ),
    Case(
        "withdraw application",
        "post",
        "/applications/{w.application.pk}/withdraw/",
        (401, 404, 404, 200, 403),
        changed=lambda w: refreshed(w.application).status == MembershipApplication.Status.WITHDRAWN,
    ),
    Case(
        "revoke someone's token",
        "delete",
        "/tokens/{w.token.pk}/",
        (401, 404, 404, 204, 404),
        changed=lambda w: refreshed(w.token).revoked_at is not None,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(world, case, role):
    check_case(world, case, role, ROLES)


def test_organizations_have_no_delete(world):
    response = client_as(world.users["org_admin"]).delete(f"{API}/organizations/{world.active.slug}/")

    assert response.status_code == 405
    assert Organization.objects.filter(pk=world.active.pk).exists()


# --- lists never show what one may not see -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_private"),
    [("anonymous", False), ("person", False), ("other_admin", False), ("org_admin", True), ("staff", True)],
)
def test_organization_list_shows_applicants_only_to_their_people_and_staff(world, role, sees_private):
    response = client_as(world.users[role]).get(f"{API}/organizations/", {"page_size": 100})

    assert response.status_code == 200
    slugs = {row["slug"] for row in response.json()["results"]}
    assert world.active.slug in slugs
    assert (world.private.slug in slugs) is sees_private
    assert (world.fresh.slug in slugs) is sees_private
    assert response.json()["count"] == len(slugs)


@pytest.mark.parametrize(("role", "manages"), [(role, role in ("org_admin", "staff")) for role in ROLES])
def test_people_list_shows_emails_and_unlisted_people_only_to_admins_and_staff(world, role, manages):
    response = client_as(world.users[role]).get(f"{API}/organizations/{world.active.slug}/members/")

    assert response.status_code == 200
    rows = response.json()["results"]
    ids = {row["id"] for row in rows}
    assert world.member.pk in ids
    assert (world.unlisted.pk in ids) is manages
    assert all(("email" in row) is manages for row in rows)
    assert all(("role" in row) is manages for row in rows)
    if not manages:
        assert world.unlisted.person.email not in response.content.decode()
        assert world.member.person.email not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "sees"), [("person", False), ("other_admin", False), ("org_admin", True), ("staff", True)]
)
def test_application_list_shows_only_ones_own_organizations_applications(world, role, sees):
    others = ApplicationFactory()  # another applicant's application

    response = client_as(world.users[role]).get(f"{API}/applications/")

    ids = {row["id"] for row in response.json()["results"]}
    assert (world.application.pk in ids) is sees
    assert (others.pk in ids) is (role == "staff")


def test_invitations_never_show_their_token(world):
    response = client_as(world.users["org_admin"]).get(f"{API}/organizations/{world.active.slug}/invitations/")

    row = response.json()["results"][0]
    assert row["email"] == "invited@example.net"
    assert row["status"] == "pending"
    assert row["expired"] is False
    assert not {"token", "token_hash"} & set(row)
    assert world.invitation.token_hash not in response.content.decode()


def test_me_lists_the_persons_affiliations(world):
    response = client_as(world.users["org_admin"]).get(f"{API}/me/")

    body = response.json()
    assert body["email"] == world.users["org_admin"].email
    assert body["is_staff"] is False
    affiliations = {row["organization"]["slug"]: row for row in body["affiliations"]}
    assert set(affiliations) == {world.active.slug, world.private.slug, world.fresh.slug}
    assert affiliations[world.private.slug]["role"] == "admin"
    assert affiliations[world.private.slug]["organization"]["status"] == "applicant"


# --- organizations: registering, filtering, updating -----------------------------------------------------------------


def test_registering_an_organization_makes_the_caller_its_admin(person):
    # given
    client = client_as(person)
    logo = SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")

    # when
    response = client.post(
        f"{API}/organizations/",
        {"name": "Open Weights Lab", "kind": "research_institute", "country": "FR", "logo": logo},
        format="multipart",
    )

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "open-weights-lab"
    assert body["status"] == "applicant"
    assert body["country"] == "FR"
    assert body["logo"].endswith(".png")
    organization = Organization.objects.get(slug="open-weights-lab")
    assert Affiliation.objects.get(organization=organization).person == person
    assert Affiliation.objects.get(organization=organization).role == Affiliation.Role.ADMIN
    # and it is not public
    assert APIClient().get(f"{API}/organizations/open-weights-lab/").status_code == 404


def test_anonymous_cannot_register_an_organization():
    response = APIClient().post(f"{API}/organizations/", {"name": "X", "kind": "company", "country": "DE"})

    assert response.status_code == 401
    assert not Organization.objects.exists()


def test_organization_filters_and_search():
    # given
    OrganizationFactory(name="Alpha University", kind="university", country="DE", tier="academic")
    OrganizationFactory(name="Beta Labs", kind="company", country="FR", description="Speech models")
    OrganizationFactory(name="Gamma Corp", kind="company", country="DE", status="suspended")
    client = APIClient()

    def names(**params):
        return [row["name"] for row in client.get(f"{API}/organizations/", params).json()["results"]]

    # then
    assert names() == ["Alpha University", "Beta Labs"]
    assert names(kind="company") == ["Beta Labs"]
    assert names(country="DE") == ["Alpha University"]
    assert names(tier="academic") == ["Alpha University"]
    assert names(search="speech") == ["Beta Labs"]
    assert names(status="suspended") == []


@pytest.mark.parametrize("query", [{"kind": "spaceship"}, {"country": "XX"}, {"tier": "gold"}, {"status": "asleep"}])
def test_organization_list_refuses_an_unknown_filter_value(query):
    OrganizationFactory()

    response = APIClient().get(f"{API}/organizations/", query)

    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(query)


def test_organization_tier_filter_knows_the_tiers_staff_manage(staff):
    # given staff add a tier (listed last) and a member joins at it
    services.tier_create(actor=staff, code="supporting", name="Supporting member", position=99)
    OrganizationFactory(name="Patron Foundation", tier="supporting")
    OrganizationFactory(name="Delft Robotics", tier="general")
    client = APIClient()

    # when the list is filtered on the new tier, then on one nobody manages
    by_tier = client.get(f"{API}/organizations/", {"tier": "supporting"})
    unknown = client.get(f"{API}/organizations/", {"tier": "gold"})

    # then the first keeps its member; the second is a 400 naming every tier there is, the new one too
    assert [row["name"] for row in by_tier.json()["results"]] == ["Patron Foundation"]
    assert unknown.status_code == 400
    assert unknown.json()["errors"]["tier"] == [
        "Choose one of the membership tiers: founding, general, associate, academic, supporting."
    ]


def test_organization_search_wants_every_word_and_filters_combine(staff):
    OrganizationFactory(name="Delft Robotics", description="Open speech models", country="NL")
    OrganizationFactory(name="Berlin Robotics", description="Closed vision models", country="DE")
    ApplicantOrganizationFactory(name="Applicant Robotics", description="Speech", country="NL")

    def names(**params):
        return [row["name"] for row in client_as(staff).get(f"{API}/organizations/", params).json()["results"]]

    assert names(search="robotics speech") == ["Applicant Robotics", "Delft Robotics"]
    assert names(search="robotics speech", status="active") == ["Delft Robotics"]
    assert names(country="NL", ordering="-name") == ["Delft Robotics", "Applicant Robotics"]
    assert names(kind="", search="") == ["Applicant Robotics", "Berlin Robotics", "Delft Robotics"]


def test_applications_and_join_requests_filter_by_status(world):
    staff, org_admin = world.users["staff"], world.users["org_admin"]
    join_requests = f"{API}/organizations/{world.active.slug}/join-requests/"

    submitted = client_as(staff).get(f"{API}/applications/", {"status": "submitted"}).json()["results"]
    approved = client_as(staff).get(f"{API}/applications/", {"status": "approved"}).json()["results"]
    unknown = client_as(staff).get(f"{API}/applications/", {"status": "pending"})
    pending = client_as(org_admin).get(join_requests, {"status": "pending"}).json()["results"]
    declined = client_as(org_admin).get(join_requests, {"status": "declined"}).json()["results"]

    assert [row["id"] for row in submitted] == [world.application.pk]
    assert approved == []
    assert unknown.status_code == 400 and "status" in unknown.json()["errors"]
    assert [row["id"] for row in pending] == [world.join_request.pk]
    assert declined == []


def test_organization_list_is_paginated():
    OrganizationFactory.create_batch(3)

    body = APIClient().get(f"{API}/organizations/", {"page_size": 2}).json()

    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert "page=2" in body["next"]
    assert body["previous"] is None


def test_put_replaces_the_profile_and_needs_every_required_field(organization, org_admin):
    client = client_as(org_admin)
    path = f"{API}/organizations/{organization.slug}/"

    incomplete = client.put(path, {"name": "Renamed"}, format="json")
    complete = client.put(path, {"name": "Renamed", "kind": "university", "country": "NL"}, format="json")

    assert incomplete.status_code == 400
    assert set(incomplete.json()["errors"]) == {"kind", "country"}
    assert complete.status_code == 200
    organization.refresh_from_db()
    assert (organization.name, organization.kind, organization.country.code) == ("Renamed", "university", "NL")


def test_expired_invitation_is_shown_as_expired(organization, org_admin):
    invitation = services.invitation_create(
        actor=org_admin, organization=organization, email="late@example.net", role="member"
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)

    response = client_as(org_admin).get(f"{API}/organizations/{organization.slug}/invitations/")

    assert response.json()["results"][0]["expired"] is True


def test_organization_slug_cannot_be_changed(organization, org_admin):
    response = client_as(org_admin).patch(
        f"{API}/organizations/{organization.slug}/", {"slug": "new-slug", "name": "Renamed"}, format="json"
    )

    assert response.status_code == 200
    organization.refresh_from_db()
    assert organization.slug != "new-slug"
    assert organization.name == "Renamed"


# --- bad input: a clear 400, nothing changed -------------------------------------------------------------------------


def _register(client: APIClient, **overrides) -> Any:
    data = {"name": "New Org", "kind": "company", "country": "DE", **overrides}
    return client.post(f"{API}/organizations/", data, format="multipart")


def test_oversized_logo_is_refused(person, settings):
    # given
    logo_bytes = png_bytes((700, 700), noise=True)
    assert len(logo_bytes) > settings.LOGO_MAX_BYTES
    before = Organization.objects.count(), Affiliation.objects.count()

    # when
    response = _register(client_as(person), logo=SimpleUploadedFile("big.png", logo_bytes, content_type="image/png"))

    # then
    assert response.status_code == 400
    assert "largest accepted is 1.0" in response.json()["errors"]["logo"][0]
    assert (Organization.objects.count(), Affiliation.objects.count()) == before


def test_oversized_logo_is_refused_on_update(organization, org_admin):
    logo = SimpleUploadedFile("big.png", png_bytes((700, 700), noise=True), content_type="image/png")

    response = client_as(org_admin).patch(
        f"{API}/organizations/{organization.slug}/", {"logo": logo, "name": "Renamed"}, format="multipart"
    )

    assert response.status_code == 400
    assert "logo" in response.json()["errors"]
    organization.refresh_from_db()
    assert organization.name != "Renamed"
    assert not organization.logo


def test_svg_logo_is_refused(person):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'

    response = _register(client_as(person), logo=SimpleUploadedFile("logo.svg", svg, content_type="image/svg+xml"))

    assert response.status_code == 400
    assert "SVG is not accepted" in response.json()["errors"]["logo"][0]
    assert not Organization.objects.exists()


def test_unknown_country_is_refused(person):
    response = _register(client_as(person), country="XX")

    assert response.status_code == 400
    assert "not a country code we know" in response.json()["errors"]["country"][0]
    assert not Organization.objects.exists()


def test_duplicate_slug_is_refused(person, organization):
    before = Organization.objects.count()

    response = _register(client_as(person), slug=organization.slug)

    assert response.status_code == 400
    assert response.json()["errors"]["slug"] == ["This address (slug) is already taken by another organization."]
    assert Organization.objects.count() == before


def test_duplicate_name_is_refused(person, organization):
    before = Organization.objects.count()

    response = _register(client_as(person), name=organization.name)

    assert response.status_code == 400
    assert response.json()["detail"] == "An organization with this name is already registered."
    assert Organization.objects.count() == before


def test_malformed_json_is_refused(person):
    response = client_as(person).post(f"{API}/organizations/", '{"name": "Half', content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("The request body could not be read as JSON: Unterminated string")
    assert not Organization.objects.exists()


@pytest.mark.parametrize("charter", [False, None])
def test_application_without_charter_acceptance_is_refused(applicant_organization, charter):
    # given
    admin = AdminAffiliationFactory(organization=applicant_organization).person
    body = {"organization": applicant_organization.slug, "tier": "general", "statement": "We join."}
    if charter is not None:
        body["charter_accepted"] = charter

    # when
    response = client_as(admin).post(f"{API}/applications/", body, format="json")

    # then
    assert response.status_code == 400
    assert "charter_accepted" in response.json()["errors"]
    assert not MembershipApplication.objects.exists()


def test_invitation_with_an_unknown_role_is_refused(organization, org_admin):
    response = client_as(org_admin).post(
        f"{API}/organizations/{organization.slug}/invitations/", {"email": "a@example.net", "role": "owner"}
    )

    assert response.status_code == 400
    assert response.json()["errors"]["role"] == ["The role must be admin or member."]
    assert not Invitation.objects.exists()


def test_role_change_to_an_unknown_role_is_refused(organization, org_admin, org_member):
    affiliation = Affiliation.objects.get(person=org_member)

    response = client_as(org_admin).patch(
        f"{API}/organizations/{organization.slug}/members/{affiliation.pk}/", {"role": "owner"}
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "The role must be admin or member."
    assert refreshed(affiliation).role == Affiliation.Role.MEMBER


def test_reject_without_reason_is_refused(staff):
    application = ApplicationFactory()

    response = client_as(staff).post(f"{API}/applications/{application.pk}/reject/", {"reason": "  "})

    assert response.status_code == 400
    assert response.json()["detail"] == "Give a reason: the applicant will read it."
    assert refreshed(application).status == MembershipApplication.Status.SUBMITTED


@pytest.mark.parametrize("action", ["reject", "request-changes"])
def test_a_decision_without_a_reason_names_the_reason_field(staff, action):
    application = ApplicationFactory()

    response = client_as(staff).post(f"{API}/applications/{application.pk}/{action}/", {}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["Give a reason: the applicant will read it."]}
    assert refreshed(application).status == MembershipApplication.Status.SUBMITTED


# --- people ---------------------------------------------------------------------------------------------------------


def test_a_person_may_leave_an_organization(organization, org_admin, org_member):
    affiliation = Affiliation.objects.get(person=org_member, organization=organization)

    response = client_as(org_member).delete(f"{API}/organizations/{organization.slug}/members/{affiliation.pk}/")

    assert response.status_code == 204
    assert refreshed(affiliation) is None


def test_the_last_admin_cannot_leave(organization, org_admin):
    affiliation = Affiliation.objects.get(person=org_admin, organization=organization)

    response = client_as(org_admin).delete(f"{API}/organizations/{organization.slug}/members/{affiliation.pk}/")

    assert response.status_code == 400
    assert "at least one admin" in response.json()["detail"]
    assert refreshed(affiliation) is not None


def test_a_person_on_a_registered_domain_asks_to_join_and_is_approved(organization, org_admin, staff):
    # given
    services.domain_add(actor=staff, organization=organization, domain="acme.example")
    joiner = UserFactory(email="new@acme.example")

    # when
    asked = client_as(joiner).post(
        f"{API}/organizations/{organization.slug}/join-requests/", {"message": "I work here"}
    )
    approved = client_as(org_admin).post(
        f"{API}/organizations/{organization.slug}/join-requests/{asked.json()['id']}/approve/"
    )

    # then
    assert asked.status_code == 201
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert Affiliation.objects.get(person=joiner, organization=organization).role == Affiliation.Role.MEMBER


def test_a_person_off_the_domains_cannot_ask_to_join(organization, person):
    response = client_as(person).post(f"{API}/organizations/{organization.slug}/join-requests/", {})

    assert response.status_code == 400
    assert "registered domains" in response.json()["detail"]
    assert not JoinRequest.objects.exists()


def test_nobody_outside_can_ask_to_join_an_applicant(applicant_organization, person):
    response = client_as(person).post(f"{API}/organizations/{applicant_organization.slug}/join-requests/", {})

    assert response.status_code == 404
    assert not JoinRequest.objects.exists()


# --- the application lifecycle -------------------------------------------------------------------------------------


@pytest.fixture
def applicant_admin(applicant_organization):
    return AdminAffiliationFactory(organization=applicant_organization).person


def _apply(admin: User, organization: Organization) -> dict:
    response = client_as(admin).post(
        f"{API}/applications/",
        {
            "organization": organization.slug,
            "tier": "associate",
            "statement": "We build tools.",
            "charter_accepted": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_application_changes_requested_resubmitted_and_approved(applicant_organization, applicant_admin, staff):
    # given
    application = _apply(applicant_admin, applicant_organization)
    assert application["status"] == "submitted"
    staff_client, admin_client = client_as(staff), client_as(applicant_admin)
    url = f"{API}/applications/{application['id']}"

    # when staff ask for changes, the applicant reads the reason and resubmits
    asked = staff_client.post(f"{url}/request-changes/", {"reason": "Describe your open-source work."})
    read = admin_client.get(f"{url}/")
    resubmitted = admin_client.post(
        f"{url}/resubmit/", {"statement": "We maintain three libraries.", "tier": "general"}
    )
    approved = staff_client.post(f"{url}/approve/")

    # then
    assert asked.status_code == 200
    assert read.json()["status"] == "changes_requested"
    assert read.json()["reason"] == "Describe your open-source work."
    assert resubmitted.status_code == 200
    assert resubmitted.json()["status"] == "resubmitted"
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    applicant_organization.refresh_from_db()
    assert applicant_organization.status == Organization.Status.ACTIVE
    assert applicant_organization.tier == Organization.Tier.GENERAL
    assert applicant_organization.member_since is not None


def test_rejection_reason_is_shown_to_the_applicant(applicant_organization, applicant_admin, staff):
    application = _apply(applicant_admin, applicant_organization)

    rejected = client_as(staff).post(f"{API}/applications/{application['id']}/reject/", {"reason": "Out of scope."})
    read = client_as(applicant_admin).get(f"{API}/applications/{application['id']}/")

    assert rejected.status_code == 200
    assert read.status_code == 200
    assert read.json()["status"] == "rejected"
    assert read.json()["reason"] == "Out of scope."
    assert refreshed(applicant_organization).status == Organization.Status.APPLICANT


def test_staff_cannot_decide_on_their_own_organizations_application(applicant_organization, applicant_admin, staff):
    # given a staff member who belongs to the applicant
    application = _apply(applicant_admin, applicant_organization)
    AffiliationFactory(organization=applicant_organization, person=staff)

    # when
    response = client_as(staff).post(f"{API}/applications/{application['id']}/approve/")

    # then
    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot decide on an application of your own organization."
    assert refreshed(applicant_organization).status == Organization.Status.APPLICANT
    assert MembershipApplication.objects.get().status == MembershipApplication.Status.SUBMITTED


def test_a_second_open_application_is_refused(applicant_organization, applicant_admin):
    _apply(applicant_admin, applicant_organization)

    response = client_as(applicant_admin).post(
        f"{API}/applications/",
        {
            "organization": applicant_organization.slug,
            "tier": "general",
            "statement": "Again",
            "charter_accepted": True,
        },
        format="json",
    )

    assert response.status_code == 400
    assert "already has an open application" in response.json()["detail"]
    assert MembershipApplication.objects.count() == 1


def test_an_approved_application_cannot_be_approved_again(applicant_organization, applicant_admin, staff):
    application = _apply(applicant_admin, applicant_organization)
    client = client_as(staff)
    client.post(f"{API}/applications/{application['id']}/approve/")

    response = client.post(f"{API}/applications/{application['id']}/reject/", {"reason": "Changed our mind"})

    assert response.status_code == 400
    assert response.json()["detail"] == "An application that is approved cannot be rejected."
    assert MembershipApplication.objects.get().status == MembershipApplication.Status.APPROVED


# --- CSRF -----------------------------------------------------------------------------------------------------------


def test_session_writes_without_csrf_token_are_refused(csrf_api_client, organization, org_admin):
    # given a signed-in session but no CSRF token
    csrf_api_client.force_login(org_admin)

    # when
    response = csrf_api_client.patch(
        f"{API}/organizations/{organization.slug}/", {"description": "Forged"}, format="json"
    )

    # then
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert refreshed(organization).description != "Forged"


def test_session_writes_with_csrf_token_pass(csrf_api_client, organization, org_admin):
    csrf_api_client.force_login(org_admin)
    secret = "a" * 32
    csrf_api_client.cookies["csrftoken"] = secret

    response = csrf_api_client.patch(
        f"{API}/organizations/{organization.slug}/", {"description": "Real"}, format="json", HTTP_X_CSRFTOKEN=secret
    )

    assert response.status_code == 200
    assert refreshed(organization).description == "Real"


def test_token_writes_need_no_csrf_token(csrf_api_client, organization, org_admin):
    _, key = services.api_token_create(actor=org_admin, name="script")
    csrf_api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = csrf_api_client.patch(
        f"{API}/organizations/{organization.slug}/", {"description": "By token"}, format="json"
    )

    assert response.status_code == 200
    assert refreshed(organization).description == "By token"


# --- query counts ---------------------------------------------------------------------------------------------------


ORGANIZATION_LIST_QUERIES = {"anonymous": 2, "person": 2}


@pytest.mark.parametrize("count", [5, 200])
@pytest.mark.parametrize("role", ["anonymous", "person"])
def test_organization_list_costs_the_same_queries_for_5_and_200(django_assert_num_queries, count, role):
    # given organizations with several people each, one of which the person belongs to
    organizations = OrganizationFactory.create_batch(count)
    for organization in organizations:
        AffiliationFactory.create_batch(3, organization=organization)
    client = APIClient()
    if role == "person":
        client.force_authenticate(organizations[0].affiliations.first().person)

    # when
    with django_assert_num_queries(ORGANIZATION_LIST_QUERIES[role]):
        response = client.get(f"{API}/organizations/", {"page_size": 1000})

    # then
    assert response.status_code == 200
    assert response.json()["count"] == count
    assert len(response.json()["results"]) == min(count, 100)  # page_size goes up to 100


def _grow_people(organization, admin, staff, size):
    AffiliationFactory.create_batch(size, organization=organization)


def _grow_affiliations(organization, admin, staff, size):
    for _ in range(size):
        AffiliationFactory(person=admin, organization=OrganizationFactory())


def _grow_invitations(organization, admin, staff, size):
    for number in range(size):
        services.invitation_create(
            actor=admin, organization=organization, email=f"i{number}@example.net", role="member"
        )


def _grow_join_requests(organization, admin, staff, size):
    services.domain_add(actor=staff, organization=organization, domain="joiners.example")
    for number in range(size):
        joiner = UserFactory(email=f"j{number}@joiners.example")
        services.join_request_create(actor=joiner, organization=organization)


def _grow_applications(organization, admin, staff, size):
    for _ in range(size):
        ApplicationFactory(submitted_by=AdminAffiliationFactory(organization=ApplicantOrganizationFactory()).person)


def _grow_tokens(organization, admin, staff, size):
    for number in range(size):
        services.api_token_create(actor=admin, name=f"token {number}")


# (name, who asks, path, how to add rows, queries) for every other list endpoint
LIST_QUERIES = [
    ("people for admins", "org_admin", "/organizations/{slug}/members/", _grow_people, 4),
    ("people for others", "person", "/organizations/{slug}/members/", _grow_people, 4),
    ("me", "org_admin", "/me/", _grow_affiliations, 1),
    ("invitations", "org_admin", "/organizations/{slug}/invitations/", _grow_invitations, 4),
    ("join requests", "org_admin", "/organizations/{slug}/join-requests/", _grow_join_requests, 4),
    ("applications", "staff", "/applications/", _grow_applications, 2),
    ("tokens", "org_admin", "/tokens/", _grow_tokens, 2),
]


@pytest.mark.parametrize("size", [2, 25])
@pytest.mark.parametrize(("name", "role", "path", "grow", "queries"), LIST_QUERIES, ids=[c[0] for c in LIST_QUERIES])
def test_lists_cost_a_fixed_number_of_queries(
    django_assert_num_queries, organization, org_admin, person, staff, size, name, role, path, grow, queries
):
    # given
    grow(organization, org_admin, staff, size)
    client = client_as({"org_admin": org_admin, "person": person, "staff": staff}[role])

    # when
    with django_assert_num_queries(queries):
        response = client.get(API + path.format(slug=organization.slug), {"page_size": 100})

    # then
    assert response.status_code == 200
    rows = response.json().get("results", response.json().get("affiliations"))
    assert len(rows) >= size


# --- schema and docs ------------------------------------------------------------------------------------------------


def test_schema_validates_without_warnings(tmp_path):
    schema = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(schema))

    text = schema.read_text()
    assert "/api/v1/applications/{id}/request-changes/" in text
    assert "/api/v1/organizations/{organization_slug}/invitations/" in text


def test_docs_are_public_and_served_from_static_files():
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn.jsdelivr.net" not in page
    assert APIClient().get("/api/schema/").status_code == 200
