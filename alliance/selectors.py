"""What the ground floor holds about a person: the audit entries they wrote or that are about them (their account and
their own rows in every app), and their notifications."""

from collections.abc import Iterable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from .models import AuditEntry, DigestSent, Notification, NotificationPreference


def _target_in(model: Any, ids: Any) -> Q:
    """Entries whose target is a row of ``model`` with one of these ids (the content type joined, not looked up)."""
    meta = model._meta.concrete_model._meta
    return Q(target_type__app_label=meta.app_label, target_type__model=meta.model_name, target_id__in=ids)


def audit_entries_about(person: Any, *, own_rows: Iterable[QuerySet] = ()) -> QuerySet:
    """The audit entries whose target is the person's account or one of their own rows (a registration, a token):
    ``own_rows`` are the apps' parts of ``personal_data`` that name those rows, each a subquery of one query."""
    condition = _target_in(person, [str(person.pk)])
    for rows in own_rows:
        condition |= _target_in(rows.model, rows.order_by().values(as_text=Cast("pk", CharField())))
    return AuditEntry.objects.filter(condition)


def personal_data(person: Any, *, own_rows: Iterable[QuerySet] = ()) -> dict[str, QuerySet]:
    """The personal-data contract of ARCHITECTURE.md: each part a query of the rows about ``person``. The top floor
    passes ``own_rows``, every app's parts named in its ``PERSONAL_DATA_OWN_ROWS``, so that the audit entries about
    the person are also those about their rows."""
    return {
        "audit_entries_written": AuditEntry.objects.filter(actor=person),
        "audit_entries_about_you": audit_entries_about(person, own_rows=own_rows),
        "notifications": Notification.objects.filter(Q(recipient=person) | Q(email__iexact=person.email)),
        "notification_preferences": NotificationPreference.objects.filter(person=person),
        "digests_sent": DigestSent.objects.filter(person=person),
        "admin_log_entries": LogEntry.objects.filter(user=person),
    }
