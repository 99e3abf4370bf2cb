"""The audit trail: services call ``audit_record`` inside their transaction for every state change.

Other apps hear of each entry through listeners they register in their ``AppConfig.ready()``
(``audit_listener_register``). A listener runs in the same transaction as the change, so what it writes (a
webhook delivery, for example) commits with the change or not at all; the ground floor knows none of them.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from .errors import validate_model
from .models import AuditEntry

AuditListener = Callable[[AuditEntry, models.Model], None]  # (the entry, the changed object)

_listeners: list[AuditListener] = []


def audit_listener_register(listener: AuditListener) -> None:
    """Call ``listener(entry, target)`` after every audit entry, inside the change's transaction (once each)."""
    if listener not in _listeners:
        _listeners.append(listener)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    changes: dict[str, tuple[Any, Any]] | None = None,
    note: str = "",
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``target``; ``changes`` maps a field to (before, after)."""
    entry = AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        changes={field: [_jsonable(before), _jsonable(after)] for field, (before, after) in (changes or {}).items()},
        note=note,
    )
    for listener in _listeners:
        listener(entry, target)
    return entry


def audited_update(
    *, actor: Any, obj: models.Model, fields: dict[str, Any], action: str, note: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Set ``fields`` on ``obj``, validate it (``validate_model``: a ``DomainError`` on the field at fault), and,
    when something actually changed, save only what changed (and the model's ``auto_now`` fields) and record one
    audit entry ``action`` with each changed field's (before, after), in one transaction.

    Nothing changed: no write and no entry. Returns the changes (empty when there were none). The caller checks
    permission and which fields may be set, and cleans the values, before it calls this.
    """
    before = {field: getattr(obj, field) for field in fields}
    for field, value in fields.items():
        setattr(obj, field, value)
    validate_model(obj)
    changes = {field: (before[field], getattr(obj, field)) for field in fields if before[field] != getattr(obj, field)}
    if not changes:
        return changes
    touched = [field.name for field in obj._meta.concrete_fields if getattr(field, "auto_now", False)]
    with transaction.atomic():
        obj.save(update_fields=[*changes, *(name for name in touched if name not in changes)])
        audit_record(actor=actor, action=action, target=obj, changes=changes, note=note)
    return changes


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# What each action code reads as on the audit pages and in their CSV: the one place that names them. A code not
# listed (a new one) still reads as words, from its parts ("focus_area.chair_left": "Focus area: chair left").
ACTION_LABELS: dict[str, str] = {
    # people, organizations and their membership
    "person.erased": "Account erased",
    "person.renamed": "Name changed",
    "person.listing_consent_given": "Agreed to be listed by name",
    "organization.registered": "Organization registered",
    "organization.updated": "Organization details changed",
    "organization.status_changed": "Organization status changed",
    "organization.activated": "Organization became a member",
    "application.submitted": "Application submitted",
    "application.resubmitted": "Application resubmitted",
    "application.changes_requested": "Changes requested on an application",
    "application.approved": "Application approved",
    "application.rejected": "Application rejected",
    "application.withdrawn": "Application withdrawn",
    "affiliation.created": "Person joined an organization",
    "affiliation.updated": "Affiliation details changed",
    "affiliation.role_changed": "Role changed",
    "affiliation.removed": "Person left an organization",
    "invitation.created": "Invitation sent",
    "invitation.resent": "Invitation sent again",
    "invitation.revoked": "Invitation revoked",
    "invitation.accepted": "Invitation accepted",
    "domain.added": "Email domain added",
    "domain.removed": "Email domain removed",
    "join_request.created": "Asked to join an organization",
    "join_request.approved": "Join request approved",
    "join_request.declined": "Join request declined",
    "join_request.withdrawn": "Join request withdrawn",
    "membership.term_started": "Membership term started",
    "membership.renewed": "Membership renewed",
    "membership.term_corrected": "Membership term corrected",
    "membership.lapsed": "Membership lapsed",
    "invoice.paid": "Invoice paid",
    "tier.created": "Membership tier added",
    "tier.updated": "Membership tier changed",
    "api_token.created": "API token created",
    "api_token.revoked": "API token revoked",
    # projects and the catalog
    "focus_area.created": "Focus area created",
    "focus_area.updated": "Focus area changed",
    "focus_area.chair_left": "Focus area chair left",
    "project.created": "Project created",
    "project.updated": "Project changed",
    "project.submitted": "Project proposed",
    "project.reviewed": "Project proposal reviewed",
    "project.accepted": "Project accepted",
    "project.rejected": "Project rejected",
    "project.promoted": "Project promoted to active",
    "project.archived": "Project archived",
    "project.revived": "Project revived",
    "project.archive_requested": "Project archiving requested",
    "project.update_posted": "Project update posted",
    "participation.requested": "Asked to join a project",
    "participation.approved": "Project participation approved",
    "participation.declined": "Project participation declined",
    "participation.left": "Left a project",
    "participation.role_changed": "Project role changed",
    "catalog.submitted": "Catalog entry submitted",
    "catalog.renewed": "Catalog entry renewed",
    "catalog.deprecated": "Catalog entry deprecated",
    "catalog.expired": "Catalog entry expired",
    # benchmarks
    "benchmark.defined": "Benchmark defined",
    "benchmark.updated": "Benchmark changed",
    "benchmark_release.frozen": "Benchmark release frozen",
    "benchmark_round.opened": "Benchmark round opened",
    "benchmark_round.review_started": "Benchmark round review started",
    "benchmark_round.published": "Benchmark round published",
    "benchmark_round.cancelled": "Benchmark round cancelled",
    "benchmark_submission.received": "Benchmark submission received",
    "benchmark_submission.made_available": "Benchmark submission made available",
    "benchmark_submission.preview_lapsed": "Benchmark submission preview lapsed",
    "benchmark_submission.withdrawn": "Benchmark submission withdrawn",
    "benchmark_review.submitted": "Benchmark review submitted",
    "benchmark_result.removed": "Benchmark result removed",
    "benchmark_objection.raised": "Objection raised",
    "benchmark_objection.upheld": "Objection upheld",
    "benchmark_objection.dismissed": "Objection dismissed",
    # events
    "event.created": "Event created",
    "event.updated": "Event changed",
    "event.published": "Event published",
    "event.cancelled": "Event cancelled",
    "event.capacity_changed": "Event capacity changed",
    "event.organizer_added": "Event organizer added",
    "event.organizer_removed": "Event organizer removed",
    "registration.confirmed": "Registered for an event",
    "registration.waitlisted": "Put on an event's waiting list",
    "registration.promoted": "Moved from the waiting list to a seat",
    "registration.cancelled": "Event registration cancelled",
    "registration.checked_in": "Checked in at an event",
    "calendar_feed.reset": "Calendar link reset",
    "calendar_feed.deleted": "Calendar link deleted",
    # governance
    "committee.created": "Committee created",
    "committee.updated": "Committee changed",
    "committee_member.added": "Committee member added",
    "committee_member.removed": "Committee member removed",
    "committee_member.left": "Committee member left",
    "ballot.created": "Ballot created",
    "ballot.updated": "Ballot changed",
    "ballot.opened": "Ballot opened",
    "ballot.voted": "Vote cast",
    "ballot.closed": "Ballot closed",
    "ballot.cancelled": "Ballot cancelled",
    # webhooks, notifications and retention
    "webhook.created": "Webhook created",
    "webhook.updated": "Webhook changed",
    "webhook.activated": "Webhook turned on",
    "webhook.deactivated": "Webhook turned off",
    "webhook.disabled": "Webhook disabled after failures",
    "webhook.deleted": "Webhook deleted",
    "webhook.secret_rotated": "Webhook secret rotated",
    "webhook.delivery_resent": "Webhook delivery sent again",
    "notification.retried": "Notification retried",
    "retention.notifications_deleted": "Old notifications deleted",
    "retention.registrations_anonymized": "Past registrations anonymized",
    "retention.unverified_accounts_deleted": "Unverified accounts deleted",
    "retention.webhook_bodies_emptied": "Old webhook bodies emptied",
}


def action_label(action: str) -> str:
    """The words a person reads for an action code (``ACTION_LABELS``, else words made from the code)."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    subject, _, verb = action.partition(".")
    words = subject.replace("_", " ").capitalize()
    return f"{words}: {verb.replace('_', ' ')}" if verb else words
