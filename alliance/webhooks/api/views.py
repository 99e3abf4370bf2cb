"""The webhooks API: /api/v1/webhooks/. Every write calls a service; the queryset holds only what one may manage.

Endpoints outside the caller's queryset answer 404 (staff see all; an organization's admins see its endpoints),
and that is asked before any body is read. The signing secret appears in exactly two answers: the creation and
the rotation of a secret.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.api.filters import query_values
from alliance.api.inputs import ERROR, validated_input

from .. import selectors, services
from ..models import WebhookDelivery, WebhookEndpoint
from .filters import WebhookEndpointQuerySerializer
from .serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookSecretSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="Webhook endpoints you manage",
        parameters=[WebhookEndpointQuerySerializer],
        responses={200: WebhookEndpointSerializer(many=True), 400: ERROR},
    ),
    retrieve=extend_schema(summary="One webhook endpoint (never its secret)"),
    destroy=extend_schema(summary="Delete the endpoint and its delivery log"),
)
@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Outgoing webhooks, signed with the Standard Webhooks scheme (verify them with ``standardwebhooks``)."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["created_at", "url"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        if self.action == "list":
            return selectors.webhook_endpoints_visible_to(
                self.request.user, **query_values(self.request, WebhookEndpointQuerySerializer)
            )
        return selectors.webhook_endpoints_visible_to(self.request.user)

    @extend_schema(
        summary="Register an endpoint; the answer carries its secret, once",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointCreatedSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request) -> Response:
        services.webhooks_manage_check(actor=request.user)  # permission before input
        data = validated_input(WebhookEndpointCreateSerializer, request)
        organization = (
            data["organization"]
            if "organization" in data
            else services.webhook_default_organization(actor=request.user)
        )
        endpoint, secret = services.webhook_endpoint_create(
            actor=request.user,
            url=data["url"],
            event_types=data["event_types"],
            organization=organization,
            description=data.get("description", ""),
        )
        body = WebhookEndpointCreatedSerializer(endpoint, context={"secret": secret}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace the URL, event types, description and active flag",
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, 400: ERROR, 403: ERROR},
    )
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of the URL, event types, description and active flag",
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, 400: ERROR, 403: ERROR},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        endpoint = self.get_object()  # 404 for an endpoint one may not manage, before the body is read
        data = validated_input(WebhookEndpointUpdateSerializer, request, partial=partial)
        active = data.pop("active", None)
        endpoint = services.webhook_endpoint_update(actor=request.user, endpoint=endpoint, **data)
        if active is True:
            endpoint = services.webhook_endpoint_activate(actor=request.user, endpoint=endpoint)
        elif active is False:
            endpoint = services.webhook_endpoint_deactivate(actor=request.user, endpoint=endpoint)
        return Response(self.get_serializer(endpoint).data)

    def destroy(self, request: Request, pk: str | None = None) -> Response:
        services.webhook_endpoint_delete(actor=request.user, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Issue a new secret, shown once (the old one still signs for a day)",
        request=None,
        responses={200: WebhookSecretSerializer, 403: ERROR},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        endpoint, secret = services.webhook_endpoint_rotate_secret(actor=request.user, endpoint=self.get_object())
        return Response(WebhookSecretSerializer({"id": endpoint.pk, "secret": secret}).data)

    @extend_schema(
        summary="The delivery log: every delivery with its attempts (time, status code, duration)",
        responses={200: WebhookDeliverySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        deliveries = selectors.webhook_deliveries(self.get_object())
        page = self.paginator.paginate_queryset(deliveries, request, view=self)
        return self.paginator.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        summary="Send a webhook.test event now",
        request=None,
        responses={202: WebhookDeliverySerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: str | None = None) -> Response:
        delivery = services.webhook_endpoint_send_test(actor=request.user, endpoint=self.get_object())
        delivery.refresh_from_db()
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Send a delivery again (same webhook-id and payload)",
        request=None,
        responses={202: WebhookDeliverySerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[0-9]+)/resend")
    def resend(self, request: Request, pk: str | None = None, delivery_id: str = "") -> Response:
        endpoint = self.get_object()
        delivery = get_object_or_404(
            WebhookDelivery.objects.select_related("endpoint"), pk=delivery_id, endpoint=endpoint
        )
        copy = services.webhook_delivery_resend(actor=request.user, delivery=delivery)
        copy.refresh_from_db()
        return Response(WebhookDeliverySerializer(copy).data, status=status.HTTP_202_ACCEPTED)
