"""What the ground floor holds about a person: the audit entries they wrote and their notifications."""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from .models import AuditEntry, DigestSent, Notification, NotificationPreference, NotificationProfile


def personal_data(person: Any) -> dict[str, QuerySet]:
    """The personal-data contract of ARCHITECTURE.md: each part a query of the rows about ``person``."""
    return {
        "audit_entries_written": AuditEntry.objects.filter(actor=person),
        "audit_entries_about_you": AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(person), target_id=str(person.pk)
        ),
        "notifications": Notification.objects.filter(Q(recipient=person) | Q(email__iexact=person.email)),
        "notification_preferences": NotificationPreference.objects.filter(person=person),
        "notification_profile": NotificationProfile.objects.filter(person=person),
        "digests_sent": DigestSent.objects.filter(person=person),
        "admin_log_entries": LogEntry.objects.filter(user=person),
    }
