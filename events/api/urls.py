"""The events API: viewsets registered on the one router."""

from rest_framework.routers import DefaultRouter

from . import views


def register(router: DefaultRouter) -> None:
    router.register("events", views.EventViewSet, basename="event")
    router.register(
        r"events/(?P<event_slug>[-a-zA-Z0-9_]+)/registrations", views.RegistrationViewSet, basename="event-registration"
    )
    router.register(
        r"events/(?P<event_slug>[-a-zA-Z0-9_]+)/organizers", views.OrganizerViewSet, basename="event-organizer"
    )
