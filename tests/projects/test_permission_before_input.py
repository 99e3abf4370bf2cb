"""Permission before input, for projects and the catalog: whoever may not act hears 403 (404 where they may not
even see the object, 401 when not signed in to the API), whatever the body says, and nothing changes. Only a
caller who may act hears about bad input (400), as test_api.py and test_pages.py show.

Every call below sends a body that would be refused as invalid; the answer must be the refusal of the caller.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.models import AuditEntry, Notification
from projects.models import CatalogEntry, FocusArea, Participation, Project, ProjectUpdate, ProposalReview
from tests.api_matrix import API, client_as
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory, UserFactory

from .factories import CatalogEntryFactory, FocusAreaFactory, LeadFactory, ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

WATCHED = [Project, Participation, ProposalReview, ProjectUpdate, CatalogEntry, FocusArea, AuditEntry, Notification]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row the projects and catalog actions could write, to compare before and after a refused call."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@dataclass
class World:
    """An active project with a lead, a contributor, a catalog entry waiting for validation and a validated one; a
    members-only project; a proposal only its proposer and staff see; a focus area; and people who may not act."""

    project: Project
    members_only: Project
    proposal: Project
    contributor: Participation
    entry: CatalogEntry
    validated: CatalogEntry
    focus_area: FocusArea
    users: dict[str, Any]


@pytest.fixture
def world() -> World:
    organization = OrganizationFactory()
    member = AffiliationFactory(organization=organization).person
    project = ProjectFactory(state=Project.State.ACTIVE)
    lead = LeadFactory(project=project).person
    contributor = ParticipationFactory(project=project)
    proposal = ProjectFactory(state=Project.State.PROPOSED)
    entry = CatalogEntryFactory(project=project, submitted_by=lead)
    validated = CatalogEntryFactory(
        project=project, submitted_by=lead, status=CatalogEntry.Status.VALIDATED, validated_at=timezone.now()
    )
    return World(
        project=project,
        members_only=ProjectFactory(visibility=Project.Visibility.MEMBERS),
        validated=validated,
        proposal=proposal,
        contributor=contributor,
        entry=entry,
        focus_area=FocusAreaFactory(),
        users={
            "anonymous": None,
            "outsider": UserFactory(),
            "member": member,
            "contributor": contributor.person,
            "lead": lead,
            "staff": StaffFactory(),
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
    # focus areas: staff only
    Call("create focus area, member", "member", "post", "/focus-areas/", {"name": "", "slug": "!"}, 403),
    Call("edit focus area, lead", "lead", "patch", "/focus-areas/{w.focus_area.slug}/", {"name": NOT_A_STRING}, 403),
    # proposals and the lifecycle
    Call("propose, anonymous", "anonymous", "post", "/projects/", {"title": "", "kind": "bogus"}, 401),
    Call("propose, not in a member organization", "outsider", "post", "/projects/", {"title": "", "kind": "x"}, 403),
    Call("edit, contributor", "contributor", "patch", "/projects/{w.project.slug}/", {"title": "", "kind": "x"}, 403),
    Call("edit, cannot see", "member", "patch", "/projects/{w.proposal.slug}/", {"title": ""}, 404),
    Call("accept, lead", "lead", "post", "/projects/{w.project.slug}/accept/", {"reason": NOT_A_STRING}, 403),
    Call("accept, cannot see", "member", "post", "/projects/{w.proposal.slug}/accept/", {"reason": NOT_A_STRING}, 404),
    Call("reject, lead", "lead", "post", "/projects/{w.project.slug}/reject/", {"reason": ""}, 403),
    Call("archive, lead", "lead", "post", "/projects/{w.project.slug}/archive/", {"reason": NOT_A_STRING}, 403),
    Call("request archive, contributor", "contributor", "post", "/projects/{w.project.slug}/request-archive/",
         {"reason": NOT_A_STRING}, 403),
    Call("review, lead", "lead", "post", "/projects/{w.project.slug}/review/", {"verdict": "bogus"}, 403),
    # participation
    Call("join, anonymous", "anonymous", "post", "/projects/{w.project.slug}/join/", {"message": NOT_A_STRING}, 401),
    Call("join members only, cannot see", "outsider", "post", "/projects/{w.members_only.slug}/join/",
         {"message": NOT_A_STRING}, 404),
    Call("change role, contributor", "contributor", "patch",
         "/projects/{w.project.slug}/participants/{w.contributor.pk}/", {"role": "bogus"}, 403),
    Call("change role, member", "member", "patch",
         "/projects/{w.project.slug}/participants/{w.contributor.pk}/", {"role": "bogus"}, 403),
    # updates
    Call("post update, contributor", "contributor", "post", "/projects/{w.project.slug}/updates/",
         {"title": "", "body": NOT_A_STRING}, 403),
    # the catalog
    Call("submit entry, contributor", "contributor", "post", "/catalog/",
         {"project": "{w.project.slug}", "name": "", "kind": "bogus"}, 403),
    Call("renew, a member who may not validate", "member", "post", "/catalog/{w.validated.pk}/validate/",
         {"checklist": []}, 403),
    Call("validate, cannot see a submitted entry", "member", "post", "/catalog/{w.entry.pk}/validate/",
         {"checklist": []}, 404),
    Call("validate, the project's lead", "lead", "post", "/catalog/{w.entry.pk}/validate/", {"checklist": "x"}, 403),
    Call("deprecate, contributor", "contributor", "post", "/catalog/{w.entry.pk}/deprecate/",
         {"reason": NOT_A_STRING}, 403),
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
    PagePost("edit, contributor", "contributor", "projects:project_edit", "slug={w.project.slug}",
             {"title": "", "kind": "bogus"}, 403),
    PagePost("decide, lead", "lead", "projects:project_decide", "slug={w.project.slug}", {"decision": "bogus"}, 403),
    PagePost("review, lead", "lead", "projects:project_review", "slug={w.project.slug}", {"verdict": "bogus"}, 403),
    PagePost("request archive, contributor", "contributor", "projects:project_request_archive",
             "slug={w.project.slug}", {"reason": "x" * 5000}, 403),
    PagePost("change role, contributor", "contributor", "projects:participant_action",
             "slug={w.project.slug},pk={w.contributor.pk},action=role", {"role": "bogus"}, 403),
    PagePost("post update, contributor", "contributor", "projects:update_post", "slug={w.project.slug}",
             {"title": "", "body": ""}, 403),
    PagePost("submit entry, contributor", "contributor", "projects:catalog_entry_create", "slug={w.project.slug}",
             {"name": "", "kind": "bogus"}, 403),
    PagePost("renew, member", "member", "projects:catalog_validate", "pk={w.validated.pk}", {"checklist": "bogus"},
             403),
    PagePost("deprecate, contributor", "contributor", "projects:catalog_deprecate", "pk={w.entry.pk}",
             {"reason": "x" * 5000}, 403),
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
