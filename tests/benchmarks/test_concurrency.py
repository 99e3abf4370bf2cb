"""Real races on PostgreSQL: two callers, each in its own thread and database connection, released together.

The window between a service's check and its write is widened with a short pause (as if the server were busy),
so that without the round's (or the objection's) lock the race shows every time; with the lock the same pause only
makes the second caller wait its turn and then hear that the work is done. Each race is first shown to exist
without the lock.
"""

import time
from datetime import timedelta

import pytest

from alliance.errors import DomainError
from alliance.models import AuditEntry
from projects.benchmarks import services
from projects.benchmarks.models import Objection, Release, ReviewAssignment, Round, Submission
from projects.benchmarks.services import objections as objection_services
from projects.benchmarks.services import publication, submissions
from tests.races import race, require_free_connections

from .conftest import PUBLISH_AT, REVIEW_BY, SUBMIT_BY, SYSTEM, in_state, results

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("room_for_10_connections")]

PAUSE = 0.3


@pytest.fixture
def room_for_10_connections():
    require_free_connections(10)


def slowed(monkeypatch, module, name: str) -> None:
    """Pause before ``module.name`` runs: the window between a check and a write, widened."""
    original = getattr(module, name)

    def slow(*args, **kwargs):
        time.sleep(PAUSE)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, slow)


def unlocked(monkeypatch, module, name: str, model) -> None:
    """``module.name`` reads its row without locking it: what the lock prevents."""
    monkeypatch.setattr(
        module, name, lambda row: model.objects.select_related().get(pk=row.pk)
    )  # select_related(): the same joins the locked read makes


# --- two publishes at once ----------------------------------------------------------------------------------------


def _ready_to_publish(registry):
    in_state(registry, "review")
    services.objection_dismiss(actor=registry.staff, objection=registry.objection, reason="A log format change.")
    registry.at(REVIEW_BY + timedelta(minutes=1))


def _two_publishes(registry):
    return race([lambda who=who: services.round_publish(actor=who, round=registry.round)
                 for who in (registry.lead, registry.staff)])  # fmt: skip


def test_without_the_lock_two_simultaneous_publishes_both_publish(registry, monkeypatch):
    _ready_to_publish(registry)
    slowed(monkeypatch, publication, "round_review_start")  # after the check, before the writes
    unlocked(monkeypatch, publication, "locked_round", Round)

    _results, errors = _two_publishes(registry)

    # both saw an unpublished round and both published it: the second, waiting only on the submissions' rows, froze
    # a second "first release" with the same results (the race is real)
    assert errors == []
    assert AuditEntry.objects.filter(action="benchmark_round.published").count() == 2
    assert list(Release.objects.filter(round=registry.round).values_list("version", flat=True)) == [1, 2]


def test_two_simultaneous_publishes_make_one_release_1(registry, monkeypatch):
    _ready_to_publish(registry)
    slowed(monkeypatch, publication, "round_review_start")

    results_, errors = _two_publishes(registry)

    # one published; the other waited for the lock and heard that it was done
    assert [str(error) for error in errors] == ["This round is already published."]
    assert sum(result is not None for result in results_) == 1
    assert list(Release.objects.filter(round=registry.round).values_list("version", flat=True)) == [1]
    assert AuditEntry.objects.filter(action="benchmark_round.published").count() == 1


def test_the_beat_job_and_a_lead_publishing_at_once_publish_once(registry, monkeypatch):
    _ready_to_publish(registry)
    registry.at(PUBLISH_AT)
    slowed(monkeypatch, publication, "round_review_start")

    results_, errors = race(
        [
            lambda: services.round_publish(actor=registry.lead, round=registry.round),
            lambda: services.benchmark_rounds_advance()["published"],
        ]
    )

    # whichever came first published; the beat job passes over a round the lead holds, and the lead, waiting for a
    # round the beat job holds, hears that it is done
    published_by_lead = results_[0] is not None
    assert published_by_lead + (results_[1] or 0) == 1
    assert [str(error) for error in errors] == ([] if published_by_lead else ["This round is already published."])
    assert Release.objects.filter(round=registry.round).count() == 1
    assert AuditEntry.objects.filter(action="benchmark_round.published").count() == 1


# --- two decisions on one objection at once -----------------------------------------------------------------------


def _two_decisions(registry):
    objection = registry.objection
    return race(
        [
            lambda: services.objection_uphold(
                actor=registry.lead, objection=objection, outcome="remove", reason="The logs differ."
            ),
            lambda: services.objection_dismiss(actor=registry.staff, objection=objection, reason="Nothing wrong."),
        ]
    )


def test_without_the_lock_two_simultaneous_decisions_both_decide(registry, monkeypatch):
    in_state(registry, "review")
    slowed(monkeypatch, objection_services, "mark_decided")
    unlocked(monkeypatch, objection_services, "locked_objection", Objection)

    _results, errors = _two_decisions(registry)

    # both saw an open objection and both decided it: two decisions recorded (the race is real)
    assert errors == []
    decided = AuditEntry.objects.filter(action__in=["benchmark_objection.upheld", "benchmark_objection.dismissed"])
    assert decided.filter(target_id=str(registry.objection.pk)).count() == 2


def test_two_simultaneous_decisions_decide_once(registry, monkeypatch):
    in_state(registry, "review")
    slowed(monkeypatch, objection_services, "mark_decided")

    results_, errors = _two_decisions(registry)

    # one decision stands; the other waited and heard that it was taken
    assert [str(error) for error in errors] == ["This objection was already decided."]
    objection = Objection.objects.get(pk=registry.objection.pk)
    decided = AuditEntry.objects.filter(
        action__in=["benchmark_objection.upheld", "benchmark_objection.dismissed"], target_id=str(objection.pk)
    )
    assert decided.count() == 1
    winner = next(result for result in results_ if result is not None)
    assert (objection.state, objection.decision_reason) == (winner.state, winner.decision_reason)
    submission = Submission.objects.get(pk=registry.submissions["b"].pk)
    assert submission.state == ("removed" if objection.state == "upheld" else "submitted")


# --- a submission at the deadline ---------------------------------------------------------------------------------


def _at_the_deadline(registry):
    """A and B submitted; C's person submits a second before the deadline (by the web server's clock) while the
    beat job, on a clock a second ahead, starts review at the deadline."""
    registry.submit("a")
    registry.submit("b")
    registry.at(SUBMIT_BY - timedelta(seconds=1))
    return race(
        [
            lambda: services.submission_create(
                actor=registry.people["c"], round=registry.round, organization=registry.organizations["c"],
                division="closed", availability="available", system=SYSTEM, results=results(),
            ),
            lambda: services.benchmark_rounds_advance(moment=SUBMIT_BY)["reviews_started"],
        ]
    )  # fmt: skip


def _clock_only_state(round, now):
    """The state by the clock alone, not asking whether review has started: what the lock alone cannot fix."""
    if round.cancelled_at is not None:
        return Round.State.CANCELLED
    if round.published_at is not None:
        return Round.State.PUBLISHED
    return Round.State.OPEN if now < round.submission_deadline else Round.State.REVIEW


def test_without_asking_whether_review_started_a_submission_at_the_deadline_escapes_review(registry, monkeypatch):
    # the beat job takes the round first (the submission is slowed before it locks the round)
    slowed(monkeypatch, submissions, "clean_results")
    monkeypatch.setattr(Round, "state_at", _clock_only_state)

    results_, errors = _at_the_deadline(registry)

    # the late submission went in after the reviews were assigned: nobody reviews it (the race is real)
    assert errors == [] and results_[1] == 1
    late = results_[0]
    assert not ReviewAssignment.objects.filter(submission=late).exists()


def test_a_submission_at_the_deadline_is_refused_once_review_has_started(registry, monkeypatch):
    slowed(monkeypatch, submissions, "clean_results")

    results_, errors = _at_the_deadline(registry)

    # review started first: the submission, though before the deadline by its clock, is refused
    assert results_[1] == 1
    assert [str(error) for error in errors] == ["The submission deadline of this round has passed."]
    assert not Submission.objects.filter(organization=registry.organizations["c"]).exists()
    assert isinstance(errors[0], DomainError)


def test_a_submission_just_before_review_starts_is_reviewed(registry, monkeypatch):
    # the submission takes the round first (the beat job is slowed before it claims the round)
    slowed(monkeypatch, publication, "rounds_due_for_review")

    results_, errors = _at_the_deadline(registry)

    # it went in, and the review that started right after assigned it to another organization
    assert errors == [] and results_[1] == 1
    late = results_[0]
    assignment = ReviewAssignment.objects.get(submission=late)
    assert assignment.reviewer_organization != registry.organizations["c"]
    loads = {
        organization.pk: ReviewAssignment.objects.filter(reviewer_organization=organization).count()
        for organization in registry.organizations.values()
    }
    assert min(loads.values()) >= 1 and max(loads.values()) - min(loads.values()) <= 1
