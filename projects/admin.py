"""The admin of the projects domain: focus areas are edited here (through the services); projects and people are
read here and changed only by actions that call the same services as the pages and the API, with the signed-in
staff member as the actor. The catalog's admin is in projects/catalog/admin.py."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest

from alliance.admin_actions import run_service_on_each
from alliance.errors import DomainError

from . import services
from .catalog import admin as catalog_admin  # noqa: F401  (registers the catalog's admin)
from .models import FocusArea, Participation, Project, ProjectUpdate, ProposalReview


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    """Staff-managed: adding and editing go through ``focus_area_create`` and ``focus_area_update``."""

    list_display = ("name", "slug")
    search_fields = ("name", "description")
    fields = ("name", "slug", "description")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("slug",)  # chosen from the name, then fixed so links keep working

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: FocusArea, form: forms.ModelForm, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in ("name", "description")}
        try:
            if change:
                services.focus_area_update(actor=request.user, focus_area=FocusArea.objects.get(pk=obj.pk), **data)
            else:
                obj.pk = services.focus_area_create(actor=request.user, **data).pk
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ParticipationInline(ReadOnlyInline):
    """People change through the project's page (services keep the last lead); shown here to read."""

    model = Participation
    fields = ("person", "role", "status", "created_at")
    readonly_fields = fields


class ReviewInline(ReadOnlyInline):
    model = ProposalReview
    fields = ("reviewer", "recommendation", "comment", "created_at")
    readonly_fields = fields


class UpdateInline(ReadOnlyInline):
    model = ProjectUpdate
    fields = ("title", "author", "created_at")
    readonly_fields = fields


class ReasonActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        label="Reason (required to reject; the proposer reads it)",
        widget=forms.TextInput(attrs={"size": 60}),
    )


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """Everything is read-only: the state moves by the actions, which call the lifecycle services."""

    list_display = ("title", "kind", "state", "visibility", "join_policy", "proposer", "state_changed_at")
    list_filter = ("state", "kind", "visibility", "focus_areas")
    search_fields = ("title", "slug", "summary")
    list_select_related = ("proposer",)
    fields = (
        "title",
        "slug",
        "summary",
        "description",
        "kind",
        "focus_areas",
        "sponsors",
        "proposer",
        "repository_url",
        "website_url",
        "license",
        "help_wanted",
        "join_policy",
        "visibility",
        "state",
        "decision_reason",
        "archive_requested_at",
        "state_changed_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [ParticipationInline, ReviewInline, UpdateInline]
    action_form = ReasonActionForm
    actions = ["accept", "reject", "promote", "archive", "revive"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a member proposes on the portal and becomes its first lead

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archive instead: the history stays

    def _call_on_each_project(
        self, request: HttpRequest, queryset: QuerySet, service, done: str, **kwargs: Any
    ) -> None:
        run_service_on_each(
            self, request, queryset, lambda project: service(actor=request.user, project=project, **kwargs), done
        )

    @admin.action(description="Accept the selected proposals")
    def accept(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._call_on_each_project(
            request, queryset, services.project_accept, "Accepted", reason=request.POST.get("reason", "")
        )

    @admin.action(description="Reject the selected proposals (give the reason)")
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._call_on_each_project(
            request, queryset, services.project_reject, "Rejected", reason=request.POST.get("reason", "")
        )

    @admin.action(description="Promote the selected incubating projects to active")
    def promote(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._call_on_each_project(request, queryset, services.project_promote, "Promoted")

    @admin.action(description="Archive the selected projects")
    def archive(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._call_on_each_project(
            request, queryset, services.project_archive, "Archived", reason=request.POST.get("reason", "")
        )

    @admin.action(description="Revive the selected archived projects")
    def revive(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._call_on_each_project(request, queryset, services.project_revive, "Revived")


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ("person", "project", "role", "status", "created_at")
    list_filter = ("status", "role")
    search_fields = ("person__email", "person__name", "project__title")
    list_select_related = ("person", "project")
    fields = ("project", "person", "role", "status", "message", "created_at")
    readonly_fields = fields
    actions = ["approve", "remove"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the remove action keeps the last lead

    @admin.action(description="Approve the selected requests to join")
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda participation: services.participation_approve(actor=request.user, participation=participation),
            "Approved",
        )

    @admin.action(description="Remove the selected people from their projects")
    def remove(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset,
            lambda participation: services.participation_remove(actor=request.user, participation=participation),
            "Removed",
        )
