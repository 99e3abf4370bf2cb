"""The catalog API at /api/v1/catalog/. Every write calls a service of ``projects.catalog.services``.

The queryset is the catalog as the caller may see it (``catalog_list``), so an entry outside it answers 404.
Permission comes before input: who may act is asked (``require_may_*``) before the body is read; submitting
reads only the body's ``project`` first, since that is what the right depends on.
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.api.filters import query_values
from alliance.api.inputs import ERROR, validated_input
from projects.models import CatalogEntry

from .. import selectors, services
from . import serializers as api
from .filters import CatalogListFilter


def _action_schema(summary: str, request: Any, code: int = 200) -> Any:
    return extend_schema(
        summary=summary, request=request, responses={code: api.CatalogEntrySerializer, 400: ERROR, 403: ERROR}
    )


@extend_schema(tags=["catalog"])
@extend_schema_view(
    list=extend_schema(
        summary="The catalog: published entries, and submitted ones of your projects (staff: all)",
        parameters=[CatalogListFilter],
    ),
    retrieve=extend_schema(summary="A catalog entry"),
)
class CatalogEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = api.CatalogEntrySerializer
    filter_backends: list = []  # the selector filters: kind, focus_area, status, license, search

    def get_queryset(self) -> QuerySet[CatalogEntry]:
        if getattr(self, "swagger_fake_view", False):
            return CatalogEntry.objects.none()
        filters = query_values(self.request, CatalogListFilter) if self.action == "list" else {}
        return selectors.catalog_list(person=self.request.user, **filters)

    def _answer(self, entry: CatalogEntry, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.catalog_list(person=self.request.user).get(pk=entry.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @_action_schema("Submit an entry of your project for validation (a lead)", api.CatalogEntryCreateSerializer, 201)
    def create(self, request: Request) -> Response:
        project = validated_input(api.CatalogEntryProjectSerializer, request)["project"]
        services.require_may_submit_catalog_entry(request.user, project)
        data = validated_input(api.CatalogEntryCreateSerializer, request)
        entry = services.catalog_entry_submit(actor=request.user, **data)
        return self._answer(entry, status.HTTP_201_CREATED)

    @_action_schema("Validate or renew against the checklist (staff)", api.ChecklistSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: str | None = None) -> Response:
        entry = self.get_object()
        services.require_may_validate_catalog_entry(request.user)
        data = validated_input(api.ChecklistSerializer, request)
        return self._answer(services.catalog_entry_validate(actor=request.user, entry=entry, **data))

    @_action_schema("Deprecate the entry (staff or a lead)", api.DeprecateSerializer)
    @action(detail=True, methods=["post"])
    def deprecate(self, request: Request, pk: str | None = None) -> Response:
        entry = self.get_object()
        services.require_may_deprecate_catalog_entry(request.user, entry)
        data = validated_input(api.DeprecateSerializer, request)
        return self._answer(services.catalog_entry_deprecate(actor=request.user, entry=entry, **data))
