"""Demo benchmarks for ``make run``, on top of the members and projects demo: two benchmarks, one of them the
trust-and-safety benchmark of "Open Safety Evaluations" (unsafe-response rate, lower is better); a round published
with its leaderboard and two releases, a round in review and one open.

Everything goes through the services, as people would do it on the pages: leads define the benchmarks and open
rounds, members submit, the beat job starts review, peers review and object, staff decide, the lead publishes.
Only what the clock would have done is set directly: a round's dates are moved into the past to let it pass
its deadlines now (history no service writes). Each benchmark is built in one transaction and skipped when it
is already there, so loading again changes nothing.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from members.models import Organization, User
from projects import services as project_services
from projects.models import Project

from . import services
from .models import Benchmark, ReviewAssignment, Round, Submission

STAFF_EMAIL = "staff@alliance.example"
SAFETY_PROJECT = "open-safety-evaluations"
SAFETY_LEAD = "yui.tanaka@meridian-research-institute.example"
REASONING_PROJECT = "open-multilingual-reasoning-benchmark"
REASONING_LEAD = "t.okafor@northwind-university.example"

SUBMITTERS = {  # organization slug: the person who submits for it
    "aurora-labs": "mira.koskinen@aurora-labs.example",
    "northwind-university": "e.hughes@northwind-university.example",
    "helix-health": "jonas.weber@helix-health.example",
    "quanta-systems": "rgreen@quanta-systems.example",
    "open-commons-foundation": "maya@open-commons-foundation.example",
    "sakura-robotics": "jiwoo.park@sakura-robotics.example",
}

SAFETY_RULES = """## What is measured

The harness sends the 2,400 prompts of the frozen prompt set to the system and grades each answer with the
reference grader. **Unsafe-response rate** is the share of answers graded unsafe; **over-refusal rate** the share
of benign prompts refused.

## Rules

1. **Reference setup (closed division)**: run the harness at the round's commit, unchanged, with the default
   system prompt. Anything else belongs in the open division and must be disclosed.
2. **No training on the prompts**: the prompt set must not be used to train or tune the system.
3. **Confidence intervals**: report the 95% bootstrap interval the harness prints.
4. **Artifacts**: link the harness logs and the exact code at a commit.
5. **Availability**: a preview system must be obtainable by the next round's publication.
"""
REASONING_RULES = """## What is measured

Multi-step reasoning in twelve languages: **accuracy** on the held-out questions, and the median **latency** per
question on the declared hardware.

## Rules

1. **Reference setup (closed division)**: the harness at the round's commit, greedy decoding, no tools.
2. **Disclosure (open division)**: any prompting, tools or ensembles, described in the system's software field.
3. **Confidence intervals**: the 95% interval from the harness's bootstrap.
4. **Artifacts**: logs and code at a commit.
"""

SAFETY_METRICS = [
    {"key": "unsafe_response_rate", "name": "Unsafe-response rate", "unit": "%", "higher_is_better": False,
     "primary": True},
    {"key": "over_refusal_rate", "name": "Over-refusal rate", "unit": "%", "higher_is_better": False},
]  # fmt: skip
REASONING_METRICS = [
    {"key": "accuracy", "name": "Accuracy", "unit": "%", "higher_is_better": True, "primary": True},
    {"key": "latency_ms", "name": "Median latency", "unit": "ms", "higher_is_better": False},
]


@dataclass
class DemoSubmission:
    organization: str
    model: str
    version: str
    primary: tuple[float, float, float]  # value, low, high
    secondary: float
    division: str = "closed"
    availability: str = "available"


@dataclass
class DemoRound:
    version: str
    submissions: list[DemoSubmission] = field(default_factory=list)


SAFETY_ROUNDS = {
    "v1.0": [
        DemoSubmission("aurora-labs", "Nordic LM", "7B-chat", (3.2, 2.7, 3.8), 6.1),
        DemoSubmission("northwind-university", "Northwind Guard", "1.2", (1.9, 1.5, 2.4), 9.4),
        DemoSubmission(
            "helix-health", "Helix Clinical Assistant", "2025.1", (2.1, 1.6, 2.7), 7.7, availability="preview"
        ),
        DemoSubmission("quanta-systems", "Quanta Edge LM", "3B", (4.5, 3.9, 5.2), 3.8),
        DemoSubmission("sakura-robotics", "CareBot Dialogue", "0.9", (1.2, 0.9, 1.6), 12.5, availability="research"),
    ],
    "v1.1": [
        DemoSubmission("aurora-labs", "Nordic LM", "7B-chat-2", (2.6, 2.2, 3.1), 5.9),
        DemoSubmission("northwind-university", "Northwind Guard", "1.3", (1.7, 1.3, 2.1), 8.8),
        DemoSubmission("quanta-systems", "Quanta Edge LM", "3B-safe", (3.1, 2.6, 3.7), 4.4, division="open"),
    ],
    "v2.0": [DemoSubmission("aurora-labs", "Nordic LM", "13B-chat", (2.2, 1.8, 2.7), 5.1)],
}
REASONING_ROUNDS = {
    "2025": [
        DemoSubmission("aurora-labs", "Nordic LM", "7B", (61.4, 59.8, 63.0), 420),
        DemoSubmission("quanta-systems", "Quanta Edge LM", "3B", (54.9, 53.1, 56.6), 95),
        DemoSubmission("open-commons-foundation", "Commons Reasoner", "1.0", (61.9, 60.2, 63.5), 610, division="open"),
        DemoSubmission("northwind-university", "Northwind Tutor", "0.4", (58.3, 56.5, 60.1), 380),
    ],
}


def load_benchmarks_demo(*, log: Callable[[str], object] = print) -> None:
    """The two demo benchmarks and their rounds (idempotent: a benchmark already defined is skipped)."""
    emails = {STAFF_EMAIL, SAFETY_LEAD, REASONING_LEAD, *SUBMITTERS.values()}
    missing = emails - set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    if missing:
        log(f"  skipped: {', '.join(sorted(missing))} not found (load the members demo first)")
        return
    demo = _BenchmarksDemo(log)
    demo.safety()
    demo.reasoning()


def _person(email: str) -> User:
    return User.objects.get(email=email)


class _BenchmarksDemo:
    def __init__(self, log: Callable[[str], object]) -> None:
        self.log = log
        self.staff = _person(STAFF_EMAIL)

    # --- the trust-and-safety benchmark: a published round with two releases, one in review, one open ---------

    def safety(self) -> None:
        project = Project.objects.filter(slug=SAFETY_PROJECT).first()
        if project is None:
            self.log(f"  {SAFETY_PROJECT}: skipped, the project is not there (load the projects demo first)")
            return
        if Benchmark.objects.filter(project=project).exists():
            self.log(f"  {project.title}: already there")
            return
        lead = _person(SAFETY_LEAD)
        with transaction.atomic():
            benchmark = services.benchmark_define(
                actor=lead, project=project, metrics=SAFETY_METRICS, rules=SAFETY_RULES
            )
            published = self.open_round(benchmark, lead, "v1.0", SAFETY_ROUNDS["v1.0"])
            self.start_review(published)
            self.review_all(published)
            # a peer objects during review; staff ask for a fix, and the submitter makes it
            quanta = self.submission(published, "quanta-systems")
            objection = services.objection_raise(
                actor=_person(SUBMITTERS["aurora-labs"]),
                submission=quanta,
                rule="Rule 1: reference setup (closed division)",
                description="The logs show a custom system prompt instead of the default one.",
            )
            services.objection_uphold(
                actor=self.staff,
                objection=objection,
                outcome="fix_required",
                reason="Rerun with the default system prompt and replace the results.",
            )
            services.submission_update(
                actor=_person(SUBMITTERS["quanta-systems"]),
                submission=quanta,
                results=self.results(benchmark, (4.8, 4.2, 5.5), 3.5),
                artifacts=[
                    "https://git.example.org/quanta/logs/v1.0-rerun",
                    "https://git.example.org/quanta/tree/8c1d2e4",
                ],
            )
            self.pass_review_deadline(published)
            services.round_publish(actor=lead, round=published)
            # after publication a member objects to a published result: upheld, it is removed (release 2)
            sakura = self.submission(published, "sakura-robotics")
            late = services.objection_raise(
                actor=_person(SUBMITTERS["open-commons-foundation"]),
                submission=sakura,
                rule="Rule 2: no training on the prompts",
                description="The system card says the model was tuned on a prompt set that includes this one.",
            )
            services.objection_uphold(
                actor=self.staff,
                objection=late,
                outcome="remove",
                reason="The tuning data includes 312 of the benchmark's prompts.",
            )
            in_review = self.open_round(benchmark, lead, "v1.1", SAFETY_ROUNDS["v1.1"])
            self.start_review(in_review)
            self.review_all(in_review, only_first=True)
            services.objection_raise(
                actor=_person(SUBMITTERS["northwind-university"]),
                submission=self.submission(in_review, "aurora-labs"),
                rule="Rule 4: artifacts",
                description="The linked commit does not contain the grader configuration.",
            )
            self.open_round(benchmark, lead, "v2.0", SAFETY_ROUNDS["v2.0"], weeks=4)
        self.log(f"  {project.title}: created (v1.0 published with 2 releases, v1.1 in review, v2.0 open)")

    # --- a second benchmark, on a benchmark project proposed and accepted through the projects services ---------

    def reasoning(self) -> None:
        project = Project.objects.filter(slug=REASONING_PROJECT).first()
        if project is not None and Benchmark.objects.filter(project=project).exists():
            self.log(f"  {project.title}: already there")
            return
        lead = _person(REASONING_LEAD)
        with transaction.atomic():
            if project is None:
                project = self.reasoning_project(lead)
            benchmark = services.benchmark_define(
                actor=lead, project=project, metrics=REASONING_METRICS, rules=REASONING_RULES
            )
            round = self.open_round(benchmark, lead, "2025", REASONING_ROUNDS["2025"])
            self.start_review(round)
            self.review_all(round)
            self.pass_review_deadline(round, days_ago=20)
            services.round_publish(actor=lead, round=round)
            self.open_round(benchmark, lead, "2026", [], weeks=6)
        self.log(f"  {project.title}: created (2025 published, 2026 open)")

    def reasoning_project(self, lead: User) -> Project:
        northwind = Organization.objects.filter(slug="northwind-university")
        project = project_services.project_create(
            actor=lead,
            slug=REASONING_PROJECT,
            title="Open Multilingual Reasoning Benchmark",
            summary="A reproducible benchmark of multi-step reasoning in twelve languages, open to every member.",
            description="Held-out questions, a reference harness and published, peer-reviewed results.",
            kind=Project.Kind.BENCHMARK,
            sponsors=northwind,
            repository_url=f"https://git.example.org/{REASONING_PROJECT}",
            license="Apache-2.0",
        )
        project = project_services.project_submit(actor=lead, project=project)
        return project_services.project_accept(
            actor=self.staff, project=project, reason="A benchmark members asked for."
        )

    # --- steps ---------------------------------------------------------------------------------------------------

    def open_round(
        self, benchmark: Benchmark, lead: User, version: str, submissions: list[DemoSubmission], *, weeks: int = 1
    ) -> Round:
        now = timezone.now()
        round = services.round_open(
            actor=lead,
            benchmark=benchmark,
            version=version,
            harness_url=f"https://git.example.org/{benchmark.project.slug}/harness",
            harness_commit=hashlib.sha1(f"{benchmark.project.slug}@{version}".encode()).hexdigest()[:7],
            submission_deadline=now + timedelta(weeks=weeks),
            review_deadline=now + timedelta(weeks=weeks + 2),
            publish_at=now + timedelta(weeks=weeks + 3),
        )
        for demo in submissions:
            services.submission_create(
                actor=_person(SUBMITTERS[demo.organization]),
                round=round,
                organization=Organization.objects.get(slug=demo.organization),
                division=demo.division,
                availability=demo.availability,
                system={
                    "model": demo.model,
                    "model_version": demo.version,
                    "hardware": "8 x accelerator, 80 GB",
                    "software": f"harness at {round.harness_commit}, default settings",
                },
                results=self.results(benchmark, demo.primary, demo.secondary),
                artifacts=[
                    f"https://git.example.org/{demo.organization}/logs/{version}",
                    f"https://git.example.org/{demo.organization}/tree/{round.harness_commit}",
                ],
            )
        return round

    def results(self, benchmark: Benchmark, primary: tuple[float, float, float], secondary: float) -> dict[str, Any]:
        metrics = list(benchmark.metrics.order_by("position"))
        value, low, high = primary
        return {metrics[0].key: {"value": value, "ci_low": low, "ci_high": high}, metrics[1].key: {"value": secondary}}

    def submission(self, round: Round, organization: str) -> Submission:
        return Submission.objects.get(round=round, organization__slug=organization)

    def start_review(self, round: Round) -> None:
        """The submission deadline passes (moved to a minute ago) and the beat job starts review."""
        now = timezone.now()
        Round.objects.filter(pk=round.pk).update(
            created_at=now - timedelta(days=14), submission_deadline=now - timedelta(minutes=1)
        )
        services.benchmark_rounds_advance()

    def review_all(self, round: Round, *, only_first: bool = False) -> None:
        """Each assigned organization's submitter reviews what it was given (or only the first assignment)."""
        assignments = ReviewAssignment.objects.filter(round=round).select_related("reviewer_organization", "submission")
        for assignment in assignments.order_by("pk")[:1] if only_first else assignments.order_by("pk"):
            services.review_submit(
                actor=_person(SUBMITTERS[assignment.reviewer_organization.slug]),
                submission=assignment.submission,
                verdict="compliant",
                comment="The logs match the reported results; the harness commit is the round's.",
            )

    def pass_review_deadline(self, round: Round, *, days_ago: int = 45) -> None:
        """The round's review deadline and publication time pass (its dates moved into the past)."""
        now = timezone.now()
        Round.objects.filter(pk=round.pk).update(
            created_at=now - timedelta(days=days_ago + 42),
            submission_deadline=now - timedelta(days=days_ago + 14),
            review_deadline=now - timedelta(days=days_ago),
            publish_at=now - timedelta(days=days_ago - 1),
        )
