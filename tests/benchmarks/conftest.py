"""A benchmark with a round on a frozen clock, the people around it, and helpers that move the round along.

``registry.lead`` leads the benchmark project (and belongs to the host organization, which never submits);
``registry.people["a"|"b"|"c"]`` belong to the member organizations A, B and C; ``registry.member`` belongs to a
member organization that does not submit; ``registry.outsider`` is signed in but belongs to no organization.
``registry.users`` names them by the roles of the permission tables; ``in_state`` moves a round with A's and B's
submissions (and an objection of A to B's) into each state of the clock.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from members.models import Organization, User
from projects.benchmarks import services
from projects.benchmarks.models import Benchmark, Objection, Round, Submission
from projects.models import Project
from tests.members.factories import AffiliationFactory, OrganizationFactory, StaffFactory, UserFactory
from tests.projects.factories import LeadFactory
from tests.webhooks.conftest import receiver  # noqa: F401  (the local webhook receiver, for test_webhooks)

from .factories import BenchmarkProjectFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SUBMIT_BY = T0 + timedelta(days=10)
REVIEW_BY = T0 + timedelta(days=20)
PUBLISH_AT = T0 + timedelta(days=30)

METRICS = [
    {"key": "accuracy", "name": "Accuracy", "unit": "%", "higher_is_better": True, "primary": True},
    {"key": "latency_ms", "name": "Latency", "unit": "ms", "higher_is_better": False, "primary": False},
]
SYSTEM = {"model": "Nordic LM", "model_version": "7B", "hardware": "8 x H100", "software": "harness 2.1"}


def results(value: float = 80.0, low: float | None = 78.0, high: float | None = 82.0, **others: Any) -> dict:
    return {"accuracy": {"value": value, "ci_low": low, "ci_high": high}, **others}


@dataclass
class Registry:
    clock: Any
    benchmark: Benchmark
    round: Round
    lead: User
    staff: User
    host: Organization
    organizations: dict[str, Organization]
    people: dict[str, User]
    member: User
    outsider: User
    submissions: dict[str, Submission] = field(default_factory=dict)
    objection: Objection | None = None

    @property
    def users(self) -> dict[str, User | None]:
        """The people of the permission tables, by role (see ``ROLES``)."""
        return {
            "anonymous": None,
            "person": self.outsider,
            "member": self.member,
            "submitter": self.people["a"],
            "objected": self.people["b"],
            "lead": self.lead,
            "staff": self.staff,
        }

    def submit(self, who: str, value: float = 80.0, low: float | None = 78.0, high: float | None = 82.0, **kwargs):
        submission = services.submission_create(
            actor=self.people[who],
            round=self.round,
            organization=self.organizations[who],
            division=kwargs.pop("division", "closed"),
            availability=kwargs.pop("availability", "available"),
            system=kwargs.pop("system", SYSTEM),
            results=kwargs.pop("results", None) or results(value, low, high),
            artifacts=kwargs.pop("artifacts", ["https://git.example.org/logs/1"]),
        )
        self.submissions.setdefault(who, submission)
        return submission

    def at(self, moment: datetime) -> None:
        self.clock.move_to(moment)

    def start_review(self) -> None:
        """The submission deadline passes and the beat job runs."""
        self.at(SUBMIT_BY + timedelta(minutes=1))
        services.benchmark_rounds_advance()
        self.round.refresh_from_db()

    def publish(self) -> Round:
        """The review deadline passes and the lead publishes."""
        if self.round.review_started_at is None:
            self.start_review()
        self.at(REVIEW_BY + timedelta(minutes=1))
        self.round = services.round_publish(actor=self.lead, round=self.round)
        return self.round


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def registry(clock) -> Registry:
    host = OrganizationFactory(name="Host Institute", slug="host-institute")
    project = BenchmarkProjectFactory(title="Open Safety Evaluations", slug="open-safety-evaluations")
    project.sponsors.add(host)
    lead = LeadFactory(project=project, person__name="Lena Lead").person
    AffiliationFactory(person=lead, organization=host)
    benchmark = services.benchmark_define(
        actor=lead, project=project, metrics=METRICS, rules="## Closed division\n\nRun the harness unchanged."
    )
    round = services.round_open(
        actor=lead,
        benchmark=benchmark,
        version="v1.0",
        harness_url="https://git.example.org/harness",
        harness_commit="4f2c9e1",
        submission_deadline=SUBMIT_BY,
        review_deadline=REVIEW_BY,
        publish_at=PUBLISH_AT,
    )
    organizations, people = {}, {}
    for key, name in (("a", "Aurora Labs"), ("b", "Borealis AI"), ("c", "Cirrus Research")):
        organizations[key] = OrganizationFactory(name=name, slug=name.lower().replace(" ", "-"))
        people[key] = AffiliationFactory(organization=organizations[key], person__name=f"Person {key.upper()}").person
    member = AffiliationFactory(organization=OrganizationFactory(name="Delta Bystanders")).person
    assert project.state == Project.State.ACTIVE
    return Registry(
        clock=clock,
        benchmark=benchmark,
        round=round,
        lead=lead,
        staff=StaffFactory(),
        host=host,
        organizations=organizations,
        people=people,
        member=member,
        outsider=UserFactory(),
    )


ROLES = ("anonymous", "person", "member", "submitter", "objected", "lead", "staff")
STATES = ("open", "review", "published", "cancelled")


def in_state(registry: Registry, state: str) -> Registry:
    """A and B submit; then the round is brought to ``state`` on the frozen clock.

    review: the deadline passed (A and B review each other) and A objects to B's submission. published: that
    objection dismissed, the round published, and the member's organization objects to B's published result.
    cancelled: cancelled in review (the open objection is closed with it). ``registry.objection`` is the one
    objection (None while open).
    """
    registry.submit("a", value=81.0, low=79.0, high=83.0, system={**SYSTEM, "model": "Aurora LM"})
    registry.submit("b", value=77.0, low=75.5, high=78.5, system={**SYSTEM, "model": "Borealis LM"})
    if state == "open":
        return registry
    registry.start_review()
    registry.objection = services.objection_raise(
        actor=registry.people["a"],
        submission=registry.submissions["b"],
        rule="Closed division: reference setup",
        description="The logs show a modified harness.",
    )
    if state == "published":
        services.objection_dismiss(actor=registry.staff, objection=registry.objection, reason="A log format change.")
        registry.publish()
        registry.objection = services.objection_raise(
            actor=registry.member,
            submission=registry.submissions["b"],
            rule="Availability",
            description="The system cannot be obtained.",
        )
    elif state == "cancelled":
        registry.round = services.round_cancel(actor=registry.lead, round=registry.round, reason="Harness broken.")
    for submission in registry.submissions.values():
        submission.refresh_from_db()
    registry.round.refresh_from_db()
    return registry
