"""The reminder beat job: each confirmed attendee hears about their event once, shortly before it starts."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from alliance.sweeps import claim_each

from ..models import Event, Registration
from ._common import notify_event


def event_reminders_send(*, now: datetime | None = None) -> int:
    """The beat job: remind each confirmed attendee once, EVENT_REMINDER_BEFORE the start.

    The reminder is recorded on the registration in the same transaction as its notification (the outbox), and
    rows another worker is handling are skipped (``alliance.sweeps.claim_each``), so running twice, or a worker
    dying midway, sends one each.
    """
    moment = now or timezone.now()
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__status=Event.Status.PUBLISHED,
        event__starts_at__gt=moment,
        event__starts_at__lte=moment + settings.EVENT_REMINDER_BEFORE,
    ).select_related("event", "person")

    def remind(registration: Registration) -> bool:
        registration.reminder_sent_at = moment
        registration.save(update_fields=["reminder_sent_at"])
        notify_event(
            registration.event,
            "events/notifications/event_reminder",
            [registration.person],
            registration=registration,
        )
        return True

    return claim_each(due, remind)
