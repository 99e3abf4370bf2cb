"""The notifications API: a person's own inbox and email preferences. Writes call ``alliance.notifications``.

Every queryset is the caller's own rows, so another person's notification answers 404; every action asks for a
signed-in caller (and a kind that exists) before it reads the body.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, filters, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from .. import notifications
from ..api.filters import query_values
from ..api.inputs import ERROR, validated_input
from ..models import Notification, NotificationPreference


class NotificationSerializer(serializers.ModelSerializer):
    unread = serializers.SerializerMethodField(help_text="Whether the person has not marked it read yet.")
    emailed = serializers.SerializerMethodField(help_text="Whether the email went out (false if turned off).")

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "url", "created_at", "read_at", "unread", "emailed"]
        read_only_fields = fields

    def get_unread(self, notification: Notification) -> bool:
        return notification.read_at is None

    def get_emailed(self, notification: Notification) -> bool:
        return notification.status == Notification.Status.SENT


class NotificationQuerySerializer(serializers.Serializer):
    """``?kind=events&unread=true``: the filters of the inbox page, handed to ``notifications.inbox``."""

    kind = serializers.ChoiceField(
        choices=Notification.Kind.choices,
        required=False,
        allow_blank=True,
        help_text="Only the notifications of this category (the inbox's Category column).",
    )
    unread = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only unread ones; false: only read ones.",
    )


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first (filter with ?unread=true and ?kind=, the category)",
        parameters=[NotificationQuerySerializer],
        responses={200: NotificationSerializer(many=True), 400: ERROR},
    ),
    retrieve=extend_schema(summary="One of your notifications"),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's in-app inbox: every notification recorded for them, emailed or not."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        if self.action == "list":
            return notifications.inbox(
                person=self.request.user, **query_values(self.request, NotificationQuerySerializer)
            )
        return notifications.inbox(person=self.request.user)

    @extend_schema(summary="Mark it read", request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = notifications.notification_mark_read(actor=request.user, notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all your notifications read",
        request=None,
        responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request: Request) -> Response:
        return Response({"marked": notifications.notifications_mark_all_read(actor=request.user)})


class NotificationPreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationPreference.Kind.choices, read_only=True)
    email_enabled = serializers.BooleanField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # ``label`` is also the name of every field's own attribute, so it cannot be declared as a class attribute.
        declared = super().get_fields()
        return {"kind": declared.pop("kind"), "label": serializers.CharField(read_only=True), **declared}


def _preference(kind: str, enabled: bool) -> dict[str, Any]:
    return {"kind": kind, "label": NotificationPreference.Kind(kind).label, "email_enabled": enabled}


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(summary="Which kinds of email you get (transactional mail always goes)"),
    retrieve=extend_schema(summary="Your preference for one kind"),
    update=extend_schema(
        summary="Turn the email of one kind on or off", responses={200: NotificationPreferenceSerializer, 400: ERROR}
    ),
    partial_update=extend_schema(
        summary="Turn the email of one kind on or off", responses={200: NotificationPreferenceSerializer, 400: ERROR}
    ),
)
class NotificationPreferenceViewSet(viewsets.ViewSet):
    """The caller's email preferences, one per kind (membership, projects, events, digests), defaults included."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NotificationPreferenceSerializer
    lookup_field = "kind"
    lookup_value_regex = "|".join(NotificationPreference.Kind.values)

    def list(self, request: Request) -> Response:
        current = notifications.email_preferences(person=request.user)
        return Response(
            NotificationPreferenceSerializer([_preference(kind, on) for kind, on in current.items()], many=True).data
        )

    def retrieve(self, request: Request, kind: str = "") -> Response:
        current = notifications.email_preferences(person=request.user)
        if kind not in current:
            raise exceptions.NotFound()
        return Response(NotificationPreferenceSerializer(_preference(kind, current[kind])).data)

    def update(self, request: Request, kind: str = "") -> Response:
        if kind not in notifications.PREFERENCE_KINDS:  # a kind one cannot turn off is not here at all
            raise exceptions.NotFound()
        data = validated_input(NotificationPreferenceSerializer, request)
        preference = notifications.notification_preference_set(
            person=request.user, kind=kind, email_enabled=data["email_enabled"]
        )
        return Response(NotificationPreferenceSerializer(_preference(kind, preference.email_enabled)).data)

    def partial_update(self, request: Request, kind: str = "") -> Response:
        return self.update(request, kind=kind)


def register(router: DefaultRouter) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
    router.register("notification-preferences", NotificationPreferenceViewSet, basename="notification-preference")
