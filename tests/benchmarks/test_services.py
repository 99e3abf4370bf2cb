"""The services of the benchmark registry: every transition, every refusal, the audit trail and who is told."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from alliance.errors import DomainError, NotPermitted
from alliance.models import AuditEntry, Notification
from projects.benchmarks import selectors, services
from projects.benchmarks.models import Objection, Release, Result, ReviewAssignment, Round, Submission
from projects.models import Project
from tests.members.factories import AffiliationFactory, UserFactory
from tests.projects.factories import LeadFactory, ProjectFactory

from .conftest import METRICS, PUBLISH_AT, REVIEW_BY, SUBMIT_BY, SYSTEM, T0, results

pytestmark = pytest.mark.django_db


def audited(action: str, target) -> bool:
    return AuditEntry.objects.filter(action=action, target_id=str(target.pk)).exists()


def told(person, words: str) -> bool:
    return Notification.objects.filter(recipient=person, subject__icontains=words).exists()


# --- benchmarks ---------------------------------------------------------------------------------------------------


def test_a_lead_defines_the_benchmark_of_a_benchmark_project(registry):
    # given the registry's benchmark, defined by the project's lead
    benchmark = registry.benchmark

    # then it has its metrics in order, one of them primary, and the definition is audited
    assert [(m.key, m.primary, m.higher_is_better) for m in benchmark.metrics.order_by("position")] == [
        ("accuracy", True, True),
        ("latency_ms", False, False),
    ]
    assert selectors.primary_metric(benchmark).key == "accuracy"
    assert audited("benchmark.defined", benchmark)


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ([], "at least one metric"),
        ([{**METRICS[0], "primary": False}], "exactly one metric as primary"),
        ([METRICS[0], {**METRICS[1], "primary": True}], "exactly one metric as primary"),
        ([METRICS[0], {**METRICS[1], "key": "accuracy"}], "Two metrics have the key"),
        ([{**METRICS[0], "key": "Accuracy %"}], "is not a metric key"),
        ([{**METRICS[0], "name": ""}], "a name"),
        ([{**METRICS[0], "higher_is_better": "yes"}], "higher"),
    ],
)
def test_metrics_must_have_good_keys_and_exactly_one_primary(metrics, message):
    # given a lead of a benchmark project
    project = ProjectFactory(kind=Project.Kind.BENCHMARK)
    lead = LeadFactory(project=project).person

    # when they define the benchmark with these metrics, then it is refused
    with pytest.raises(DomainError, match=message) as refusal:
        services.benchmark_define(actor=lead, project=project, metrics=metrics, rules="Rules.")
    assert refusal.value.field == "metrics"


def test_only_leads_and_staff_define_and_only_on_a_live_benchmark_project(registry):
    # given a benchmark project someone does not lead, and a software project the lead leads
    project = ProjectFactory(kind=Project.Kind.BENCHMARK)
    software = ProjectFactory(kind=Project.Kind.SOFTWARE)
    LeadFactory(project=software, person=registry.lead)
    draft = ProjectFactory(kind=Project.Kind.BENCHMARK, state=Project.State.DRAFT)
    LeadFactory(project=draft, person=registry.lead)

    # then a member who leads nothing is refused, and so are the wrong kind and a draft
    with pytest.raises(NotPermitted):
        services.benchmark_define(actor=registry.people["a"], project=project, metrics=METRICS, rules="R")
    with pytest.raises(DomainError, match="benchmark kind"):
        services.benchmark_define(actor=registry.lead, project=software, metrics=METRICS, rules="R")
    with pytest.raises(DomainError, match="incubating or active"):
        services.benchmark_define(actor=registry.lead, project=draft, metrics=METRICS, rules="R")
    with pytest.raises(DomainError, match="Write the rules"):
        services.benchmark_define(actor=registry.staff, project=project, metrics=METRICS, rules="  ")
    # and staff define it, once
    services.benchmark_define(actor=registry.staff, project=project, metrics=METRICS, rules="R")
    with pytest.raises(DomainError, match="already defines"):
        services.benchmark_define(actor=registry.staff, project=project, metrics=METRICS, rules="R")


def test_new_rules_are_audited_and_the_project_is_told(registry):
    # given a contributor of the benchmark project
    contributor = LeadFactory(project=registry.benchmark.project, role="contributor").person

    # when the lead rewrites the rules
    services.benchmark_update(actor=registry.lead, benchmark=registry.benchmark, rules="New rules.")

    # then the change is audited and the contributor told; a member who is not a lead may not
    assert audited("benchmark.updated", registry.benchmark)
    assert told(contributor, "rules")
    with pytest.raises(NotPermitted):
        services.benchmark_update(actor=registry.people["a"], benchmark=registry.benchmark, rules="Mine.")


# --- rounds -------------------------------------------------------------------------------------------------------


def test_a_round_opens_at_once_and_its_state_follows_the_clock(registry):
    round = registry.round
    assert audited("benchmark_round.opened", round)
    assert round.state == Round.State.OPEN

    registry.at(SUBMIT_BY)
    assert round.state == Round.State.REVIEW

    registry.publish()
    assert registry.round.state == Round.State.PUBLISHED


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ((T0 - timedelta(minutes=1), REVIEW_BY, PUBLISH_AT), "submission_deadline", "in the future"),
        ((SUBMIT_BY, SUBMIT_BY, PUBLISH_AT), "review_deadline", "after the submission deadline"),
        ((SUBMIT_BY, REVIEW_BY, REVIEW_BY - timedelta(seconds=1)), "publish_at", "before the review deadline"),
    ],
)
def test_a_round_needs_its_three_dates_in_order(registry, dates, field, message):
    with pytest.raises(DomainError, match=message) as refusal:
        services.round_open(
            actor=registry.lead,
            benchmark=registry.benchmark,
            version="v2.0",
            harness_url="https://git.example.org/harness",
            harness_commit="abc",
            submission_deadline=dates[0],
            review_deadline=dates[1],
            publish_at=dates[2],
        )
    assert refusal.value.field == field


def test_the_database_refuses_dates_out_of_order_on_its_own(registry):
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=registry.round.pk).update(review_deadline=SUBMIT_BY - timedelta(days=1))


def test_only_leads_and_staff_open_rounds_and_versions_are_unique(registry):
    arguments = {
        "benchmark": registry.benchmark,
        "harness_url": "https://git.example.org/harness",
        "harness_commit": "abc",
        "submission_deadline": SUBMIT_BY,
        "review_deadline": REVIEW_BY,
        "publish_at": REVIEW_BY,  # publication may come right at the review deadline
    }
    with pytest.raises(NotPermitted):
        services.round_open(actor=registry.people["a"], version="v2.0", **arguments)
    with pytest.raises(DomainError, match="already has a round of this version"):
        services.round_open(actor=registry.staff, version="v1.0", **arguments)
    assert services.round_open(actor=registry.staff, version="v2.0", **arguments).state == Round.State.OPEN


def test_a_cancelled_round_takes_no_more_submissions_and_submitters_are_told(registry):
    registry.submit("a")
    with pytest.raises(DomainError, match="Give a reason"):
        services.round_cancel(actor=registry.lead, round=registry.round, reason="")

    round = services.round_cancel(actor=registry.lead, round=registry.round, reason="The harness is broken.")

    assert round.state == Round.State.CANCELLED
    assert told(registry.people["a"], "cancelled")
    with pytest.raises(DomainError, match="cancelled"):
        registry.submit("b")
    with pytest.raises(DomainError, match="already cancelled"):
        services.round_cancel(actor=registry.lead, round=round, reason="Again.")


def test_a_published_round_cannot_be_cancelled(registry):
    registry.submit("a")
    registry.submit("b")
    registry.publish()
    with pytest.raises(DomainError, match="published round cannot be cancelled"):
        services.round_cancel(actor=registry.lead, round=registry.round, reason="Oops.")


# --- submissions --------------------------------------------------------------------------------------------------


def test_a_member_submits_for_their_organization_while_the_round_is_open(registry):
    # when a person of A submits
    submission = registry.submit("a", value=81.5, low=80.0, high=83.0)

    # then its results, system and artifacts are recorded, audited, and A is told
    assert submission.state == Submission.State.SUBMITTED
    assert submission.organization == registry.organizations["a"]
    assert submission.system_model == SYSTEM["model"]
    result = submission.results.get(metric__key="accuracy")
    assert (result.value, result.ci_low, result.ci_high) == (81.5, 80.0, 83.0)
    assert submission.artifacts == ["https://git.example.org/logs/1"]
    assert audited("benchmark_submission.received", submission)
    assert told(registry.people["a"], "Submission received")


def test_only_people_of_member_organizations_submit_and_only_for_their_own(registry):
    arguments = {
        "round": registry.round,
        "division": "closed",
        "availability": "available",
        "system": SYSTEM,
        "results": results(),
    }
    with pytest.raises(NotPermitted, match="Only people of an active member organization"):
        services.submission_create(actor=registry.outsider, organization=registry.organizations["a"], **arguments)
    with pytest.raises(NotPermitted, match="your own organization"):
        services.submission_create(actor=registry.people["b"], organization=registry.organizations["a"], **arguments)
    registry.organizations["a"].status = "suspended"
    registry.organizations["a"].save()
    with pytest.raises(NotPermitted):
        services.submission_create(actor=registry.people["a"], organization=registry.organizations["a"], **arguments)
    assert not Submission.objects.exists()


def test_no_submission_after_the_deadline(registry):
    registry.at(SUBMIT_BY)
    with pytest.raises(DomainError, match="deadline of this round has passed"):
        registry.submit("a")


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"accuracy": {"value": 80}, "f1": {"value": 0.5}}, "has no metric f1"),
        ({"latency_ms": {"value": 12}}, "primary metric, accuracy"),
        ({"accuracy": {"value": 85, "ci_low": 78, "ci_high": 82}}, "inside its confidence interval"),
        ({"accuracy": {"value": 70, "ci_low": 78, "ci_high": 82}}, "inside its confidence interval"),
        ({"accuracy": {"value": 80, "ci_low": 78}}, "both ends"),
        ({"accuracy": {"value": "high"}}, "must be a number"),
        ({"accuracy": {"value": None}}, "Give the value"),
        ({"accuracy": {"value": float("nan")}}, "finite"),
    ],
)
def test_results_use_the_benchmark_keys_need_the_primary_and_lie_in_their_intervals(registry, given, message):
    with pytest.raises(DomainError, match=message) as refusal:
        registry.submit("a", results=given)
    assert refusal.value.field == "results"
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"division": "premium"}, "division"),
        ({"availability": "soon"}, "availability"),
        ({"system": {**SYSTEM, "hardware": ""}}, "system"),
        ({"artifacts": ["javascript:alert(1)"]}, "artifacts"),
    ],
)
def test_the_division_availability_system_and_artifacts_are_checked(registry, changes, field):
    with pytest.raises(DomainError) as refusal:
        registry.submit("a", **changes)
    assert refusal.value.field == field


def test_the_database_refuses_a_value_outside_its_interval_on_its_own(registry):
    submission = registry.submit("a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.filter(submission=submission).update(value=99.0)


def test_its_organization_edits_a_submission_until_the_deadline_then_it_is_frozen(registry):
    submission = registry.submit("a")
    colleague = AffiliationFactory(organization=registry.organizations["a"]).person

    services.submission_update(
        actor=colleague, submission=submission, results=results(84.0, 83.0, 85.0), availability="preview"
    )
    submission.refresh_from_db()
    assert submission.results.get(metric__key="accuracy").value == 84.0
    assert submission.availability == "preview"
    assert audited("benchmark_submission.updated", submission)

    with pytest.raises(NotPermitted):
        services.submission_update(actor=registry.people["b"], submission=submission, availability="available")
    registry.at(SUBMIT_BY)
    with pytest.raises(DomainError, match="deadline of this round has passed"):
        services.submission_update(actor=colleague, submission=submission, availability="available")


def test_a_submission_is_withdrawn_before_publication_only(registry):
    kept = registry.submit("a")
    withdrawn = registry.submit("b")
    with pytest.raises(NotPermitted):
        services.submission_withdraw(actor=registry.people["a"], submission=withdrawn)

    services.submission_withdraw(actor=registry.people["b"], submission=withdrawn)
    withdrawn.refresh_from_db()
    assert withdrawn.state == Submission.State.WITHDRAWN
    assert audited("benchmark_submission.withdrawn", withdrawn)
    with pytest.raises(DomainError, match="cannot be withdrawn"):
        services.submission_withdraw(actor=registry.people["b"], submission=withdrawn)

    registry.submit("c")
    registry.publish()
    withdrawn.refresh_from_db()
    assert withdrawn.state == Submission.State.WITHDRAWN  # never published
    with pytest.raises(DomainError, match="round is over"):
        services.submission_withdraw(actor=registry.people["a"], submission=kept)


# --- review -------------------------------------------------------------------------------------------------------


def test_review_starts_at_the_deadline_and_nobody_reviews_their_own_organization(registry):
    for who in ("a", "a", "b", "c"):
        registry.submit(who)

    registry.start_review()

    assignments = list(ReviewAssignment.objects.select_related("submission"))
    assert registry.round.review_started_at is not None
    assert all(a.reviewer_organization_id != a.submission.organization_id for a in assignments)
    loads = {org.pk: 0 for org in registry.organizations.values()}
    for assignment in assignments:
        loads[assignment.reviewer_organization_id] += 1
    assert min(loads.values()) >= 1 and max(loads.values()) - min(loads.values()) <= 1
    assert told(registry.people["b"], "Peer review")
    assert audited("benchmark_round.review_started", registry.round)
    # and the beat job running again changes nothing
    assert services.benchmark_rounds_advance()["reviews_started"] == 0
    assert ReviewAssignment.objects.count() == len(assignments)


def test_an_assigned_organization_reviews_once_before_the_review_deadline(registry):
    registry.submit("a")
    registry.submit("b")
    registry.start_review()
    submission = registry.submissions["a"]

    with pytest.raises(NotPermitted):
        services.review_submit(actor=registry.people["c"], submission=submission, verdict="compliant", comment="ok")
    with pytest.raises(DomainError, match="Explain"):
        services.review_submit(actor=registry.people["b"], submission=submission, verdict="compliant", comment="")
    review = services.review_submit(
        actor=registry.people["b"], submission=submission, verdict="compliant", comment="Logs match the results."
    )
    assert review.assignment.reviewer_organization == registry.organizations["b"]
    assert told(registry.people["a"], "peer reviewed")
    with pytest.raises(DomainError, match="already reviewed"):
        services.review_submit(actor=registry.people["b"], submission=submission, verdict="questions", comment="?")

    registry.at(REVIEW_BY)
    with pytest.raises(DomainError, match="review deadline has passed"):
        services.review_submit(
            actor=registry.people["a"], submission=registry.submissions["b"], verdict="compliant", comment="ok"
        )


# --- objections ---------------------------------------------------------------------------------------------------


def _in_review(registry):
    for who in ("a", "b", "c"):
        registry.submit(who)
    registry.start_review()


def test_a_submitter_objects_during_review_and_the_deciders_are_told(registry):
    _in_review(registry)

    objection = services.objection_raise(
        actor=registry.people["b"],
        submission=registry.submissions["a"],
        rule="Closed division: reference setup",
        description="The logs show a modified harness.",
    )

    assert objection.state == Objection.State.OPEN
    assert objection.objector_organization == registry.organizations["b"]
    assert audited("benchmark_objection.raised", objection)
    assert told(registry.lead, "Objection")
    assert told(registry.people["a"], "Objection")


def test_who_may_object_and_when(registry):
    registry.submit("a")
    # while open nobody objects
    with pytest.raises(NotPermitted, match="during review and after publication"):
        services.objection_raise(
            actor=registry.people["b"], submission=registry.submissions["a"], rule="r", description="d"
        )
    registry.submit("b")
    registry.start_review()
    target = registry.submissions["a"]
    # not one's own organization; during review only submitters
    with pytest.raises(NotPermitted, match="your own organization"):
        services.objection_raise(actor=registry.people["a"], submission=target, rule="r", description="d")
    with pytest.raises(NotPermitted, match="only organizations that submitted"):
        services.objection_raise(actor=registry.member, submission=target, rule="r", description="d")
    with pytest.raises(NotPermitted):
        services.objection_raise(actor=registry.outsider, submission=target, rule="r", description="d")
    with pytest.raises(DomainError, match="Name the rule"):
        services.objection_raise(actor=registry.people["b"], submission=target, rule=" ", description="d")
    services.objection_raise(actor=registry.people["b"], submission=target, rule="r", description="d")
    with pytest.raises(DomainError, match="already has an open objection"):
        services.objection_raise(actor=registry.people["b"], submission=target, rule="r2", description="d2")
    # after the review deadline, not until publication
    registry.at(REVIEW_BY)
    with pytest.raises(DomainError, match="review deadline has passed"):
        services.objection_raise(
            actor=registry.people["a"], submission=registry.submissions["b"], rule="r", description="d"
        )


def _objection(registry, against="a", by="b"):
    return services.objection_raise(
        actor=registry.people[by],
        submission=registry.submissions[against],
        rule="Closed division: reference setup",
        description="The logs show a modified harness.",
    )


def test_nobody_from_the_objecting_or_objected_organization_decides(registry):
    _in_review(registry)
    objection = _objection(registry)
    # a lead of the benchmark who also belongs to the objecting (or the objected) organization
    conflicted = LeadFactory(project=registry.benchmark.project).person
    AffiliationFactory(person=conflicted, organization=registry.organizations["b"])
    objected_side = LeadFactory(project=registry.benchmark.project).person
    AffiliationFactory(person=objected_side, organization=registry.organizations["a"])

    for person in (conflicted, objected_side):
        with pytest.raises(NotPermitted, match="objecting or the objected organization"):
            services.objection_dismiss(actor=person, objection=objection, reason="No.")
    with pytest.raises(NotPermitted, match="decide objections"):
        services.objection_dismiss(actor=registry.people["c"], objection=objection, reason="No.")
    objection.refresh_from_db()
    assert objection.state == Objection.State.OPEN


def test_dismissing_needs_a_reason_and_tells_both_organizations(registry):
    _in_review(registry)
    objection = _objection(registry)
    with pytest.raises(DomainError, match="Give a reason"):
        services.objection_dismiss(actor=registry.lead, objection=objection, reason="")

    services.objection_dismiss(actor=registry.staff, objection=objection, reason="The harness diff is a log format.")

    objection.refresh_from_db()
    assert (objection.state, objection.decided_by) == (Objection.State.DISMISSED, registry.staff)
    assert told(registry.people["a"], "dismissed") and told(registry.people["b"], "dismissed")
    with pytest.raises(DomainError, match="already decided"):
        services.objection_uphold(actor=registry.lead, objection=objection, outcome="remove", reason="x")


def test_an_upheld_fix_unfreezes_the_submission_until_its_organization_fixes_it(registry):
    _in_review(registry)
    objection = _objection(registry)
    submission = registry.submissions["a"]
    # frozen in review
    with pytest.raises(DomainError, match="deadline of this round has passed"):
        services.submission_update(actor=registry.people["a"], submission=submission, system=SYSTEM)

    services.objection_uphold(actor=registry.lead, objection=objection, outcome="fix_required", reason="Rerun it.")
    submission.refresh_from_db()
    assert submission.state == Submission.State.FIX_REQUIRED
    assert told(registry.people["a"], "upheld")

    services.submission_update(actor=registry.people["a"], submission=submission, results=results(79.0, 77.0, 81.0))
    submission.refresh_from_db()
    assert submission.state == Submission.State.SUBMITTED
    assert submission.results.get(metric__key="accuracy").value == 79.0
    assert audited("benchmark_submission.fixed", submission)
    assert told(registry.people["b"], "Fixed")
    with pytest.raises(DomainError, match="deadline of this round has passed"):  # frozen again
        services.submission_update(actor=registry.people["a"], submission=submission, system=SYSTEM)


def test_a_fix_not_made_before_publication_removes_the_submission(registry):
    _in_review(registry)
    services.objection_uphold(
        actor=registry.lead, objection=_objection(registry), outcome="fix_required", reason="Rerun it."
    )

    registry.publish()

    submission = registry.submissions["a"]
    submission.refresh_from_db()
    assert submission.state == Submission.State.REMOVED
    assert "not made before publication" in submission.removal_reason


def test_an_upheld_move_to_open_publishes_in_the_open_division(registry):
    _in_review(registry)
    services.objection_uphold(
        actor=registry.staff, objection=_objection(registry), outcome="move_to_open", reason="Tuned."
    )
    submission = registry.submissions["a"]
    submission.refresh_from_db()
    assert (submission.state, submission.division) == (Submission.State.MOVED_TO_OPEN, "open")
    with pytest.raises(DomainError, match="already in the open division"):
        services.objection_uphold(
            actor=registry.staff, objection=_objection(registry, by="c"), outcome="move_to_open", reason="Again."
        )

    registry.at(REVIEW_BY)
    services.objection_dismiss(actor=registry.staff, objection=Objection.objects.get(state="open"), reason="Moved.")
    registry.publish()
    submission.refresh_from_db()
    assert submission.state == Submission.State.MOVED_TO_OPEN and submission.published_at is not None
    board = selectors.leaderboard(round=registry.round, division="open")
    assert [row.submission for row in board.rows] == [submission]


def test_an_upheld_removal_shows_its_reason_and_closes_the_other_objections(registry):
    _in_review(registry)
    first = _objection(registry)
    second = _objection(registry, by="c")

    services.objection_uphold(actor=registry.lead, objection=first, outcome="remove", reason="Test data leaked.")

    submission = registry.submissions["a"]
    submission.refresh_from_db()
    second.refresh_from_db()
    assert (submission.state, submission.removal_reason) == (Submission.State.REMOVED, "Test data leaked.")
    assert audited("benchmark_result.removed", submission)
    assert second.state == Objection.State.DISMISSED
    assert second.decision_reason == services.objections.AUTOMATIC_DISMISSAL


def test_after_publication_any_member_objects_and_a_removal_makes_release_2(registry):
    registry.submit("a")
    registry.submit("b")
    registry.publish()
    submission = registry.submissions["a"]
    first = Release.objects.get(round=registry.round)
    with pytest.raises(NotPermitted):
        services.objection_raise(actor=registry.outsider, submission=submission, rule="r", description="d")

    objection = services.objection_raise(
        actor=registry.member, submission=submission, rule="Availability", description="The system cannot be bought."
    )
    assert objection.after_publication
    with pytest.raises(DomainError, match="not sent back for a fix"):
        services.objection_uphold(actor=registry.lead, objection=objection, outcome="fix_required", reason="Fix.")
    services.objection_uphold(actor=registry.lead, objection=objection, outcome="remove", reason="Not available.")

    releases = list(Release.objects.filter(round=registry.round).order_by("version"))
    assert [r.version for r in releases] == [1, 2]
    assert "removed after an objection" in releases[1].changelog
    assert bytes(releases[0].csv_bytes) == bytes(first.csv_bytes)
    assert told(registry.people["b"], "Release 2")


# --- publication --------------------------------------------------------------------------------------------------


def test_publish_refuses_before_the_review_deadline_with_an_objection_open_and_for_others(registry):
    _in_review(registry)
    objection = _objection(registry)
    with pytest.raises(DomainError, match="review deadline has not passed"):
        services.round_publish(actor=registry.lead, round=registry.round)
    registry.at(REVIEW_BY)
    with pytest.raises(NotPermitted):
        services.round_publish(actor=registry.people["a"], round=registry.round)
    with pytest.raises(DomainError, match="objection is still open"):
        services.round_publish(actor=registry.lead, round=registry.round)
    services.objection_dismiss(actor=registry.staff, objection=objection, reason="Fine.")

    round = services.round_publish(actor=registry.lead, round=registry.round)

    assert round.state == Round.State.PUBLISHED
    assert set(Submission.objects.values_list("state", flat=True)) == {Submission.State.PUBLISHED}
    assert Release.objects.filter(round=round, version=1).exists()
    assert audited("benchmark_round.published", round)
    assert told(registry.people["c"], "Published")
    with pytest.raises(DomainError, match="already published"):
        services.round_publish(actor=registry.lead, round=round)


def test_the_beat_job_publishes_at_the_publication_time_unless_an_objection_is_open(registry):
    _in_review(registry)
    objection = _objection(registry)
    registry.at(PUBLISH_AT)

    assert services.benchmark_rounds_advance()["published"] == 0
    services.objection_dismiss(actor=registry.staff, objection=objection, reason="Fine.")
    assert services.benchmark_rounds_advance()["published"] == 1
    assert services.benchmark_rounds_advance()["published"] == 0

    registry.round.refresh_from_db()
    assert registry.round.state == Round.State.PUBLISHED
    assert AuditEntry.objects.get(action="benchmark_round.published").actor is None


def test_previews_not_available_by_the_next_publication_are_marked(registry):
    preview = registry.submit("a", availability="preview")
    made_available = registry.submit("b", availability="preview")
    registry.publish()
    services.submission_mark_available(actor=registry.people["b"], submission=made_available)
    with pytest.raises(NotPermitted):
        services.submission_mark_available(actor=registry.people["b"], submission=preview)
    next_round = services.round_open(
        actor=registry.lead,
        benchmark=registry.benchmark,
        version="v2.0",
        harness_url="https://git.example.org/harness",
        harness_commit="def",
        submission_deadline=REVIEW_BY + timedelta(days=2),
        review_deadline=REVIEW_BY + timedelta(days=3),
        publish_at=REVIEW_BY + timedelta(days=4),
    )
    assert services.benchmark_rounds_advance()["previews_lapsed"] == 0  # not until the next round is published

    registry.at(REVIEW_BY + timedelta(days=4))
    counts = services.benchmark_rounds_advance()

    assert counts["published"] == 1 and counts["previews_lapsed"] == 1
    preview.refresh_from_db()
    made_available.refresh_from_db()
    assert preview.preview_lapsed_at is not None and made_available.preview_lapsed_at is None
    assert told(registry.people["a"], "Preview not available")
    with pytest.raises(DomainError, match="stays marked"):
        services.submission_mark_available(actor=registry.people["a"], submission=preview)
    next_round.refresh_from_db()
    assert next_round.state == Round.State.PUBLISHED


def test_a_person_s_part_is_in_the_privacy_answer(registry):
    # given a submission by person A
    submission = registry.submit("a")

    # when the registry answers for A and for someone else
    data = selectors.personal_data(registry.people["a"])
    other = selectors.personal_data(UserFactory())

    # then A's submission is in A's answer only, and the benchmark and round its lead made are the lead's
    assert list(data["submissions"]) == [submission]
    assert not other["submissions"].exists()
    assert list(selectors.personal_data(registry.lead)["rounds_created"]) == [registry.round]
    assert list(selectors.personal_data(registry.lead)["benchmarks_defined"]) == [registry.benchmark]


def test_cancelling_a_round_in_review_closes_its_open_objections(registry):
    # given a round in review with an open objection
    _in_review(registry)
    objection = _objection(registry)

    # when the lead cancels the round
    services.round_cancel(actor=registry.lead, round=registry.round, reason="The harness is broken.")

    # then the objection is dismissed with the round (no queue keeps it), audited, and nobody may decide it any more
    objection.refresh_from_db()
    assert (objection.state, objection.decided_by) == (Objection.State.DISMISSED, registry.lead)
    assert objection.decision_reason == services.rounds.CANCELLED_DISMISSAL
    assert audited("benchmark_objection.dismissed", objection)
    assert not selectors.objection_queue(registry.staff).exists()


def test_once_review_has_started_the_round_takes_no_submission_whatever_the_clock_says(registry):
    # given the beat job, on a clock a minute ahead of this server's, started review at the deadline
    registry.submit("a")
    registry.submit("b")
    registry.at(SUBMIT_BY - timedelta(minutes=1))
    assert services.benchmark_rounds_advance(moment=SUBMIT_BY)["reviews_started"] == 1
    registry.round.refresh_from_db()

    # then the round is in review here too: no submission, no change, and its submitters see the whole round
    assert registry.round.state == Round.State.REVIEW
    with pytest.raises(DomainError, match="deadline of this round has passed"):
        registry.submit("c")
    with pytest.raises(DomainError, match="deadline of this round has passed"):
        services.submission_update(actor=registry.people["a"], submission=registry.submissions["a"], system=SYSTEM)
    assert selectors.submissions_visible_to(registry.people["a"]).filter(round=registry.round).count() == 2
