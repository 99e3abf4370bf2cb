from celery import shared_task

from .services import event_reminders_send, registrations_anonymize_ended


@shared_task
def event_reminders() -> int:
    """Beat job: remind confirmed attendees before their event, exactly once each."""
    return event_reminders_send()


@shared_task
def registrations_anonymize() -> int:
    """Beat job: forget who registered for events that ended more than RETENTION_EVENT_DAYS ago (counts remain)."""
    return registrations_anonymize_ended()
