from celery import shared_task

from .services import event_reminders_send


@shared_task
def event_reminders() -> int:
    """Beat job: remind confirmed attendees before their event, exactly once each."""
    return event_reminders_send()
