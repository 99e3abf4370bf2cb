"""The members API: viewsets registered on the one router, plus the non-resource endpoints."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

ORGANIZATION = r"organizations/(?P<organization_slug>[-a-zA-Z0-9_]+)"

extra_urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("organizations/<slug:slug>/membership/", views.MembershipView.as_view(), name="organization-membership"),
    path(
        "organizations/<slug:slug>/membership/renew/",
        views.MembershipRenewView.as_view(),
        name="organization-membership-renew",
    ),
]


def register(router: DefaultRouter) -> None:
    router.register("tokens", views.ApiTokenViewSet, basename="api-token")
    router.register("organizations", views.OrganizationViewSet, basename="organization")
    router.register(f"{ORGANIZATION}/members", views.OrganizationPersonViewSet, basename="organization-person")
    router.register(f"{ORGANIZATION}/invitations", views.InvitationViewSet, basename="organization-invitation")
    router.register(f"{ORGANIZATION}/domains", views.DomainViewSet, basename="organization-domain")
    router.register(f"{ORGANIZATION}/join-requests", views.JoinRequestViewSet, basename="organization-join-request")
    router.register("applications", views.ApplicationViewSet, basename="application")
    router.register("tiers", views.TierViewSet, basename="tier")
    router.register("invoices", views.InvoiceViewSet, basename="invoice")
