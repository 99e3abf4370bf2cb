"""The benchmarks API. Every write calls a service in projects/benchmarks/services; every read a selector.

DRF checks object permissions only in ``get_object()``, so each queryset below is already what the caller may
see: a benchmark of a hidden project, or a submission hidden by the round's state, answers 404. Each action asks
the selectors' predicate before it reads the body (permission before input): a caller who may not act hears 403
whatever the body says; only one who may act hears about bad input (400). A service's ``NotPermitted`` answers
403 and its ``DomainError`` 400 through the one exception handler.
"""

import json
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.api.filters import query_values
from alliance.api.inputs import ERROR, validated_input
from alliance.errors import DomainError, NotPermitted
from projects.benchmarks import selectors, services
from projects.benchmarks.models import Benchmark, Objection, Round, Submission
from projects.models import CatalogEntry, Project
from projects.selectors import projects_visible_to

from . import serializers as api
from .filters import LeaderboardFilterSerializer, SubmissionFilterSerializer

SUBMIT_REFUSAL = "Only people of an active member organization can submit results."


def _refuse_unless(allowed: bool, message: str) -> None:
    """Permission before input: refuse now, before the body is read."""
    if not allowed:
        raise NotPermitted(message)


def _schema(summary: str, request: Any = None, response: Any = None, code: int = 200, **kwargs: Any):
    return extend_schema(
        summary=summary, request=request, responses={code: response, 400: ERROR, 403: ERROR, 404: ERROR}, **kwargs
    )


# --- benchmarks ---------------------------------------------------------------------------------------------------


@extend_schema(tags=["benchmarks"])
@extend_schema_view(
    list=extend_schema(summary="Benchmarks of the projects you can see"),
    retrieve=extend_schema(summary="A benchmark (by its project's slug): metrics, divisions, rules, rounds"),
)
class BenchmarkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = api.BenchmarkSerializer
    lookup_field = "project__slug"
    lookup_url_kwarg = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Benchmark]:
        if getattr(self, "swagger_fake_view", False):
            return Benchmark.objects.none()
        return (
            selectors.benchmark_list(person=self.request.user)
            .prefetch_related("rounds")
            .select_related("catalog_entry")
        )

    def _answer(self, benchmark: Benchmark, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=benchmark.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @_schema("Define the benchmark of a benchmark project (its leads or staff)", api.BenchmarkCreateSerializer,
             api.BenchmarkSerializer, 201)  # fmt: skip
    def create(self, request: Request) -> Response:
        _refuse_unless(
            selectors.may_define_any_benchmark(request.user),
            "Only staff and the leads of a benchmark project can define a benchmark.",
        )
        data = validated_input(api.BenchmarkCreateSerializer, request)
        project = projects_visible_to(request.user).filter(slug=data["project"]).first()
        if project is None:
            raise DomainError("No project with this slug.", field="project")
        entry = None
        if data.get("catalog_entry") is not None:
            entry = CatalogEntry.objects.filter(pk=data["catalog_entry"], project=project).first()
            if entry is None:
                raise DomainError("The catalog entry must be one of this project's.", field="catalog_entry")
        benchmark = services.benchmark_define(
            actor=request.user, project=project, metrics=data["metrics"], rules=data["rules"], catalog_entry=entry
        )
        return self._answer(benchmark, status.HTTP_201_CREATED)

    @_schema("Rewrite the rules or link the catalog entry (its leads or staff)", api.BenchmarkUpdateSerializer,
             api.BenchmarkSerializer)  # fmt: skip
    def partial_update(self, request: Request, slug: str | None = None) -> Response:
        benchmark = self.get_object()
        _refuse_unless(
            selectors.may_manage_benchmark(request.user, benchmark),
            f"Only staff and the leads of {benchmark.project} can do this.",
        )
        data = validated_input(api.BenchmarkUpdateSerializer, request, partial=True)
        if "catalog_entry" in data:
            pk = data["catalog_entry"]
            data["catalog_entry"] = CatalogEntry.objects.filter(pk=pk).first() if pk is not None else None
            if pk is not None and data["catalog_entry"] is None:
                raise DomainError("The catalog entry must be one of this project's.", field="catalog_entry")
        services.benchmark_update(actor=request.user, benchmark=benchmark, **data)
        return self._answer(benchmark)

    @_schema("Open a round (the benchmark's leads or staff)", api.RoundCreateSerializer, api.RoundSerializer, 201,
             methods=["POST"])  # fmt: skip
    @extend_schema(summary="The benchmark's rounds, newest first", responses={200: api.RoundSerializer(many=True)},
                   methods=["GET"])  # fmt: skip
    @action(detail=True, methods=["get", "post"], url_path="rounds")
    def rounds(self, request: Request, slug: str | None = None) -> Response:
        benchmark = self.get_object()
        if request.method == "GET":
            rounds = benchmark.rounds.select_related("benchmark__project").order_by("-submission_deadline", "-pk")
            return Response(api.RoundSerializer(rounds, many=True, context={"request": request}).data)
        _refuse_unless(
            selectors.may_manage_benchmark(request.user, benchmark),
            f"Only staff and the leads of {benchmark.project} can open rounds.",
        )
        data = validated_input(api.RoundCreateSerializer, request)
        round = services.round_open(actor=request.user, benchmark=benchmark, **data)
        return Response(api.RoundSerializer(round, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The leaderboard of a published round and division, ranked by the primary metric",
        parameters=[LeaderboardFilterSerializer],
        responses={200: api.LeaderboardSerializer, 400: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["get"])
    def leaderboard(self, request: Request, slug: str | None = None) -> Response:
        benchmark = self.get_object()
        filters = query_values(request, LeaderboardFilterSerializer)
        published = benchmark.rounds.filter(published_at__isnull=False).select_related("benchmark")
        if "round" in filters:
            round = published.filter(pk=filters["round"]).first()
        else:
            round = published.order_by("-published_at", "-pk").first()
        if round is None:
            raise exceptions.NotFound("No published round of this benchmark here.")
        board = selectors.leaderboard(
            round=round, division=filters.get("division", "closed"), availability=filters.get("availability", "")
        )
        if board is None:
            raise exceptions.NotFound("This benchmark has no primary metric.")
        return Response(api.LeaderboardSerializer(board).data)


# --- rounds -------------------------------------------------------------------------------------------------------


class ReleaseCSVRenderer(BaseRenderer):
    """Lets ``results.csv`` through content negotiation; the view itself answers with the stored bytes."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


@extend_schema(tags=["benchmark rounds"])
@extend_schema_view(retrieve=extend_schema(summary="A round: its dates and its state by the clock"))
class RoundViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = api.RoundSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Round]:
        if getattr(self, "swagger_fake_view", False):
            return Round.objects.none()
        return selectors.rounds_visible_to(self.request.user).select_related("benchmark__project")

    @_schema("Publish the round (its leads or staff), once the review deadline passed and no objection is open",
             None, api.RoundSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        round = services.round_publish(actor=request.user, round=self.get_object())
        return Response(self.get_serializer(round).data)

    @_schema("Cancel the round before publication (its leads or staff), with a reason", api.RoundCancelSerializer,
             api.RoundSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        round = self.get_object()
        _refuse_unless(
            selectors.may_manage_benchmark(request.user, round.benchmark),
            f"Only staff and the leads of {round.benchmark.project} can cancel its rounds.",
        )
        data = validated_input(api.RoundCancelSerializer, request)
        round = services.round_cancel(actor=request.user, round=round, reason=data["reason"])
        return Response(self.get_serializer(round).data)

    @extend_schema(
        summary="The round's submissions you may see (by the round's state)",
        parameters=[SubmissionFilterSerializer],
        responses={200: api.SubmissionSerializer(many=True), 400: ERROR, 404: ERROR},
        methods=["GET"],
    )
    @_schema("Submit your organization's results while the round is open", api.SubmissionCreateSerializer,
             api.SubmissionSerializer, 201, methods=["POST"])  # fmt: skip
    @action(detail=True, methods=["get", "post"])
    def submissions(self, request: Request, pk: str | None = None) -> Response:
        round = self.get_object()
        if request.method == "GET":
            filters = query_values(request, SubmissionFilterSerializer)
            submissions = selectors.round_submissions(person=request.user, round=round, **filters)
            page = self.paginate_queryset(submissions)
            data = api.SubmissionSerializer(page, many=True, context={"request": request}).data
            return self.get_paginated_response(data)
        _refuse_unless(selectors.may_submit_results(request.user), SUBMIT_REFUSAL)
        data = validated_input(api.SubmissionCreateSerializer, request)
        submission = services.submission_create(actor=request.user, round=round, **data)
        fresh = selectors.submission_detail(person=request.user, pk=submission.pk)
        return Response(
            api.SubmissionSerializer(fresh, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Your organizations' review assignments in the round",
        responses={200: api.AssignmentSerializer(many=True), 404: ERROR},
    )
    @action(detail=True, methods=["get"])
    def assignments(self, request: Request, pk: str | None = None) -> Response:
        assignments = selectors.review_assignments_of(request.user, self.get_object())
        return Response(api.AssignmentSerializer(assignments, many=True).data)

    @extend_schema(
        summary="The round's releases: each version with the SHA-256 of its files and its changelog",
        responses={200: api.ReleaseSerializer(many=True), 404: ERROR},
    )
    @action(detail=True, methods=["get"])
    def releases(self, request: Request, pk: str | None = None) -> Response:
        releases = selectors.round_releases(self.get_object())
        return Response(api.ReleaseSerializer(releases, many=True, context={"request": request}).data)

    @extend_schema(
        summary="A release's file, byte for byte as frozen (ETag: its SHA-256): results.csv or results.json, or "
        "results/ with ?format=csv or json (JSON when not said)",
        parameters=[
            OpenApiParameter("version", OpenApiTypes.INT, OpenApiParameter.PATH, description="The release number."),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The file's exact bytes."),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.BINARY, description="The file's exact bytes."),
            404: ERROR,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"releases/(?P<version>[0-9]+)/results",
        url_name="release-file",
        renderer_classes=[JSONRenderer, ReleaseCSVRenderer],  # JSON first: how errors are answered
    )
    def release_file(self, request: Request, pk: str | None = None, version: str = "", format: str | None = None):
        # the file asked for by its name's suffix, ?format= or Accept (content negotiation chose the renderer); the
        # bytes are answered here, not rendered, and a missing file is a JSON error, never JSON labelled as CSV
        format = request.accepted_renderer.format
        round = self.get_queryset().filter(pk=pk).first()
        release = selectors.round_release(round, int(version)) if round else None
        if release is None:
            return JsonResponse({"detail": "No such release file: ask for results.csv or results.json."}, status=404)
        body = bytes(release.csv_bytes if format == "csv" else release.json_bytes)
        digest = release.csv_sha256 if format == "csv" else release.json_sha256
        response = HttpResponse(body, content_type="text/csv; charset=utf-8" if format == "csv" else "application/json")
        response["ETag"] = f'"{digest}"'
        response["X-Content-SHA256"] = digest
        shared = release.round.benchmark.project.visibility == Project.Visibility.PUBLIC  # else no shared cache
        response["Cache-Control"] = f"{'public' if shared else 'private'}, max-age=31536000, immutable"
        name = f"{release.round.benchmark.project.slug}-{release.round.version}-release-{release.version}.{format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# --- submissions and objections -------------------------------------------------------------------------------------


@extend_schema(tags=["benchmark submissions"])
@extend_schema_view(retrieve=extend_schema(summary="A submission you may see, with its reviews and objections"))
class SubmissionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = api.SubmissionDetailSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Submission]:
        if getattr(self, "swagger_fake_view", False):
            return Submission.objects.none()
        return selectors.submissions_visible_to(self.request.user).select_related(
            "organization", "round__benchmark__project"
        )

    def get_object(self) -> Submission:
        submission = selectors.submission_detail(person=self.request.user, pk=int(self.kwargs["pk"]))
        if submission is None:
            raise exceptions.NotFound("No submission here.")
        return submission

    def _answer(self, submission: Submission, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.submission_detail(person=self.request.user, pk=submission.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @_schema("Change the submission (its organization): until the deadline, or to make a fix an objection asked "
             "for; the answer's state says where it stands", api.SubmissionWriteSerializer,
             api.SubmissionDetailSerializer)  # fmt: skip
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        _refuse_unless(
            selectors.may_change_submission(request.user, submission),
            "Only the submitting organization can change its submission.",
        )
        data = validated_input(api.SubmissionWriteSerializer, request, partial=True)
        services.submission_update(actor=request.user, submission=submission, **data)
        return self._answer(submission)

    @_schema("Withdraw the submission before publication (its organization)", None, api.SubmissionDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        _refuse_unless(
            selectors.may_change_submission(request.user, submission),
            "Only the submitting organization can withdraw its submission.",
        )
        return self._answer(services.submission_withdraw(actor=request.user, submission=submission))

    @_schema("Review the submission (an organization assigned to it), until the review deadline",
             api.ReviewInputSerializer, api.SubmissionReviewSerializer, 201)  # fmt: skip
    @action(detail=True, methods=["post"])
    def reviews(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        _refuse_unless(
            selectors.may_review(request.user, submission),
            "Only an organization assigned to review this submission can review it.",
        )
        data = validated_input(api.ReviewInputSerializer, request)
        review = services.review_submit(actor=request.user, submission=submission, **data)
        return Response(api.SubmissionReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @_schema("Object to the submission, citing a rule (a submitter in review; any member after publication)",
             api.ObjectionInputSerializer, api.ObjectionSerializer, 201)  # fmt: skip
    @action(detail=True, methods=["post"])
    def objections(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        refusal = selectors.objection_refusal(request.user, submission)
        _refuse_unless(not refusal, refusal)
        data = validated_input(api.ObjectionInputSerializer, request)
        objection = services.objection_raise(actor=request.user, submission=submission, **data)
        return Response(api.ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["benchmark objections"])
@extend_schema_view(retrieve=extend_schema(summary="An objection to a submission you may see"))
class ObjectionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = api.ObjectionSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends: list = []
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Objection]:
        if getattr(self, "swagger_fake_view", False):
            return Objection.objects.none()
        visible = selectors.submissions_visible_to(self.request.user).values("pk")
        return Objection.objects.filter(submission__in=visible).select_related(
            "objector_organization", "submission__organization", "submission__round__benchmark__project"
        )

    @_schema("Uphold the objection with an outcome (staff or the benchmark's leads, without a conflict)",
             api.UpholdSerializer, api.ObjectionSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def uphold(self, request: Request, pk: str | None = None) -> Response:
        objection = self.get_object()
        services.require_objection_decider(request.user, objection)
        data = validated_input(api.UpholdSerializer, request)
        objection = services.objection_uphold(actor=request.user, objection=objection, **data)
        return Response(self.get_serializer(objection).data)

    @_schema("Dismiss the objection with a reason (staff or the benchmark's leads, without a conflict)",
             api.DismissSerializer, api.ObjectionSerializer)  # fmt: skip
    @action(detail=True, methods=["post"])
    def dismiss(self, request: Request, pk: str | None = None) -> Response:
        objection = self.get_object()
        services.require_objection_decider(request.user, objection)
        data = validated_input(api.DismissSerializer, request)
        objection = services.objection_dismiss(actor=request.user, objection=objection, **data)
        return Response(self.get_serializer(objection).data)
