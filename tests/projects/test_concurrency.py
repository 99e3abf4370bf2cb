"""Real races on PostgreSQL for the last-lead rule: two transactions, each on its own connection.

A live project keeps at least one lead. The rule is checked by the participation services (under a lock on the
lead rows) and by the lifecycle services that make a project live again (revive, promote); both must decide on
rows no other transaction can change before they commit.
"""

import threading

import pytest
from django.db import connection

from alliance.errors import DomainError, NotPermitted
from projects import services
from projects.models import Participation, Project
from projects.services import participation, proposals
from tests.members.factories import StaffFactory

from .factories import LeadFactory, ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _run_in_threads(**calls) -> dict[str, str]:
    """Run each call in its own named thread and database connection; answer each outcome."""
    outcomes: dict[str, str] = {}

    def run(name, call):
        try:
            call()
            outcomes[name] = "done"
        except (DomainError, NotPermitted) as error:
            outcomes[name] = error.message
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name, call), name=name) for name, call in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    return outcomes


def test_the_last_lead_leaving_while_staff_revive_the_project_leaves_no_live_project_without_a_lead(monkeypatch):
    # given an archived project whose only lead may leave (archived projects need no lead) ...
    project = ProjectFactory(state=Project.State.ARCHIVED)
    lead = LeadFactory(project=project).person
    staff = StaffFactory()
    # ... and the lead leaves right after staff have counted the leads, and before the revival commits
    counted, left = threading.Event(), threading.Event()
    active_leads = proposals.project_active_leads

    def counting_then_waiting(project):
        leads = active_leads(project)
        if threading.current_thread().name == "revive":
            counted.set()
            left.wait(timeout=2)  # with the project locked, the lead cannot leave meanwhile: this times out
        return leads

    monkeypatch.setattr(proposals, "project_active_leads", counting_then_waiting)

    def leave():
        assert counted.wait(timeout=10)
        try:
            services.participation_leave(actor=lead, project=project)
        finally:
            left.set()

    # when staff revive the project while its lead leaves
    outcomes = _run_in_threads(revive=lambda: services.project_revive(actor=staff, project=project), leave=leave)

    # then one of them wins, and the project is never live without a lead
    project.refresh_from_db()
    leads = Participation.objects.filter(project=project, role=Participation.Role.LEAD).count()
    assert not (project.state in Project.LIVE_STATES and leads == 0), outcomes
    assert list(outcomes.values()).count("done") == 1, outcomes


def _both_threads_reach(function, barrier: threading.Barrier):
    def waiting(*args, **kwargs):
        barrier.wait()
        return function(*args, **kwargs)

    return waiting


def test_a_lead_demoted_meanwhile_cannot_demote_another_lead(monkeypatch):
    """With three leads the count allows both demotions; who may act is checked again under the lock."""
    # given a live project with three leads, the first two passing the permission check before either locks
    project = ProjectFactory(state=Project.State.ACTIVE)
    first, second, _third = (LeadFactory(project=project) for _ in range(3))
    monkeypatch.setattr(
        participation,
        "lock_leads_of",
        _both_threads_reach(participation.lock_leads_of, threading.Barrier(2, timeout=10)),
    )

    # when the first two demote each other at the same moment
    outcomes = _run_in_threads(
        first=lambda: services.participation_change_role(actor=first.person, participation=second, role="contributor"),
        second=lambda: services.participation_change_role(actor=second.person, participation=first, role="contributor"),
    )

    # then only the one who locked first succeeds: the other is no longer a lead
    assert list(outcomes.values()).count("done") == 1, outcomes
    assert any("Only a lead" in outcome for outcome in outcomes.values()), outcomes
    assert Participation.objects.filter(project=project, role=Participation.Role.LEAD).count() == 2


def test_a_lead_demoted_meanwhile_cannot_remove_another_lead(monkeypatch):
    # given a live project with three leads, the first two passing the permission check before either locks
    project = ProjectFactory(state=Project.State.ACTIVE)
    first, second, _third = (LeadFactory(project=project) for _ in range(3))
    monkeypatch.setattr(
        participation,
        "lock_leads_of",
        _both_threads_reach(participation.lock_leads_of, threading.Barrier(2, timeout=10)),
    )

    # when the first demotes the second while the second removes the first
    outcomes = _run_in_threads(
        first=lambda: services.participation_change_role(actor=first.person, participation=second, role="contributor"),
        second=lambda: services.participation_remove(actor=second.person, participation=first),
    )

    # then only the one who locked first succeeds
    assert list(outcomes.values()).count("done") == 1, outcomes
    assert any("Only a lead" in outcome for outcome in outcomes.values()), outcomes
