"""The benchmarks API: viewsets registered on the one router (alliance/portal/api_urls.py)."""

from rest_framework.routers import DefaultRouter


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the router."""
