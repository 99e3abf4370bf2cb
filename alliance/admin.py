"""The admin of the cross-cutting records: the audit trail and the notification outbox, both read-only."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import AuditEntry, Notification
from .notifications import notifications_deliver


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by services only: staff read them, nobody adds, edits or deletes them here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_repr")
    list_filter = ("action", "target_type")
    search_fields = ("action", "target_repr", "target_id", "actor__email", "note")
    list_select_related = ("actor", "target_type")
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "action", "target_type", "target_id", "target_repr", "changes", "note")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "email", "kind", "subject", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("email", "subject")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "recipient",
        "email",
        "kind",
        "subject",
        "body",
        "url",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
        "read_at",
    )
    actions = ["deliver_now"]

    @admin.action(description="Try to deliver the selected pending notifications now")
    def deliver_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        sent = notifications_deliver(notification_ids=list(queryset.order_by("pk").values_list("pk", flat=True)))
        self.message_user(request, f"Sent: {sent} of {queryset.count()}.", level=messages.INFO)
