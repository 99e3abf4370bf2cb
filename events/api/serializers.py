"""Shapes of the events API: output serializers for reading, input serializers that only validate.

Input serializers never save: the views hand their ``validated_data`` to the services in events/services/.
The online link is part of an event only for its confirmed attendees and organizers.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.api.fields import DetailUrlField, FieldsBuiltOnce
from alliance.locale import time_zone_choices
from events import selectors, services
from events.models import SEATS_MAX, Event, Registration
from projects.models import Project
from projects.selectors import projects_visible_to

CHOICE_ERRORS = {"invalid_choice": '"{input}" is not one of the choices.'}


class MyRegistrationSerializer(serializers.ModelSerializer):
    """The caller's own registration: its status and, when waiting, the place in the queue."""

    event = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    waitlist_position = serializers.SerializerMethodField(help_text="1 for the first person waiting; null otherwise.")

    class Meta:
        model = Registration
        fields = ["id", "event", "status", "waitlist_position", "created_at", "confirmed_at", "cancelled_at"]
        read_only_fields = fields

    def get_waitlist_position(self, registration: Registration) -> int | None:
        if registration.status != Registration.Status.WAITLISTED:
            return None
        if hasattr(registration, "position"):
            return registration.position
        return services.waitlist_position(registration)


class EventSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    url = DetailUrlField(view_name="event-detail", lookup_field="slug")
    project = serializers.SerializerMethodField(
        help_text="The hosting project's slug; null when there is none or you may not see that project."
    )
    online_url = serializers.SerializerMethodField(
        help_text="Only for confirmed attendees and organizers; an empty string for everyone else."
    )
    seats_left = serializers.IntegerField(read_only=True, allow_null=True, help_text="Null when unlimited.")
    my_registration = serializers.SerializerMethodField(help_text="Your active registration, if you hold one.")

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "description",
            "kind",
            "format",
            "venue",
            "online_url",
            "starts_at",
            "ends_at",
            "timezone",
            "project",
            "visibility",
            "status",
            "capacity",
            "confirmed_count",
            "seats_left",
            "waitlist_enabled",
            "organization_seat_cap",
            "registration_opens_at",
            "registration_closes_at",
            "published_at",
            "my_registration",
            "url",
        ]
        read_only_fields = fields

    def get_project(self, event: Event) -> str | None:
        if event.project_id is None or not getattr(event, "viewer_sees_project", False):
            return None
        return event.project.slug

    def get_online_url(self, event: Event) -> str:
        registration = selectors.viewer_registration(event)
        confirmed = registration is not None and registration.status == Registration.Status.CONFIRMED
        return event.online_url if confirmed or getattr(event, "viewer_is_organizer", False) else ""

    @extend_schema_field(MyRegistrationSerializer(allow_null=True))
    def get_my_registration(self, event: Event) -> dict[str, Any] | None:
        registration = selectors.viewer_registration(event)
        if registration is None:
            return None
        registration.event = event
        return MyRegistrationSerializer(registration).data


class EventUpdateSerializer(serializers.Serializer):
    """What organizers may change; ``capacity`` goes through its own service (it moves the waitlist)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Event.Kind.choices, error_messages=CHOICE_ERRORS)
    format = serializers.ChoiceField(choices=Event.Format.choices, error_messages=CHOICE_ERRORS)
    venue = serializers.CharField(max_length=300, required=False, allow_blank=True)
    online_url = serializers.URLField(required=False, allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.ChoiceField(
        choices=time_zone_choices(),
        required=False,
        error_messages={"invalid_choice": '"{input}" is not a time zone name (for example Europe/Berlin).'},
        help_text="IANA time zone name, such as Europe/Berlin. UTC when left out.",
    )
    visibility = serializers.ChoiceField(choices=Event.Visibility.choices, required=False, error_messages=CHOICE_ERRORS)
    capacity = serializers.IntegerField(
        min_value=1, max_value=SEATS_MAX, required=False, allow_null=True, help_text="Null: unlimited."
    )
    waitlist_enabled = serializers.BooleanField(required=False)
    organization_seat_cap = serializers.IntegerField(min_value=1, max_value=SEATS_MAX, required=False, allow_null=True)
    registration_opens_at = serializers.DateTimeField(required=False, allow_null=True)
    registration_closes_at = serializers.DateTimeField(required=False, allow_null=True)


class EventCreateSerializer(EventUpdateSerializer):
    slug = serializers.SlugField(max_length=80, required=False, help_text="Chosen from the title when left out.")
    project = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Project.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": "There is no project at the address “{value}”."},
        help_text="The hosting project's slug; project leads may create events only for their projects.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A project the caller may not see is answered like one that does not exist.
        request = self.context.get("request")
        self.fields["project"].queryset = projects_visible_to(request.user if request else None)


class EventCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Sent to everyone registered."
    )


class PersonSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class OrganizerAddSerializer(serializers.Serializer):
    """Who to add: the address of their account on the portal (``services.organizer_by_address`` finds it)."""

    email = serializers.EmailField(help_text="The address of the person's account on the portal.")


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration as the event's organizers see it."""

    person = PersonSummarySerializer(
        read_only=True, allow_null=True, help_text="Null once anonymized (RETENTION_EVENT_DAYS after the event)."
    )
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    waitlist_position = serializers.IntegerField(source="position", read_only=True, allow_null=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "person",
            "organization",
            "status",
            "waitlist_position",
            "created_at",
            "waitlisted_at",
            "confirmed_at",
            "cancelled_at",
            "checked_in_at",
        ]
        read_only_fields = fields
