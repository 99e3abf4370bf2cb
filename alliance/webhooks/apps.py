from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outgoing webhooks: every audited change of a subscribed type becomes a signed delivery."""

    name = "alliance.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from alliance.audit import audit_listener_register

        from . import tasks  # noqa: F401  (registers the tasks the services queue by name, in every process)
        from .services import webhook_audit_listener

        audit_listener_register(webhook_audit_listener)
