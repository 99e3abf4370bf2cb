"""The projects API. Every write calls a service of ``projects.services``; every list filters in get_queryset.

DRF checks object permissions only in ``get_object()``, so each queryset below is already limited to what the
caller may see (``selectors.projects_visible_to``): a project outside it answers 404. Permission comes before
input: each action asks the service's ``require_may_*`` before it reads the body, so a caller who may not act
gets 403 whatever they sent; a service's refusal answers through the one exception handler. List filters are
parsed by projects/api/filters.py. The catalog's endpoints are in projects/catalog/api/views.py.
"""

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import filters, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.api.cached import ListCachedForVisitors
from alliance.api.filters import query_values
from alliance.api.inputs import ERROR, validated_input
from alliance.api.scoped import ParentScopedMixin
from alliance.errors import require_staff
from projects import selectors, services
from projects.models import FocusArea, Participation, Project, ProjectUpdate

from . import serializers as api
from .filters import ProjectListFilter

PROJECT_SLUG = OpenApiParameter(
    "project_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The project's slug."
)
# --- focus areas ------------------------------------------------------------------------------------------------


@extend_schema(tags=["focus areas"])
@extend_schema_view(list=extend_schema(summary="The themes of the alliance's work"))
class FocusAreaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Focus areas: everyone reads them; staff add and edit them."""

    serializer_class = api.FocusAreaSerializer
    lookup_field = "slug"
    filter_backends = [filters.SearchFilter]
    search_fields = ["name", "description"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = FocusArea.objects.order_by("name")

    @extend_schema(
        summary="Add a focus area (staff)",
        request=api.FocusAreaWriteSerializer,
        responses={201: api.FocusAreaSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request) -> Response:
        require_staff(request.user)
        data = validated_input(api.FocusAreaWriteSerializer, request)
        area = services.focus_area_create(actor=request.user, **data)
        return Response(self.get_serializer(area).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rename or describe a focus area (staff)",
        request=api.FocusAreaUpdateSerializer,
        responses={200: api.FocusAreaSerializer, 400: ERROR, 403: ERROR},
    )
    def update(self, request: Request, slug: str | None = None) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        summary="Rename or describe a focus area (staff)",
        request=api.FocusAreaUpdateSerializer,
        responses={200: api.FocusAreaSerializer, 400: ERROR, 403: ERROR},
    )
    def partial_update(self, request: Request, slug: str | None = None) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        area = self.get_object()
        require_staff(request.user)
        data = validated_input(api.FocusAreaUpdateSerializer, request, partial=partial)
        area = services.focus_area_update(actor=request.user, focus_area=area, **data)
        return Response(self.get_serializer(area).data)


# --- projects ---------------------------------------------------------------------------------------------------


def _action_schema(summary: str, request: Any = None, response: Any = api.ProjectSerializer, code: int = 200):
    return extend_schema(summary=summary, request=request, responses={code: response, 400: ERROR, 403: ERROR})


@extend_schema(tags=["projects"])
@extend_schema_view(
    list=extend_schema(
        summary="Projects you can see: listed ones, your own, and all of them for staff",
        parameters=[ProjectListFilter],
    ),
    retrieve=extend_schema(summary="A project; drafts and proposals only for their people and staff"),
)
class ProjectViewSet(ListCachedForVisitors, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    visitor_cache_areas = ("projects",)  # the list anonymous callers read is kept (alliance.api.cached)
    serializer_class = api.ProjectSerializer
    lookup_field = "slug"
    filter_backends: list = []  # the selector filters: state, kind, focus_area, organization, search
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        filters = query_values(self.request, ProjectListFilter) if self.action == "list" else {}
        return selectors.project_list(person=self.request.user, **filters)

    def _answer(self, project: Project, code: int = status.HTTP_200_OK) -> Response:
        """The project as it is now, annotated like the list; what the caller can no longer see answers 204."""
        fresh = selectors.project_list(person=self.request.user).filter(pk=project.pk).first()
        if fresh is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(self.get_serializer(fresh).data, status=code)

    @_action_schema("Start a draft proposal; you become its lead (members only)", api.ProjectWriteSerializer, code=201)
    def create(self, request: Request) -> Response:
        services.require_may_propose(request.user)
        data = validated_input(api.ProjectWriteSerializer, request)
        project = services.project_create(actor=request.user, **data)
        return self._answer(project, status.HTTP_201_CREATED)

    @_action_schema("Edit: the proposer a draft, leads a live project, staff any", api.ProjectUpdateSerializer)
    def partial_update(self, request: Request, slug: str | None = None) -> Response:
        project = self.get_object()
        services.require_may_edit(request.user, project)
        data = validated_input(api.ProjectUpdateSerializer, request, partial=True)
        services.project_update(
            actor=request.user,
            project=project,
            focus_areas=data.pop("focus_areas", None),
            sponsors=data.pop("sponsors", None),
            **data,
        )
        return self._answer(project)

    @_action_schema("Submit the draft for review (the proposer)")
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, slug: str | None = None) -> Response:
        return self._answer(services.project_submit(actor=request.user, project=self.get_object()))

    @_action_schema("Accept the proposal: it starts incubating (staff)", api.ProjectReasonSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, slug: str | None = None) -> Response:
        project = self.get_object()
        services.require_may_decide(request.user, project)
        data = validated_input(api.ProjectReasonSerializer, request)
        return self._answer(services.project_accept(actor=request.user, project=project, **data))

    @_action_schema("Reject the proposal with a reason the proposer reads (staff)", api.RejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, slug: str | None = None) -> Response:
        project = self.get_object()
        services.require_may_decide(request.user, project)
        data = validated_input(api.RejectSerializer, request)
        return self._answer(services.project_reject(actor=request.user, project=project, **data))

    @_action_schema("Promote an incubating project to active (staff)")
    @action(detail=True, methods=["post"])
    def promote(self, request: Request, slug: str | None = None) -> Response:
        return self._answer(services.project_promote(actor=request.user, project=self.get_object()))

    @_action_schema("Archive a live project (staff)", api.ProjectReasonSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, slug: str | None = None) -> Response:
        project = self.get_object()
        require_staff(request.user)
        data = validated_input(api.ProjectReasonSerializer, request)
        return self._answer(services.project_archive(actor=request.user, project=project, **data))

    @_action_schema("Bring an archived project back to active (staff)")
    @action(detail=True, methods=["post"])
    def revive(self, request: Request, slug: str | None = None) -> Response:
        return self._answer(services.project_revive(actor=request.user, project=self.get_object()))

    @_action_schema("Ask staff to archive the project (a lead)", api.ProjectReasonSerializer)
    @action(detail=True, methods=["post"], url_path="request-archive")
    def request_archive(self, request: Request, slug: str | None = None) -> Response:
        project = self.get_object()
        services.require_may_request_archive(request.user, project)
        data = validated_input(api.ProjectReasonSerializer, request)
        return self._answer(services.project_request_archive(actor=request.user, project=project, **data))

    @_action_schema(
        "Review the proposal with a recommendation (staff)", api.ReviewSerializer, api.ReviewSerializer, 201
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, slug: str | None = None) -> Response:
        project = self.get_object()
        require_staff(request.user)
        data = validated_input(api.ReviewSerializer, request)
        review = services.proposal_review_add(actor=request.user, project=project, **data)
        return Response(api.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @_action_schema(
        "Join an open project, or ask to join one that needs approval",
        api.ProjectJoinSerializer,
        api.ParticipantSerializer,
        201,
    )
    @action(detail=True, methods=["post"])
    def join(self, request: Request, slug: str | None = None) -> Response:
        project = self.get_object()
        services.require_may_join(request.user, project)
        data = validated_input(api.ProjectJoinSerializer, request)
        participation = services.participation_join(actor=request.user, project=project, **data)
        return Response(api.ParticipantSerializer(participation).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Leave the project (or withdraw a request to join)", request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, slug: str | None = None) -> Response:
        services.participation_leave(actor=request.user, project=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectScopedMixin(ParentScopedMixin[Project]):
    """Views under /projects/{slug}/: the project must be visible to the caller, or it is a 404."""

    parent_slug_kwarg = "project_slug"
    visible_parents = staticmethod(selectors.projects_visible_to)
    is_manager = staticmethod(selectors.is_project_lead)


@extend_schema(parameters=[PROJECT_SLUG], tags=["project participants"])
@extend_schema_view(
    list=extend_schema(
        summary="People of the project",
        description="Everyone who can see the project sees its participants; requests to join only its leads, "
        "staff and the person who asked.",
    ),
    destroy=extend_schema(
        summary="Remove someone (a lead), or yourself", responses={204: None, 400: ERROR, 403: ERROR}
    ),
)
class ParticipantViewSet(ProjectScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = api.ParticipantSerializer
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Participation]:
        if getattr(self, "swagger_fake_view", False):
            return Participation.objects.none()
        project = self.get_parent()
        participations = project.participations.select_related("person", "project").order_by("role", "created_at", "pk")
        if self.manages_parent():
            return participations
        return participations.filter(Q(status=Participation.Status.ACTIVE) | Q(person_id=self.request.user.pk))

    @_action_schema("Change a role (a lead)", api.ParticipantRoleSerializer, api.ParticipantSerializer)
    def partial_update(self, request: Request, pk: str | None = None, project_slug: str = "") -> Response:
        participation = self.get_object()
        services.require_may_manage_participants(request.user, participation.project)
        data = validated_input(api.ParticipantRoleSerializer, request)
        participation = services.participation_change_role(
            actor=request.user, participation=participation, role=data["role"]
        )
        return Response(self.get_serializer(participation).data)

    def destroy(self, request: Request, pk: str | None = None, project_slug: str = "") -> Response:
        services.participation_remove(actor=request.user, participation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @_action_schema("Approve a request to join (a lead)", None, api.ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None, project_slug: str = "") -> Response:
        participation = services.participation_approve(actor=request.user, participation=self.get_object())
        return Response(self.get_serializer(participation).data)

    @extend_schema(summary="Decline a request to join (a lead)", request=None, responses={204: None, 400: ERROR})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None, project_slug: str = "") -> Response:
        services.participation_decline(actor=request.user, participation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[PROJECT_SLUG], tags=["project updates"])
@extend_schema_view(list=extend_schema(summary="News of the project, newest first"))
class UpdateViewSet(ProjectScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = api.UpdateSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ProjectUpdate]:
        if getattr(self, "swagger_fake_view", False):
            return ProjectUpdate.objects.none()
        return self.get_parent().updates.select_related("author").order_by("-created_at", "-pk")

    @_action_schema("Post an update; participants are told (a lead)", api.UpdateSerializer, api.UpdateSerializer, 201)
    def create(self, request: Request, project_slug: str = "") -> Response:
        project = self.get_parent()
        services.require_may_post_update(request.user, project)
        data = validated_input(api.UpdateSerializer, request)
        update = services.project_update_post(actor=request.user, project=project, **data)
        return Response(self.get_serializer(update).data, status=status.HTTP_201_CREATED)
