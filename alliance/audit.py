"""The audit trail: services call ``audit_record`` inside their transaction for every state change.

Each entry also feeds the outgoing webhooks: the action is offered to ``webhook_event_emit``, which records a
delivery per subscribed endpoint in the same transaction, so a rolled-back change sends nothing.
"""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    changes: dict[str, tuple[Any, Any]] | None = None,
    note: str = "",
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``target``; ``changes`` maps a field to (before, after)."""
    from .webhooks.services import webhook_event_emit  # the webhooks app builds on this module

    entry = AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        changes={field: [_jsonable(before), _jsonable(after)] for field, (before, after) in (changes or {}).items()},
        note=note,
    )
    webhook_event_emit(action=action, target=target, occurred_at=entry.created_at)
    return entry


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
