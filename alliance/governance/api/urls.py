"""The governance API: viewsets registered on the one router (alliance/portal/api_urls.py)."""

from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the router."""
    router.register("committees", views.CommitteeViewSet, basename="committee")
    router.register(
        r"committees/(?P<committee_slug>[-a-zA-Z0-9_]+)/members",
        views.CommitteeMemberViewSet,
        basename="committee-member",
    )
    router.register("ballots", views.BallotViewSet, basename="ballot")
