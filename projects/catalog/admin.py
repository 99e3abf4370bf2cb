"""The catalog's admin: staff read entries here and deprecate them by an action that calls the same service as the
pages and the API; validation needs the checklist, ticked on the entry's page. Imported by projects/admin.py,
which the admin discovers."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from alliance.admin_actions import run_service_on_each
from projects.models import CatalogEntry

from . import services


@admin.register(CatalogEntry)
class CatalogEntryAdmin(admin.ModelAdmin):
    """Validation needs the checklist, ticked on the entry's page; here staff deprecate and read."""

    list_display = ("name", "version", "project", "kind", "license", "status", "validated_at", "expires_at")
    list_filter = ("status", "kind")
    search_fields = ("name", "description", "project__title", "license")
    list_select_related = ("project",)
    fields = (
        "project",
        "kind",
        "name",
        "version",
        "description",
        "link",
        "license",
        "documentation_url",
        "evaluation_notes",
        "safety_notes",
        "status",
        "checklist",
        "submitted_by",
        "validated_by",
        "validated_at",
        "expires_at",
        "expiry_warning_sent_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ["deprecate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a lead submits it from the project's page

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Deprecate the selected entries")
    def deprecate(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda entry: services.catalog_entry_deprecate(actor=request.user, entry=entry),
            "Deprecated",
        )
