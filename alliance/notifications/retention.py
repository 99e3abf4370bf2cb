"""Retention of notifications: a delivered message is kept ``RETENTION_NOTIFICATION_DAYS``, then deleted.

Delivered means sent, or recorded in the inbox only (the person turned email of its kind off); pending and failed
messages stay until delivery ends. One ``DELETE``: a second run finds nothing older left. Audited as one summary.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..audit import audit_record
from ..models import Notification


def notifications_expire(*, now: datetime | None = None) -> int:
    """Delete the notifications delivered more than ``RETENTION_NOTIFICATION_DAYS`` ago; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_NOTIFICATION_DAYS)
    delivered = Q(status=Notification.Status.SENT, sent_at__lt=cutoff) | Q(
        status=Notification.Status.SKIPPED, created_at__lt=cutoff
    )
    with transaction.atomic():
        _, deleted = Notification.objects.filter(delivered).delete()
        count = deleted.get(Notification._meta.label, 0)
        if count:
            audit_record(
                actor=None,
                action="retention.notifications_deleted",
                target=ContentType.objects.get_for_model(Notification),
                changes={"notifications": (None, count)},
                note=f"Notifications delivered before {cutoff:%Y-%m-%d %H:%M} UTC (RETENTION_NOTIFICATION_DAYS).",
            )
    return count
