"""The events API. Every write calls a service in events/services/; every list filters in get_queryset,
with the query parsed by the serializers of ``events/api/filters.py`` and handed to the selectors the pages use.

DRF checks object permissions only in ``get_object()``, so each queryset below is already limited to what the
caller may see (``events.selectors.events_visible_to``): an event outside it answers 404, and a service's
``NotPermitted`` answers 403 through the one exception handler.
"""

from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, filters, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.api.cached import ListCachedForVisitors
from alliance.api.filters import query_values
from alliance.api.inputs import ERROR, validated_input
from events import selectors, services
from events.models import Event, Registration
from members.models import User

from . import serializers as api
from .filters import EventListQuery, RegistrationListQuery

EVENT_SLUG = OpenApiParameter("event_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The event's slug.")
NOT_ORGANIZER = "Only the event's organizers and staff can do this."


class AcceptHeaderNegotiation(DefaultContentNegotiation):
    """Content is chosen by the Accept header only: ``?format=`` filters events by their format here."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


@extend_schema(tags=["events"])
@extend_schema_view(
    list=extend_schema(
        summary="Events you can see",
        description="Published and cancelled events (members-only ones for people of member organizations), "
        "and the drafts you organize. Staff see all.",
        parameters=[EventListQuery],
    ),
    retrieve=extend_schema(summary="An event, with your own registration"),
)
class EventViewSet(ListCachedForVisitors, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    visitor_cache_areas = ("events",)  # the list anonymous callers read is kept (alliance.api.cached)
    serializer_class = api.EventSerializer
    content_negotiation_class = AcceptHeaderNegotiation
    lookup_field = "slug"
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["starts_at", "title", "published_at"]
    ordering = ["starts_at", "pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Event]:
        """The list filters by the query, through the selector the events page uses; the rest ignore the query."""
        values = query_values(self.request, EventListQuery) if self.action == "list" else {}
        return selectors.event_list(person=self.request.user, **{"when": "", **values})

    def _answer(self, event: Event, *, code: int = status.HTTP_200_OK) -> Response:
        """The event as the caller now sees it (fresh counts, their registration)."""
        fresh = selectors.event_for_viewer(person=self.request.user, slug=event.slug)
        return Response(self.get_serializer(fresh).data, status=code)

    def _organized_object(self) -> Event:
        event = self.get_object()
        if not event.viewer_is_organizer:
            raise exceptions.PermissionDenied(NOT_ORGANIZER)
        return event

    @extend_schema(
        summary="Create a draft event (staff, or a lead of the hosting project)",
        request=api.EventCreateSerializer,
        responses={201: api.EventSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request) -> Response:
        services.event_create_check(actor=request.user)  # permission before input
        data = validated_input(api.EventCreateSerializer, request)
        if "timezone" in data:
            data["timezone_name"] = data.pop("timezone")
        event = services.event_create(actor=request.user, **data)
        return self._answer(event, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Replace the details (organizers)",
        request=api.EventUpdateSerializer,
        responses={200: api.EventSerializer, 400: ERROR, 403: ERROR},
    )
    def update(self, request: Request, slug: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some details (organizers); changing the capacity moves people on the waitlist",
        request=api.EventUpdateSerializer,
        responses={200: api.EventSerializer, 400: ERROR, 403: ERROR},
    )
    def partial_update(self, request: Request, slug: str | None = None) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        event = self._organized_object()
        data = validated_input(api.EventUpdateSerializer, request, partial=partial)
        with transaction.atomic():  # the details and the capacity change together or not at all
            if "capacity" in data:
                capacity = data.pop("capacity")
                if capacity != event.capacity:
                    event = services.event_change_capacity(actor=request.user, event=event, capacity=capacity)
            if data:
                event = services.event_update(actor=request.user, event=event, **data)
        return self._answer(event)

    @extend_schema(summary="Publish a draft (organizers)", request=None, responses={200: api.EventSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, slug: str | None = None) -> Response:
        event = services.event_publish(actor=request.user, event=self._organized_object())
        return self._answer(event)

    @extend_schema(
        summary="Cancel the event (organizers); everyone registered is told",
        request=api.EventCancelSerializer,
        responses={200: api.EventSerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, slug: str | None = None) -> Response:
        event = self._organized_object()  # permission before input
        data = validated_input(api.EventCancelSerializer, request)
        event = services.event_cancel(actor=request.user, event=event, reason=data["reason"])
        return self._answer(event)

    @extend_schema(
        summary="Register: a seat when one is free, else the waitlist",
        request=None,
        responses={201: api.MyRegistrationSerializer, 400: ERROR, 403: ERROR},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def register(self, request: Request, slug: str | None = None) -> Response:
        event = selectors.event_visible(person=request.user, slug=slug or "")  # the row alone: no viewer annotations
        if event is None:
            raise exceptions.NotFound()
        registration = services.event_register(actor=request.user, event=event)
        return Response(api.MyRegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel your registration (or leave the waitlist)",
        request=None,
        responses={200: api.MyRegistrationSerializer, 400: ERROR},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="cancel-registration",
        permission_classes=[permissions.IsAuthenticated],
    )
    def cancel_registration(self, request: Request, slug: str | None = None) -> Response:
        registration = services.event_registration_cancel(actor=request.user, event=self.get_object())
        return Response(api.MyRegistrationSerializer(registration).data)


class OrganizesEvent(permissions.BasePermission):
    """The event's organizers and staff; others get 403 when they can see the event, else 404."""

    message = NOT_ORGANIZER

    def has_permission(self, request: Request, view: Any) -> bool:
        event = view.get_event()
        return bool(request.user and request.user.is_authenticated) and event.viewer_is_organizer


class EventScopedMixin:
    """Views under /events/{event_slug}/: the event as the caller sees it, or 404; kept for the request."""

    kwargs: dict[str, Any]
    request: Request

    def get_event(self) -> Event:
        if not hasattr(self, "_event"):
            event = selectors.event_for_viewer(person=self.request.user, slug=self.kwargs["event_slug"])
            if event is None:
                raise exceptions.NotFound("No event here.")
            self._event = event
        return self._event


@extend_schema(parameters=[EVENT_SLUG], tags=["event registrations"])
@extend_schema_view(
    list=extend_schema(summary="Registrations of the event (organizers), filtered by status"),
    retrieve=extend_schema(summary="One registration (organizers)"),
)
class RegistrationViewSet(EventScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = api.RegistrationSerializer
    permission_classes = [OrganizesEvent]
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["created_at", "waitlisted_at", "confirmed_at"]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Registration]:
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        values = query_values(self.request, RegistrationListQuery) if self.action == "list" else {}
        return selectors.event_registrations(self.get_event(), **values)

    @extend_schema(parameters=[RegistrationListQuery])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Check the attendee in (organizers)", request=None, responses={200: api.RegistrationSerializer}
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, pk: str | None = None, event_slug: str = "") -> Response:
        registration = services.registration_check_in(actor=request.user, registration=self.get_object())
        fresh = get_object_or_404(self.get_queryset(), pk=registration.pk)
        return Response(self.get_serializer(fresh).data)


@extend_schema(parameters=[EVENT_SLUG], tags=["event organizers"])
@extend_schema_view(
    list=extend_schema(summary="Organizers of the event (organizers)"),
    destroy=extend_schema(
        summary="Remove an organizer (organizers, themselves included); the last one stays",
        parameters=[
            OpenApiParameter(
                "user_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The id of the organizer's account."
            )
        ],
        responses={204: None, 400: ERROR, 403: ERROR},
    ),
)
class OrganizerViewSet(EventScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The people who organize an event; only they and staff see or change the list."""

    serializer_class = api.PersonSummarySerializer
    permission_classes = [OrganizesEvent]
    filter_backends: list = []
    lookup_url_kwarg = "user_id"
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[User]:
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return selectors.event_organizers(self.get_event())

    @extend_schema(
        summary="Add an organizer by the address of their account (organizers); they are told",
        request=api.OrganizerAddSerializer,
        responses={201: api.PersonSummarySerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request, event_slug: str = "") -> Response:
        email = validated_input(api.OrganizerAddSerializer, request)["email"]  # after OrganizesEvent: permission first
        person = services.organizer_by_address(email)
        services.event_organizer_add(actor=request.user, event=self.get_event(), person=person)
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, user_id: str | None = None, event_slug: str = "") -> Response:
        services.event_organizer_remove(actor=request.user, event=self.get_event(), person=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
