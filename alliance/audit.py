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
