"""Forms of the events pages: they validate what a person typed; the services decide and write.

Dates and times are typed as the wall-clock time of the event's own time zone (a ``datetime-local`` input) and
made aware in that zone here, so "18:00 Europe/Brussels" means 18:00 in Brussels whatever the server's zone.
"""

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from alliance.locale import TimeZoneField, offered_zone, offered_zones, time_zone_choices
from projects.models import FocusArea, Project

from .models import SEATS_MAX, Event, Registration

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
EVENT_TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time without a zone: the form attaches the event's time zone in ``clean``."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)

    def to_python(self, value: Any) -> datetime | None:
        result = super().to_python(value)
        return timezone.make_naive(result) if result is not None else None


class EventForm(forms.Form):
    """The details of an event, for creating it and for its organizers to edit (capacity has its own form)."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8}), help_text="Markdown: **bold**, lists, links."
    )
    kind = forms.ChoiceField(choices=Event.Kind.choices)
    format = forms.ChoiceField(choices=Event.Format.choices)
    timezone = TimeZoneField(
        label="Time zone", choices=time_zone_choices, initial="Europe/Brussels", help_text="Where the event happens."
    )
    starts_at = WallClockDateTimeField(label="Starts", help_text="In the event's time zone.")
    ends_at = WallClockDateTimeField(label="Ends", help_text="In the event's time zone.")
    venue = forms.CharField(required=False, max_length=300, help_text="The address, for in-person and hybrid events.")
    online_url = forms.URLField(
        label="Online link",
        required=False,
        assume_scheme="https",
        help_text="For virtual and hybrid events; shown only to confirmed attendees and organizers.",
    )
    visibility = forms.ChoiceField(
        choices=Event.Visibility.choices,
        help_text="Members-only events are seen, and can be joined, only by people of member organizations.",
    )
    capacity = forms.IntegerField(
        required=False, min_value=1, max_value=SEATS_MAX, help_text="The number of seats; leave empty for unlimited."
    )
    waitlist_enabled = forms.BooleanField(label="Keep a waitlist when the event is full", required=False, initial=True)
    organization_seat_cap = forms.IntegerField(
        label="Seats per organization",
        required=False,
        min_value=1,
        max_value=SEATS_MAX,
        help_text="At most this many confirmed seats per organization; leave empty for no limit.",
    )
    registration_opens_at = WallClockDateTimeField(
        label="Registration opens", required=False, help_text="Leave empty to open it on publication."
    )
    registration_closes_at = WallClockDateTimeField(
        label="Registration closes", required=False, help_text="Leave empty to close it when the event starts."
    )
    project = forms.ModelChoiceField(
        label="Hosting project",
        queryset=Project.objects.none(),
        required=False,
        to_field_name="slug",
        help_text="Leads of a project can create events that it hosts.",
    )

    def __init__(self, *args: Any, projects: Any = None, project_required: bool = False, editing: bool = False, **kw):
        super().__init__(*args, **kw)
        if editing:
            del self.fields["project"]
            del self.fields["capacity"]  # changed with its own form: it moves people on the waitlist
        else:
            self.fields["project"].queryset = projects if projects is not None else Project.objects.none()
            self.fields["project"].required = project_required
            if project_required:
                self.fields["project"].help_text = "As a project lead, you create events for your projects."
        stored_zone = self.initial.get("timezone")
        if stored_zone and stored_zone not in offered_zones():  # a valid zone the list leaves out (Etc/GMT+5)
            zones = self.fields["timezone"]
            zones.choices = [("As saved", [(stored_zone, stored_zone.replace("_", " "))]), *zones.choices]

    @classmethod
    def initial_for(cls, event: Event) -> dict[str, Any]:
        """The event's values, its times as wall-clock times of its own zone."""
        initial: dict[str, Any] = {name: getattr(event, name) for name in cls.base_fields if hasattr(event, name)}
        initial["timezone"] = offered_zone(event.timezone)  # an alias shows as the zone it names, preselected
        for name in EVENT_TIMES:
            value = getattr(event, name)
            initial[name] = timezone.make_naive(value, event.tzinfo).replace(second=0, microsecond=0) if value else None
        return initial

    def changes_to(self, event: Event) -> dict[str, Any]:
        """The fields whose value differs from the event's. A time typed as shown (to the minute, in an unchanged
        zone) is not a change, so saving the form never moves an event by its seconds."""
        initial = self.initial_for(event)
        same_zone = offered_zone(self.cleaned_data.get("timezone") or "") == offered_zone(event.timezone)
        changes = {}
        for name, value in self.cleaned_data.items():
            if name == "timezone" and same_zone:
                continue  # "US/Eastern" saved as "America/New_York" is the same zone: the stored name stays
            typed_as_shown = (
                name in EVENT_TIMES
                and value is not None
                and same_zone
                and timezone.make_naive(value, event.tzinfo) == initial[name]
            )
            if not typed_as_shown and value != getattr(event, name):
                changes[name] = value
        return changes

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        zone = zoneinfo.ZoneInfo(cleaned.get("timezone") or "UTC")
        for name in EVENT_TIMES:
            if cleaned.get(name) is not None:
                cleaned[name] = timezone.make_aware(cleaned[name], zone)
        return cleaned  # whether the times fit together is the services' rule: they refuse, the view shows it


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=SEATS_MAX,
        help_text="Leave empty for unlimited. Raising it gives seats to people waiting.",
    )


class CancelEventForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to everyone registered or waiting.",
    )


class OrganizerAddForm(forms.Form):
    """Who to add as an organizer: the address of their account (``services.organizer_by_address`` finds it, and
    the services decide whether they may)."""

    email = forms.EmailField(
        label="Add an organizer",
        help_text="The email address of their account on the portal; they are told by email.",
    )


class EventFilterForm(forms.Form):
    """The event list's search and filters; every field may be empty and a bad value is simply ignored."""

    WHEN_CHOICES = [("upcoming", "Upcoming"), ("past", "Past")]

    when = forms.ChoiceField(label="When", choices=WHEN_CHOICES, required=False)
    q = forms.CharField(label="Search", required=False, max_length=100)
    kind = forms.ChoiceField(label="Kind", required=False)
    format = forms.ChoiceField(label="Format", required=False)
    focus_area = forms.ChoiceField(label="Focus area", required=False)
    project = forms.ChoiceField(label="Hosting project", required=False)

    def __init__(self, *args: Any, focus_areas: list[FocusArea] = (), projects: list[Project] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "All kinds"), *Event.Kind.choices]
        self.fields["format"].choices = [("", "All formats"), *Event.Format.choices]
        self.fields["focus_area"].choices = [("", "All focus areas")] + [(area.slug, area.name) for area in focus_areas]
        self.fields["project"].choices = [("", "All projects")] + [
            (project.slug, project.title) for project in projects
        ]

    def filters(self) -> dict[str, str]:
        names = ("when", "kind", "format", "focus_area", "project")
        values = {
            name: value if (value := str(self.data.get(name, ""))) in dict(self.fields[name].choices) else ""
            for name in names
        }
        values["when"] = values["when"] or "upcoming"
        values["search"] = str(self.data.get("q", ""))[:100].strip()
        return values


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All statuses"), *Registration.Status.choices]
    )

    def status_filter(self) -> str:
        value = str(self.data.get("status", ""))
        return value if value in Registration.Status.values else ""
