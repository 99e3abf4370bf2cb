from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top floor: what needs every app (URL and API router assembly, home page, staff audit page, the weekly
    digest, the demo loader). Nothing imports it but Django itself."""

    name = "alliance.portal"
    label = "portal"
    verbose_name = "Alliance Portal"
