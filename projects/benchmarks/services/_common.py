"""What the benchmark services share: the clock, row locks, who hears about what, and the one notify call."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from alliance.errors import NotPermitted
from alliance.locking import lock_row
from alliance.models import Notification
from alliance.notifications import notify
from members.models import Organization, User
from projects.models import Participation

from ..models import Benchmark, Objection, Round, Submission
from ..selectors import may_manage_benchmark

BUSY = "Someone else is changing this round right now; please try again in a moment."


def now() -> datetime:
    """The services' clock (tests freeze it with time-machine)."""
    return timezone.now()


def require_manager(actor: Any, benchmark: Benchmark) -> None:
    if not may_manage_benchmark(actor, benchmark):
        raise NotPermitted(f"Only staff and the leads of {benchmark.project} can do this.")


def locked_round(round: Round) -> Round:
    """The round, locked until the transaction ends: its state is checked again under the lock."""
    locked = lock_row(Round.objects.filter(pk=round.pk).select_related("benchmark__project"), busy=BUSY)
    if locked is None:
        raise NotPermitted("This round no longer exists.")
    return locked


def locked_submission(submission: Submission) -> Submission:
    locked = lock_row(
        Submission.objects.filter(pk=submission.pk).select_related("organization", "round__benchmark__project"),
        busy=BUSY,
    )
    if locked is None:
        raise NotPermitted("This submission no longer exists.")
    return locked


def locked_objection(objection: Objection) -> Objection:
    locked = lock_row(
        Objection.objects.filter(pk=objection.pk).select_related(
            "objector_organization", "submission__organization", "submission__round__benchmark__project"
        ),
        busy=BUSY,
    )
    if locked is None:
        raise NotPermitted("This objection no longer exists.")
    return locked


def mark_decided(objection: Objection, actor: Any, state: str, reason: str, outcome: str = "") -> None:
    """Record an objection's decision on the row (the caller holds it locked and audits the decision)."""
    objection.state = state
    objection.outcome = outcome
    objection.decision_reason = reason
    objection.decided_by = actor
    objection.decided_at = now()
    objection.save(update_fields=["state", "outcome", "decision_reason", "decided_by", "decided_at"])


def organization_people(organizations: Iterable[Organization | int]) -> QuerySet[User]:
    """The active people of these organizations: who hears about their submissions and reviews."""
    ids = [o if isinstance(o, int) else o.pk for o in organizations]
    return User.objects.filter(affiliations__organization__in=ids, is_active=True).distinct().order_by("pk")


def benchmark_leads(benchmark: Benchmark) -> QuerySet[User]:
    return User.objects.filter(
        participations__project=benchmark.project_id,
        participations__role=Participation.Role.LEAD,
        participations__status=Participation.Status.ACTIVE,
        is_active=True,
    ).order_by("pk")


def project_people(benchmark: Benchmark) -> QuerySet[User]:
    """The benchmark project's active participants: who hears that a round opened or was published."""
    return User.objects.filter(
        participations__project=benchmark.project_id,
        participations__status=Participation.Status.ACTIVE,
        is_active=True,
    ).order_by("pk")


def round_submitter_people(round: Round) -> QuerySet[User]:
    organizations = Submission.objects.filter(round=round).values_list("organization", flat=True)
    return organization_people(list(organizations))


def notify_benchmark(
    recipients: Iterable[Any], template: str, *, url: str, transactional: bool = False, **context: Any
) -> None:
    """Tell people about a change of the registry (a projects-kind notification, after commit)."""
    notify(
        recipients=recipients,
        kind=Notification.Kind.PROJECTS,
        template=f"benchmarks/notifications/{template}",
        context=context,
        url=url,
        transactional=transactional,
    )
