"""Retention of webhook deliveries: what a delivery sent (its body) is kept ``RETENTION_WEBHOOK_DAYS``, then
emptied; the log row stays (event type, status, attempts, times), so the delivery log still shows what happened.

Pending deliveries keep their body until they are sent or fail. One conditional ``UPDATE``: a second run finds
nothing left to empty. Audited as one summary entry.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record

from ..models import WebhookDelivery


def webhook_deliveries_empty_old(*, now: datetime | None = None) -> int:
    """Empty the bodies of deliveries made more than ``RETENTION_WEBHOOK_DAYS`` ago; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_WEBHOOK_DAYS)
    with transaction.atomic():
        count = (
            WebhookDelivery.objects.filter(created_at__lt=cutoff)
            .exclude(status=WebhookDelivery.Status.PENDING)
            .exclude(payload={})
            .update(payload={})
        )
        if count:
            audit_record(
                actor=None,
                action="retention.webhook_bodies_emptied",
                target=ContentType.objects.get_for_model(WebhookDelivery),
                changes={"deliveries": (None, count)},
                note=f"Bodies of deliveries made before {cutoff:%Y-%m-%d %H:%M} UTC (RETENTION_WEBHOOK_DAYS).",
            )
    return count
