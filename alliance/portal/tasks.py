from celery import shared_task

from .digest import digests_send


@shared_task(name="alliance.tasks.weekly_digests")  # the name beat's schedule has always used
def weekly_digests() -> int:
    """Send this week's digest to everyone who asked for it and has not had it; safe to run every hour."""
    return digests_send()
