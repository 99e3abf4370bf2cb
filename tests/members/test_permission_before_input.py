"""Permission before input: whoever may not act hears 403 (404 where they may not even see the object), whatever
the body says, and nothing changes. Only a caller who may act hears about bad input (400), as test_api.py and
test_pages.py show.

Every call below sends a body that would be refused as invalid; the answer must be the refusal of the caller.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

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
    User,
)
from tests.api_matrix import API, client_as

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

WATCHED = [
    Organization,
    Affiliation,
    MembershipApplication,
    Invitation,
    OrganizationDomain,
    JoinRequest,
    ApiToken,
    AuditEntry,
    Notification,
]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row the members actions could write, to compare before and after a refused call."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@dataclass
class World:
    """An active organization with an admin, a member, a listed colleague and an unlisted one; an applicant whose
    application waits for staff (with a staff member who belongs to it), another sent back for changes; and
    people who may not act on them."""

    active: Organization
    applicant: Organization
    application: MembershipApplication
    sent_back: MembershipApplication
    colleague: Affiliation
    unlisted: Affiliation
    invitation: Invitation
    domain: OrganizationDomain
    join_request: JoinRequest
    token: ApiToken
    users: dict[str, User | None]


@pytest.fixture
def world() -> World:
    active = OrganizationFactory()
    org_admin = AdminAffiliationFactory(organization=active).person
    member = AffiliationFactory(organization=active).person
    colleague = AffiliationFactory(organization=active)
    unlisted = AffiliationFactory(organization=active, listed=False)
    staff = StaffFactory()

    applicant = ApplicantOrganizationFactory()
    applicant_admin = AdminAffiliationFactory(organization=applicant).person
    applicant_member = AffiliationFactory(organization=applicant).person
    application = ApplicationFactory(organization=applicant, submitted_by=applicant_admin)
    affiliated_staff = StaffFactory()
    AffiliationFactory(organization=applicant, person=affiliated_staff)

    other_applicant = ApplicantOrganizationFactory()
    other_admin = AdminAffiliationFactory(organization=other_applicant).person
    sent_back = ApplicationFactory(organization=other_applicant, submitted_by=other_admin)
    services.application_request_changes(actor=staff, application=sent_back, reason="Tell us more.")

    invitation = services.invitation_create(
        actor=org_admin, organization=active, email="invited@example.net", role="member"
    )
    domain = services.domain_add(actor=staff, organization=active, domain="joiners.example")
    join_request = services.join_request_create(actor=UserFactory(email="someone@joiners.example"), organization=active)
    token, _ = services.api_token_create(actor=org_admin, name="laptop")
    return World(
        active=active,
        applicant=applicant,
        application=application,
        sent_back=sent_back,
        colleague=colleague,
        unlisted=unlisted,
        invitation=invitation,
        domain=domain,
        join_request=join_request,
        token=token,
        users={
            "anonymous": None,
            "outsider": UserFactory(),
            "member": member,
            "applicant_admin": applicant_admin,
            "applicant_member": applicant_member,
            "affiliated_staff": affiliated_staff,
            "staff": staff,
        },
    )


@dataclass
class Call:
    name: str
    who: str
    method: str
    path: str  # formatted with ``w``, the world
    body: dict[str, Any]
    expected: int


NOT_A_STRING = {"not": "a string"}

API_CALLS = [
    # applications: staff decide (never on their own organization's), the applicant's admins resubmit or withdraw
    Call("request changes, not staff", "applicant_admin", "post", "/applications/{w.application.pk}/request-changes/",
         {"reason": ""}, 403),
    Call("request changes, not staff, bad reason", "applicant_admin", "post",
         "/applications/{w.application.pk}/request-changes/", {"reason": NOT_A_STRING}, 403),
    Call("request changes, cannot see", "member", "post", "/applications/{w.application.pk}/request-changes/",
         {"reason": ""}, 404),
    Call("reject, not staff", "applicant_admin", "post", "/applications/{w.application.pk}/reject/",
         {"reason": ""}, 403),
    Call("reject, own organization", "affiliated_staff", "post", "/applications/{w.application.pk}/reject/",
         {"reason": NOT_A_STRING}, 403),
    Call("reject, cannot see", "outsider", "post", "/applications/{w.application.pk}/reject/", {"reason": ""}, 404),
    Call("approve, own organization", "affiliated_staff", "post", "/applications/{w.application.pk}/approve/",
         {"reason": NOT_A_STRING}, 403),
    Call("withdraw, staff", "staff", "post", "/applications/{w.application.pk}/withdraw/", {"x": NOT_A_STRING}, 403),
    Call("resubmit, staff", "staff", "post", "/applications/{w.sent_back.pk}/resubmit/",
         {"tier": "bogus", "statement": NOT_A_STRING}, 403),
    Call("resubmit, cannot see", "outsider", "post", "/applications/{w.sent_back.pk}/resubmit/",
         {"tier": "bogus"}, 404),
    Call("apply, staff", "staff", "post", "/applications/",
         {"organization": "{w.applicant.slug}", "tier": "bogus", "statement": NOT_A_STRING}, 403),
    Call("apply, a member but not an admin", "applicant_member", "post", "/applications/",
         {"organization": "{w.applicant.slug}", "tier": "bogus", "charter_accepted": "maybe"}, 403),
    # the organization's profile
    Call("patch profile, member", "member", "patch", "/organizations/{w.active.slug}/",
         {"kind": "spaceship", "country": "XX"}, 403),
    Call("put profile, member", "member", "put", "/organizations/{w.active.slug}/", {"name": ""}, 403),
    Call("patch profile, cannot see", "outsider", "patch", "/organizations/{w.applicant.slug}/", {"kind": "x"}, 404),
    # people and roles
    Call("change role, member", "member", "patch", "/organizations/{w.active.slug}/members/{w.colleague.pk}/",
         {"role": "owner"}, 403),
    Call("change role, unlisted", "outsider", "patch", "/organizations/{w.active.slug}/members/{w.unlisted.pk}/",
         {"role": "owner"}, 404),
    Call("remove, member", "member", "delete", "/organizations/{w.active.slug}/members/{w.colleague.pk}/",
         {"x": NOT_A_STRING}, 403),
    # invitations
    Call("invite, member", "member", "post", "/organizations/{w.active.slug}/invitations/",
         {"email": "not an address", "role": "owner"}, 403),
    Call("invite, cannot see", "outsider", "post", "/organizations/{w.applicant.slug}/invitations/",
         {"email": "not an address"}, 404),
    Call("resend, member", "member", "post", "/organizations/{w.active.slug}/invitations/{w.invitation.pk}/resend/",
         {"x": NOT_A_STRING}, 403),
    Call("revoke, member", "member", "post", "/organizations/{w.active.slug}/invitations/{w.invitation.pk}/revoke/",
         {"x": NOT_A_STRING}, 403),
    # domains and join requests
    Call("add domain, member", "member", "post", "/organizations/{w.active.slug}/domains/", {"domain": ""}, 403),
    Call("remove domain, member", "member", "delete", "/organizations/{w.active.slug}/domains/{w.domain.pk}/",
         {"x": NOT_A_STRING}, 403),
    Call("ask to join, cannot see", "outsider", "post", "/organizations/{w.applicant.slug}/join-requests/",
         {"message": NOT_A_STRING}, 404),
    Call("ask to join, anonymous", "anonymous", "post", "/organizations/{w.active.slug}/join-requests/",
         {"message": NOT_A_STRING}, 401),
    Call("approve join request, member", "member", "post",
         "/organizations/{w.active.slug}/join-requests/{w.join_request.pk}/approve/", {"x": NOT_A_STRING}, 403),
    Call("decline join request, member", "member", "post",
         "/organizations/{w.active.slug}/join-requests/{w.join_request.pk}/decline/", {"x": NOT_A_STRING}, 403),
    # tokens
    Call("create token, anonymous", "anonymous", "post", "/tokens/", {"name": "", "expires_in_days": 0}, 401),
    Call("revoke someone's token", "member", "delete", "/tokens/{w.token.pk}/", {"x": NOT_A_STRING}, 404),
]  # fmt: skip


def _filled(value: Any, world: World) -> Any:
    return value.format(w=world) if isinstance(value, str) else value


@pytest.mark.parametrize("call", API_CALLS, ids=lambda call: call.name)
def test_the_api_refuses_the_caller_before_it_reads_the_body(world, call):
    # given
    client = client_as(world.users[call.who])
    body = {key: _filled(value, world) for key, value in call.body.items()}
    before = snapshot()

    # when
    response = getattr(client, call.method)(API + call.path.format(w=world), body, format="json")

    # then the caller's refusal, never a complaint about the body
    assert response.status_code == call.expected, response.content
    assert "errors" not in response.json()
    assert snapshot() == before


@dataclass
class PagePost:
    name: str
    who: str
    url_name: str
    url_kwargs: str  # "key=value,...", formatted with ``w``, the world
    body: dict[str, Any]
    expected: int


PAGE_POSTS = [
    PagePost("resubmit, staff", "staff", "members:application_resubmit", "pk={w.sent_back.pk}",
         {"tier": "bogus", "statement": ""}, 403),
    PagePost("resubmit, cannot see", "outsider", "members:application_resubmit", "pk={w.sent_back.pk}",
         {"tier": "bogus"}, 404),
    PagePost("decide, own organization", "affiliated_staff", "members:application_decide", "pk={w.application.pk}",
         {"decision": "bogus"}, 403),
    PagePost("decide, not staff", "applicant_admin", "members:application_decide", "pk={w.application.pk}",
         {"decision": "bogus"}, 403),
    PagePost("withdraw, staff", "staff", "members:application_withdraw", "pk={w.application.pk}", {"x": "y"}, 403),
    PagePost("apply, a member but not an admin", "applicant_member", "members:application_create",
         "slug={w.applicant.slug}", {"tier": "bogus"}, 403),
    PagePost("edit profile, member", "member", "members:my_organization", "slug={w.active.slug}",
         {"name": "", "kind": "spaceship"}, 403),
    PagePost("change role, member", "member", "members:person_role", "slug={w.active.slug},pk={w.colleague.pk}",
         {"role": "owner"}, 403),
    PagePost("change role, outsider", "outsider", "members:person_role", "slug={w.active.slug},pk={w.colleague.pk}",
         {"role": "owner"}, 404),
    PagePost("remove, member", "member", "members:person_remove", "slug={w.active.slug},pk={w.colleague.pk}",
         {"x": "y"}, 403),
    PagePost("invite, member", "member", "members:invitation_create", "slug={w.active.slug}",
         {"email": "not an address", "role": "owner"}, 403),
    PagePost("resend, member", "member", "members:invitation_action",
         "slug={w.active.slug},pk={w.invitation.pk},action=resend", {"x": "y"}, 403),
    PagePost("revoke, member", "member", "members:invitation_action",
         "slug={w.active.slug},pk={w.invitation.pk},action=revoke", {"x": "y"}, 403),
    PagePost("add domain, member", "member", "members:domain_add", "slug={w.active.slug}", {"domain": ""}, 403),
    PagePost("remove domain, member", "member", "members:domain_remove", "slug={w.active.slug},pk={w.domain.pk}",
         {"x": "y"}, 403),
    PagePost("approve join request, member", "member", "members:join_request_decide",
         "slug={w.active.slug},pk={w.join_request.pk},decision=approve", {"x": "y"}, 403),
    PagePost("ask to join, cannot see", "outsider", "members:join_request_create", "slug={w.applicant.slug}",
         {"message": "x" * 5000}, 404),
]  # fmt: skip


def _url(world: World, name: str, kwargs: str) -> str:
    pairs = (pair.split("=", 1) for pair in kwargs.format(w=world).split(","))
    return reverse(name, kwargs={key: int(value) if value.isdigit() else value for key, value in pairs})


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("call", PAGE_POSTS, ids=lambda call: call.name)
def test_the_pages_refuse_the_caller_before_they_read_the_form(client, world, call, htmx):
    # given
    client.force_login(world.users[call.who])
    before = snapshot()

    # when
    response = client.post(
        _url(world, call.url_name, call.url_kwargs), call.body, **({"HTTP_HX_REQUEST": "true"} if htmx else {})
    )

    # then the caller's refusal page, and nothing changed
    assert response.status_code == call.expected
    assert snapshot() == before
