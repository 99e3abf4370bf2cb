"""What the webhooks API reads and answers. The rules on what an endpoint may be (URL, event types, description)
are the services'; these fields only say the shape, and document the allowed values."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from members.models import Organization
from members.selectors import organizations_visible_to

from ..event_types import EVENT_TYPE_CHOICES
from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@extend_schema_field(serializers.ChoiceField(choices=EVENT_TYPE_CHOICES))  # documented as the same enum
class EventTypeField(serializers.CharField):
    """An event type's name; which names exist is checked by the service (and listed in the schema)."""


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
    url = serializers.CharField(help_text="An http(s) URL on a public address (500 characters at most).")
    event_types = serializers.ListField(child=EventTypeField(), help_text="At least one event type.")
    description = serializers.CharField(required=False, allow_blank=True, help_text="200 characters at most.")
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
    url = serializers.CharField(help_text="An http(s) URL on a public address (500 characters at most).")
    event_types = serializers.ListField(child=EventTypeField(), help_text="At least one event type.")
    description = serializers.CharField(required=False, allow_blank=True, help_text="200 characters at most.")
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
