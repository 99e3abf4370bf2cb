"""The governance admin changes nothing on its own: committees and the ballot actions go through the services,
with the signed-in staff member as the actor; votes are not in it at all."""

import pytest
from django.contrib import admin
from django.urls import reverse

from alliance.governance.models import Ballot, BallotResult, Committee, Vote
from alliance.models import AuditEntry
from tests.members.factories import StaffFactory

from .factories import BallotFactory
from .world import open_ballot

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    superuser = StaffFactory(is_superuser=True)
    client.force_login(superuser)
    client.superuser = superuser
    return client


def run_action(client, action: str, *ballots) -> list[str]:
    response = client.post(
        reverse("admin:governance_ballot_changelist"),
        {"action": action, "_selected_action": [ballot.pk for ballot in ballots], "index": 0},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in response.context["messages"]]


def test_pages_render_and_votes_are_not_browsable(admin_client, board):
    ballot = open_ballot(board)
    for name, args in [
        ("governance_committee_changelist", []),
        ("governance_committee_change", [board.committee.pk]),
        ("governance_committee_add", []),
        ("governance_ballot_changelist", []),
        ("governance_ballot_change", [ballot.pk]),
    ]:
        assert admin_client.get(reverse(f"admin:{name}", args=args)).status_code == 200
    assert Vote not in admin.site._registry and BallotResult not in admin.site._registry


def test_a_committee_added_in_the_admin_is_created_by_the_service(admin_client):
    response = admin_client.post(
        reverse("admin:governance_committee_add"),
        {
            "name": "Ethics Board",
            "slug": "ethics-board",
            "kind": "advisory",
            "description": "",
            "seats": "person",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    assert response.status_code == 200
    committee = Committee.objects.get(slug="ethics-board")
    entry = AuditEntry.objects.get(action="committee.created", target_id=str(committee.pk))
    assert entry.actor == admin_client.superuser and committee.created_by == admin_client.superuser


def test_the_ballot_actions_run_the_services(admin_client, board):
    draft = BallotFactory(committee=board.committee)
    empty = BallotFactory()  # a committee nobody sits on: it cannot open

    messages = run_action(admin_client, "open_ballots", draft, empty)

    assert "Opened: 1." in messages
    assert any("Nobody could vote" in message for message in messages)
    draft.refresh_from_db()
    assert draft.state == Ballot.State.OPEN
    assert AuditEntry.objects.get(action="ballot.opened").actor == admin_client.superuser

    assert "Closed: 1." in run_action(admin_client, "close_ballots", draft)
    draft.refresh_from_db()
    assert draft.state == Ballot.State.CLOSED and BallotResult.objects.filter(ballot=draft).exists()
    messages = run_action(admin_client, "cancel_ballots", draft)
    assert any("can no longer be cancelled" in message for message in messages)
