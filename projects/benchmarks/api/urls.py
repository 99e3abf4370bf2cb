"""The benchmarks API: viewsets registered on the one router (alliance/portal/api_urls.py)."""

from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the router."""
    router.register("benchmarks", views.BenchmarkViewSet, basename="benchmark")
    router.register("rounds", views.RoundViewSet, basename="benchmark-round")
    router.register("submissions", views.SubmissionViewSet, basename="benchmark-submission")
    router.register("objections", views.ObjectionViewSet, basename="benchmark-objection")
