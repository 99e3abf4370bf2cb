"""A person's page (``/people/<id>/``) and the links to it from project pages: by the person's consent to be listed
by name, and showing only what the viewer may see."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import NO_PUBLIC_NAME, Organization
from projects.models import Participation, Project, ProjectUpdate
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import LeadFactory, ParticipationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def page_of(response) -> str:
    return response.content.decode()


def person_url(person) -> str:
    return reverse("person_detail", args=[person.pk])


def layout_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/no-such-page/").status_code == 404
    return len(queries)


def test_a_listed_persons_page_shows_their_organizations_projects_and_updates_a_visitor_may_see(client):
    # given Ada, listed by name, in a public organization and a lapsed one, on a public project, a members-only one,
    # a draft, and asking to join another; she posted updates on the public and the members-only project
    ada = UserFactory(name="Ada Lovelace")
    AffiliationFactory(person=ada, organization=OrganizationFactory(name="Open Lab"), title="Researcher")
    AffiliationFactory(person=ada, organization=OrganizationFactory(name="Quiet Lab"), listed=False)
    AffiliationFactory(person=ada, organization=OrganizationFactory(name="Gone Lab", status=Organization.Status.LAPSED))
    public = LeadFactory(person=ada, project=ProjectFactory(title="Open Evals")).project
    members_only = ParticipationFactory(
        person=ada, project=ProjectFactory(title="Members Work", visibility=Project.Visibility.MEMBERS)
    ).project
    ParticipationFactory(person=ada, project=ProjectFactory(title="Secret Draft", state=Project.State.DRAFT))
    ParticipationFactory(person=ada, project=ProjectFactory(title="Asked Only"), status=Participation.Status.PENDING)
    ProjectUpdate.objects.create(project=public, author=ada, title="Release 1.0", body="Out now.")
    ProjectUpdate.objects.create(project=members_only, author=ada, title="Members news", body="Hush.")

    # when a visitor opens her page
    response = client.get(person_url(ada))

    # then it shows her name, the organization that lists her, her public project with her role and its update
    page = page_of(response)
    assert response.status_code == 200
    assert "Ada Lovelace" in page and "Open Lab" in page and "Researcher" in page
    assert "Open Evals" in page and "Lead" in page and "Release 1.0" in page
    # and nothing hidden: an organization that does not list her or left, a members-only project and its update,
    # a draft, a request to join
    for hidden in ("Quiet Lab", "Gone Lab", "Members Work", "Members news", "Secret Draft", "Asked Only"):
        assert hidden not in page
    # and a member of the alliance also sees the members-only project and its update
    client.force_login(AffiliationFactory(organization=OrganizationFactory()).person)
    member_page = page_of(client.get(person_url(ada)))
    assert "Members Work" in member_page and "Members news" in member_page and "Secret Draft" not in member_page


@pytest.mark.parametrize(
    "unlisted",
    [{"listed_by_name": False}, {"name": ""}, {"is_active": False}],
    ids=["no consent", "no name", "inactive"],
)
def test_there_is_no_page_for_a_person_who_is_not_listed_by_name(client, unlisted):
    person = UserFactory(**unlisted)

    assert client.get(person_url(person)).status_code == 404
    client.force_login(StaffFactory())
    assert client.get(person_url(person)).status_code == 404


def test_the_project_page_links_listed_people_and_hides_the_names_of_the_others(client):
    # given a project with a lead listed by name, a contributor who did not consent, and an update of each
    project = ProjectFactory()
    listed = LeadFactory(project=project, person=UserFactory(name="Listed Lead")).person
    unlisted = ParticipationFactory(project=project, person=UserFactory(name="Private Person", listed_by_name=False))
    ProjectUpdate.objects.create(project=project, author=unlisted.person, title="Quiet news", body="Text.")

    # when a visitor reads the project page
    page = page_of(client.get(project.get_absolute_url()))

    # then the listed lead's name links to their page; the other's name is nowhere, and not linked
    assert f'<a href="{person_url(listed)}">Listed Lead</a>' in page
    assert "Private Person" not in page and NO_PUBLIC_NAME in page
    assert person_url(unlisted.person) not in page
    # and the project's lead, who decides on its people, sees every name
    client.force_login(listed)
    assert "Private Person" in page_of(client.get(project.get_absolute_url()))


@pytest.mark.parametrize("size", [2, 8])
def test_a_persons_page_costs_the_same_queries_for_few_or_many_rows(client, django_assert_num_queries, size):
    person = UserFactory()
    for index in range(size):
        AffiliationFactory(person=person)
        project = LeadFactory(person=person).project
        ProjectUpdate.objects.create(project=project, author=person, title=f"Update {index}", body="Text.")
    layout = layout_queries(client)

    with django_assert_num_queries(layout + 4):  # the person, organizations, projects, updates
        page = page_of(client.get(person_url(person)))
    assert page.count("Update ") == size
