"""The catalog's beat job. Its task name stays ``projects.tasks.catalog_expire``: the beat schedule names it."""

from celery import shared_task

from .services import catalog_expire_due


@shared_task(name="projects.tasks.catalog_expire")
def catalog_expire() -> dict[str, int]:
    """Beat job: warn before catalog validation lapses and expire the overdue entries (idempotent)."""
    return catalog_expire_due()
