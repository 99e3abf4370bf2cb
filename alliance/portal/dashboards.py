"""The figures of the two dashboards, read from every app (which is why they live on the top floor).

Each figure is one aggregate query, whatever the number of organizations, people or rows: the contribution
dashboard of one organization and the staff dashboard cost a fixed number of queries (pinned in the tests).
A period is half-open, ``[start, end)``; an activity counts in it by the moment it happened (a participation by
when it began, a registration by when it was made, an attendance by the check-in, a vote by when it was cast).
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from alliance.governance.models import BallotVoter, CommitteeMember
from alliance.models import Notification
from alliance.webhooks.models import WebhookDelivery, WebhookEndpoint
from events.models import Registration
from members import selectors as members
from members.models import Affiliation, MembershipApplication, Organization
from projects.benchmarks.models import Submission
from projects.catalog.models import CatalogEntry
from projects.models import Participation, Project


@dataclass(frozen=True)
class Period:
    """From ``start`` (included) to ``end`` (excluded); either may be open."""

    start: datetime | None = None
    end: datetime | None = None

    def q(self, field_name: str) -> Q:
        condition = Q()
        if self.start is not None:
            condition &= Q(**{f"{field_name}__gte": self.start})
        if self.end is not None:
            condition &= Q(**{f"{field_name}__lt": self.end})
        return condition


def period_of_dates(start: date | None, end: date | None) -> Period:
    """The period from the first day to the last, both included (a date range a person typed)."""
    zone = timezone.get_current_timezone()
    return Period(
        start=datetime.combine(start, datetime.min.time(), tzinfo=zone) if start else None,
        end=datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone) if end else None,
    )


@dataclass
class Contributions:
    """What an organization's people did in a period, across every app."""

    people: int
    projects: list[dict[str, Any]]
    events_registered: int
    events_attended: int
    catalog_entries: int
    benchmark_submissions: int
    committee_seats: int
    ballots_voted: int
    attendance_by_month: list[tuple[str, int, int]] = field(default_factory=list)
    failed_notifications: int = 0
    webhook_endpoints: int = 0
    webhook_endpoints_disabled: int = 0
    webhook_deliveries_failed: int = 0

    @property
    def project_count(self) -> int:
        return len(self.projects)

    def as_api(self) -> dict[str, Any]:
        return {
            "people": self.people,
            "project_count": self.project_count,
            "projects": [{"slug": p["slug"], "roles": p["roles"]} for p in self.projects],
            "events_registered": self.events_registered,
            "events_attended": self.events_attended,
            "catalog_entries": self.catalog_entries,
            "benchmark_submissions": self.benchmark_submissions,
            "committee_seats": self.committee_seats,
            "ballots_voted": self.ballots_voted,
        }


def _people_of(organization: Organization) -> QuerySet:
    return Affiliation.objects.filter(organization=organization).values("person_id")


def organization_contributions(
    organization: Organization, period: Period | None = None, *, with_health: bool = False
) -> Contributions:
    """The organization's people and what they did in ``period``: ten queries (four more ``with_health``)."""
    period = period or Period()
    people = _people_of(organization)
    participations = (
        Participation.objects.filter(person_id__in=people, status=Participation.Status.ACTIVE)
        .filter(period.q("created_at"))
        .values_list("project__slug", "project__title", "role", "person_id")
        .order_by("project__title", "project__slug")
    )
    projects: dict[str, dict[str, Any]] = {}
    for slug, title, role, person_id in participations:
        entry = projects.setdefault(slug, {"slug": slug, "title": title, "roles": [], "people": set()})
        if role not in entry["roles"]:
            entry["roles"].append(role)
        entry["people"].add(person_id)
    project_rows = [
        {**entry, "roles": sorted(entry["roles"]), "people": len(entry["people"])} for entry in projects.values()
    ]
    registrations = Registration.objects.filter(person_id__in=people).exclude(status=Registration.Status.CANCELLED)
    led = Participation.objects.filter(
        person_id__in=people, role=Participation.Role.LEAD, status=Participation.Status.ACTIVE
    ).values("project_id")
    monthly_registered = dict(
        registrations.filter(period.q("created_at"))
        .annotate(month=TruncMonth("created_at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    monthly_attended = dict(
        registrations.filter(period.q("checked_in_at"), checked_in_at__isnull=False)
        .annotate(month=TruncMonth("checked_in_at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    months = sorted(set(monthly_registered) | set(monthly_attended))
    result = Contributions(
        people=Affiliation.objects.filter(organization=organization, person__is_active=True).count(),
        projects=project_rows,
        events_registered=sum(monthly_registered.values()),
        events_attended=sum(monthly_attended.values()),
        catalog_entries=CatalogEntry.objects.filter(project_id__in=led).filter(period.q("created_at")).count(),
        benchmark_submissions=Submission.objects.filter(organization=organization)
        .exclude(state=Submission.State.WITHDRAWN)
        .filter(period.q("created_at"))
        .count(),
        committee_seats=CommitteeMember.objects.filter(Q(organization=organization) | Q(person_id__in=people))
        .filter(period.q("seated_at"))
        .count(),
        ballots_voted=BallotVoter.objects.filter(Q(organization=organization) | Q(person_id__in=people))
        .filter(voted_at__isnull=False)
        .filter(period.q("voted_at"))
        .count(),
        attendance_by_month=[
            (f"{month:%b %Y}", monthly_registered.get(month, 0), monthly_attended.get(month, 0)) for month in months
        ],
    )
    if with_health:
        endpoints = WebhookEndpoint.objects.filter(organization=organization)
        result.failed_notifications = Notification.objects.filter(
            recipient_id__in=people, status=Notification.Status.FAILED
        ).count()
        result.webhook_endpoints = endpoints.count()
        result.webhook_endpoints_disabled = endpoints.filter(active=False).count()
        result.webhook_deliveries_failed = WebhookDelivery.objects.filter(
            endpoint__organization=organization, status=WebhookDelivery.Status.FAILED
        ).count()
    return result


# --- the staff dashboard ---------------------------------------------------------------------------------------


@dataclass
class Stats:
    members_by_tier: list[tuple[str, int]]
    members_by_kind: list[tuple[str, int]]
    members_by_country: list[tuple[str, int]]
    member_growth: list[tuple[str, int]]
    applications_by_state: list[tuple[str, int]]
    median_days_to_decision: float | None
    renewals_due: int
    in_grace: int
    lapsed: int
    renewals: list[Organization]
    projects_by_state: list[tuple[str, int]]
    events_registered: int
    events_checked_in: int
    attendance_by_month: list[tuple[str, int, int]]
    catalog_expiring: int
    notifications_failed: int
    webhook_endpoints_disabled: int

    def as_api(self) -> dict[str, Any]:
        return {
            "members_by_tier": dict(self.members_by_tier),
            "members_by_kind": dict(self.members_by_kind),
            "members_by_country": dict(self.members_by_country),
            "member_growth": dict(self.member_growth),
            "applications_by_state": dict(self.applications_by_state),
            "median_days_to_decision": self.median_days_to_decision,
            "renewals_due": self.renewals_due,
            "in_grace": self.in_grace,
            "lapsed": self.lapsed,
            "projects_by_state": dict(self.projects_by_state),
            "events_registered": self.events_registered,
            "events_checked_in": self.events_checked_in,
            "catalog_expiring": self.catalog_expiring,
            "notifications_failed": self.notifications_failed,
            "webhook_endpoints_disabled": self.webhook_endpoints_disabled,
        }


def _grouped(queryset: QuerySet, field_name: str) -> dict[Any, int]:
    return dict(queryset.order_by().values_list(field_name).annotate(n=Count("pk")))


def alliance_stats(*, now: datetime | None = None) -> Stats:
    """The alliance's figures for staff: a fixed number of queries (twelve), whatever the number of rows."""
    now = now or timezone.now()
    active = Organization.objects.filter(status=Organization.Status.ACTIVE)
    tier_names = members.tier_names()
    by_tier = _grouped(active, "tier")
    by_kind = _grouped(active, "kind")
    by_country = _grouped(active, "country")
    growth = _grouped(active.exclude(member_since=None).annotate(month=TruncMonth("member_since")), "month")
    running, member_growth = 0, []
    for month in sorted(growth):
        running += growth[month]
        member_growth.append((f"{month:%Y-%m}", running))
    applications = MembershipApplication.objects.all()
    decided = applications.exclude(decided_at=None).values_list("submitted_at", "decided_at")
    durations = [(decided_at - submitted_at).total_seconds() / 86400 for submitted_at, decided_at in decided]
    renewals = list(
        members.with_membership(active)
        .filter(term_end__lte=now + members.renewal_window())
        .order_by("term_end", "name")
        .only("name", "slug", "status", "tier")
    )
    standings = [organization.standing for organization in renewals]
    registrations = Registration.objects.exclude(status=Registration.Status.CANCELLED)
    registered_monthly = _grouped(registrations.annotate(month=TruncMonth("created_at")), "month")
    checked_in = registrations.exclude(checked_in_at=None)
    attended_monthly = _grouped(checked_in.annotate(month=TruncMonth("checked_in_at")), "month")
    months = sorted(set(registered_monthly) | set(attended_monthly))
    state_labels = dict(Project.State.choices)
    application_labels = dict(MembershipApplication.Status.choices)
    kind_labels = dict(Organization.Kind.choices)
    return Stats(
        members_by_tier=sorted(((tier_names.get(k, k or "none"), n) for k, n in by_tier.items()), key=lambda r: -r[1]),
        members_by_kind=sorted(((str(kind_labels.get(k, k)), n) for k, n in by_kind.items()), key=lambda r: -r[1]),
        members_by_country=sorted(((str(k), n) for k, n in by_country.items()), key=lambda r: (-r[1], r[0])),
        member_growth=member_growth,
        applications_by_state=[
            (str(application_labels[k]), n) for k, n in sorted(_grouped(applications, "status").items())
        ],
        median_days_to_decision=round(statistics.median(durations), 1) if durations else None,
        renewals_due=standings.count(members.Standing.RENEWAL_DUE),
        in_grace=standings.count(members.Standing.GRACE),
        lapsed=standings.count(members.Standing.LAPSED),
        renewals=renewals,
        projects_by_state=[
            (str(state_labels[k]), n) for k, n in sorted(_grouped(Project.objects.all(), "state").items())
        ],
        events_registered=sum(registered_monthly.values()),
        events_checked_in=sum(attended_monthly.values()),
        attendance_by_month=[
            (f"{month:%b %Y}", registered_monthly.get(month, 0), attended_monthly.get(month, 0)) for month in months
        ],
        catalog_expiring=CatalogEntry.objects.filter(
            status=CatalogEntry.Status.VALIDATED, expires_at__gte=now, expires_at__lt=now + timedelta(days=30)
        ).count(),
        notifications_failed=Notification.objects.filter(status=Notification.Status.FAILED).count(),
        webhook_endpoints_disabled=WebhookEndpoint.objects.filter(active=False).count(),
    )
