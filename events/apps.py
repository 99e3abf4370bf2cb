from django.apps import AppConfig


class EventsConfig(AppConfig):
    """Events, registrations, waitlists and calendars (filled by the events issue)."""

    name = "events"
