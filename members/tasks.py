"""Beat jobs of the members domain: each takes no arguments and calls one service."""

from celery import shared_task

from .services import membership_reminders_send


@shared_task
def membership_reminders() -> int:
    """Beat job: renewal reminders to the admins (60, 30, 7 days before a term ends, and at grace) and lapses
    told to staff, each once per term."""
    return membership_reminders_send()
