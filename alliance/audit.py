"""The audit trail: services call ``audit_record`` inside their transaction for every state change."""

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
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        changes={field: [_jsonable(before), _jsonable(after)] for field, (before, after) in (changes or {}).items()},
        note=note,
    )


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
