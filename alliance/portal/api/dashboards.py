"""The top floor's API: an organization's contributions and the alliance's figures, read from every app."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.api.filters import query_values
from alliance.api.inputs import ERROR
from members import selectors as members
from members.models import Organization

from ..dashboards import alliance_stats, organization_contributions, period_of_dates


class ContributionsFilterSerializer(serializers.Serializer):
    """``?from=2026-01-01&to=2026-12-31``: both days included; either may be left out."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.DateField(required=False, help_text="The first day (YYYY-MM-DD)."),
            "to": serializers.DateField(required=False, help_text="The last day (YYYY-MM-DD)."),
        }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("from") and attrs.get("to") and attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": "The end comes before the start."})
        return attrs


ContributionsSerializer = inline_serializer(
    "Contributions",
    {
        "people": serializers.IntegerField(),
        "project_count": serializers.IntegerField(),
        "projects": serializers.ListField(
            child=inline_serializer(
                "ContributionProject",
                {"slug": serializers.CharField(), "roles": serializers.ListField(child=serializers.CharField())},
            )
        ),
        "events_registered": serializers.IntegerField(),
        "events_attended": serializers.IntegerField(),
        "catalog_entries": serializers.IntegerField(),
        "benchmark_submissions": serializers.IntegerField(),
        "committee_seats": serializers.IntegerField(),
        "ballots_voted": serializers.IntegerField(),
    },
)

_COUNTS = serializers.DictField(child=serializers.IntegerField())
StatsSerializer = inline_serializer(
    "AllianceStats",
    {
        "members_by_tier": _COUNTS,
        "members_by_kind": _COUNTS,
        "members_by_country": _COUNTS,
        "member_growth": _COUNTS,
        "applications_by_state": _COUNTS,
        "median_days_to_decision": serializers.FloatField(allow_null=True),
        "renewals_due": serializers.IntegerField(),
        "in_grace": serializers.IntegerField(),
        "lapsed": serializers.IntegerField(),
        "projects_by_state": _COUNTS,
        "events_registered": serializers.IntegerField(),
        "events_checked_in": serializers.IntegerField(),
        "catalog_expiring": serializers.IntegerField(),
        "notifications_failed": serializers.IntegerField(),
        "webhook_endpoints_disabled": serializers.IntegerField(),
    },
)


class ContributionsView(APIView):
    """``/organizations/{slug}/contributions/``: its people and staff; anyone else hears 404."""

    permission_classes = [permissions.AllowAny]  # the organization's people and staff; others 404 (below)

    @extend_schema(
        tags=["membership"],
        summary="What the organization's people did in a period, across projects, events, catalog, benchmarks "
        "and committees",
        parameters=[
            OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The organization's slug."),
            ContributionsFilterSerializer,
        ],
        responses={200: ContributionsSerializer, 400: ERROR, 404: ERROR},
    )
    def get(self, request: Request, slug: str) -> Response:
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None or not members.may_see_membership(request.user, organization):
            raise exceptions.NotFound("No organization with this slug.")
        dates = query_values(request, ContributionsFilterSerializer)
        figures = organization_contributions(organization, period_of_dates(dates.get("from"), dates.get("to")))
        return Response(figures.as_api())


class StatsView(APIView):
    """``/stats/``: the staff dashboard's figures (staff only)."""

    permission_classes = [permissions.IsAdminUser]

    @extend_schema(
        tags=["membership"],
        summary="The alliance's figures: members, applications, renewals, projects, events, catalog, deliveries "
        "(staff)",
        responses={200: StatsSerializer, 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        return Response(alliance_stats().as_api())
