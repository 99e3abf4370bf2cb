"""Celery tasks of the webhooks: one delivery attempt, and the beat job that queues what is due. Each calls a
service; the services queue ``deliver_webhook`` by its name, ``alliance.webhooks.tasks.deliver_webhook``."""

from celery import shared_task

from .services import webhook_deliveries_due, webhook_deliveries_empty_old, webhook_delivery_attempt


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int) -> bool:
    """Try one delivery; safe to run twice (only a pending, due delivery is sent, under a row lock)."""
    return webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task
def webhooks_sweep() -> int:
    """Queue every due delivery: retries whose back-off passed, and sends the broker never got."""
    due = webhook_deliveries_due()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)


@shared_task
def webhook_bodies_retention() -> int:
    """Beat job: empty what deliveries older than RETENTION_WEBHOOK_DAYS sent (the log rows stay)."""
    return webhook_deliveries_empty_old()
