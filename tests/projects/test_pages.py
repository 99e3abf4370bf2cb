"""The projects pages: they render, act only through the services, refuse what a person may not do, show
Markdown safely, and keep a fixed number of queries on the list and the project page."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from alliance.models import AuditEntry
from projects import services
from projects.models import CatalogEntry, Participation, Project, ProjectUpdate, ProposalReview
from tests.members.factories import AffiliationFactory, ApplicantOrganizationFactory, OrganizationFactory

from .factories import CatalogEntryFactory, FocusAreaFactory, LeadFactory, ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FULL_CHECKLIST = dict.fromkeys(services.CATALOG_CHECKLIST, "on")


def page_of(response) -> str:
    return response.content.decode()


def proposal_data(**overrides) -> dict:
    return {
        "title": "Open Eval Harness",
        "summary": "Shared evaluations for open models.",
        "description": "## Plan\n\nRun the **same** evaluations everywhere.",
        "kind": Project.Kind.BENCHMARK,
        "license": "apache-2.0",
        "help_wanted": "Reviewer, Designer\nTechnical writer",
        "join_policy": Project.JoinPolicy.APPROVAL,
        "visibility": Project.Visibility.PUBLIC,
        **overrides,
    }


@pytest.fixture
def draft(member):
    return services.project_create(actor=member, title="Quiet Draft", summary="Not yet.", kind=Project.Kind.MODEL)


@pytest.fixture
def proposal(member):
    project = services.project_create(actor=member, title="Big Idea", summary="Please.", kind=Project.Kind.DATASET)
    return services.project_submit(actor=member, project=project)


# --- the project list ---------------------------------------------------------------------------------------------


def test_the_list_shows_live_projects_with_their_focus_areas_and_sponsors(client, project, lead):
    project.focus_areas.add(FocusAreaFactory(name="Trust and safety"))

    response = client.get(reverse("projects:project_list"))

    page = page_of(response)
    assert project.title in page
    assert "Trust and safety" in page
    assert project.sponsors.get().name in page
    assert "1 participant" in page


def test_drafts_and_proposals_are_not_listed_for_others(client, draft, proposal, other_member):
    client.force_login(other_member)

    page = page_of(client.get(reverse("projects:project_list")))

    assert draft.title not in page
    assert proposal.title not in page


def test_the_state_filter_is_offered_to_staff_only(client, staff, member, draft):
    client.force_login(member)
    assert 'name="state"' not in page_of(client.get(reverse("projects:project_list")))

    client.force_login(staff)
    response = client.get(reverse("projects:project_list"), {"state": "draft"})
    assert 'name="state"' in page_of(response)
    assert list(response.context["projects"]) == [draft]


def test_filters_and_search_narrow_the_list(client):
    area = FocusAreaFactory(slug="trust-and-safety")
    sponsor = OrganizationFactory(slug="helix-health")
    safety = ProjectFactory(title="Red Team Kit", kind=Project.Kind.SOFTWARE)
    safety.focus_areas.add(area)
    safety.sponsors.add(sponsor)
    course = ProjectFactory(title="Course on Alignment", kind=Project.Kind.EDUCATION)
    url = reverse("projects:project_list")

    def titles(**query) -> list[str]:
        return [project.title for project in client.get(url, query).context["projects"]]

    assert titles() == ["Course on Alignment", "Red Team Kit"]
    assert titles(kind="education") == [course.title]
    assert titles(focus_area="trust-and-safety") == [safety.title]
    assert titles(organization="helix-health") == [safety.title]
    assert titles(q="alignment") == [course.title]
    assert titles(kind="no-such-kind") == ["Course on Alignment", "Red Team Kit"]  # a bad value is ignored


def test_htmx_gets_only_the_results(client, project):
    response = client.get(reverse("projects:project_list"), {"q": project.title}, **HTMX)

    page = page_of(response)
    assert "<html" not in page
    assert project.title in page
    assert "1 project matches." in page


def _projects_with_people(count: int) -> None:
    areas = FocusAreaFactory.create_batch(3)
    sponsors = OrganizationFactory.create_batch(3)
    for _ in range(count):
        project = ProjectFactory()
        project.focus_areas.set(areas)
        project.sponsors.set(sponsors)
        LeadFactory(project=project)
        ParticipationFactory.create_batch(3, project=project)


@pytest.mark.parametrize("count", [5, 200])
def test_the_list_costs_the_same_queries_for_5_and_200_projects(client, django_assert_num_queries, count):
    _projects_with_people(count)

    # focus areas and organizations for the filters, count, page of projects, their focus areas, their sponsors
    with django_assert_num_queries(6):
        response = client.get(reverse("projects:project_list"))

    assert response.status_code == 200
    assert len(response.context["projects"]) == min(count, 24)


# --- the project page --------------------------------------------------------------------------------------------


def test_the_project_page_shows_description_people_sponsors_updates_and_catalog(client, project, lead):
    ProjectUpdate.objects.create(project=project, author=lead, title="Release 1.0", body="It is *out*.")
    CatalogEntryFactory(project=project, name="Public Tool", status=CatalogEntry.Status.VALIDATED)
    CatalogEntryFactory(project=project, name="Unchecked Tool")
    project.help_wanted = ["Reviewer"]
    project.save()

    page = page_of(client.get(project.get_absolute_url()))

    assert "<h2>Goals</h2>" in page and "<em>open</em>" in page
    assert lead.get_full_name() in page and "Lead" in page
    assert project.sponsors.get().name in page
    assert "Release 1.0" in page and "<em>out</em>" in page
    assert "Public Tool" in page
    assert "Unchecked Tool" not in page  # submitted entries only for the project's people and staff
    assert "Reviewer" in page
    assert "Join the project" not in page  # anonymous people are asked to sign in
    assert "Sign in to join" in page


class Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser would build them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


def test_markdown_is_rendered_without_scripts_handlers_or_javascript_links(client, project, settings):
    settings.MARKDOWN_IMAGE_HOSTS = ["example.org"]  # images from other hosts become links (no tracking pixels)
    project.description = (
        "Hello <script>alert('x')</script>\n\n"
        '<img src="x" onerror="alert(1)">\n\n'
        "![pic](https://example.org/a.png)\n\n"
        '[click](javascript:alert(2)) and [ok](https://example.org) and <a href="javascript:alert(3)">raw</a>'
    )
    project.save()

    page = page_of(client.get(project.get_absolute_url()))

    about = page.split('id="about-heading"')[1].split('id="updates-heading"')[0]
    elements = Elements(about).elements
    assert "script" not in {tag for tag, _ in elements}
    assert not [attrs for _, attrs in elements if any(name.startswith("on") for name in attrs)]
    assert not [attrs for _, attrs in elements if "javascript:" in attrs.get("href", "") + attrs.get("src", "")]
    assert "<script" not in page.split('id="about-heading"')[1].split("</section>")[0]  # escaped as text at most
    assert ("a", {"href": "https://example.org", "rel": "nofollow noopener noreferrer"}) in elements
    assert ("img", {"src": "https://example.org/a.png", "alt": "pic"}) in elements


def test_a_draft_is_a_404_for_everyone_but_its_people_and_staff(client, draft, member, other_member, staff):
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(other_member)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(member)
    assert "Submit for review" in page_of(client.get(draft.get_absolute_url()))
    client.force_login(staff)
    assert client.get(draft.get_absolute_url()).status_code == 200


def _grow_project(project, lead, size: int) -> None:
    for area in FocusAreaFactory.create_batch(size):
        project.focus_areas.add(area)
    for organization in OrganizationFactory.create_batch(size):
        project.sponsors.add(organization)
    ParticipationFactory.create_batch(size, project=project)
    ParticipationFactory.create_batch(size, project=project, status=Participation.Status.PENDING)
    for number in range(size):
        ProjectUpdate.objects.create(project=project, author=lead, title=f"Update {number}", body="News.")
        CatalogEntryFactory(project=project, status=CatalogEntry.Status.VALIDATED)


@pytest.mark.parametrize("size", [5, 200])
def test_the_project_page_costs_the_same_queries_for_few_and_many(
    client, django_assert_num_queries, project, lead, size
):
    _grow_project(project, lead, size)

    # the project, its focus areas, sponsors, participations, updates, catalog entries
    with django_assert_num_queries(6):
        response = client.get(project.get_absolute_url())
    assert response.status_code == 200

    # a signed-in lead: session, user, the header's unread notifications and admin check, the same six
    client.force_login(lead)
    with django_assert_num_queries(10):
        response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["pending"]) == size


# --- proposing, editing, submitting --------------------------------------------------------------------------------


def test_a_member_proposes_a_draft(client, member, member_organization):
    area = FocusAreaFactory(name="Trust and safety")
    client.force_login(member)

    response = client.post(
        reverse("projects:project_create"),
        proposal_data(focus_areas=[area.pk], sponsors=[member_organization.pk]),
    )

    project = Project.objects.get()
    assert response.status_code == 302
    assert response.url == project.get_absolute_url()
    assert project.state == Project.State.DRAFT
    assert project.license == "Apache-2.0"
    assert project.help_wanted == ["Reviewer", "Designer", "Technical writer"]
    assert list(project.focus_areas.all()) == [area]
    assert list(project.sponsors.all()) == [member_organization]
    assert Participation.objects.get(project=project).person == member


def test_the_form_shows_a_bad_licence_on_its_field(client, member):
    client.force_login(member)

    response = client.post(reverse("projects:project_create"), proposal_data(license="Home-Made"))

    assert response.status_code == 400
    assert "is not an SPDX licence identifier" in response.context["form"].errors["license"][0]
    assert not Project.objects.exists()


def test_people_outside_member_organizations_are_told_they_cannot_propose(client, outsider):
    client.force_login(outsider)

    assert "Only people of an active member organization" in page_of(client.get(reverse("projects:project_create")))
    assert client.post(reverse("projects:project_create"), proposal_data()).status_code == 403
    assert not Project.objects.exists()


def test_the_proposer_edits_and_submits_the_draft(client, member, draft):
    client.force_login(member)

    response = client.post(
        reverse("projects:project_edit", args=[draft.slug]),
        proposal_data(title="Quiet Draft", summary="Now with a plan."),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "Now with a plan."

    response = client.post(reverse("projects:project_submit", args=[draft.slug]), follow=True)
    draft.refresh_from_db()
    assert draft.state == Project.State.PROPOSED
    assert "Your proposal was submitted" in page_of(response)


def test_others_cannot_edit_a_live_project(client, project, other_member):
    client.force_login(other_member)

    assert client.get(reverse("projects:project_edit", args=[project.slug])).status_code == 403


# --- the review queue ------------------------------------------------------------------------------------------------


def test_the_review_queue_is_for_staff_only(client, member, proposal):
    url = reverse("projects:review_queue")
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(member)
    assert client.get(url).status_code == 403


def test_staff_accept_a_proposal_from_the_queue(client, staff, proposal):
    client.force_login(staff)
    assert proposal.title in page_of(client.get(reverse("projects:review_queue")))

    response = client.post(
        reverse("projects:project_decide", args=[proposal.slug]), {"decision": "accept", "from": "queue"}, **HTMX
    )

    assert "Big Idea was accepted and is now incubating." in page_of(response)
    proposal.refresh_from_db()
    assert proposal.state == Project.State.INCUBATING


def test_rejecting_without_a_reason_is_refused_in_the_row(client, staff, proposal):
    client.force_login(staff)

    response = client.post(
        reverse("projects:project_decide", args=[proposal.slug]), {"decision": "reject", "from": "queue"}, **HTMX
    )

    assert "Give a reason: the proposer will read it." in page_of(response)
    proposal.refresh_from_db()
    assert proposal.state == Project.State.PROPOSED


def test_the_conflict_of_interest_refusal_is_shown_as_an_error(client, staff, proposal, member_organization):
    AffiliationFactory(person=staff, organization=member_organization)
    client.force_login(staff)

    response = client.post(
        reverse("projects:project_decide", args=[proposal.slug]), {"decision": "accept", "from": "queue"}, **HTMX
    )

    assert response.status_code == 200
    assert "another reviewer must decide" in page_of(response)
    proposal.refresh_from_db()
    assert proposal.state == Project.State.PROPOSED
    # and the proposal's page warns before they try
    assert "another reviewer must decide" in page_of(client.get(proposal.get_absolute_url()))


def test_staff_review_a_proposal_with_a_recommendation(client, staff, proposal):
    client.force_login(staff)

    response = client.post(
        reverse("projects:project_review", args=[proposal.slug]),
        {"recommendation": "discuss", "comment": "Who maintains it?"},
        follow=True,
    )

    review = ProposalReview.objects.get()
    assert (review.reviewer, review.recommendation) == (staff, "discuss")
    assert "Who maintains it?" in page_of(response)


@pytest.mark.parametrize(
    ("state", "action", "after"),
    [
        (Project.State.INCUBATING, "promote", Project.State.ACTIVE),
        (Project.State.ACTIVE, "archive", Project.State.ARCHIVED),
        (Project.State.ARCHIVED, "revive", Project.State.ACTIVE),
    ],
)
def test_staff_move_a_project_through_its_lifecycle(client, staff, project, lead, state, action, after):
    Project.objects.filter(pk=project.pk).update(state=state)
    client.force_login(staff)

    response = client.post(reverse("projects:project_transition", args=[project.slug, action]), {"reason": "Done."})

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == after


def test_a_lead_cannot_use_the_staff_transitions(client, project, lead):
    client.force_login(lead)

    response = client.post(reverse("projects:project_transition", args=[project.slug, "archive"]))

    assert response.status_code == 403
    project.refresh_from_db()
    assert project.state == Project.State.ACTIVE


def test_a_lead_asks_to_archive(client, project, lead):
    client.force_login(lead)

    client.post(reverse("projects:project_request_archive", args=[project.slug]), {"reason": "We are done."})

    project.refresh_from_db()
    assert project.archive_requested_at is not None
    assert "asked staff to archive" in page_of(client.get(project.get_absolute_url()))


# --- taking part ---------------------------------------------------------------------------------------------------


def test_anyone_signed_in_joins_an_open_project(client, project, outsider):
    client.force_login(outsider)

    response = client.post(reverse("projects:project_join", args=[project.slug]), follow=True)

    assert f"Welcome to {project}!" in page_of(response)
    assert Participation.objects.get(project=project, person=outsider).status == Participation.Status.ACTIVE


def test_a_request_to_join_is_approved_by_a_lead(client, project, lead, outsider):
    Project.objects.filter(pk=project.pk).update(join_policy=Project.JoinPolicy.APPROVAL)
    client.force_login(outsider)
    response = client.post(reverse("projects:project_join", args=[project.slug]), {"message": "Hi!"}, follow=True)
    assert "its leads will decide" in page_of(response)
    request = Participation.objects.get(person=outsider)

    client.force_login(lead)
    page = page_of(client.get(project.get_absolute_url()))
    assert "Asked to join" in page and "“Hi!”" in page
    client.post(reverse("projects:participant_action", args=[project.slug, request.pk, "approve"]))

    request.refresh_from_db()
    assert request.status == Participation.Status.ACTIVE


def test_a_too_long_message_to_the_leads_is_refused_on_the_form_and_kept(client, project, lead, outsider):
    # given a project that needs a lead's approval
    Project.objects.filter(pk=project.pk).update(join_policy=Project.JoinPolicy.APPROVAL)
    client.force_login(outsider)
    too_long = "Please let me in. " * 200

    # when someone asks to join with a message over the limit
    response = client.post(reverse("projects:project_join", args=[project.slug]), {"message": too_long})

    # then nothing is asked, the form says why, and what they wrote is still there to shorten
    assert response.status_code == 400
    page = page_of(response)
    assert f"at most {services.JOIN_MESSAGE_MAX_LENGTH} characters" in page
    assert too_long.strip() in page
    assert not Participation.objects.filter(person=outsider).exists()


def test_others_cannot_approve_requests(client, project, other_member):
    request = ParticipationFactory(project=project, status=Participation.Status.PENDING)
    client.force_login(other_member)

    response = client.post(reverse("projects:participant_action", args=[project.slug, request.pk, "approve"]))

    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == Participation.Status.PENDING


def test_a_lead_changes_a_role_and_removes_someone(client, project, lead):
    contributor = ParticipationFactory(project=project)
    client.force_login(lead)

    client.post(
        reverse("projects:participant_action", args=[project.slug, contributor.pk, "role"]), {"role": "maintainer"}
    )
    contributor.refresh_from_db()
    assert contributor.role == Participation.Role.MAINTAINER

    client.post(reverse("projects:participant_action", args=[project.slug, contributor.pk, "remove"]))
    assert not Participation.objects.filter(pk=contributor.pk).exists()


def test_the_last_lead_is_told_they_cannot_leave(client, project, lead):
    client.force_login(lead)
    page = page_of(client.get(project.get_absolute_url()))
    assert "You are its only lead" in page and "Leave the project" not in page

    response = client.post(reverse("projects:project_leave", args=[project.slug]), follow=True)

    assert "must keep at least one lead" in page_of(response)
    assert Participation.objects.filter(project=project, person=lead).exists()


def test_a_lead_posts_an_update(client, project, lead):
    client.force_login(lead)

    response = client.post(
        reverse("projects:update_post", args=[project.slug]), {"title": "Sprint", "body": "**Done**"}, follow=True
    )

    assert ProjectUpdate.objects.get().title == "Sprint"
    assert "<strong>Done</strong>" in page_of(response)


def test_an_empty_update_shows_the_form_again(client, project, lead):
    client.force_login(lead)

    response = client.post(reverse("projects:update_post", args=[project.slug]), {"title": "", "body": ""})

    assert response.status_code == 400
    assert response.context["update_form"].errors["title"]
    assert not ProjectUpdate.objects.exists()


# --- the catalog ---------------------------------------------------------------------------------------------------


def entry_data(**overrides) -> dict:
    return {
        "kind": CatalogEntry.Kind.TOOL,
        "name": "Red Team Kit",
        "version": "1.0",
        "description": "Probes models for unsafe output.",
        "link": "https://example.org/kit",
        "license": "mit",
        **overrides,
    }


def test_a_lead_submits_a_catalog_entry(client, project, lead):
    client.force_login(lead)

    response = client.post(reverse("projects:catalog_entry_create", args=[project.slug]), entry_data())

    entry = CatalogEntry.objects.get()
    assert response.url == entry.get_absolute_url()
    assert (entry.status, entry.license, entry.submitted_by) == ("submitted", "MIT", lead)


def test_only_leads_submit_catalog_entries(client, project, other_member):
    client.force_login(other_member)

    assert client.get(reverse("projects:catalog_entry_create", args=[project.slug])).status_code == 403
    assert client.post(reverse("projects:catalog_entry_create", args=[project.slug]), entry_data()).status_code == 403


def test_staff_validate_an_entry_with_the_whole_checklist(client, staff, project):
    entry = CatalogEntryFactory(project=project)
    client.force_login(staff)
    url = reverse("projects:catalog_validate", args=[entry.pk])

    incomplete = client.post(url, {**FULL_CHECKLIST, "safety_notes": ""})
    assert incomplete.status_code == 400
    assert "Safety notes describe known risks" in page_of(incomplete)
    entry.refresh_from_db()
    assert entry.status == CatalogEntry.Status.SUBMITTED

    client.post(url, FULL_CHECKLIST)
    entry.refresh_from_db()
    assert (entry.status, entry.validated_by) == (CatalogEntry.Status.VALIDATED, staff)
    assert "Validated by" in page_of(client.get(entry.get_absolute_url()))


def test_others_cannot_validate(client, project, lead):
    entry = CatalogEntryFactory(project=project)
    client.force_login(lead)

    assert client.post(reverse("projects:catalog_validate", args=[entry.pk]), FULL_CHECKLIST).status_code == 403


def test_a_lead_deprecates_an_entry(client, project, lead):
    entry = CatalogEntryFactory(project=project, status=CatalogEntry.Status.VALIDATED)
    client.force_login(lead)

    client.post(reverse("projects:catalog_deprecate", args=[entry.pk]), {"reason": "Superseded."})

    entry.refresh_from_db()
    assert entry.status == CatalogEntry.Status.DEPRECATED


def test_a_submitted_entry_is_a_404_for_the_public(client, project):
    entry = CatalogEntryFactory(project=project)

    assert client.get(entry.get_absolute_url()).status_code == 404


def test_the_catalog_is_searchable_and_filtered(client):
    area = FocusAreaFactory(slug="foundation-models-and-datasets")
    dataset_project = ProjectFactory()
    dataset_project.focus_areas.add(area)
    dataset = CatalogEntryFactory(
        project=dataset_project, name="Nordic Corpus", kind="dataset", license="CC-BY-4.0", status="validated"
    )
    tool = CatalogEntryFactory(name="Eval Runner", status="expired")
    CatalogEntryFactory(name="Hidden Draft")  # submitted: not public
    url = reverse("projects:catalog_list")

    def names(**query) -> list[str]:
        return [entry.name for entry in client.get(url, query).context["entries"]]

    assert names() == ["Eval Runner", "Nordic Corpus"]
    assert names(kind="dataset") == [dataset.name]
    assert names(status="expired") == [tool.name]
    assert names(license="CC-BY-4.0") == [dataset.name]
    assert names(focus_area="foundation-models-and-datasets") == [dataset.name]
    assert names(q="corpus") == [dataset.name]
    assert "Nordic Corpus" in page_of(client.get(url, {"q": "corpus"}, **HTMX))


# --- my projects and the organization page ---------------------------------------------------------------------------


def test_my_projects_lists_what_i_lead_and_asked_to_join(client, member, draft, project):
    ParticipationFactory(project=project, person=member, status=Participation.Status.PENDING)
    client.force_login(member)

    page = page_of(client.get(reverse("projects:my_projects")))

    assert draft.title in page and "Not submitted yet" in page
    assert project.title in page and "Asked to join" in page


def test_the_organization_page_loads_the_projects_its_people_take_part_in(client, project, lead, member_organization):
    hidden = ProjectFactory(title="Hidden Work", visibility=Project.Visibility.MEMBERS)
    hidden.sponsors.add(member_organization)

    page = page_of(client.get(member_organization.get_absolute_url()))
    assert reverse("projects:organization_projects", args=[member_organization.slug]) in page

    part = page_of(client.get(reverse("projects:organization_projects", args=[member_organization.slug]), **HTMX))
    assert project.title in part
    assert "Hidden Work" not in part


def test_the_projects_of_a_hidden_organization_are_a_404(client):
    applicant = ApplicantOrganizationFactory()

    assert client.get(reverse("projects:organization_projects", args=[applicant.slug])).status_code == 404


def test_every_page_action_is_audited(client, member, staff):
    client.force_login(member)
    client.post(reverse("projects:project_create"), proposal_data())
    project = Project.objects.get()
    client.post(reverse("projects:project_submit", args=[project.slug]))
    client.force_login(staff)
    client.post(reverse("projects:project_decide", args=[project.slug]), {"decision": "accept"})

    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["project.created", "project.submitted", "project.accepted"]


# --- the organization's page: the catalog entries of the projects it leads --------------------------------------------


def _organization_catalog(client, organization) -> str:
    response = client.get(reverse("projects:organization_catalog", args=[organization.slug]), **HTMX)
    assert response.status_code == 200
    return page_of(response)


def test_the_organization_page_shows_the_catalog_entries_of_the_projects_it_leads(client, outsider):
    # given an organization that sponsors one project and one of whose people leads another
    organization = OrganizationFactory(name="Open Lab")
    colleague = AffiliationFactory(organization=organization).person
    sponsored = ProjectFactory()
    sponsored.sponsors.add(organization)
    led = LeadFactory(person=colleague).project
    contributed = ParticipationFactory(person=colleague).project  # a colleague takes part, does not lead
    members_only = ProjectFactory(visibility=Project.Visibility.MEMBERS)
    members_only.sponsors.add(organization)
    CatalogEntryFactory(name="Sponsored tool", project=sponsored, status=CatalogEntry.Status.VALIDATED)
    CatalogEntryFactory(name="Led dataset", project=led, status=CatalogEntry.Status.VALIDATED)
    CatalogEntryFactory(name="Waiting tool", project=sponsored, status=CatalogEntry.Status.SUBMITTED)
    CatalogEntryFactory(name="Contributed tool", project=contributed, status=CatalogEntry.Status.VALIDATED)
    CatalogEntryFactory(name="Members tool", project=members_only, status=CatalogEntry.Status.VALIDATED)

    # when a visitor reads the part of the page
    part = _organization_catalog(client, organization)

    # then it lists the published entries of the projects it leads, not a submitted one, not those of a project it
    # only contributes to nor of one the visitor may not see
    assert "Sponsored tool" in part and "Led dataset" in part
    for name in ("Waiting tool", "Contributed tool", "Members tool"):
        assert name not in part
    # and the lead of the project sees its submitted entry; the page loads the part
    client.force_login(LeadFactory(project=sponsored).person)
    assert "Waiting tool" in _organization_catalog(client, organization)
    assert reverse("projects:organization_catalog", args=[organization.slug]) in page_of(
        client.get(organization.get_absolute_url())
    )


@pytest.mark.parametrize("entries", [2, 7])
def test_the_organizations_catalog_costs_the_same_queries_for_few_or_many(client, django_assert_num_queries, entries):
    organization = OrganizationFactory()
    for _ in range(entries):
        project = ProjectFactory()
        project.sponsors.add(organization)
        CatalogEntryFactory(project=project, status=CatalogEntry.Status.VALIDATED)

    with django_assert_num_queries(3):  # the organization, the entries, their projects' focus areas
        part = _organization_catalog(client, organization)
    assert part.count('href="/catalog/') == entries


def test_the_catalog_of_a_hidden_organization_is_a_404(client):
    applicant = ApplicantOrganizationFactory()

    assert client.get(reverse("projects:organization_catalog", args=[applicant.slug])).status_code == 404
