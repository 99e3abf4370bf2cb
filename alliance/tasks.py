"""Celery tasks of the notification outbox. Their names (``alliance.tasks.*``) are what beat's schedule and queued
messages use: keep them."""

from celery import shared_task

from .notifications import notification_deliver, notifications_sweep_run


@shared_task(acks_late=True)
def deliver_notification(notification_id: int) -> bool:
    """Deliver one notification; safe to run twice (the outbox row says whether it was sent)."""
    return notification_deliver(notification_id=notification_id)


@shared_task
def notifications_sweep() -> int:
    """Deliver whatever is still pending: the broker was down, a worker died, or a retry is due."""
    return notifications_sweep_run()
