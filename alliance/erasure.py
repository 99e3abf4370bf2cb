"""Forgetting a person in what the portal wrote about them: the ground floor's part of an erasure.

The rows a person owns are each app's to erase (their services). What is left are the texts the portal itself wrote
while the person was around: audit entries ("Jane Doe at Workshop (Confirmed)", an address in ``changes``), other
people's notifications that named them, the Django admin's log. ``texts_forget`` replaces the old name and address
there with "Former member", so the trail keeps every action and nobody can read who it was.

A name shorter than ``NAME_MIN_LENGTH`` is not searched for: "Al" would be replaced inside every "Alliance".
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from .models import (
    AuditEntry,
    DigestSent,
    Notification,
    NotificationFanOut,
    NotificationPreference,
)

FORMER_MEMBER = "Former member"
NAME_MIN_LENGTH = 3


def needles_of(*, person: Any, names: Iterable[str] = (), addresses: Iterable[str] = ()) -> list[str]:
    """What to look for: every address of the person, and every name they went by (the audit trail remembers the
    former ones) long enough to be told apart from other words; longest first, so a name inside another goes last."""
    renamed = AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(person), target_id=str(person.pk), changes__has_key="name"
    ).values_list("changes", flat=True)
    former = [value for changes in renamed for value in changes["name"] if isinstance(value, str)]
    candidates = [person.email, *addresses] + [
        name.strip() for name in [person.name, *names, *former] if len(name.strip()) >= NAME_MIN_LENGTH
    ]
    distinct = {candidate.lower(): candidate for candidate in candidates if candidate}
    return sorted(distinct.values(), key=len, reverse=True)


def _replaced(value: Any, needles: Sequence[str], replacement: str) -> Any:
    """The value (a string, or JSON of lists and dicts) with every needle replaced, whatever its case."""
    if isinstance(value, str):
        lowered = value.lower()
        for needle in needles:
            start = lowered.find(needle.lower())
            while start != -1:
                value = value[:start] + replacement + value[start + len(needle) :]
                lowered = value.lower()
                start = lowered.find(needle.lower(), start + len(replacement))
        return value
    if isinstance(value, list):
        return [_replaced(item, needles, replacement) for item in value]
    if isinstance(value, dict):
        return {
            _replaced(key, needles, replacement): _replaced(item, needles, replacement) for key, item in value.items()
        }
    return value


def text_without(value: str, needles: Sequence[str], replacement: str = FORMER_MEMBER) -> str:
    """A text about to be written, with the needles replaced (a staff reason that names the person, say)."""
    return _replaced(value, needles, replacement)


def texts_forget(
    model: type[models.Model], *, fields: Iterable[str], needles: Sequence[str], replacement: str = FORMER_MEMBER
) -> int:
    """Replace every needle in these text or JSON columns of ``model``'s rows; returns how many rows changed.

    The rows are found by the database (a case-insensitive search of each column, JSON as its text), changed here
    and saved in one bulk update, in the caller's transaction.
    """
    fields = list(fields)
    if not needles or not fields:
        return 0
    condition = Q()
    annotations = {}
    for field in fields:
        if isinstance(model._meta.get_field(field), models.JSONField):
            annotations[f"{field}_as_text"] = Cast(field, TextField())
            column = f"{field}_as_text"
        else:
            column = field
        for needle in needles:
            condition |= Q(**{f"{column}__icontains": needle})
    rows = list(model._default_manager.annotate(**annotations).filter(condition).order_by("pk"))
    for row in rows:
        for field in fields:
            setattr(row, field, _replaced(getattr(row, field), needles, replacement))
    if rows:
        model._default_manager.bulk_update(rows, fields, batch_size=500)
    return len(rows)


def ground_floor_forget(*, person: Any, email: str, needles: Sequence[str]) -> None:
    """The ground floor's part: the person's own notifications, preferences and digests go; the audit trail, other
    people's notifications and the admin's log keep their entries with "Former member" for the name and address."""
    Notification.objects.filter(Q(recipient=person) | Q(email__iexact=email)).delete()
    NotificationPreference.objects.filter(person=person).delete()
    DigestSent.objects.filter(person=person).delete()
    texts_forget(AuditEntry, fields=["target_repr", "note", "changes"], needles=needles)
    texts_forget(Notification, fields=["subject", "body"], needles=needles)
    texts_forget(NotificationFanOut, fields=["context"], needles=needles)
    texts_forget(LogEntry, fields=["object_repr", "change_message"], needles=needles)
