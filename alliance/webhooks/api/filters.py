"""Query filters of the webhooks API's lists, parsed here and applied by the selector."""

from rest_framework import serializers


class WebhookEndpointQuerySerializer(serializers.Serializer):
    """``?active=true``: only endpoints that receive deliveries (``false``: only switched-off ones)."""

    active = serializers.BooleanField(required=False, allow_null=True, default=None)
