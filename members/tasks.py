"""Beat jobs of the members domain: each takes no arguments and calls one service."""

from celery import shared_task

from .services import accounts_unverified_delete, membership_reminders_send


@shared_task
def membership_reminders() -> int:
    """Beat job: renewal reminders to the admins (60, 30, 7 days before a term ends, and at grace) and lapses
    told to staff, each once per term."""
    return membership_reminders_send()


@shared_task
def unverified_accounts_retention() -> int:
    """Beat job: delete accounts whose address was never confirmed within RETENTION_UNVERIFIED_ACCOUNT_DAYS."""
    return accounts_unverified_delete()
