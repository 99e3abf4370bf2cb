"""The projects REST API under /api/v1/: permission matrix, visibility of lists, lifecycle, bad input, query counts."""

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from alliance.models import AuditEntry
from members.models import User
from projects import services
from projects.models import CatalogEntry, FocusArea, Participation, Project, ProjectUpdate, ProposalReview
from tests.api_matrix import API, Case, check_case, client_as, refreshed
from tests.members.factories import AffiliationFactory, OrganizationFactory, UserFactory

from .factories import CatalogEntryFactory, FocusAreaFactory, LeadFactory, ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "person", "other_member", "lead", "staff")
FULL_CHECKLIST = dict.fromkeys(services.CATALOG_CHECKLIST, True)


@dataclass
class World:
    """A live project and its relatives in every state, seen by a person in each role.

    ``lead`` leads every project here and belongs to the sponsoring organization; ``other_member`` belongs to
    another active member organization; ``person`` is signed in but in no member organization.
    """

    users: dict[str, User | None]
    project: Project
    draft: Project
    proposal: Project
    incubating: Project
    archived: Project
    members_only: Project
    contributor: Participation
    pending: Participation
    area: FocusArea
    submitted: CatalogEntry
    validated: CatalogEntry


def _led(lead: User, **fields) -> Project:
    project = ProjectFactory(**fields)
    LeadFactory(project=project, person=lead)
    return project


@pytest.fixture
def world(project, lead, outsider, other_member, staff) -> World:
    draft = services.project_create(actor=lead, title="Quiet Draft", summary="Not yet.", kind=Project.Kind.DATASET)
    proposal = services.project_create(actor=lead, title="Big Idea", summary="Please.", kind=Project.Kind.MODEL)
    services.project_submit(actor=lead, project=proposal)
    return World(
        users={"anonymous": None, "person": outsider, "other_member": other_member, "lead": lead, "staff": staff},
        project=project,
        draft=draft,
        proposal=proposal,
        incubating=_led(lead, state=Project.State.INCUBATING),
        archived=_led(lead, state=Project.State.ARCHIVED),
        members_only=_led(lead, visibility=Project.Visibility.MEMBERS),
        contributor=ParticipationFactory(project=project),
        pending=ParticipationFactory(project=project, status=Participation.Status.PENDING),
        area=FocusAreaFactory(name="Trust and safety", slug="trust-and-safety"),
        submitted=CatalogEntryFactory(project=project, name="Fresh Tool", submitted_by=lead),
        validated=CatalogEntryFactory(
            project=project, name="Proven Tool", submitted_by=lead, status=CatalogEntry.Status.VALIDATED
        ),
    )


def state_of(project: Project) -> str:
    return refreshed(project).state


CASES = [  # expected: anonymous, person, other_member, lead, staff
    # focus areas
    Case("focus areas", "get", "/focus-areas/", (200, 200, 200, 200, 200)),
    Case("focus area", "get", "/focus-areas/{w.area.slug}/", (200, 200, 200, 200, 200)),
    Case(
        "add focus area",
        "post",
        "/focus-areas/",
        (401, 403, 403, 403, 201),
        body={"name": "Hardware enablement", "description": "Chips and compilers."},
        changed=lambda w: FocusArea.objects.filter(slug="hardware-enablement").exists(),
    ),
    Case(
        "edit focus area",
        "patch",
        "/focus-areas/{w.area.slug}/",
        (401, 403, 403, 403, 200),
        body={"description": "Red-teaming and evaluations."},
        changed=lambda w: refreshed(w.area).description == "Red-teaming and evaluations.",
    ),
    # reading projects: drafts and proposals only for their people and staff; members-only for members
    Case("live project", "get", "/projects/{w.project.slug}/", (200, 200, 200, 200, 200)),
    Case("draft", "get", "/projects/{w.draft.slug}/", (404, 404, 404, 200, 200)),
    Case("proposal", "get", "/projects/{w.proposal.slug}/", (404, 404, 404, 200, 200)),
    Case("members-only project", "get", "/projects/{w.members_only.slug}/", (404, 404, 200, 200, 200)),
    Case("participants", "get", "/projects/{w.project.slug}/participants/", (200, 200, 200, 200, 200)),
    Case("participants of a draft", "get", "/projects/{w.draft.slug}/participants/", (404, 404, 404, 200, 200)),
    Case("updates", "get", "/projects/{w.project.slug}/updates/", (200, 200, 200, 200, 200)),
    Case("validated entry", "get", "/catalog/{w.validated.pk}/", (200, 200, 200, 200, 200)),
    Case("submitted entry", "get", "/catalog/{w.submitted.pk}/", (404, 404, 404, 200, 200)),
    # writing projects
    Case(
        "propose",
        "post",
        "/projects/",
        (401, 403, 201, 201, 403),
        body={"title": "Open Speech", "summary": "Speech models.", "kind": "model", "focus_areas": ["{w.area.slug}"]},
        changed=lambda w: Project.objects.filter(slug="open-speech", state=Project.State.DRAFT).exists(),
    ),
    Case(
        "edit live project",
        "patch",
        "/projects/{w.project.slug}/",
        (401, 403, 403, 200, 200),
        body={"summary": "Changed through the API."},
        changed=lambda w: refreshed(w.project).summary == "Changed through the API.",
    ),
    Case(
        "edit draft",
        "patch",
        "/projects/{w.draft.slug}/",
        (401, 404, 404, 200, 200),
        body={"summary": "Changed through the API."},
        changed=lambda w: refreshed(w.draft).summary == "Changed through the API.",
    ),
    Case(
        "submit",
        "post",
        "/projects/{w.draft.slug}/submit/",
        (401, 404, 404, 200, 403),
        changed=lambda w: state_of(w.draft) == Project.State.PROPOSED,
    ),
    Case(
        "accept",
        "post",
        "/projects/{w.proposal.slug}/accept/",
        (401, 404, 404, 403, 200),
        changed=lambda w: state_of(w.proposal) == Project.State.INCUBATING,
    ),
    Case(
        "reject",
        "post",
        "/projects/{w.proposal.slug}/reject/",
        (401, 404, 404, 403, 200),
        body={"reason": "Out of scope."},
        changed=lambda w: state_of(w.proposal) == Project.State.REJECTED,
    ),
    Case(
        "review",
        "post",
        "/projects/{w.proposal.slug}/review/",
        (401, 404, 404, 403, 201),
        body={"recommendation": "accept", "comment": "Well scoped."},
        changed=lambda w: ProposalReview.objects.filter(project=w.proposal).exists(),
    ),
    Case(
        "promote",
        "post",
        "/projects/{w.incubating.slug}/promote/",
        (401, 403, 403, 403, 200),
        changed=lambda w: state_of(w.incubating) == Project.State.ACTIVE,
    ),
    Case(
        "archive",
        "post",
        "/projects/{w.project.slug}/archive/",
        (401, 403, 403, 403, 200),
        body={"reason": "Done."},
        changed=lambda w: state_of(w.project) == Project.State.ARCHIVED,
    ),
    Case(
        "revive",
        "post",
        "/projects/{w.archived.slug}/revive/",
        (401, 403, 403, 403, 200),
        changed=lambda w: state_of(w.archived) == Project.State.ACTIVE,
    ),
    Case(
        "request archive",
        "post",
        "/projects/{w.project.slug}/request-archive/",
        (401, 403, 403, 200, 403),
        body={"reason": "We are done."},
        changed=lambda w: refreshed(w.project).archive_requested_at is not None,
    ),
    Case(
        "join",
        "post",
        "/projects/{w.project.slug}/join/",
        (401, 201, 201, 400, 201),
        changed=lambda w: Participation.objects.filter(project=w.project).count() == 4,
    ),
    Case(
        "join members-only",
        "post",
        "/projects/{w.members_only.slug}/join/",
        (401, 404, 201, 400, 403),
        changed=lambda w: Participation.objects.filter(project=w.members_only).count() == 2,
    ),
    # people of a project
    Case(
        "approve request",
        "post",
        "/projects/{w.project.slug}/participants/{w.pending.pk}/approve/",
        (401, 404, 404, 200, 200),
        changed=lambda w: refreshed(w.pending).status == Participation.Status.ACTIVE,
    ),
    Case(
        "decline request",
        "post",
        "/projects/{w.project.slug}/participants/{w.pending.pk}/decline/",
        (401, 404, 404, 204, 204),
        changed=lambda w: refreshed(w.pending) is None,
    ),
    Case(
        "change role",
        "patch",
        "/projects/{w.project.slug}/participants/{w.contributor.pk}/",
        (401, 403, 403, 200, 200),
        body={"role": "maintainer"},
        changed=lambda w: refreshed(w.contributor).role == Participation.Role.MAINTAINER,
    ),
    Case(
        "remove",
        "delete",
        "/projects/{w.project.slug}/participants/{w.contributor.pk}/",
        (401, 403, 403, 204, 204),
        changed=lambda w: refreshed(w.contributor) is None,
    ),
    Case(
        "post update",
        "post",
        "/projects/{w.project.slug}/updates/",
        (401, 403, 403, 201, 403),
        body={"title": "Release 1.0", "body": "It is **out**."},
        changed=lambda w: ProjectUpdate.objects.filter(project=w.project).exists(),
    ),
    # catalog
    Case(
        "submit entry",
        "post",
        "/catalog/",
        (401, 403, 403, 201, 403),
        body={
            "project": "{w.project.slug}",
            "kind": "benchmark",
            "name": "Safety Bench",
            "description": "A benchmark.",
            "link": "https://example.org/bench",
            "license": "apache-2.0",
            "version": "2.0",
        },
        changed=lambda w: CatalogEntry.objects.filter(name="Safety Bench", license="Apache-2.0").exists(),
    ),
    Case(
        "submit entry to a draft",
        "post",
        "/catalog/",
        (401, 400, 400, 400, 403),
        body={
            "project": "{w.draft.slug}",
            "kind": "tool",
            "name": "Early Tool",
            "description": "Too early.",
            "link": "https://example.org/early",
            "license": "MIT",
        },
        changed=lambda w: CatalogEntry.objects.filter(name="Early Tool").exists(),
    ),
    Case(
        "validate",
        "post",
        "/catalog/{w.submitted.pk}/validate/",
        (401, 404, 404, 403, 200),
        body={"checklist": FULL_CHECKLIST},
        changed=lambda w: refreshed(w.submitted).status == CatalogEntry.Status.VALIDATED,
    ),
    Case(
        "deprecate",
        "post",
        "/catalog/{w.validated.pk}/deprecate/",
        (401, 403, 403, 200, 200),
        body={"reason": "Superseded."},
        changed=lambda w: refreshed(w.validated).status == CatalogEntry.Status.DEPRECATED,
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_permission_matrix(world, case, role):
    check_case(world, case, role, ROLES)


# --- lists never show what one may not see --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_own", "sees_members_only"),
    [
        ("anonymous", False, False),
        ("person", False, False),
        ("other_member", False, True),
        ("lead", True, True),
        ("staff", True, True),
    ],
)
def test_project_list_shows_drafts_only_to_their_people_and_staff(world, role, sees_own, sees_members_only):
    response = client_as(world.users[role]).get(f"{API}/projects/", {"page_size": 100})

    assert response.status_code == 200
    slugs = {row["slug"] for row in response.json()["results"]}
    assert {world.project.slug, world.incubating.slug, world.archived.slug} <= slugs
    assert (world.draft.slug in slugs) is sees_own
    assert (world.proposal.slug in slugs) is sees_own
    assert (world.members_only.slug in slugs) is sees_members_only
    assert response.json()["count"] == len(slugs)


@pytest.mark.parametrize(("role", "sees_submitted"), [(role, role in ("lead", "staff")) for role in ROLES])
def test_catalog_list_shows_submitted_entries_only_to_the_project_and_staff(world, role, sees_submitted):
    response = client_as(world.users[role]).get(f"{API}/catalog/")

    ids = {row["id"] for row in response.json()["results"]}
    assert world.validated.pk in ids
    assert (world.submitted.pk in ids) is sees_submitted


@pytest.mark.parametrize(("role", "sees_pending"), [(role, role in ("lead", "staff")) for role in ROLES])
def test_requests_to_join_are_listed_only_for_leads_and_staff(world, role, sees_pending):
    response = client_as(world.users[role]).get(f"{API}/projects/{world.project.slug}/participants/")

    rows = {row["id"]: row for row in response.json()["results"]}
    assert world.contributor.pk in rows
    assert (world.pending.pk in rows) is sees_pending
    assert all("email" not in row for row in rows.values())


def test_the_person_who_asked_sees_their_own_request(world):
    response = client_as(world.pending.person).get(f"{API}/projects/{world.project.slug}/participants/")

    assert world.pending.pk in {row["id"] for row in response.json()["results"]}


# --- filters and search ---------------------------------------------------------------------------------------------


def test_project_filters_and_search(world, staff):
    # given
    world.project.focus_areas.add(world.area)
    client = client_as(staff)

    def slugs(**params) -> set[str]:
        response = client.get(f"{API}/projects/", {"page_size": 100, **params})
        assert response.status_code == 200
        return {row["slug"] for row in response.json()["results"]}

    # then
    assert slugs(state="draft") == {world.draft.slug}
    assert slugs(state="proposed") == {world.proposal.slug}
    assert slugs(kind="dataset") == {world.draft.slug}
    assert slugs(focus_area="trust-and-safety") == {world.project.slug}
    sponsor = world.project.sponsors.get()
    assert world.project.slug in slugs(organization=sponsor.slug)
    assert world.project.slug not in slugs(organization=OrganizationFactory().slug)
    assert slugs(search="Big Idea") == {world.proposal.slug}


def test_catalog_filters_and_search(world):
    # given
    world.project.focus_areas.add(world.area)
    other = CatalogEntryFactory(
        project=ProjectFactory(), kind=CatalogEntry.Kind.DATASET, license="CC-BY-4.0", status="validated"
    )
    client = APIClient()

    def ids(**params) -> set[int]:
        return {row["id"] for row in client.get(f"{API}/catalog/", params).json()["results"]}

    # then
    assert ids(kind="dataset") == {other.pk}
    assert ids(license="cc-by-4.0") == {other.pk}
    assert ids(focus_area="trust-and-safety") == {world.validated.pk}
    assert ids(status="validated") == {world.validated.pk, other.pk}
    assert ids(search="Proven") == {world.validated.pk}


def test_project_shape(world):
    world.project.focus_areas.add(world.area)

    body = APIClient().get(f"{API}/projects/{world.project.slug}/").json()

    assert body["state"] == "active"
    assert body["focus_areas"] == ["trust-and-safety"]
    assert body["sponsors"] == [world.project.sponsors.get().slug]
    assert body["participant_count"] == 2  # the lead and the contributor; the pending request does not count
    assert "<h2>Goals</h2>" in body["description_html"]


# --- the lifecycle through the API --------------------------------------------------------------------------------


def test_a_proposal_goes_from_draft_to_active_and_the_catalog(member, staff, django_capture_on_commit_callbacks):
    # given a member's draft
    proposer, reviewer = client_as(member), client_as(staff)
    FocusAreaFactory(slug="applications-and-tools")
    response = proposer.post(
        f"{API}/projects/",
        {
            "title": "Model Cards",
            "summary": "Documentation for models.",
            "kind": "software",
            "focus_areas": ["applications-and-tools"],
            "license": "mit",
            "help_wanted": ["Technical writer"],
            "join_policy": "approval",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    slug = response.json()["slug"]
    assert response.json()["state"] == "draft"
    assert response.json()["license"] == "MIT"

    # when it is submitted, reviewed, accepted and promoted
    with django_capture_on_commit_callbacks(execute=True):
        assert proposer.post(f"{API}/projects/{slug}/submit/").json()["state"] == "proposed"
        assert (
            reviewer.post(
                f"{API}/projects/{slug}/review/", {"recommendation": "accept", "comment": "Useful."}, format="json"
            ).status_code
            == 201
        )
        assert reviewer.post(f"{API}/projects/{slug}/accept/", {"reason": "Welcome."}).json()["state"] == "incubating"
        assert reviewer.post(f"{API}/projects/{slug}/promote/").json()["state"] == "active"

    # and someone asks to join and is approved
    joiner = UserFactory()
    joined = client_as(joiner).post(f"{API}/projects/{slug}/join/", {"message": "I write docs."}, format="json")
    assert joined.json()["status"] == "pending"
    approved = proposer.post(f"{API}/projects/{slug}/participants/{joined.json()['id']}/approve/")
    assert approved.json()["status"] == "active"

    # and the lead submits an entry that staff validate
    entry = proposer.post(
        f"{API}/catalog/",
        {
            "project": slug,
            "kind": "tool",
            "name": "Card Builder",
            "description": "Builds model cards.",
            "link": "https://example.org/cards",
            "license": "MIT",
        },
        format="json",
    ).json()
    assert entry["status"] == "submitted"
    validated = reviewer.post(f"{API}/catalog/{entry['id']}/validate/", {"checklist": FULL_CHECKLIST}, format="json")

    # then it is published for everyone
    assert validated.json()["status"] == "validated"
    assert validated.json()["validated_by"] == staff.name
    public = APIClient().get(f"{API}/catalog/", {"search": "Card Builder"}).json()["results"]
    assert [row["project"] for row in public] == [{"slug": slug, "title": "Model Cards"}]
    assert public[0]["focus_areas"] == ["applications-and-tools"]
    assert AuditEntry.objects.filter(action="project.accepted").exists()


def test_an_incomplete_checklist_is_refused_and_names_the_missing_items(world, staff):
    response = client_as(staff).post(
        f"{API}/catalog/{world.submitted.pk}/validate/",
        {"checklist": {**FULL_CHECKLIST, "safety_notes": False}},
        format="json",
    )

    assert response.status_code == 400
    assert "Safety notes" in response.json()["detail"]
    assert response.json()["errors"] == {"checklist": [response.json()["detail"]]}
    assert refreshed(world.submitted).status == CatalogEntry.Status.SUBMITTED


def test_rejecting_needs_a_reason(world, staff):
    response = client_as(staff).post(f"{API}/projects/{world.proposal.slug}/reject/", {"reason": " "}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["reason"]
    assert state_of(world.proposal) == Project.State.PROPOSED


def test_staff_from_a_sponsoring_organization_cannot_decide(world, staff):
    AffiliationFactory(person=staff, organization=world.proposal.sponsors.get())

    response = client_as(staff).post(f"{API}/projects/{world.proposal.slug}/accept/")

    assert response.status_code == 403
    assert "another reviewer must decide" in response.json()["detail"]
    assert state_of(world.proposal) == Project.State.PROPOSED


def test_a_bad_licence_is_a_field_error(member):
    response = client_as(member).post(
        f"{API}/projects/", {"title": "X", "summary": "Y", "kind": "model", "license": "Not-A-Licence"}, format="json"
    )

    assert response.status_code == 400
    assert "license" in response.json()["errors"]
    assert not Project.objects.exists()


def test_the_last_lead_cannot_leave(world, lead):
    response = client_as(lead).post(f"{API}/projects/{world.project.slug}/leave/")

    assert response.status_code == 400
    assert "at least one lead" in response.json()["detail"]


def test_a_participant_leaves(world):
    response = client_as(world.contributor.person).post(f"{API}/projects/{world.project.slug}/leave/")

    assert response.status_code == 204
    assert refreshed(world.contributor) is None


def test_the_slug_of_a_project_cannot_be_changed(world, lead):
    response = client_as(lead).patch(f"{API}/projects/{world.project.slug}/", {"slug": "elsewhere"}, format="json")

    assert response.status_code == 200
    assert refreshed(world.project).slug == world.project.slug


def test_session_writes_need_the_csrf_token(csrf_api_client, member):
    csrf_api_client.force_login(member)

    response = csrf_api_client.post(f"{API}/projects/", {"title": "X", "summary": "Y", "kind": "model"}, format="json")

    assert response.status_code == 403
    assert not Project.objects.exists()


# --- query counts ---------------------------------------------------------------------------------------------------


def _catalog_of(count: int) -> None:
    areas = FocusAreaFactory.create_batch(3)
    for _ in range(count):
        project = ProjectFactory()
        project.focus_areas.set(areas)
        project.sponsors.set(OrganizationFactory.create_batch(2))
        LeadFactory(project=project)
        ParticipationFactory.create_batch(2, project=project)
        CatalogEntryFactory(project=project, status=CatalogEntry.Status.VALIDATED, validated_by=UserFactory())


# count, page of entries (with project and validator), their projects' focus areas
CATALOG_QUERIES = {"anonymous": 3, "member": 3}  # membership is a subquery of the visibility filter


@pytest.mark.parametrize("count", [5, 200])
@pytest.mark.parametrize("role", ["anonymous", "member"])
def test_catalog_list_costs_the_same_queries_for_5_and_200_entries(django_assert_num_queries, member, count, role):
    # given
    _catalog_of(count)
    client = client_as(member if role == "member" else None)

    # when
    with django_assert_num_queries(CATALOG_QUERIES[role]):
        response = client.get(f"{API}/catalog/", {"page_size": 100})

    # then
    assert response.status_code == 200
    assert response.json()["count"] == count
    assert len(response.json()["results"]) == min(count, 100)
    assert all(len(row["focus_areas"]) == 3 for row in response.json()["results"])


@pytest.mark.parametrize("count", [5, 200])
def test_project_list_costs_the_same_queries_for_5_and_200_projects(django_assert_num_queries, count):
    # given
    _catalog_of(count)

    # count, page of projects (participants counted), their focus areas, their sponsors
    with django_assert_num_queries(4):
        response = APIClient().get(f"{API}/projects/", {"page_size": 100})

    assert response.status_code == 200
    assert response.json()["count"] == count
    assert all(row["participant_count"] == 3 for row in response.json()["results"])


def test_a_request_to_join_shows_its_message_to_the_leads_and_a_too_long_one_is_refused(project, lead):
    # given a project that needs a lead's approval
    Project.objects.filter(pk=project.pk).update(join_policy=Project.JoinPolicy.APPROVAL)
    joiner = UserFactory()
    url = f"{API}/projects/{project.slug}/join/"

    # when someone asks with a message over the limit, then with one that fits
    too_long = client_as(joiner).post(url, {"message": "x" * (services.JOIN_MESSAGE_MAX_LENGTH + 1)}, format="json")
    asked = client_as(joiner).post(url, {"message": "I write docs."}, format="json")

    # then the first is refused on the message, and the lead reads the second in the list of participants
    assert too_long.status_code == 400 and "message" in str(too_long.json())
    assert asked.status_code == 201
    rows = client_as(lead).get(f"{API}/projects/{project.slug}/participants/").json()["results"]
    assert {row["id"]: row["message"] for row in rows}[asked.json()["id"]] == "I write docs."
