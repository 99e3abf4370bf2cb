"""The webhooks API: /api/v1/webhooks/. Every write calls a service; the queryset holds only what one may manage.

Endpoints outside the caller's queryset answer 404 (staff see all; an organization's admins see its endpoints).
The signing secret appears in exactly two answers: the creation and the rotation of a secret.
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import filters, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from members.models import Organization
from members.selectors import organizations_visible_to

from . import selectors, services
from .event_types import EVENT_TYPE_CHOICES
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

ERROR = OpenApiResponse(description='A JSON error: {"detail": "...", "errors": {"field": ["..."]}}')


class WebhookEndpointSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    created_by = serializers.EmailField(source="created_by.email", read_only=True, allow_null=True, default=None)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES))

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id", "url", "description", "organization", "event_types", "active", "disabled_reason", "disabled_at",
            "consecutive_failures", "created_by", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.SerializerMethodField(help_text="The signing secret (whsec_...): shown only this once.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, endpoint: WebhookEndpoint) -> str:
        return self.context["secret"]


class WebhookEndpointCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="An http(s) URL on a public address.")
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), allow_empty=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.none(),
        required=False,
        allow_null=True,
        help_text="The organization whose events it receives. Staff may leave it out for a staff-level endpoint "
        "(every event); an admin of a single organization may leave it out too.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An organization the caller may not see (an applicant, a suspended one) is answered like a missing one.
        request = self.context.get("request")
        self.fields["organization"].queryset = organizations_visible_to(request.user if request else None)


class WebhookEndpointUpdateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPE_CHOICES), allow_empty=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False, help_text="false stops deliveries; true resumes them.")


class WebhookSecretSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    secret = serializers.CharField(help_text="The new signing secret: shown only this once.")


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "attempted_at", "status_code", "duration_ms", "succeeded", "error"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempt_log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id", "message_id", "event_type", "payload", "status", "attempts", "next_attempt_at",
            "last_status_code", "last_error", "last_duration_ms", "resent_from", "created_at", "delivered_at",
            "attempt_log",
        ]  # fmt: skip
        read_only_fields = fields


def _validated(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="Webhook endpoints you manage"),
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
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["active"]
    ordering_fields = ["created_at", "url"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookEndpoint.objects.none()
        return selectors.webhook_endpoints_visible_to(self.request.user)

    @extend_schema(
        summary="Register an endpoint; the answer carries its secret, once",
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointCreatedSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request) -> Response:
        data = _validated(WebhookEndpointCreateSerializer, request)
        organization = (
            data["organization"] if "organization" in data else services.webhook_default_organization(request.user)
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
        endpoint = self.get_object()
        data = _validated(WebhookEndpointUpdateSerializer, request, partial=partial)
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


def register(router: Any) -> None:
    router.register("webhooks", WebhookEndpointViewSet, basename="webhook-endpoint")
