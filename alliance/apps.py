from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AllianceConfig(AppConfig):
    """Cross-cutting pieces: the audit trail, notifications, API conventions and health check."""

    name = "alliance"
    verbose_name = "Alliance Portal"

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the tasks the outbox queues by name, in every process)
        from .sites import site_sync

        post_migrate.connect(site_sync, sender=self, dispatch_uid="alliance.sites.site_sync")
