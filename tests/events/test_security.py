"""Security of the events API: a request never tells a person about projects they may not see."""

import pytest

from events.models import Event
from projects.models import Project
from tests.projects.factories import LeadFactory, ProjectFactory

from .test_api import API, client_as, new_event_body

pytestmark = pytest.mark.django_db


def test_a_hidden_project_answers_as_if_it_did_not_exist_when_naming_an_events_host():
    # given a lead of one project, and someone else's draft that only its people and staff may see
    lead = LeadFactory(project=ProjectFactory()).person
    draft = ProjectFactory(state=Project.State.DRAFT, title="Secret merger tooling")

    # when the lead names the draft, and a project that does not exist, as the host of a new event
    hidden = client_as(lead).post(f"{API}/events/", new_event_body(project=draft.slug), format="json")
    missing = client_as(lead).post(f"{API}/events/", new_event_body(project="no-such-project"), format="json")

    # then both answers are the same: the draft's existence is not revealed
    assert hidden.status_code == missing.status_code == 400
    assert "project" in hidden.json()["errors"]
    assert hidden.json()["errors"]["project"] == [
        message.replace("no-such-project", draft.slug) for message in missing.json()["errors"]["project"]
    ]
    assert not Event.objects.exists()
