"""Admin for webhooks: read-only rows; switching endpoints on and off and re-sending go through the services.

The signing secret is never shown here: it appears only when it is generated.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from alliance.admin_actions import run_service_on_each

from . import services
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only: staff read them, nobody adds or edits them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = ("number", "attempted_at", "status_code", "duration_ms", "succeeded", "error")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("url", "organization", "active", "consecutive_failures", "created_by", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description", "organization__name")
    list_select_related = ("organization", "created_by")
    fields = (
        "url", "description", "organization", "event_types", "active", "disabled_reason", "disabled_at",
        "consecutive_failures", "created_by", "created_at", "updated_at",
    )  # fmt: skip
    actions = ["activate", "deactivate"]

    @admin.action(description="Activate the selected endpoints")
    def activate(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda endpoint: services.webhook_endpoint_activate(actor=request.user, endpoint=endpoint),
            "Endpoints activated",
        )

    @admin.action(description="Deactivate the selected endpoints")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda endpoint: services.webhook_endpoint_deactivate(actor=request.user, endpoint=endpoint),
            "Endpoints deactivated",
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event_type", "endpoint", "status", "attempts", "last_status_code", "next_attempt_at")
    list_filter = ("status", "event_type")
    search_fields = ("message_id", "endpoint__url")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"
    fields = (
        "created_at", "endpoint", "message_id", "event_type", "payload", "status", "attempts", "next_attempt_at",
        "last_status_code", "last_error", "last_duration_ms", "delivered_at", "resent_from",
    )  # fmt: skip
    inlines = [WebhookAttemptInline]
    actions = ["resend"]

    @admin.action(description="Send the selected deliveries again")
    def resend(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        run_service_on_each(
            self,
            request,
            queryset.select_related("endpoint"),
            lambda delivery: services.webhook_delivery_resend(actor=request.user, delivery=delivery),
            "Deliveries queued again",
        )
