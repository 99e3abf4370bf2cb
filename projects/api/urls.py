"""The projects API: viewsets registered on the one router (alliance/portal/api_urls.py), the catalog's too."""

from rest_framework.routers import DefaultRouter

from projects.catalog.api import urls as catalog_urls

from . import views

PROJECT = r"projects/(?P<project_slug>[-a-zA-Z0-9_]+)"


def register(router: DefaultRouter) -> None:
    router.register("focus-areas", views.FocusAreaViewSet, basename="focus-area")
    router.register("projects", views.ProjectViewSet, basename="project")
    router.register(f"{PROJECT}/participants", views.ParticipantViewSet, basename="project-participant")
    router.register(f"{PROJECT}/updates", views.UpdateViewSet, basename="project-update")
    catalog_urls.register(router)
