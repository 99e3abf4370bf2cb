"""The projects part of the demo data: every lifecycle state and catalog status, loaded twice without change."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from alliance.models import AuditEntry
from projects.models import CatalogEntry, FocusArea, Participation, Project, ProjectUpdate, ProposalReview

pytestmark = pytest.mark.django_db

TABLES = [FocusArea, Project, Participation, ProposalReview, ProjectUpdate, CatalogEntry, AuditEntry]


def load() -> str:
    output = StringIO()
    call_command("load_demo_data", stdout=output)
    return output.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


def test_demo_projects_cover_every_state_and_status_and_load_twice_without_change():
    # when
    first = load()
    after_first = counts()
    second = load()

    # then every lifecycle state and every catalog status is there
    assert set(Project.objects.values_list("state", flat=True)) == set(Project.State.values)
    assert set(CatalogEntry.objects.values_list("status", flat=True)) == set(CatalogEntry.Status.values)
    assert set(FocusArea.objects.values_list("name", flat=True)) == {
        "Skills and education",
        "Trust and safety",
        "Applications and tools",
        "Hardware enablement",
        "Foundation models and datasets",
    }
    # with sponsors that are active members, leads, people, a request to join and updates
    for project in Project.objects.all():
        assert project.sponsors.exists()
        assert all(sponsor.status == "active" for sponsor in project.sponsors.all())
    live = Project.objects.filter(state__in=Project.LIVE_STATES)
    assert all(project.participations.filter(role="lead", status="active").exists() for project in live)
    assert Counter(Participation.objects.values_list("status", flat=True))["pending"] >= 1
    assert ProjectUpdate.objects.exists()
    assert ProposalReview.objects.filter(project__state=Project.State.PROPOSED).exists()
    assert Project.objects.get(state=Project.State.REJECTED).decision_reason
    # and the second run changed nothing
    assert counts() == after_first
    assert "Nordic Open Language Models: created (active)" in first
    assert "Nordic Open Language Models: already there" in second
