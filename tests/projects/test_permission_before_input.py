"""Permission before input, for projects and the catalog: whoever may not act hears 403 (404 where they may not
even see the object, 401 when not signed in to the API), whatever the body says, and nothing changes. Only a
caller who may act hears about bad input (400), as the last tests here and test_api.py and test_pages.py show.

Every call below sends a body that would be refused as invalid; the answer must be the refusal of the caller.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from alliance.models import AuditEntry, Notification
from members.models import User
from projects import services
from projects.models import CatalogEntry, FocusArea, Participation, Project, ProjectUpdate, ProposalReview
from tests.api_matrix import API, client_as
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory, UserFactory

from .factories import LeadFactory, ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

WATCHED = [
    Project,
    Project.focus_areas.through,
    Project.sponsors.through,
    Participation,
    ProposalReview,
    ProjectUpdate,
    CatalogEntry,
    FocusArea,
    AuditEntry,
    Notification,
]


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row the projects and catalog actions could write, to compare before and after a refused call."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@dataclass
class World:
    """An active project (joined by approval) with a lead, a contributor, a request to join, a catalog entry waiting
    for validation and a validated one; an incubating and an archived project of the same lead; a members-only
    project; a draft with a co-lead who did not propose it; a proposal sponsored by the organization of one of the
    staff; a focus area; and people who may not act on them."""

    project: Project
    incubating: Project
    archived: Project
    members_only: Project
    draft: Project
    proposal: Project
    lead_participation: Participation
    contributor: Participation
    request: Participation
    hidden_participation: Participation
    entry: CatalogEntry
    validated: CatalogEntry
    focus_area: FocusArea
    users: dict[str, User | None]


FULL_CHECKLIST = dict.fromkeys(services.CATALOG_CHECKLIST, True)


@pytest.fixture
def world() -> World:
    organization = OrganizationFactory()
    member = AffiliationFactory(organization=organization).person
    lead = AffiliationFactory(organization=organization).person
    proposer = AffiliationFactory(organization=organization).person
    staff = StaffFactory()
    conflicted_staff = StaffFactory()
    AffiliationFactory(organization=organization, person=conflicted_staff)

    project = ProjectFactory(state=Project.State.ACTIVE, join_policy=Project.JoinPolicy.APPROVAL)
    project.sponsors.add(organization)
    lead_participation = LeadFactory(project=project, person=lead)
    contributor = ParticipationFactory(project=project)
    request = services.participation_join(actor=UserFactory(), project=project, message="May I help?")
    incubating = ProjectFactory(state=Project.State.INCUBATING)
    LeadFactory(project=incubating, person=lead)
    archived = ProjectFactory(state=Project.State.ARCHIVED)
    LeadFactory(project=archived, person=lead)
    members_only = ProjectFactory(visibility=Project.Visibility.MEMBERS)
    hidden_participation = LeadFactory(project=members_only)

    draft = services.project_create(actor=proposer, title="Draft idea", summary="Not yet.", kind=Project.Kind.MODEL)
    co_lead = LeadFactory(project=draft).person
    proposal = services.project_create(actor=proposer, title="Big idea", summary="Soon.", kind=Project.Kind.DATASET)
    services.project_submit(actor=proposer, project=proposal)

    entry = services.catalog_entry_submit(
        actor=lead, project=project, kind=CatalogEntry.Kind.TOOL, name="Red team kit",
        description="Probes models.", link="https://example.org/kit", license="MIT",
    )  # fmt: skip
    validated = services.catalog_entry_submit(
        actor=lead, project=project, kind=CatalogEntry.Kind.DATASET, name="Prompts",
        description="Hard prompts.", link="https://example.org/prompts", license="CC-BY-4.0",
    )  # fmt: skip
    validated = services.catalog_entry_validate(actor=staff, entry=validated, checklist=FULL_CHECKLIST)
    return World(
        project=project,
        incubating=incubating,
        archived=archived,
        members_only=members_only,
        draft=draft,
        proposal=proposal,
        lead_participation=lead_participation,
        contributor=contributor,
        request=request,
        hidden_participation=hidden_participation,
        entry=entry,
        validated=validated,
        focus_area=services.focus_area_create(actor=staff, name="Safety"),
        users={
            "anonymous": None,
            "outsider": UserFactory(),  # signed in, in no member organization, takes part in nothing
            "member": member,  # of the sponsoring organization, takes part in nothing
            "contributor": contributor.person,
            "requester": request.person,
            "lead": lead,
            "proposer": proposer,
            "co_lead": co_lead,  # of the draft, which someone else proposed
            "staff": staff,  # in no member organization
            "conflicted_staff": conflicted_staff,  # belongs to the proposal's sponsor
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
BAD_PROJECT = {"title": "", "kind": "bogus", "repository_url": "not a url", "focus_areas": ["nowhere"]}
BAD_ENTRY = {"name": "", "kind": "bogus", "link": "not a url", "license": NOT_A_STRING}
PARTICIPANTS = "/projects/{w.project.slug}/participants"

API_CALLS = [
    # focus areas: staff only
    Call("create focus area, anonymous", "anonymous", "post", "/focus-areas/", {"name": "", "slug": "!"}, 401),
    Call("create focus area, member", "member", "post", "/focus-areas/", {"name": "", "slug": "!"}, 403),
    Call("edit focus area, lead", "lead", "patch", "/focus-areas/{w.focus_area.slug}/", {"name": NOT_A_STRING}, 403),
    Call("replace focus area, lead", "lead", "put", "/focus-areas/{w.focus_area.slug}/", {"name": ""}, 403),
    # proposals: members propose, the proposer edits and submits the draft, staff decide
    Call("propose, anonymous", "anonymous", "post", "/projects/", BAD_PROJECT, 401),
    Call("propose, not in a member organization", "outsider", "post", "/projects/", BAD_PROJECT, 403),
    Call("propose, staff in no member organization", "staff", "post", "/projects/", BAD_PROJECT, 403),
    Call("edit, contributor", "contributor", "patch", "/projects/{w.project.slug}/", BAD_PROJECT, 403),
    Call("edit, member", "member", "patch", "/projects/{w.project.slug}/", {"visibility": "bogus"}, 403),
    Call("edit a draft, co-lead", "co_lead", "patch", "/projects/{w.draft.slug}/", BAD_PROJECT, 403),
    Call("edit a draft, cannot see", "member", "patch", "/projects/{w.draft.slug}/", BAD_PROJECT, 404),
    Call("edit a proposal under review, proposer", "proposer", "patch", "/projects/{w.proposal.slug}/",
         BAD_PROJECT, 403),
    Call("submit, co-lead", "co_lead", "post", "/projects/{w.draft.slug}/submit/", {"x": NOT_A_STRING}, 403),
    Call("submit, staff", "staff", "post", "/projects/{w.draft.slug}/submit/", {"x": NOT_A_STRING}, 403),
    Call("submit, cannot see", "member", "post", "/projects/{w.draft.slug}/submit/", {"x": NOT_A_STRING}, 404),
    Call("accept, proposer", "proposer", "post", "/projects/{w.proposal.slug}/accept/", {"reason": NOT_A_STRING}, 403),
    Call("accept, sponsor's staff", "conflicted_staff", "post", "/projects/{w.proposal.slug}/accept/",
         {"reason": NOT_A_STRING}, 403),
    Call("accept, cannot see", "member", "post", "/projects/{w.proposal.slug}/accept/", {"reason": NOT_A_STRING}, 404),
    Call("accept, lead of a live project", "lead", "post", "/projects/{w.project.slug}/accept/",
         {"reason": NOT_A_STRING}, 403),
    Call("reject, proposer", "proposer", "post", "/projects/{w.proposal.slug}/reject/", {"reason": ""}, 403),
    Call("reject, sponsor's staff", "conflicted_staff", "post", "/projects/{w.proposal.slug}/reject/",
         {"reason": ""}, 403),
    Call("reject, cannot see", "outsider", "post", "/projects/{w.proposal.slug}/reject/", {"reason": ""}, 404),
    Call("review, proposer", "proposer", "post", "/projects/{w.proposal.slug}/review/",
         {"recommendation": "bogus", "comment": ""}, 403),
    Call("review, cannot see", "member", "post", "/projects/{w.proposal.slug}/review/",
         {"recommendation": "bogus"}, 404),
    Call("review, lead", "lead", "post", "/projects/{w.project.slug}/review/", {"recommendation": "bogus"}, 403),
    # the lifecycle: staff promote, archive and revive; leads ask for archiving
    Call("promote, lead", "lead", "post", "/projects/{w.incubating.slug}/promote/", {"x": NOT_A_STRING}, 403),
    Call("archive, lead", "lead", "post", "/projects/{w.project.slug}/archive/", {"reason": NOT_A_STRING}, 403),
    Call("archive, cannot see", "outsider", "post", "/projects/{w.members_only.slug}/archive/",
         {"reason": NOT_A_STRING}, 404),
    Call("revive, lead", "lead", "post", "/projects/{w.archived.slug}/revive/", {"x": NOT_A_STRING}, 403),
    Call("request archive, contributor", "contributor", "post", "/projects/{w.project.slug}/request-archive/",
         {"reason": NOT_A_STRING}, 403),
    Call("request archive, staff", "staff", "post", "/projects/{w.project.slug}/request-archive/",
         {"reason": "x" * 5000}, 403),
    # taking part
    Call("join, anonymous", "anonymous", "post", "/projects/{w.project.slug}/join/", {"message": NOT_A_STRING}, 401),
    Call("join members only, cannot see", "outsider", "post", "/projects/{w.members_only.slug}/join/",
         {"message": NOT_A_STRING}, 404),
    Call("join members only, staff in no member organization", "staff", "post",
         "/projects/{w.members_only.slug}/join/", {"message": NOT_A_STRING}, 403),
    Call("leave, anonymous", "anonymous", "post", "/projects/{w.project.slug}/leave/", {"x": NOT_A_STRING}, 401),
    Call("leave, cannot see", "outsider", "post", "/projects/{w.members_only.slug}/leave/", {"x": NOT_A_STRING}, 404),
    Call("change role, contributor", "contributor", "patch", PARTICIPANTS + "/{w.lead_participation.pk}/",
         {"role": "bogus"}, 403),
    Call("change role, member", "member", "patch", PARTICIPANTS + "/{w.contributor.pk}/", {"role": "bogus"}, 403),
    Call("change own role, contributor", "contributor", "patch", PARTICIPANTS + "/{w.contributor.pk}/",
         {"role": NOT_A_STRING}, 403),
    Call("change role of a request, cannot see it", "contributor", "patch", PARTICIPANTS + "/{w.request.pk}/",
         {"role": "bogus"}, 404),
    Call("change role, cannot see the project", "outsider", "patch",
         "/projects/{w.members_only.slug}/participants/{w.hidden_participation.pk}/", {"role": "bogus"}, 404),
    Call("change role, anonymous", "anonymous", "patch", PARTICIPANTS + "/{w.contributor.pk}/", {"role": "x"}, 401),
    Call("remove, contributor", "contributor", "delete", PARTICIPANTS + "/{w.lead_participation.pk}/",
         {"x": NOT_A_STRING}, 403),
    Call("remove, member", "member", "delete", PARTICIPANTS + "/{w.contributor.pk}/", {"x": NOT_A_STRING}, 403),
    Call("approve own request", "requester", "post", PARTICIPANTS + "/{w.request.pk}/approve/",
         {"x": NOT_A_STRING}, 403),
    Call("approve, cannot see the request", "contributor", "post", PARTICIPANTS + "/{w.request.pk}/approve/",
         {"x": NOT_A_STRING}, 404),
    Call("decline own request", "requester", "post", PARTICIPANTS + "/{w.request.pk}/decline/",
         {"x": NOT_A_STRING}, 403),
    Call("decline, cannot see the request", "member", "post", PARTICIPANTS + "/{w.request.pk}/decline/",
         {"x": NOT_A_STRING}, 404),
    # updates: a lead posts them
    Call("post update, contributor", "contributor", "post", "/projects/{w.project.slug}/updates/",
         {"title": "", "body": NOT_A_STRING}, 403),
    Call("post update, staff", "staff", "post", "/projects/{w.project.slug}/updates/", {"title": ""}, 403),
    Call("post update, cannot see", "outsider", "post", "/projects/{w.members_only.slug}/updates/",
         {"title": ""}, 404),
    Call("post update, anonymous", "anonymous", "post", "/projects/{w.project.slug}/updates/", {"title": ""}, 401),
    # the catalog: a lead submits, staff validate and renew, staff or a lead deprecate
    Call("submit entry, anonymous", "anonymous", "post", "/catalog/", {"project": "{w.project.slug}", **BAD_ENTRY},
         401),
    Call("submit entry, contributor", "contributor", "post", "/catalog/",
         {"project": "{w.project.slug}", **BAD_ENTRY}, 403),
    Call("submit entry, staff", "staff", "post", "/catalog/", {"project": "{w.project.slug}", **BAD_ENTRY}, 403),
    Call("validate, anonymous", "anonymous", "post", "/catalog/{w.entry.pk}/validate/", {"checklist": {}}, 401),
    Call("validate, the project's lead", "lead", "post", "/catalog/{w.entry.pk}/validate/", {"checklist": "x"}, 403),
    Call("validate, empty checklist, the project's lead", "lead", "post", "/catalog/{w.entry.pk}/validate/",
         {"checklist": {}}, 403),
    Call("validate, cannot see a submitted entry", "member", "post", "/catalog/{w.entry.pk}/validate/",
         {"checklist": {}}, 404),
    Call("renew, empty checklist, member", "member", "post", "/catalog/{w.validated.pk}/validate/",
         {"checklist": {}}, 403),
    Call("renew, no checklist, member", "member", "post", "/catalog/{w.validated.pk}/validate/", {}, 403),
    Call("renew, checklist not a mapping, member", "member", "post", "/catalog/{w.validated.pk}/validate/",
         {"checklist": []}, 403),
    Call("deprecate, anonymous", "anonymous", "post", "/catalog/{w.entry.pk}/deprecate/", {"reason": ""}, 401),
    Call("deprecate, contributor", "contributor", "post", "/catalog/{w.entry.pk}/deprecate/",
         {"reason": NOT_A_STRING}, 403),
    Call("deprecate, member", "member", "post", "/catalog/{w.validated.pk}/deprecate/", {"reason": "x" * 5000}, 403),
    Call("deprecate, cannot see a submitted entry", "outsider", "post", "/catalog/{w.entry.pk}/deprecate/",
         {"reason": NOT_A_STRING}, 404),
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


BAD_FORM = {"title": "", "kind": "bogus", "repository_url": "not a url", "focus_areas": ["nowhere"]}
BAD_ENTRY_FORM = {"name": "", "kind": "bogus", "link": "not a url"}
PERSON = "slug={w.project.slug},pk={w.contributor.pk}"
REQUEST = "slug={w.project.slug},pk={w.request.pk}"

PAGE_POSTS = [
    # proposals
    PagePost("propose, not in a member organization", "outsider", "projects:project_create", "", BAD_FORM, 403),
    PagePost("propose, staff in no member organization", "staff", "projects:project_create", "", BAD_FORM, 403),
    PagePost("edit, contributor", "contributor", "projects:project_edit", "slug={w.project.slug}", BAD_FORM, 403),
    PagePost("edit a draft, co-lead", "co_lead", "projects:project_edit", "slug={w.draft.slug}", BAD_FORM, 403),
    PagePost("edit a draft, cannot see", "member", "projects:project_edit", "slug={w.draft.slug}", BAD_FORM, 404),
    PagePost("edit a proposal under review, proposer", "proposer", "projects:project_edit",
             "slug={w.proposal.slug}", BAD_FORM, 403),
    PagePost("submit, co-lead", "co_lead", "projects:project_submit", "slug={w.draft.slug}", {"x": "y"}, 403),
    PagePost("submit, staff", "staff", "projects:project_submit", "slug={w.draft.slug}", {"x": "y"}, 403),
    PagePost("submit, cannot see", "member", "projects:project_submit", "slug={w.draft.slug}", {"x": "y"}, 404),
    PagePost("decide, proposer", "proposer", "projects:project_decide", "slug={w.proposal.slug}",
             {"decision": "bogus", "from": "queue"}, 403),
    PagePost("decide, lead", "lead", "projects:project_decide", "slug={w.project.slug}", {"decision": "bogus"}, 403),
    PagePost("review, proposer", "proposer", "projects:project_review", "slug={w.proposal.slug}",
             {"recommendation": "bogus", "comment": ""}, 403),
    PagePost("review, lead", "lead", "projects:project_review", "slug={w.project.slug}",
             {"recommendation": "bogus"}, 403),
    # the lifecycle
    PagePost("promote, lead", "lead", "projects:project_transition", "slug={w.incubating.slug},action=promote",
             {"x": "y"}, 403),
    PagePost("archive, lead", "lead", "projects:project_transition", "slug={w.project.slug},action=archive",
             {"reason": "x" * 5000}, 403),
    PagePost("revive, lead", "lead", "projects:project_transition", "slug={w.archived.slug},action=revive",
             {"x": "y"}, 403),
    PagePost("request archive, contributor", "contributor", "projects:project_request_archive",
             "slug={w.project.slug}", {"reason": "x" * 5000}, 403),
    PagePost("request archive, staff", "staff", "projects:project_request_archive", "slug={w.project.slug}",
             {"reason": "x" * 5000}, 403),
    PagePost("request archive, cannot see", "outsider", "projects:project_request_archive",
             "slug={w.members_only.slug}", {"reason": "x" * 5000}, 404),
    # taking part
    PagePost("join members only, staff in no member organization", "staff", "projects:project_join",
             "slug={w.members_only.slug}", {"message": "x" * 5000}, 403),
    PagePost("join members only, cannot see", "outsider", "projects:project_join", "slug={w.members_only.slug}",
             {"message": "x" * 5000}, 404),
    PagePost("leave, cannot see", "outsider", "projects:project_leave", "slug={w.members_only.slug}", {"x": "y"},
             404),
    PagePost("approve, contributor", "contributor", "projects:participant_action", REQUEST + ",action=approve",
             {"x": "y"}, 403),
    PagePost("approve own request", "requester", "projects:participant_action", REQUEST + ",action=approve",
             {"x": "y"}, 403),
    PagePost("decline, member", "member", "projects:participant_action", REQUEST + ",action=decline",
             {"x": "y"}, 403),
    PagePost("change role, contributor", "contributor", "projects:participant_action", PERSON + ",action=role",
             {"role": "bogus"}, 403),
    PagePost("change role, member", "member", "projects:participant_action", PERSON + ",action=role",
             {"role": "lead"}, 403),
    PagePost("change role, cannot see", "outsider", "projects:participant_action",
             "slug={w.members_only.slug},pk={w.hidden_participation.pk},action=role", {"role": "bogus"}, 404),
    PagePost("remove, contributor", "contributor", "projects:participant_action",
             "slug={w.project.slug},pk={w.lead_participation.pk},action=remove", {"x": "y"}, 403),
    PagePost("remove, member", "member", "projects:participant_action", PERSON + ",action=remove", {"x": "y"}, 403),
    # updates
    PagePost("post update, contributor", "contributor", "projects:update_post", "slug={w.project.slug}",
             {"title": "", "body": ""}, 403),
    PagePost("post update, staff", "staff", "projects:update_post", "slug={w.project.slug}", {"title": ""}, 403),
    PagePost("post update, cannot see", "outsider", "projects:update_post", "slug={w.members_only.slug}",
             {"title": ""}, 404),
    # the catalog
    PagePost("submit entry, contributor", "contributor", "projects:catalog_entry_create", "slug={w.project.slug}",
             BAD_ENTRY_FORM, 403),
    PagePost("submit entry, staff", "staff", "projects:catalog_entry_create", "slug={w.project.slug}",
             BAD_ENTRY_FORM, 403),
    PagePost("submit entry, cannot see", "outsider", "projects:catalog_entry_create", "slug={w.members_only.slug}",
             BAD_ENTRY_FORM, 404),
    PagePost("validate, empty checklist, the project's lead", "lead", "projects:catalog_validate", "pk={w.entry.pk}",
             {}, 403),
    PagePost("renew, empty checklist, member", "member", "projects:catalog_validate", "pk={w.validated.pk}", {},
             403),
    PagePost("renew, member", "member", "projects:catalog_validate", "pk={w.validated.pk}", {"license": "bogus"},
             403),
    PagePost("deprecate, contributor", "contributor", "projects:catalog_deprecate", "pk={w.entry.pk}",
             {"reason": "x" * 5000}, 403),
    PagePost("deprecate, member", "member", "projects:catalog_deprecate", "pk={w.validated.pk}",
             {"reason": "x" * 5000}, 403),
    PagePost("deprecate, cannot see a submitted entry", "outsider", "projects:catalog_deprecate", "pk={w.entry.pk}",
             {"reason": "x" * 5000}, 404),
]  # fmt: skip


def _url(world: World, name: str, kwargs: str) -> str:
    pairs = (pair.split("=", 1) for pair in kwargs.format(w=world).split(",") if pair)
    return reverse(name, kwargs={key: int(value) if value.isdigit() else value for key, value in pairs})


HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
@pytest.mark.parametrize("call", PAGE_POSTS, ids=lambda call: call.name)
def test_the_pages_refuse_the_caller_before_they_read_the_form(client, world, call, htmx):
    # given
    client.force_login(world.users[call.who])
    before = snapshot()

    # when
    response = client.post(_url(world, call.url_name, call.url_kwargs), call.body, **(HTMX if htmx else {}))

    # then the caller's refusal page, and nothing changed
    assert response.status_code == call.expected
    assert snapshot() == before


@pytest.mark.parametrize("url_name,url_kwargs", sorted({(call.url_name, call.url_kwargs) for call in PAGE_POSTS}))
def test_the_pages_send_anonymous_visitors_to_sign_in_and_change_nothing(client, world, url_name, url_kwargs):
    # given
    before = snapshot()

    # when
    response = client.post(_url(world, url_name, url_kwargs), {"title": "", "checklist": "bogus"})

    # then
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert snapshot() == before


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_staff_of_a_sponsor_hear_of_the_conflict_where_they_decide_not_of_what_they_typed(client, world, htmx):
    # given a reviewer from the proposal's sponsor, deciding from the queue with a form that is not valid either
    client.force_login(world.users["conflicted_staff"])
    before = snapshot()

    # when
    response = client.post(
        reverse("projects:project_decide", args=[world.proposal.slug]),
        {"decision": "bogus", "reason": "x" * 5000, "from": "queue"},
        **(HTMX if htmx else {}),
        follow=not htmx,
    )

    # then the refusal, where they decide (the row, or the queue's page), and not a word about the form
    page = response.content.decode()
    assert response.status_code == 200
    assert "another reviewer must decide" in page
    assert "Select a valid choice" not in page
    assert snapshot() == before


# --- who may act hears about the same bad input ----------------------------------------------------------------

MAY_ACT = [
    Call("create focus area, staff", "staff", "post", "/focus-areas/", {"name": "", "slug": "!"}, 400),
    Call("edit, lead", "lead", "patch", "/projects/{w.project.slug}/", BAD_PROJECT, 400),
    Call("change role, lead", "lead", "patch", PARTICIPANTS + "/{w.contributor.pk}/", {"role": "bogus"}, 400),
    Call("post update, lead", "lead", "post", "/projects/{w.project.slug}/updates/", {"title": ""}, 400),
    Call("submit entry, lead", "lead", "post", "/catalog/", {"project": "{w.project.slug}", **BAD_ENTRY}, 400),
    Call("validate, empty checklist, staff", "staff", "post", "/catalog/{w.entry.pk}/validate/", {"checklist": {}},
         400),
    Call("renew, no checklist, staff", "staff", "post", "/catalog/{w.validated.pk}/validate/", {}, 400),
]  # fmt: skip


@pytest.mark.parametrize("call", MAY_ACT, ids=lambda call: call.name)
def test_the_api_tells_who_may_act_about_the_bad_input(world, call):
    # given
    body = {key: _filled(value, world) for key, value in call.body.items()}
    before = snapshot()

    # when
    response = getattr(client_as(world.users[call.who]), call.method)(
        API + call.path.format(w=world), body, format="json"
    )

    # then
    assert response.status_code == call.expected, response.content
    assert response.json()["errors"]
    assert snapshot() == before


def test_staff_hear_that_the_checklist_is_empty_on_the_page(client, world):
    # given
    client.force_login(world.users["staff"])
    before = snapshot()

    # when
    response = client.post(reverse("projects:catalog_validate", args=[world.entry.pk]), {})

    # then
    assert response.status_code == 400
    assert "The checklist is not complete" in response.content.decode()
    assert snapshot() == before
