"""The governance admin: a staff tool that reads everything and changes things only through the services.

Committees are created and edited through ``committee_create`` / ``committee_update``; seats and ballots are read
here and changed on the portal or by the actions, which call the same services as the pages and the API, with the
signed-in staff member as the actor. Votes are not shown at all: a secret ballot's votes are nobody's to browse.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from alliance.admin_actions import run_service_on_each
from alliance.errors import DomainError

from . import services
from .models import Ballot, BallotResult, Committee, CommitteeMember
from .selectors import signed_in_person


class CommitteeMemberInline(admin.TabularInline):
    """Who sits on the committee, to read: seats change on the committee's page (checked by the services)."""

    model = CommitteeMember
    fields = ("person", "role", "organization", "seated_at", "seated_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "seats", "project", "created_at")
    list_filter = ("kind", "seats")
    search_fields = ("name", "slug", "description")
    list_select_related = ("project",)
    fields = ("name", "slug", "kind", "description", "seats", "project", "created_by", "created_at", "updated_at")
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [CommitteeMemberInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*self.readonly_fields, "slug") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # its ballots are the record of its decisions

    def save_model(self, request: HttpRequest, obj: Committee, form: forms.ModelForm, change: bool) -> None:
        actor = signed_in_person(request.user)
        data = form.cleaned_data
        try:
            if change:
                stored = Committee.objects.get(pk=obj.pk)
                changed = {
                    field: data[field] for field in form.changed_data if field in services.COMMITTEE_EDITABLE_FIELDS
                }
                services.committee_update(actor=actor, committee=stored, **changed)
            else:
                created = services.committee_create(
                    actor=actor,
                    name=data["name"],
                    kind=data["kind"],
                    description=data.get("description", ""),
                    seats=data["seats"],
                    project=data.get("project"),
                    slug=data.get("slug", ""),
                )
                obj.pk = created.pk
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)


class BallotResultInline(admin.StackedInline):
    model = BallotResult
    fields = ("eligible", "turnout", "quorum_met", "passed", "tally", "winner", "tied", "ranking", "computed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    list_display = ("title", "committee", "method", "state", "opens_at", "closes_at", "secret")
    list_filter = ("state", "method", "secret", "committee")
    search_fields = ("title", "description")
    list_select_related = ("committee",)
    date_hierarchy = "closes_at"
    readonly_fields = (
        "committee", "title", "description", "method", "options", "quorum_percent", "threshold_percent", "secret",
        "opens_at", "closes_at", "state", "eligible", "reminder_sent_at", "created_by", "created_at", "updated_at",
        "opened_at", "closed_at", "cancelled_at",
    )  # fmt: skip
    fields = readonly_fields
    inlines = [BallotResultInline]
    actions = ["open_ballots", "close_ballots", "cancel_ballots"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drafted on the committee's page or the API, through ballot_create

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancel instead: the electorate is told

    @admin.action(description="Open the selected drafts now")
    def open_ballots(self, request: HttpRequest, queryset: QuerySet[Ballot]) -> None:
        actor = signed_in_person(request.user)
        run_service_on_each(
            self, request, queryset, lambda ballot: services.ballot_open(actor=actor, ballot=ballot), "Opened"
        )

    @admin.action(description="Close and count the selected open ballots")
    def close_ballots(self, request: HttpRequest, queryset: QuerySet[Ballot]) -> None:
        actor = signed_in_person(request.user)
        run_service_on_each(
            self, request, queryset, lambda ballot: services.ballot_close(actor=actor, ballot=ballot), "Closed"
        )

    @admin.action(description="Cancel the selected ballots")
    def cancel_ballots(self, request: HttpRequest, queryset: QuerySet[Ballot]) -> None:
        actor = signed_in_person(request.user)
        run_service_on_each(
            self,
            request,
            queryset,
            lambda ballot: services.ballot_cancel(actor=actor, ballot=ballot),
            "Cancelled",
        )
