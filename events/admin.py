"""The admin of the events domain: a staff tool that reads everything and changes things only through services.

Status, capacity, seat counts and organizers are read-only on the forms; the actions call the same services as the
pages and the API, with the signed-in staff member as the actor, so the admin can neither oversell an event, leave
one without an organizer, nor skip the waitlist, the notifications or the audit trail. Events are created on the
portal (/events/new/).
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from alliance.admin_actions import run_service_on_each
from alliance.errors import DomainError
from members.models import User

from . import services
from .models import SEATS_MAX, CalendarFeed, Event, Registration


class EventActionForm(ActionForm):
    capacity = forms.CharField(  # checked by the action, so that a bad value gets a message of its own
        required=False, label="Capacity (empty: unlimited)", widget=forms.TextInput(attrs={"size": 6})
    )
    reason = forms.CharField(
        required=False,
        label="Reason (to cancel; sent to everyone registered)",
        widget=forms.TextInput(attrs={"size": 50}),
    )
    organizer_email = forms.CharField(
        required=False,
        label="Organizer's address (to add or remove)",
        widget=forms.TextInput(attrs={"size": 30}),
    )


class RegistrationInline(admin.TabularInline):
    """Who is registered, to read: registrations change through the services (the waitlist moves with them)."""

    model = Registration
    fields = ("person", "organization", "status", "created_at", "waitlisted_at", "confirmed_at", "checked_in_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "format", "starts_at", "status", "visibility", "capacity", "confirmed_count")
    list_filter = ("status", "kind", "format", "visibility")
    search_fields = ("title", "slug", "venue", "description")
    list_select_related = ("project",)
    date_hierarchy = "starts_at"
    fields = (
        "title",
        "slug",
        "description",
        "kind",
        "format",
        "venue",
        "online_url",
        "starts_at",
        "ends_at",
        "timezone",
        "visibility",
        "waitlist_enabled",
        "organization_seat_cap",
        "registration_opens_at",
        "registration_closes_at",
        "project",
        "organizers",
        "status",
        "capacity",
        "confirmed_count",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "slug",
        "project",
        "organizers",
        "status",
        "capacity",
        "confirmed_count",
        "published_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = [RegistrationInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    action_form = EventActionForm
    actions = ["publish", "change_capacity", "cancel", "add_organizer", "remove_organizer"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created on the portal through event_create, which makes the creator an organizer

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancel instead: people registered are told

    def save_model(self, request: HttpRequest, obj: Event, form: forms.ModelForm, change: bool) -> None:
        stored = Event.objects.get(pk=obj.pk)
        changed = {
            field: form.cleaned_data[field] for field in form.changed_data if field in services.EVENT_EDITABLE_FIELDS
        }
        try:
            services.event_update(actor=request.user, event=stored, **changed)
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)

    @admin.action(description="Publish the selected drafts")
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self, request, queryset, lambda event: services.event_publish(actor=request.user, event=event), "Published"
        )

    @admin.action(description="Change the capacity of the selected events (give the capacity)")
    def change_capacity(self, request: HttpRequest, queryset: QuerySet) -> None:
        raw = request.POST.get("capacity", "").strip()
        if raw and not (raw.isdigit() and int(raw) >= 1):
            self.message_user(request, "Give a capacity of at least 1, or leave it empty.", level=messages.ERROR)
            return
        if raw and int(raw) > SEATS_MAX:
            self.message_user(request, f"Give a capacity of at most {SEATS_MAX}.", level=messages.ERROR)
            return
        capacity = int(raw) if raw else None
        run_service_on_each(
            self,
            request,
            queryset,
            lambda event: services.event_change_capacity(actor=request.user, event=event, capacity=capacity),
            f"Capacity set to {capacity or 'unlimited'}",
        )

    @admin.action(description="Cancel the selected events (give the reason)")
    def cancel(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = request.POST.get("reason", "").strip()
        run_service_on_each(
            self,
            request,
            queryset,
            lambda event: services.event_cancel(actor=request.user, event=event, reason=reason),
            "Cancelled",
        )

    def _organizer_from_form(self, request: HttpRequest) -> User | None:
        """The account the action form names (``services.organizer_by_address``), or None after saying why."""
        try:
            return services.organizer_by_address(request.POST.get("organizer_email", ""))
        except DomainError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return None

    @admin.action(description="Add an organizer to the selected events (give their address); they are told")
    def add_organizer(self, request: HttpRequest, queryset: QuerySet) -> None:
        person = self._organizer_from_form(request)
        if person is None:
            return
        run_service_on_each(
            self,
            request,
            queryset,
            lambda event: services.event_organizer_add(actor=request.user, event=event, person=person),
            "Organizer added",
        )

    @admin.action(description="Remove an organizer from the selected events (give their address)")
    def remove_organizer(self, request: HttpRequest, queryset: QuerySet) -> None:
        person = self._organizer_from_form(request)
        if person is None:
            return
        run_service_on_each(
            self,
            request,
            queryset,
            lambda event: services.event_organizer_remove(actor=request.user, event=event, person=person),
            "Organizer removed",
        )


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("person", "event", "status", "organization", "created_at", "checked_in_at")
    list_filter = ("status",)
    search_fields = ("person__email", "person__name", "event__title")
    list_select_related = ("person", "event", "organization")
    fields = (
        "event",
        "person",
        "organization",
        "status",
        "created_at",
        "waitlisted_at",
        "confirmed_at",
        "cancelled_at",
        "checked_in_at",
        "reminder_sent_at",
    )
    readonly_fields = fields
    actions = ["cancel", "check_in"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people register on the portal or through the API

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancel instead: the seat goes to the first person waiting

    @admin.action(description="Cancel the selected registrations (seats go to people waiting)")
    def cancel(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset.select_related("event"),
            lambda registration: services.registration_cancel(actor=request.user, registration=registration),
            "Cancelled",
        )

    @admin.action(description="Check the selected attendees in")
    def check_in(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset.select_related("event"),
            lambda registration: services.registration_check_in(actor=request.user, registration=registration),
            "Checked in",
        )


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """Private feed addresses; reset one that leaked (the person copies the new one from My events)."""

    list_display = ("person", "created_at")
    search_fields = ("person__email", "person__name")
    list_select_related = ("person",)
    fields = ("person", "created_at")
    readonly_fields = fields
    actions = ["reset"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Reset the selected feed addresses (the old ones stop working)")
    def reset(self, request: HttpRequest, queryset: QuerySet) -> None:
        run_service_on_each(
            self,
            request,
            queryset.select_related("person"),
            lambda feed: services.calendar_feed_reset(actor=request.user, person=feed.person),
            "Reset",
        )
