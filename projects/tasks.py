"""Background jobs of the projects app; Celery's autodiscovery imports this module, so the catalog's job is
imported here to be registered (under its name ``projects.tasks.catalog_expire``)."""

from .catalog.tasks import catalog_expire

__all__ = ["catalog_expire"]
