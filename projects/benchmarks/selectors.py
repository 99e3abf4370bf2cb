"""Reads of the benchmark registry, each in a fixed number of queries, and the predicates of who may do what.

Visibility of submissions follows the round's clock (``submissions_visible_to``): while a round is open an
organization sees only its own submissions; in review the organizations that submitted to it, the benchmark's
leads and staff see the whole round, nobody else anything; after publication everyone who may see the benchmark
sees its published results (and the removed ones, with their reasons). Services, pages, the API and templates
ask the predicates at the end; none of them re-derives a rule.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from members.models import Affiliation, Organization
from members.selectors import is_alliance_member
from projects.models import Participation, Project
from projects.selectors import is_project_lead, projects_visible_to

from .models import Benchmark, Division, Metric, Objection, Release, Result, Review, ReviewAssignment, Round, Submission


def _signed_in(person: Any) -> bool:
    return bool(getattr(person, "is_authenticated", False))


def _is_staff(person: Any) -> bool:
    return bool(getattr(person, "is_staff", False))


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- benchmarks and rounds --------------------------------------------------------------------------------------


def benchmarks_visible_to(person: Any) -> QuerySet[Benchmark]:
    """Benchmarks of the projects the person may see (``projects_visible_to``)."""
    return Benchmark.objects.filter(project__in=projects_visible_to(person).values("pk"))


def benchmark_list(*, person: Any) -> QuerySet[Benchmark]:
    """Benchmarks as lists show them: the project, the metrics, how many rounds and how many are published."""
    return (
        benchmarks_visible_to(person)
        .select_related("project")
        .prefetch_related(Prefetch("metrics", queryset=Metric.objects.order_by("position", "pk")))
        .annotate(
            round_count=Count("rounds", distinct=True),
            published_round_count=Count("rounds", filter=Q(rounds__published_at__isnull=False), distinct=True),
        )
        .order_by("project__title", "pk")
    )


def benchmark_detail(*, person: Any, slug: str) -> Benchmark | None:
    """One benchmark (by its project's slug) with its metrics and rounds, newest round first."""
    return (
        benchmarks_visible_to(person)
        .filter(project__slug=slug)
        .select_related("project", "catalog_entry")
        .prefetch_related(
            Prefetch("metrics", queryset=Metric.objects.order_by("position", "pk")),
            Prefetch("rounds", queryset=Round.objects.order_by("-submission_deadline", "-pk")),
        )
        .first()
    )


def rounds_visible_to(person: Any) -> QuerySet[Round]:
    """Rounds of the benchmarks the person may see: their dates and state are no secret, their submissions are."""
    return Round.objects.filter(benchmark__project__in=projects_visible_to(person).values("pk"))


def round_detail(*, person: Any, pk: int) -> Round | None:
    return (
        rounds_visible_to(person)
        .filter(pk=pk)
        .select_related("benchmark__project")
        .prefetch_related(Prefetch("benchmark__metrics", queryset=Metric.objects.order_by("position", "pk")))
        .first()
    )


def latest_published_round(benchmark: Benchmark) -> Round | None:
    return benchmark.rounds.filter(published_at__isnull=False).order_by("-published_at", "-pk").first()


def primary_metric(benchmark: Benchmark) -> Metric | None:
    return benchmark.metrics.filter(primary=True).first()


def open_objection_exists(round: Round) -> bool:
    return Objection.objects.filter(submission__round=round, state=Objection.State.OPEN).exists()


# --- who sees which submission ------------------------------------------------------------------------------------


def _lead_of_round_expression(person: Any) -> Exists:
    """True, in SQL, when the person leads the project of the row's round (``OuterRef('round')``)."""
    return Exists(
        Participation.objects.filter(
            project=OuterRef("round__benchmark__project"),
            person_id=person.pk,
            role=Participation.Role.LEAD,
            status=Participation.Status.ACTIVE,
        )
    )


def _submitted_to_round_expression(person: Any) -> Exists:
    """True, in SQL, when an organization of the person submitted to the row's round."""
    return Exists(
        Submission.objects.filter(
            round=OuterRef("round"),
            organization__in=Affiliation.objects.filter(person_id=person.pk).values("organization"),
        )
    )


def _round_shown_whole(now: datetime) -> Q:
    """The round of the row is in review or published: its participants and leads see all of it."""
    return Q(round__cancelled_at__isnull=True) & (
        Q(round__published_at__isnull=False)
        | Q(round__submission_deadline__lte=now)
        | Q(round__review_started_at__isnull=False)
    )


def submissions_visible_to(person: Any, *, now: datetime | None = None) -> QuerySet[Submission]:
    """The submissions the person may see at ``now`` (see the module's docstring); a hidden one answers 404."""
    now = _now(now)
    if _is_staff(person):
        return Submission.objects.all()
    public = Q(round__published_at__isnull=False, published_at__isnull=False) & (
        Q(state__in=Submission.PUBLIC_STATES) | Q(state=Submission.State.REMOVED)
    )
    public &= Q(round__benchmark__project__in=projects_visible_to(person).values("pk"))
    if not _signed_in(person):
        return Submission.objects.filter(public)
    own = Q(organization__in=Affiliation.objects.filter(person_id=person.pk).values("organization"))
    participant = Q(viewer_leads=True) | Q(viewer_submitted=True)
    return Submission.objects.alias(
        viewer_leads=_lead_of_round_expression(person), viewer_submitted=_submitted_to_round_expression(person)
    ).filter(own | public | (_round_shown_whole(now) & participant))


def sees_whole_round(person: Any, round: Round, *, now: datetime | None = None) -> bool:
    """Staff; or, in review and after publication, the round's leads and the organizations that submitted."""
    if _is_staff(person):
        return True
    if not _signed_in(person) or round.state_at(_now(now)) not in (Round.State.REVIEW, Round.State.PUBLISHED):
        return False
    return (
        is_project_lead(person, round.benchmark.project)
        or Submission.objects.filter(round=round, organization__affiliations__person=person).exists()
    )


def round_submissions(
    *,
    person: Any,
    round: Round,
    division: str = "",
    state: str = "",
    organization: str = "",
    now: datetime | None = None,
) -> QuerySet[Submission]:
    """The round's submissions the person may see, with organization and results, in a fixed number of queries."""
    submissions = submissions_visible_to(person, now=now).filter(round=round)
    if division:
        submissions = submissions.filter(division=division)
    if state:
        submissions = submissions.filter(state=state)
    if organization:
        submissions = submissions.filter(organization__slug=organization)
    return (
        submissions.select_related("organization", "round__benchmark__project")
        .prefetch_related(Prefetch("results", queryset=Result.objects.select_related("metric")))
        .order_by("organization__name", "pk")
    )


def submission_detail(*, person: Any, pk: int, now: datetime | None = None) -> Submission | None:
    """One submission the person may see, with everything its page shows."""
    return (
        submissions_visible_to(person, now=now)
        .filter(pk=pk)
        .select_related("organization", "submitted_by", "round__benchmark__project")
        .prefetch_related(
            Prefetch("results", queryset=Result.objects.select_related("metric").order_by("metric__position")),
            Prefetch("round__benchmark__metrics", queryset=Metric.objects.order_by("position", "pk")),
            Prefetch(
                "assignments",
                queryset=ReviewAssignment.objects.select_related("reviewer_organization", "review__reviewer"),
            ),
            Prefetch(
                "objections",
                queryset=Objection.objects.select_related("objector", "objector_organization", "decided_by"),
            ),
        )
        .first()
    )


def person_organizations(person: Any) -> QuerySet[Organization]:
    """The active member organizations the person belongs to: those they may submit or object for."""
    if not _signed_in(person):
        return Organization.objects.none()
    return Organization.objects.filter(affiliations__person=person, status=Organization.Status.ACTIVE).order_by("name")


def own_round_submissions(person: Any, round: Round) -> QuerySet[Submission]:
    """The submissions of the person's organizations to the round (for 'my organization's submissions')."""
    if not _signed_in(person):
        return Submission.objects.none()
    return (
        Submission.objects.filter(round=round, organization__affiliations__person=person)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )


def review_assignments_of(person: Any, round: Round) -> QuerySet[ReviewAssignment]:
    """The review assignments of the person's organizations in the round, each with its submission and review."""
    if not _signed_in(person):
        return ReviewAssignment.objects.none()
    return (
        ReviewAssignment.objects.filter(
            round=round,
            reviewer_organization__in=Affiliation.objects.filter(person_id=person.pk).values("organization"),
        )
        .select_related("submission__organization", "reviewer_organization", "submitter_organization", "review")
        .order_by("reviewer_organization__name", "submission__pk")
    )


def objection_queue(person: Any) -> QuerySet[Objection]:
    """Open objections the person may decide on (staff: all; leads: their benchmarks'), oldest first."""
    objections = Objection.objects.filter(state=Objection.State.OPEN)
    if not _is_staff(person):
        if not _signed_in(person):
            return Objection.objects.none()
        led = Participation.objects.filter(
            person=person, role=Participation.Role.LEAD, status=Participation.Status.ACTIVE
        ).values("project")
        objections = objections.filter(submission__round__benchmark__project__in=led)
    mine = Affiliation.objects.filter(person_id=getattr(person, "pk", None)).values("organization")
    return (
        objections.exclude(objector_organization__in=mine)
        .exclude(submission__organization__in=mine)
        .exclude(objector_id=getattr(person, "pk", None))
        .select_related(
            "submission__organization", "submission__round__benchmark__project", "objector", "objector_organization"
        )
        .order_by("created_at", "pk")
    )


# --- leaderboards, charts, releases -----------------------------------------------------------------------------


@dataclass
class LeaderboardRow:
    rank: int
    submission: Submission
    value: float
    ci_low: float | None
    ci_high: float | None
    separable_from_next: bool | None  # None on the last row: there is no next one


@dataclass
class Leaderboard:
    round: Round
    division: str
    metric: Metric
    rows: list[LeaderboardRow] = field(default_factory=list)

    @property
    def bounds(self) -> tuple[float, float]:
        """The smallest and largest number a row shows (value or interval end), for drawing the intervals."""
        numbers = [n for row in self.rows for n in (row.value, row.ci_low, row.ci_high) if n is not None]
        return (min(numbers), max(numbers)) if numbers else (0.0, 1.0)


def separates(upper: LeaderboardRow, lower: LeaderboardRow, *, higher_is_better: bool) -> bool:
    """The better row's interval lies wholly beyond the next one's: a difference the intervals support."""
    if upper.ci_low is None or upper.ci_high is None or lower.ci_low is None or lower.ci_high is None:
        return False
    if higher_is_better:
        return upper.ci_low > lower.ci_high
    return upper.ci_high < lower.ci_low


def rank_rows(results: list[Result], *, higher_is_better: bool) -> list[LeaderboardRow]:
    """Rank by value in the metric's direction; equal values share a rank (1, 2, 2, 4), ordered by organization."""
    ordered = sorted(
        results,
        key=lambda r: (-r.value if higher_is_better else r.value, r.submission.organization.name, r.submission_id),
    )
    rows: list[LeaderboardRow] = []
    for position, result in enumerate(ordered, start=1):
        rank = rows[-1].rank if rows and rows[-1].value == result.value else position
        rows.append(LeaderboardRow(rank, result.submission, result.value, result.ci_low, result.ci_high, None))
    for upper, lower in itertools.pairwise(rows):
        upper.separable_from_next = separates(upper, lower, higher_is_better=higher_is_better)
    return rows


def leaderboard(*, round: Round, division: str = Division.CLOSED, availability: str = "") -> Leaderboard | None:
    """The published round's verified results in a division, ranked by the primary metric: three queries."""
    metric = primary_metric(round.benchmark)
    if metric is None or round.published_at is None:
        return None
    results = Result.objects.filter(
        metric=metric,
        submission__round=round,
        submission__division=division,
        submission__state__in=Submission.PUBLIC_STATES,
    ).select_related("submission__organization")
    if availability:
        results = results.filter(submission__availability=availability)
    rows = rank_rows(list(results), higher_is_better=metric.higher_is_better)
    return Leaderboard(round=round, division=division, metric=metric, rows=rows)


@dataclass
class ChartRound:
    round: Round
    values: list[float]
    best: float | None


def primary_metric_history(benchmark: Benchmark, *, division: str = Division.CLOSED) -> list[ChartRound]:
    """For each published round, oldest first, the primary metric's published values and the best of them."""
    metric = next((m for m in benchmark.metrics.all() if m.primary), None)
    if metric is None:
        return []
    rounds = list(benchmark.rounds.filter(published_at__isnull=False).order_by("published_at", "pk"))
    values: dict[int, list[float]] = defaultdict(list)
    for round_id, value in Result.objects.filter(
        metric=metric,
        submission__round__in=[r.pk for r in rounds],
        submission__division=division,
        submission__state__in=Submission.PUBLIC_STATES,
    ).values_list("submission__round_id", "value"):
        values[round_id].append(value)
    pick = max if metric.higher_is_better else min
    return [ChartRound(r, sorted(values[r.pk]), pick(values[r.pk]) if values[r.pk] else None) for r in rounds]


def round_releases(round: Round) -> QuerySet[Release]:
    """The round's releases, first to last, without their bytes (a list never loads the files)."""
    return round.releases.defer("csv_bytes", "json_bytes").order_by("version")


def round_release(round: Round, version: int) -> Release | None:
    return round.releases.filter(version=version).first()


def public_results(round: Round) -> QuerySet[Submission]:
    """What a release of the round contains: its published results, with organization and values."""
    return (
        Submission.objects.filter(round=round, state__in=Submission.PUBLIC_STATES)
        .select_related("organization")
        .prefetch_related(Prefetch("results", queryset=Result.objects.select_related("metric")))
        .order_by("division", "organization__name", "pk")
    )


# --- what the registry holds about a person ---------------------------------------------------------------------


def personal_data(person: Any) -> dict[str, QuerySet]:
    """What the benchmark registry holds about ``person``: each part a query of the rows (ARCHITECTURE.md)."""
    return {
        "benchmarks_defined": Benchmark.objects.filter(created_by=person),
        "rounds_created": Round.objects.filter(created_by=person),
        "submissions": Submission.objects.filter(submitted_by=person),
        "reviews": Review.objects.filter(reviewer=person),
        "objections_raised": Objection.objects.filter(objector=person),
        "objections_decided": Objection.objects.filter(decided_by=person),
    }


# The parts whose rows are the person's own: the audit trail's entries about them are about the person (the export's
# audit_entries_about_you, ARCHITECTURE.md); benchmarks and rounds they defined are the registry's.
PERSONAL_DATA_OWN_ROWS = ("submissions", "reviews", "objections_raised")


# --- who is who (permission predicates: services, views, templates and serializers all ask these) ---------


def is_benchmark_lead(person: Any, benchmark: Benchmark) -> bool:
    """An active lead of the benchmark's project."""
    return is_project_lead(person, benchmark.project)


def may_define_benchmark(person: Any, project: Project) -> bool:
    """The project's leads and staff define its benchmark."""
    return _is_staff(person) or is_project_lead(person, project)


def may_define_any_benchmark(person: Any) -> bool:
    """Staff, or a person who leads at least one project: anyone else asking to define one hears 403."""
    if _is_staff(person):
        return True
    if not _signed_in(person):
        return False
    return Participation.objects.filter(
        person=person, role=Participation.Role.LEAD, status=Participation.Status.ACTIVE
    ).exists()


def may_manage_benchmark(person: Any, benchmark: Benchmark) -> bool:
    """Its project's leads and staff: they open, cancel and publish rounds and edit the rules."""
    return _is_staff(person) or is_benchmark_lead(person, benchmark)


def may_submit_results(person: Any) -> bool:
    """People of active member organizations submit results (each for their own organization)."""
    return is_alliance_member(person)


def may_submit_for(person: Any, organization: Organization) -> bool:
    """A person of that organization, which is an active member."""
    return (
        _signed_in(person)
        and organization.status == Organization.Status.ACTIVE
        and Affiliation.objects.filter(person=person, organization=organization).exists()
    )


def may_change_submission(person: Any, submission: Submission) -> bool:
    """The submitting organization's people edit and withdraw its submission (the service checks when)."""
    return (
        _signed_in(person)
        and Affiliation.objects.filter(person=person, organization=submission.organization_id).exists()
    )


def submission_change_refusal(submission: Submission, *, now: datetime | None = None) -> str:
    """Why the submission cannot be changed at ``now`` ('' when it can): its organization edits it while the round
    is open, and fixes it in review when an upheld objection asked for a fix; otherwise it is frozen."""
    state = submission.round.state_at(_now(now))
    if submission.state == Submission.State.FIX_REQUIRED and state == Round.State.REVIEW:
        return ""
    if submission.state != Submission.State.SUBMITTED:
        return f"A {submission.get_state_display().lower()} submission cannot be changed."
    if state == Round.State.CANCELLED:
        return "This round was cancelled."
    if state != Round.State.OPEN:
        return "The submission deadline of this round has passed."
    return ""


def may_review(person: Any, submission: Submission) -> bool:
    """A person of an organization assigned to review this submission."""
    if not _signed_in(person):
        return False
    return ReviewAssignment.objects.filter(
        submission=submission, reviewer_organization__affiliations__person=person
    ).exists()


def objecting_organizations(person: Any, submission: Submission, *, now: datetime | None = None) -> list[Organization]:
    """The organizations the person may object for, against this submission, at ``now``.

    During review: their organizations that submitted to the round. After publication: their active member
    organizations. Never the objected organization; nobody while the round is open or cancelled.
    """
    if not _signed_in(person):
        return []
    state = submission.round.state_at(_now(now))
    organizations = person_organizations(person).exclude(pk=submission.organization_id)
    if state == Round.State.REVIEW:
        organizations = organizations.filter(benchmark_submissions__round=submission.round_id).distinct()
    elif state != Round.State.PUBLISHED:
        return []
    return list(organizations)


def objection_refusal(person: Any, submission: Submission, *, now: datetime | None = None) -> str:
    """Why the person may not object to this submission at ``now``; '' when they may."""
    if not _signed_in(person):
        return "Sign in to object to a submission."
    state = submission.round.state_at(_now(now))
    if state not in (Round.State.REVIEW, Round.State.PUBLISHED):
        return "Objections are raised during review and after publication."
    if Affiliation.objects.filter(person=person, organization=submission.organization_id).exists():
        return "You cannot object to your own organization's submission."
    if objecting_organizations(person, submission, now=now):
        return ""
    if state == Round.State.REVIEW:
        return "During review, only organizations that submitted to this round can object."
    return "Only people of an active member organization can object."


def may_object(person: Any, submission: Submission, *, now: datetime | None = None) -> bool:
    return not objection_refusal(person, submission, now=now)


def objection_conflict(person: Any, objection: Objection) -> str:
    """Why the person may not decide this objection because of who they are ('' when they have no conflict)."""
    if objection.objector_id == getattr(person, "pk", None):
        return "You raised this objection: someone else must decide it."
    organizations = {objection.objector_organization_id, objection.submission.organization_id}
    if Affiliation.objects.filter(person_id=getattr(person, "pk", None), organization__in=organizations).exists():
        return "You belong to the objecting or the objected organization: someone else must decide this objection."
    return ""


def may_decide_objections(person: Any, benchmark: Benchmark) -> bool:
    """Staff and the benchmark's leads decide objections (each one only without a conflict of interest)."""
    return may_manage_benchmark(person, benchmark)


def may_decide_objection(person: Any, objection: Objection) -> bool:
    return may_decide_objections(person, objection.submission.round.benchmark) and not objection_conflict(
        person, objection
    )


def may_publish_round(person: Any, round: Round) -> bool:
    return may_manage_benchmark(person, round.benchmark)
