"""Celery tasks of the notification outbox. Their names (``alliance.tasks.*``) are what beat's schedule and queued
messages use: keep them."""

from celery import shared_task

from .notifications import (
    notification_deliver,
    notification_fan_out_run,
    notifications_deliver,
    notifications_expire,
    notifications_sweep_run,
)


@shared_task(acks_late=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    """Deliver a chunk of notifications over one connection to the mail server; safe to run twice (each row says
    whether it was sent)."""
    return notifications_deliver(notification_ids=notification_ids)


@shared_task(acks_late=True)
def fan_out_notification(fan_out_id: int) -> int:
    """Write a crowd's notifications and queue their delivery, a chunk at a time; a second run resumes where the
    first stopped."""
    return notification_fan_out_run(fan_out_id=fan_out_id)


@shared_task(acks_late=True)
def deliver_notification(notification_id: int) -> bool:
    """Deliver one notification (messages queued one per notification); safe to run twice."""
    return notification_deliver(notification_id=notification_id)


@shared_task
def notifications_sweep() -> int:
    """Deliver whatever is still pending: the broker was down, a worker died, or a retry is due."""
    return notifications_sweep_run()


@shared_task
def notifications_retention() -> int:
    """Beat job: delete notifications delivered more than RETENTION_NOTIFICATION_DAYS ago."""
    return notifications_expire()
