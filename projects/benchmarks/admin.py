"""The admin of the benchmark registry: everything is read here; changes are actions that call the same services
as the pages and the API, with the signed-in staff member as the actor. Releases are never changed by anyone."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest

from alliance.admin_actions import run_service_on_each

from . import services
from .models import Benchmark, Metric, Objection, Release, Result, Review, ReviewAssignment, Round, Submission


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to read; the services are the only writers."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MetricInline(ReadOnlyInline):
    model = Metric
    fields = ("key", "name", "unit", "higher_is_better", "primary", "position")
    readonly_fields = fields


class ResultInline(ReadOnlyInline):
    model = Result
    fields = ("metric", "value", "ci_low", "ci_high")
    readonly_fields = fields


class AssignmentInline(ReadOnlyInline):
    model = ReviewAssignment
    fields = ("reviewer_organization", "created_at")
    readonly_fields = fields


@admin.register(Benchmark)
class BenchmarkAdmin(ReadOnlyAdmin):
    list_display = ("project", "created_by", "created_at")
    search_fields = ("project__title", "project__slug")
    inlines = [MetricInline]


class ReasonActionForm(ActionForm):
    reason = forms.CharField(required=False, label="Reason (for cancelling, dismissing and upholding)")
    outcome = forms.ChoiceField(choices=[("", "—"), *Objection.Outcome.choices], required=False)


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("benchmark", "version", "submission_deadline", "review_deadline", "publish_at", "published_at")
    list_filter = ("benchmark",)
    search_fields = ("benchmark__project__title", "version")
    action_form = ReasonActionForm
    actions = ["publish", "cancel"]

    @admin.action(description="Publish the selected rounds (review deadline passed, no objection open)")
    def publish(self, request: HttpRequest, queryset: QuerySet[Round]) -> None:
        run_service_on_each(
            self, request, queryset, lambda round: services.round_publish(actor=request.user, round=round), "Published"
        )

    @admin.action(description="Cancel the selected rounds (with the reason below)")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Round]) -> None:
        reason = request.POST.get("reason", "")
        run_service_on_each(
            self,
            request,
            queryset,
            lambda round: services.round_cancel(actor=request.user, round=round, reason=reason),
            "Cancelled",
        )


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "round", "organization", "division", "availability", "state", "created_at")
    list_filter = ("state", "division", "availability")
    search_fields = ("organization__name", "system_model")
    inlines = [ResultInline, AssignmentInline]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("assignment", "reviewer", "verdict", "created_at")
    list_filter = ("verdict",)


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("pk", "submission", "objector_organization", "rule", "state", "outcome", "created_at")
    list_filter = ("state", "outcome")
    action_form = ReasonActionForm
    actions = ["uphold", "dismiss"]

    @admin.action(description="Uphold the selected objections (with the outcome and reason below)")
    def uphold(self, request: HttpRequest, queryset: QuerySet[Objection]) -> None:
        outcome, reason = request.POST.get("outcome", ""), request.POST.get("reason", "")
        run_service_on_each(
            self,
            request,
            queryset,
            lambda objection: services.objection_uphold(
                actor=request.user, objection=objection, outcome=outcome, reason=reason
            ),
            "Upheld",
        )

    @admin.action(description="Dismiss the selected objections (with the reason below)")
    def dismiss(self, request: HttpRequest, queryset: QuerySet[Objection]) -> None:
        reason = request.POST.get("reason", "")
        run_service_on_each(
            self,
            request,
            queryset,
            lambda objection: services.objection_dismiss(actor=request.user, objection=objection, reason=reason),
            "Dismissed",
        )


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ("round", "version", "csv_sha256", "json_sha256", "published_at")
    fields = ("round", "version", "changelog", "csv_sha256", "json_sha256", "published_at")
    readonly_fields = fields
