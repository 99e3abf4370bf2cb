"""The governance demo: a steering committee with organization seats, a technical committee, an open motion and
a closed election with its results, built through the services on top of the members demo; loaded twice
without change."""

import pytest

from alliance.governance.demo import load_governance_demo
from alliance.governance.models import Ballot, BallotResult, BallotVoter, Committee, CommitteeMember, Vote
from alliance.models import AuditEntry
from members.demo import load_members_demo

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = (Committee, CommitteeMember, Ballot, BallotVoter, Vote, BallotResult, AuditEntry)
    return {model.__name__: model.objects.count() for model in models}


def test_the_demo_committees_and_ballots_load_twice_without_change():
    # given the members demo
    load_members_demo(log=lambda line: None)

    # when the governance demo is loaded twice
    lines: list[str] = []
    load_governance_demo(log=lines.append)
    after_first = counts()
    load_governance_demo(log=lines.append)

    # then the second load changed nothing
    assert counts() == after_first
    assert "  Steering Committee: already there" in lines
    steering = Committee.objects.get(slug="steering-committee")
    technical = Committee.objects.get(slug="technical-committee")
    assert steering.has_organization_seats and not technical.has_organization_seats
    assert steering.members.filter(role="chair").exists() and steering.members.filter(role="alternate").exists()

    motion = steering.ballots.get()
    assert (motion.method, motion.state, motion.secret) == ("yes_no", "open", False)
    assert motion.votes.count() == 3 and motion.eligible == 6

    election = technical.ballots.get()
    assert (election.method, election.state) == ("ranked", "closed")
    assert election.closed_at < motion.opened_at  # it took place last month
    result = election.result
    assert (result.turnout, result.eligible, result.quorum_met) == (5, 5, True)
    assert result.winner == result.ranking[0] == "Yui Tanaka"
    assert set(result.pairwise) == {"Yui Tanaka", "Tom Okafor", "Marcus Lee"}


def test_the_demo_waits_for_the_members_demo():
    lines: list[str] = []
    load_governance_demo(log=lines.append)

    assert Committee.objects.count() == 0
    assert "load the members demo first" in lines[0]


def test_load_demo_data_loads_the_governance_demo_and_the_beat_runs_the_ballots_job():
    # given the whole demo, as `make run` loads it
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    from alliance.governance.tasks import ballots_advance

    output = StringIO()

    # when
    call_command("load_demo_data", stdout=output)

    # then governance is part of it, and the beat job that opens, reminds and closes ballots is scheduled
    assert "Governance:" in output.getvalue()
    assert set(Committee.objects.values_list("slug", flat=True)) >= {"steering-committee", "technical-committee"}
    assert Ballot.objects.filter(state="open").exists() and BallotResult.objects.exists()
    job = settings.CELERY_BEAT_SCHEDULE["governance-ballots-advance"]
    assert job["task"] == ballots_advance.name == "alliance.governance.tasks.ballots_advance"
