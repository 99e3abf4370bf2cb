from django.apps import AppConfig


class AllianceConfig(AppConfig):
    """Cross-cutting pieces: the audit trail, notifications, API conventions and health check."""

    name = "alliance"
    verbose_name = "Alliance Portal"
