"""The projects admin changes nothing on its own: its actions and forms call the services, with staff as actor."""

import pytest
from django.urls import reverse

from alliance.models import AuditEntry
from projects import services
from projects.models import CatalogEntry, FocusArea, Project
from tests.members.factories import AffiliationFactory, StaffFactory

from .factories import CatalogEntryFactory, FocusAreaFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_staff():
    return StaffFactory(is_superuser=True)


@pytest.fixture
def admin_client(client, superuser_staff):
    client.force_login(superuser_staff)
    return client


@pytest.fixture
def proposal(member):
    project = services.project_create(actor=member, title="Big Idea", summary="Please.", kind=Project.Kind.MODEL)
    return services.project_submit(actor=member, project=project)


def run_action(client, changelist: str, action: str, *objects, **extra) -> list[str]:
    response = client.post(
        reverse(changelist),
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0, **extra},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_the_accept_action_calls_the_service(admin_client, superuser_staff, proposal):
    messages = run_action(admin_client, "admin:projects_project_changelist", "accept", proposal)

    proposal.refresh_from_db()
    assert messages == ["Accepted: 1."]
    assert proposal.state == Project.State.INCUBATING
    assert AuditEntry.objects.get(action="project.accepted").actor == superuser_staff


def test_rejecting_without_a_reason_shows_the_services_refusal(admin_client, proposal):
    messages = run_action(admin_client, "admin:projects_project_changelist", "reject", proposal)

    proposal.refresh_from_db()
    assert messages == ["Big Idea: Give a reason: the proposer will read it."]
    assert proposal.state == Project.State.PROPOSED


def test_the_conflict_of_interest_rule_holds_in_the_admin(admin_client, superuser_staff, proposal, member_organization):
    AffiliationFactory(person=superuser_staff, organization=member_organization)

    messages = run_action(admin_client, "admin:projects_project_changelist", "accept", proposal)

    assert "another reviewer must decide" in messages[0]
    proposal.refresh_from_db()
    assert proposal.state == Project.State.PROPOSED


def test_the_state_is_read_only_on_the_change_page(admin_client, project):
    response = admin_client.get(reverse("admin:projects_project_change", args=[project.pk]))

    assert response.status_code == 200
    assert 'name="state"' not in response.content.decode()


def test_the_remove_action_keeps_the_last_lead(admin_client, project, lead):
    participation = project.participations.get(person=lead)

    messages = run_action(admin_client, "admin:projects_participation_changelist", "remove", participation)

    assert "must keep at least one lead" in messages[0]
    assert project.participations.filter(person=lead).exists()


def test_the_approve_action_approves_a_request(admin_client, project):
    request = ParticipationFactory(project=project, status="pending")

    messages = run_action(admin_client, "admin:projects_participation_changelist", "approve", request)

    request.refresh_from_db()
    assert messages == ["Approved: 1."]
    assert request.status == "active"


def test_the_deprecate_action(admin_client, project):
    entry = CatalogEntryFactory(project=project, status=CatalogEntry.Status.VALIDATED)

    run_action(admin_client, "admin:projects_catalogentry_changelist", "deprecate", entry)

    entry.refresh_from_db()
    assert entry.status == CatalogEntry.Status.DEPRECATED


def test_focus_areas_are_added_and_edited_through_the_services(admin_client, superuser_staff):
    response = admin_client.post(
        reverse("admin:projects_focusarea_add"), {"name": "Trust and safety", "description": "Evaluations."}
    )
    assert response.status_code == 302
    area = FocusArea.objects.get()
    assert area.slug == "trust-and-safety"

    admin_client.post(
        reverse("admin:projects_focusarea_change", args=[area.pk]),
        {"name": "Trust, safety and security", "description": "Evaluations."},
    )

    area.refresh_from_db()
    assert (area.name, area.slug) == ("Trust, safety and security", "trust-and-safety")
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "actor")) == [
        ("focus_area.created", superuser_staff.pk),
        ("focus_area.updated", superuser_staff.pk),
    ]


def test_a_duplicate_focus_area_name_is_a_form_error(admin_client):
    FocusAreaFactory(name="Trust and safety")

    response = admin_client.post(reverse("admin:projects_focusarea_add"), {"name": "Trust and safety"})

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert FocusArea.objects.count() == 1
