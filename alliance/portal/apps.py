from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top floor: what needs every app (URL and API router assembly, home page, staff audit page, the weekly
    digest, the demo loader, /metrics). Nothing imports it but Django itself."""

    name = "alliance.portal"
    label = "portal"
    verbose_name = "Alliance Portal"

    def ready(self) -> None:
        from alliance.audit import audit_listener_register
        from alliance.page_cache import page_cache_areas_register, page_cache_audit_listener

        from . import metrics

        metrics.database_statements_count()
        # The list pages kept for anonymous visitors, and what they show: an event card names its hosting project,
        # a project card its sponsors (organizations).
        page_cache_areas_register("events", ["events"])
        page_cache_areas_register("projects", ["projects", "events"])
        page_cache_areas_register("members", ["members", "projects"])
        audit_listener_register(page_cache_audit_listener)
