"""The webhooks API's viewsets, registered on the one router (``alliance/portal/api_urls.py``)."""

from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook-endpoint")
