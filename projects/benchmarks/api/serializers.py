"""Shapes of the benchmarks API: output serializers for reading, input serializers that only parse.

Input serializers never save and hold no rule of the registry: the views hand their data to the services in
``projects/benchmarks/services``, which check who may do what, the deadlines, the metric keys and the intervals.
"""

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.markdown import render_markdown
from members.models import Organization
from projects.benchmarks.models import (
    Benchmark,
    Division,
    Metric,
    Objection,
    Release,
    Review,
    ReviewAssignment,
    Round,
    Submission,
)
from projects.models import CatalogEntry

SYSTEM_SCHEMA = {
    "type": "object",
    "properties": {name: {"type": "string"} for name in ("model", "model_version", "hardware", "software")},
    "required": ["model", "model_version", "hardware", "software"],
}
RESULT_SCHEMA = {
    "type": "object",
    "properties": {
        "value": {"type": "number"},
        "ci_low": {"type": "number", "nullable": True},
        "ci_high": {"type": "number", "nullable": True},
    },
    "required": ["value"],
}
RESULTS_SCHEMA = {"type": "object", "additionalProperties": RESULT_SCHEMA, "description": "By metric key."}


# --- reading ----------------------------------------------------------------------------------------------------


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["key", "name", "unit", "higher_is_better", "primary"]
        read_only_fields = fields


class RoundSummarySerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True, help_text="open, review, published or cancelled (by the clock).")

    class Meta:
        model = Round
        fields = ["id", "version", "state", "submission_deadline", "review_deadline", "publish_at", "published_at"]
        read_only_fields = fields


class BenchmarkSerializer(serializers.ModelSerializer):
    """A benchmark, addressed by its project's slug."""

    slug = serializers.CharField(source="project.slug", read_only=True)
    title = serializers.CharField(source="project.title", read_only=True)
    rules_html = serializers.SerializerMethodField(help_text="The rules rendered as safe HTML.")
    metrics = MetricSerializer(many=True, read_only=True)
    divisions = serializers.SerializerMethodField()
    catalog_entry = serializers.SerializerMethodField(help_text="The id of its catalog entry, once published there.")
    rounds = RoundSummarySerializer(many=True, read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="benchmark-detail", lookup_field="slug")

    class Meta:
        model = Benchmark
        fields = ["slug", "title", "rules", "rules_html", "metrics", "divisions", "catalog_entry", "rounds", "url"]
        read_only_fields = fields

    def get_rules_html(self, benchmark: Benchmark) -> str:
        return render_markdown(benchmark.rules)

    def get_divisions(self, benchmark: Benchmark) -> list[str]:
        return list(Division.values)

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_catalog_entry(self, benchmark: Benchmark) -> int | None:
        entry = benchmark.catalog_entry
        return entry.pk if entry is not None and entry.status != CatalogEntry.Status.SUBMITTED else None


class RoundSerializer(serializers.ModelSerializer):
    benchmark = serializers.CharField(source="benchmark.project.slug", read_only=True)
    state = serializers.CharField(read_only=True, help_text="open, review, published or cancelled (by the clock).")
    url = serializers.HyperlinkedIdentityField(view_name="benchmark-round-detail")

    class Meta:
        model = Round
        fields = [
            "id", "benchmark", "version", "harness_url", "harness_commit", "submission_deadline", "review_deadline",
            "publish_at", "state", "review_started_at", "published_at", "cancelled_at", "cancel_reason", "url",
        ]  # fmt: skip
        read_only_fields = fields


class SubmissionReviewSerializer(serializers.ModelSerializer):
    submission = serializers.IntegerField(source="assignment.submission_id", read_only=True)
    reviewer_organization = serializers.CharField(source="assignment.reviewer_organization.slug", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "submission", "reviewer_organization", "verdict", "comment", "created_at"]
        read_only_fields = fields


class ObjectionSerializer(serializers.ModelSerializer):
    objector_organization = serializers.CharField(source="objector_organization.slug", read_only=True)

    class Meta:
        model = Objection
        fields = [
            "id", "submission", "objector_organization", "rule", "description", "state", "outcome",
            "decision_reason", "decided_at", "after_publication", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    """A submission as whoever may see it reads it; ``state`` says where it stands."""

    round = serializers.IntegerField(source="round_id", read_only=True)
    organization = serializers.CharField(source="organization.slug", read_only=True)
    system = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    preview_lapsed = serializers.SerializerMethodField(
        help_text="A preview system not available by the next round's publication."
    )
    url = serializers.HyperlinkedIdentityField(view_name="benchmark-submission-detail")

    class Meta:
        model = Submission
        fields = [
            "id", "round", "organization", "division", "availability", "state", "system", "results", "artifacts",
            "removal_reason", "preview_lapsed", "published_at", "created_at", "updated_at", "url",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(SYSTEM_SCHEMA)
    def get_system(self, submission: Submission) -> dict[str, str]:
        return {
            "model": submission.system_model,
            "model_version": submission.system_model_version,
            "hardware": submission.hardware,
            "software": submission.software,
        }

    @extend_schema_field(RESULTS_SCHEMA)
    def get_results(self, submission: Submission) -> dict[str, Any]:
        return {
            result.metric.key: {"value": result.value, "ci_low": result.ci_low, "ci_high": result.ci_high}
            for result in submission.results.all()
        }

    def get_preview_lapsed(self, submission: Submission) -> bool:
        return submission.preview_lapsed_at is not None


class SubmissionDetailSerializer(SubmissionSerializer):
    """One submission with its reviews and objections."""

    reviews = serializers.SerializerMethodField()
    objections = ObjectionSerializer(many=True, read_only=True)

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "reviews", "objections"]
        read_only_fields = fields

    @extend_schema_field(SubmissionReviewSerializer(many=True))
    def get_reviews(self, submission: Submission) -> list[dict[str, Any]]:
        reviews = [a.review for a in submission.assignments.all() if hasattr(a, "review")]
        return SubmissionReviewSerializer(reviews, many=True).data


class AssignmentSerializer(serializers.ModelSerializer):
    reviewer_organization = serializers.CharField(source="reviewer_organization.slug", read_only=True)
    submitter_organization = serializers.CharField(source="submitter_organization.slug", read_only=True)
    reviewed = serializers.SerializerMethodField()

    class Meta:
        model = ReviewAssignment
        fields = ["id", "submission", "reviewer_organization", "submitter_organization", "reviewed"]
        read_only_fields = fields

    def get_reviewed(self, assignment: ReviewAssignment) -> bool:
        return hasattr(assignment, "review")


class ReleaseSerializer(serializers.ModelSerializer):
    sha256 = serializers.SerializerMethodField(help_text="The SHA-256 of the exact bytes of each file.")
    files = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = ["version", "sha256", "published_at", "changelog", "files"]
        read_only_fields = fields

    @extend_schema_field({"type": "object", "properties": {"csv": {"type": "string"}, "json": {"type": "string"}}})
    def get_sha256(self, release: Release) -> dict[str, str]:
        return {"csv": release.csv_sha256, "json": release.json_sha256}

    @extend_schema_field({"type": "object", "properties": {"csv": {"type": "string"}, "json": {"type": "string"}}})
    def get_files(self, release: Release) -> dict[str, str]:
        request = self.context.get("request")
        files = {}
        for extension in ("csv", "json"):
            path = reverse(
                "benchmark-round-release-file",
                kwargs={"pk": release.round_id, "version": release.version, "format": extension},
            )
            files[extension] = request.build_absolute_uri(path) if request else path
        return files


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    submission = serializers.IntegerField(source="submission.pk")
    organization = serializers.CharField(source="submission.organization.slug")
    model = serializers.CharField(source="submission.system_model")
    availability = serializers.CharField(source="submission.availability")
    value = serializers.FloatField()
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    separable_from_next = serializers.BooleanField(
        allow_null=True, help_text="Its interval lies wholly beyond the next row's; null on the last row."
    )


class LeaderboardSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round.pk")
    division = serializers.CharField()
    metric = serializers.CharField(source="metric.key")
    higher_is_better = serializers.BooleanField(source="metric.higher_is_better")
    rows = LeaderboardRowSerializer(many=True)


# --- input ----------------------------------------------------------------------------------------------------------


class MetricInputSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=120)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    higher_is_better = serializers.BooleanField()
    primary = serializers.BooleanField(required=False, default=False)


class BenchmarkCreateSerializer(serializers.Serializer):
    project = serializers.SlugField(help_text="The slug of a benchmark project you lead.")
    metrics = MetricInputSerializer(many=True, allow_empty=True)
    rules = serializers.CharField(allow_blank=True, help_text="Markdown.")
    catalog_entry = serializers.IntegerField(required=False, allow_null=True, help_text="One of the project's entries.")


class BenchmarkUpdateSerializer(serializers.Serializer):
    rules = serializers.CharField(required=False, allow_blank=True, help_text="Markdown.")
    catalog_entry = serializers.IntegerField(required=False, allow_null=True)


class RoundCreateSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=40)
    harness_url = serializers.URLField()
    harness_commit = serializers.CharField(max_length=64)
    submission_deadline = serializers.DateTimeField()
    review_deadline = serializers.DateTimeField()
    publish_at = serializers.DateTimeField()


class RoundCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class SystemInputSerializer(serializers.Serializer):
    model = serializers.CharField(max_length=200, allow_blank=True)
    model_version = serializers.CharField(max_length=100, allow_blank=True)
    hardware = serializers.CharField(max_length=300, allow_blank=True)
    software = serializers.CharField(max_length=300, allow_blank=True)


class ResultInputSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(required=False, allow_null=True, default=None)
    ci_high = serializers.FloatField(required=False, allow_null=True, default=None)


class SubmissionWriteSerializer(serializers.Serializer):
    """The fields of a submission; the service checks the keys, the primary result and the intervals."""

    division = serializers.ChoiceField(choices=Division.choices)
    availability = serializers.ChoiceField(choices=Submission.Availability.choices)
    system = SystemInputSerializer()
    results = serializers.DictField(child=ResultInputSerializer(), help_text="By metric key.")
    artifacts = serializers.ListField(child=serializers.CharField(max_length=500), required=False, default=list)


class SubmissionCreateSerializer(SubmissionWriteSerializer):
    organization = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all(), help_text="Your organization's slug."
    )


class ReviewInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Review.Verdict.choices)
    comment = serializers.CharField(allow_blank=True)


class ObjectionInputSerializer(serializers.Serializer):
    rule = serializers.CharField(max_length=200, allow_blank=True, help_text="The rule the submission breaks.")
    description = serializers.CharField(allow_blank=True)
    organization = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organization.objects.all(),
        required=False,
        help_text="Which of your organizations objects (only when you belong to several that may).",
    )


class UpholdSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Objection.Outcome.choices)
    reason = serializers.CharField(allow_blank=True)


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
