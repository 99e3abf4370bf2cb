"""The governance API. Every write calls a service; every list filters with the selectors the pages use.

Committees and their members are public. A ballot the caller may not see answers 404 (``ballots_visible_to``).
Permission comes before input: each write asks the same ``require_*`` check its service asks, and only then reads
the body, so a caller without the right hears 403 whatever they sent.
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.api.filters import query_values
from alliance.api.inputs import ERROR, validated_input
from alliance.errors import NotPermitted, require_staff
from alliance.governance import selectors, services
from alliance.governance.models import Ballot, Committee, CommitteeMember
from projects.selectors import projects_visible_to

from . import serializers as api
from .filters import BallotQuerySerializer, CommitteeQuerySerializer

COMMITTEE_SLUG = OpenApiParameter(
    "committee_slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="The committee's slug."
)


def _visible_project_ids(request: Request) -> set[int]:
    """The projects of working groups the caller may see (one query), so a hidden project is never named."""
    return set(
        projects_visible_to(request.user).filter(committees__isnull=False).values_list("pk", flat=True).distinct()
    )


@extend_schema(tags=["committees"])
@extend_schema_view(
    list=extend_schema(summary="Committees (public)", parameters=[CommitteeQuerySerializer]),
    retrieve=extend_schema(summary="A committee with its members (public names only)"),
)
class CommitteeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = api.CommitteeSerializer
    lookup_field = "slug"
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Committee]:
        if self.action == "list":
            return selectors.committee_list(**query_values(self.request, CommitteeQuerySerializer))
        return selectors.committee_list()

    def get_serializer_context(self) -> dict[str, Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a database (`check --deploy`)
            return {**super().get_serializer_context(), "visible_project_ids": set()}
        return {**super().get_serializer_context(), "visible_project_ids": _visible_project_ids(self.request)}

    def retrieve(self, request: Request, slug: str | None = None) -> Response:
        committee = self.get_object()
        context = {**self.get_serializer_context(), "members": selectors.committee_members(committee)}
        return Response(api.CommitteeDetailSerializer(committee, context=context).data)

    @extend_schema(
        summary="Create a committee (staff)",
        request=api.CommitteeCreateSerializer,
        responses={201: api.CommitteeDetailSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request) -> Response:
        actor = selectors.signed_in_person(request.user)
        require_staff(request.user)
        data = validated_input(api.CommitteeCreateSerializer, request)
        committee = services.committee_create(actor=actor, **data)
        fresh = selectors.committee_list().get(pk=committee.pk)
        context = {**self.get_serializer_context(), "members": []}
        return Response(api.CommitteeDetailSerializer(fresh, context=context).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[COMMITTEE_SLUG], tags=["committees"])
@extend_schema_view(list=extend_schema(summary="Who sits on the committee (public names only)"))
class CommitteeMemberViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = api.CommitteeMemberSerializer
    queryset = CommitteeMember.objects.none()  # the model, for the schema; get_queryset gives the rows
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_committee(self) -> Committee:
        if not hasattr(self, "_committee"):
            committee = selectors.committee_by_slug(self.kwargs["committee_slug"])
            if committee is None:
                raise exceptions.NotFound("No committee here.")
            self._committee = committee
        return self._committee

    def get_queryset(self) -> QuerySet[CommitteeMember]:
        return selectors.committee_members(self.get_committee())

    @extend_schema(
        summary="Seat a person (staff or a chair)",
        request=api.CommitteeMemberAddSerializer,
        responses={201: api.CommitteeMemberSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = selectors.signed_in_person(request.user)
        committee = self.get_committee()
        services.require_committee_manager(request.user, committee)
        data = validated_input(api.CommitteeMemberAddSerializer, request)
        member = services.committee_member_add(actor=actor, committee=committee, **data)
        return Response(api.CommitteeMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Give up a seat (staff or a chair)", responses={204: None, 403: ERROR, 404: ERROR})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        actor = selectors.signed_in_person(request.user)
        committee = self.get_committee()
        services.require_committee_manager(request.user, committee)
        member = get_object_or_404(committee.members.select_related("committee"), pk=kwargs.get("pk"))
        services.committee_member_remove(actor=actor, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["ballots"])
@extend_schema_view(
    list=extend_schema(
        summary="Ballots you can see",
        description="Open and past ballots of the committees you sit on; drafts of those you chair. Staff see all.",
        parameters=[BallotQuerySerializer],
    ),
    retrieve=extend_schema(summary="A ballot, with your vote", responses={200: api.BallotDetailSerializer}),
)
class BallotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = api.BallotSerializer
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Ballot]:
        if self.action == "list":
            return selectors.ballot_list(person=self.request.user, **query_values(self.request, BallotQuerySerializer))
        return selectors.ballot_list(person=self.request.user)

    def get_object(self) -> Ballot:
        ballot = selectors.ballot_for_viewer(person=self.request.user, pk=self.kwargs.get("pk"))
        if ballot is None:
            raise exceptions.NotFound("No ballot here.")
        return ballot

    def _answer(self, ballot: Ballot, *, code: int = status.HTTP_200_OK) -> Response:
        """The ballot as the caller now sees it, with their vote."""
        fresh = selectors.ballot_for_viewer(person=self.request.user, pk=ballot.pk)
        if fresh is None:
            raise exceptions.NotFound("No ballot here.")
        place = selectors.ballot_place(self.request.user, fresh)
        context = {
            **self.get_serializer_context(),
            "may_vote": place is not None and selectors.ballot_accepts_votes(fresh),
            "my_vote": selectors.vote_standing_for(place) if not fresh.is_closed else None,
        }
        return Response(api.BallotDetailSerializer(fresh, context=context).data, status=code)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return self._answer(self.get_object())

    @extend_schema(
        summary="Draft a ballot (staff, or a chair of the committee)",
        request=api.BallotCreateSerializer,
        responses={201: api.BallotDetailSerializer, 400: ERROR, 403: ERROR},
    )
    def create(self, request: Request) -> Response:
        actor = selectors.signed_in_person(request.user)
        if not selectors.may_create_ballots(request.user):
            raise NotPermitted(services.NOT_A_MANAGER)
        named = request.data.get("committee") if hasattr(request.data, "get") else None
        committee = selectors.committee_by_slug(named) if isinstance(named, str) else None
        if committee is not None:
            services.require_committee_manager(request.user, committee)
        data = validated_input(api.BallotCreateSerializer, request)
        ballot = services.ballot_create(actor=actor, **data)
        return self._answer(ballot, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a draft (staff, or a chair of the committee)",
        request=api.BallotWriteSerializer,
        responses={200: api.BallotDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        actor = selectors.signed_in_person(request.user)
        ballot = self.get_object()
        services.require_ballot_manager(request.user, ballot)
        data = validated_input(api.BallotWriteSerializer, request, partial=True)
        return self._answer(services.ballot_update(actor=actor, ballot=ballot, **data))

    @extend_schema(
        summary="Open the ballot now: its electorate is frozen (staff, or a chair)",
        request=None,
        responses={200: api.BallotDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def open(self, request: Request, pk: str | None = None) -> Response:
        actor = selectors.signed_in_person(request.user)
        return self._answer(services.ballot_open(actor=actor, ballot=self.get_object()))

    @extend_schema(
        summary="Close the ballot now and count it (staff, or a chair)",
        request=None,
        responses={200: api.BallotDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def close(self, request: Request, pk: str | None = None) -> Response:
        actor = selectors.signed_in_person(request.user)
        return self._answer(services.ballot_close(actor=actor, ballot=self.get_object()))

    @extend_schema(
        summary="Cancel the ballot: it counts nothing (staff, or a chair)",
        request=api.BallotCancelSerializer,
        responses={200: api.BallotDetailSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        actor = selectors.signed_in_person(request.user)
        ballot = self.get_object()
        services.require_ballot_manager(request.user, ballot)
        data = validated_input(api.BallotCancelSerializer, request)
        return self._answer(services.ballot_cancel(actor=actor, ballot=ballot, reason=data["reason"]))

    @extend_schema(
        summary="Vote, or change your vote while the ballot is open (its electorate)",
        request=api.VoteInputSerializer,
        responses={200: api.VoteSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def vote(self, request: Request, pk: str | None = None) -> Response:
        actor = selectors.signed_in_person(request.user)
        ballot = self.get_object()
        services.require_voter(request.user, ballot)
        data = validated_input(api.VoteInputSerializer, request)
        vote = services.ballot_vote(actor=actor, ballot=ballot, **data)
        return Response(api.VoteSerializer(vote).data)

    @extend_schema(
        summary="The results, once the ballot is closed",
        responses={200: api.BallotResultSerializer, 400: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str | None = None) -> Response:
        ballot = self.get_object()
        result = selectors.ballot_result(ballot)
        context = {"request": request, "votes": selectors.ballot_open_votes(ballot)}
        return Response(api.BallotResultSerializer(result, context=context).data)
