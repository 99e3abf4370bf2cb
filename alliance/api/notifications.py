"""The notifications API: a person's own inbox and email preferences. Writes call alliance.notifications.

Every queryset is the caller's own rows, so another person's notification answers 404.
"""

from django.db.models import QuerySet
from django_filters import rest_framework as django_filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, filters, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from alliance import notifications
from alliance.models import Notification, NotificationPreference

ERROR = OpenApiResponse(description='A JSON error: {"detail": "...", "errors": {"field": ["..."]}}')


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


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Only unread (true)")

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


@extend_schema(tags=["notifications"])
@extend_schema_view(
    list=extend_schema(summary="Your notifications, newest first (filter with ?unread=true)"),
    retrieve=extend_schema(summary="One of your notifications"),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's in-app inbox: every notification recorded for them, emailed or not."""

    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = [django_filters.DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = NotificationFilter
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notifications.inbox(person=self.request.user)

    @extend_schema(summary="Mark it read", request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = notifications.notification_mark_read(person=request.user, notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all your notifications read",
        request=None,
        responses={200: inline_serializer("MarkedRead", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request: Request) -> Response:
        return Response({"marked": notifications.notifications_mark_all_read(person=request.user)})


class NotificationPreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationPreference.Kind.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    email_enabled = serializers.BooleanField()


def _preference(kind: str, enabled: bool) -> dict:
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
        if kind not in NotificationPreference.Kind.values:
            raise exceptions.NotFound()
        serializer = NotificationPreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference = notifications.notification_preference_set(
            person=request.user, kind=kind, email_enabled=serializer.validated_data["email_enabled"]
        )
        return Response(NotificationPreferenceSerializer(_preference(kind, preference.email_enabled)).data)

    def partial_update(self, request: Request, kind: str = "") -> Response:
        return self.update(request, kind=kind)


def register(router: DefaultRouter) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
    router.register("notification-preferences", NotificationPreferenceViewSet, basename="notification-preference")
