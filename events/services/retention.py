"""Retention: who registered for an event is kept ``RETENTION_EVENT_DAYS`` after it ended, then forgotten.

An anonymized registration keeps its status, times, check-in and organization (attendance counts and the seat of
each organization stay right) and loses its person. One conditional ``UPDATE``: a second run, or two at once, finds
nothing left to change. Audited as one summary entry, about the registrations as a whole.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record

from ..models import Registration


def registrations_anonymize_ended(*, now: datetime | None = None) -> int:
    """Anonymize the registrations of events that ended more than ``RETENTION_EVENT_DAYS`` ago; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_EVENT_DAYS)
    with transaction.atomic():
        count = Registration.objects.filter(event__ends_at__lt=cutoff, person__isnull=False).update(
            person=None, anonymized_at=now
        )
        if count:
            audit_record(
                actor=None,
                action="retention.registrations_anonymized",
                target=ContentType.objects.get_for_model(Registration),
                changes={"registrations": (None, count)},
                note=f"Registrations of events that ended before {cutoff:%Y-%m-%d %H:%M} UTC (RETENTION_EVENT_DAYS).",
            )
    return count
