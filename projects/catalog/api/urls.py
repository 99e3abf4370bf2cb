"""The catalog's endpoints, registered on the one router by projects/api/urls.py."""

from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    router.register("catalog", views.CatalogEntryViewSet, basename="catalog-entry")
