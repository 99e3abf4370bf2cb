"""The webhook event types, and what an event says about its object: its name, API URL and organizations.

Every event type is an audit action (see ``alliance/audit.py``): services record the audit entry inside their
transaction, and the audit trail hands the action to ``services.webhook_event_emit``. Actions not listed here
(tokens, calendar feeds, focus areas...) are never sent.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse

TEST_EVENT = "webhook.test"

EVENT_TYPE_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Organizations",
        [
            ("organization.registered", "An organization registered as an applicant"),
            ("organization.updated", "An organization's profile changed"),
            ("organization.activated", "An organization became an active member"),
            ("organization.status_changed", "An organization's membership status changed"),
        ],
    ),
    (
        "Membership applications",
        [
            ("application.submitted", "An application was submitted"),
            ("application.resubmitted", "An application was resubmitted"),
            ("application.changes_requested", "Staff asked for changes to an application"),
            ("application.approved", "An application was approved"),
            ("application.rejected", "An application was rejected"),
            ("application.withdrawn", "An application was withdrawn"),
        ],
    ),
    (
        "People of organizations",
        [
            ("affiliation.created", "A person joined an organization"),
            ("affiliation.role_changed", "A person became an admin or a member"),
            ("affiliation.removed", "A person left or was removed from an organization"),
            ("invitation.created", "An invitation was sent"),
            ("invitation.accepted", "An invitation was accepted"),
            ("invitation.revoked", "An invitation was revoked"),
            ("join_request.created", "A person asked to join an organization"),
            ("join_request.approved", "A join request was approved"),
            ("join_request.declined", "A join request was declined"),
        ],
    ),
    (
        "Projects",
        [
            ("project.submitted", "A project proposal was submitted"),
            ("project.accepted", "A project was accepted into incubation"),
            ("project.rejected", "A project proposal was rejected"),
            ("project.promoted", "A project became active"),
            ("project.archived", "A project was archived"),
            ("project.revived", "An archived project became active again"),
            ("project.update_posted", "A project posted an update"),
            ("participation.requested", "A person asked to take part in a project"),
            ("participation.joined", "A person joined a project"),
            ("participation.approved", "A request to take part was approved"),
            ("participation.declined", "A request to take part was declined"),
            ("participation.role_changed", "A participant's role changed"),
            ("participation.left", "A person left a project"),
            ("participation.removed", "A person was removed from a project"),
        ],
    ),
    (
        "Catalog",
        [
            ("catalog.submitted", "A catalog entry was submitted"),
            ("catalog.validated", "A catalog entry was validated"),
            ("catalog.renewed", "A catalog entry's validation was renewed"),
            ("catalog.expired", "A catalog entry's validation expired"),
            ("catalog.deprecated", "A catalog entry was deprecated"),
        ],
    ),
    (
        "Events",
        [
            ("event.published", "An event was published"),
            ("event.cancelled", "An event was cancelled"),
            ("registration.confirmed", "A registration was confirmed"),
            ("registration.waitlisted", "A registration went on the waiting list"),
            ("registration.promoted", "A waiting registration got a seat"),
            ("registration.cancelled", "A registration was cancelled"),
        ],
    ),
    (
        "Governance",
        [
            ("ballot.opened", "A committee's ballot opened for votes"),
            ("ballot.closed", "A committee's ballot closed and was counted"),
        ],
    ),
    (
        "Benchmarks",
        [
            ("benchmark_round.opened", "A benchmark round opened for submissions"),
            ("benchmark_submission.received", "A benchmark submission was received"),
            ("benchmark_round.published", "A benchmark round was published"),
            ("benchmark_result.removed", "A benchmark result was removed"),
        ],
    ),
]

EVENT_TYPES: dict[str, str] = {name: label for _, types in EVENT_TYPE_GROUPS for name, label in types}
EVENT_TYPE_CHOICES = [(name, label) for name, label in EVENT_TYPES.items()]

# The ``object`` of a payload, by model label.
OBJECT_NAMES = {
    "members.organization": "organization",
    "members.membershipapplication": "application",
    "members.affiliation": "affiliation",
    "members.invitation": "invitation",
    "members.joinrequest": "join_request",
    "projects.project": "project",
    "projects.participation": "participation",
    "projects.projectupdate": "project_update",
    "projects.catalogentry": "catalog_entry",
    "events.event": "event",
    "events.registration": "registration",
    "governance.ballot": "ballot",
    "benchmarks.round": "benchmark_round",
    "benchmarks.submission": "benchmark_submission",
    "webhooks.webhookendpoint": "webhook_endpoint",
}


def object_name(target: models.Model) -> str:
    label = target._meta.label_lower
    return OBJECT_NAMES.get(label, target._meta.model_name or label)


def organizations_concerned(target: models.Model) -> set[int]:
    """The organizations an event about ``target`` is about: only their endpoints (and staff's) receive it.

    An organization itself; its applications, people, invitations and join requests; the projects it sponsors,
    with their participation and catalog entries; events of those projects; and registrations made in its name.
    A committee's ballot concerns no organization: it is seen only by the committee's members and staff, so only
    staff-level endpoints receive its events.
    """
    label = target._meta.label_lower
    row: Any = target  # which foreign keys it has depends on the label, checked below
    if label == "members.organization":
        return {row.pk}
    if label in ("members.membershipapplication", "members.affiliation", "members.invitation", "members.joinrequest"):
        return {row.organization_id}
    if label == "projects.project":
        return _sponsors(row.pk)
    if label in ("projects.participation", "projects.catalogentry", "projects.projectupdate"):
        return _sponsors(row.project_id)
    if label == "events.event":
        return _sponsors(row.project_id) if row.project_id else set()
    if label == "events.registration":
        return {row.organization_id} if row.organization_id else set()
    if label == "benchmarks.round":  # its project's sponsors and, once it is out, whoever submitted to it
        return _sponsors(row.benchmark.project_id) | _round_submitters(row.pk)
    if label == "benchmarks.submission":  # a submission is its organization's business (the round may be open)
        return {row.organization_id}
    return set()


def _round_submitters(round_id: int) -> set[int]:
    from projects.benchmarks.models import Submission

    return set(Submission.objects.filter(round_id=round_id).values_list("organization_id", flat=True))


def _sponsors(project_id: int) -> set[int]:
    from projects.models import Project

    return set(Project.sponsors.through.objects.filter(project_id=project_id).values_list("organization_id", flat=True))


def api_url(target: models.Model) -> str:
    """The absolute API URL of ``target``: its own resource, else the closest one the API has, else its page.

    Candidates are tried in order, so when an app's API adds a detail route under the usual name, payloads
    start pointing at it without a change here.
    """
    for name, kwargs in _url_candidates(target):
        try:
            return settings.SITE_URL + reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    for candidate in (target, getattr(target, "project", None), getattr(target, "event", None)):
        if candidate is not None and hasattr(candidate, "get_absolute_url"):
            return settings.SITE_URL + candidate.get_absolute_url()
    return ""


def _url_candidates(target: Any) -> list[tuple[str, dict[str, Any]]]:
    label = target._meta.label_lower
    if label == "members.organization":
        return [("organization-detail", {"slug": target.slug})]
    if label == "members.membershipapplication":
        return [("application-detail", {"pk": target.pk})]
    if label in ("members.affiliation", "members.invitation", "members.joinrequest"):
        resource = {"members.affiliation": "person", "members.invitation": "invitation"}.get(label, "join-request")
        slug = target.organization.slug
        return [
            (f"organization-{resource}-detail", {"organization_slug": slug, "pk": target.pk}),
            (f"organization-{resource}-list", {"organization_slug": slug}),
        ]
    if label == "projects.project":
        return [("project-detail", {"slug": target.slug})]
    if label in ("projects.participation", "projects.projectupdate"):
        project = target.project
        resource = "participant" if label == "projects.participation" else "update"
        return [
            (f"project-{resource}-detail", {"project_slug": project.slug, "pk": target.pk}),
            (f"project-{resource}-list", {"project_slug": project.slug}),
            ("project-detail", {"slug": project.slug}),
        ]
    if label == "projects.catalogentry":
        return [("catalog-entry-detail", {"pk": target.pk})]
    if label == "events.event":
        return [("event-detail", {"slug": target.slug})]
    if label == "events.registration":
        event = target.event
        return [
            ("event-registration-detail", {"event_slug": event.slug, "pk": target.pk}),
            ("event-registration-list", {"event_slug": event.slug}),
            ("event-detail", {"slug": event.slug}),
        ]
    if label == "benchmarks.round":
        return [("benchmark-round-detail", {"pk": target.pk})]
    if label == "benchmarks.submission":
        return [("benchmark-submission-detail", {"pk": target.pk})]
    if label == "webhooks.webhookendpoint":
        return [("webhook-endpoint-detail", {"pk": target.pk})]
    if label == "governance.ballot":
        return [("ballot-detail", {"pk": target.pk})]
    return []
