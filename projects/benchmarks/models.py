"""The benchmark results registry, after MLPerf's submission rules.

A benchmark project defines a ``Benchmark`` (its metrics and rules); each ``Round`` is one version of it with a
submission deadline, a review deadline and a publication time. Member organizations send a ``Submission`` (one
``Result`` per metric) while the round is open; when review starts every submitting organization is given
``ReviewAssignment``s of other organizations' submissions and leaves a ``Review``; an ``Objection`` cites a rule
and is decided by staff or the benchmark's leads. Publication makes the results in good standing public at once
and freezes ``Release`` 1 of the round; a later correction makes the next release, and earlier ones never change.

The rules live in ``projects/benchmarks/services``; what the database can guarantee on its own (deadlines in
order, one primary metric, intervals around their values, nobody reviewing their own organization) it does.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from members.models import Organization
from projects.models import Project

METRIC_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,49}$"


class Division(models.TextChoices):
    """MLPerf's two divisions: every benchmark has both."""

    CLOSED = "closed", "Closed: the reference setup only"
    OPEN = "open", "Open: anything, disclosed"


class Benchmark(models.Model):
    """What a benchmark project measures and by which rules; its leads (or staff) define it, once per project.

    Its address is its project's slug. The divisions are the registry's two (``Division``); the rules are
    Markdown, rendered safely.
    """

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="benchmark")
    rules = models.TextField(help_text="Markdown: what a submission must follow; objections cite these rules.")
    catalog_entry = models.ForeignKey(
        "projects.CatalogEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="benchmarks"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project__title", "pk"]

    def __str__(self) -> str:
        return str(self.project)

    def get_absolute_url(self) -> str:
        return reverse("benchmarks:benchmark_detail", kwargs={"slug": self.project.slug})

    @property
    def slug(self) -> str:
        return self.project.slug


class Metric(models.Model):
    """One number a submission reports; exactly one metric of a benchmark is primary and ranks the leaderboard."""

    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="metrics")
    key = models.CharField(max_length=50, help_text="Lower case letters, digits and underscores, such as accuracy.")
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=40, blank=True)
    higher_is_better = models.BooleanField()
    primary = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["benchmark", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "key"],
                name="benchmark_metric_key_unique",
                violation_error_message="Each metric of a benchmark needs its own key.",
            ),
            models.UniqueConstraint(
                fields=["benchmark"],
                condition=Q(primary=True),
                name="benchmark_one_primary_metric",
                violation_error_message="A benchmark has exactly one primary metric.",
            ),
            models.CheckConstraint(
                condition=Q(key__regex=METRIC_KEY_PATTERN),
                name="benchmark_metric_key_format",
                violation_error_message="A metric key is lower case letters, digits and underscores, "
                "starting with a letter.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name

    @property
    def direction(self) -> str:
        return "higher is better" if self.higher_is_better else "lower is better"


class Round(models.Model):
    """One version of a benchmark that organizations submit to; its state follows the clock.

    ``open`` from its creation until the submission deadline, then ``review`` until it is published; then
    ``published`` (or ``cancelled`` by its leads or staff). Review starts on its own at the deadline (the beat
    job assigns the reviews: ``review_started_at``), and the beat job publishes at ``publish_at`` when no
    objection is open; staff or leads may publish earlier, once the review deadline has passed.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open for submissions"
        REVIEW = "review", "In peer review"
        PUBLISHED = "published", "Published"
        CANCELLED = "cancelled", "Cancelled"

    benchmark = models.ForeignKey(Benchmark, on_delete=models.CASCADE, related_name="rounds")
    version = models.CharField(max_length=40, help_text="Such as v1.0 or 2025-spring.")
    harness_url = models.URLField(help_text="Where the reference harness lives.")
    harness_commit = models.CharField(max_length=64, help_text="The commit (or tag) of the harness to run.")
    submission_deadline = models.DateTimeField(db_index=True)
    review_deadline = models.DateTimeField()
    publish_at = models.DateTimeField(db_index=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["benchmark", "submission_deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "version"],
                name="benchmark_round_version_unique",
                violation_error_message="The benchmark already has a round of this version.",
            ),
            models.CheckConstraint(
                condition=Q(review_deadline__gt=F("submission_deadline")),
                name="benchmark_round_review_after_submission",
                violation_error_message="The review deadline must come after the submission deadline.",
            ),
            models.CheckConstraint(
                condition=Q(publish_at__gte=F("review_deadline")),
                name="benchmark_round_publication_after_review",
                violation_error_message="Publication cannot come before the review deadline.",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="benchmark_round_published_or_cancelled",
                violation_error_message="A round is either published or cancelled, not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.benchmark} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("benchmarks:round_detail", kwargs={"pk": self.pk})

    def state_at(self, now: datetime) -> str:
        """The state at ``now``. Review that has started counts even before the deadline by ``now``: a web server
        whose clock runs a little behind the beat worker's never takes a submission the reviews would miss."""
        if self.cancelled_at is not None:
            return self.State.CANCELLED
        if self.published_at is not None:
            return self.State.PUBLISHED
        if now < self.submission_deadline and self.review_started_at is None:
            return self.State.OPEN
        return self.State.REVIEW

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    def get_state_display(self) -> str:
        return self.State(self.state).label


class Submission(models.Model):
    """An organization's results for one round, in one division, with the system that produced them.

    Its organization edits it until the submission deadline; then it is frozen, unless an upheld objection asks
    for a fix (``fix_required``: editing it is the fix). At publication, submissions in good standing become
    ``published`` (or stay ``moved_to_open``, which is published in the open division); a removed one shows its
    reason. ``preview_lapsed_at`` marks a preview system not available by the next round's publication.
    """

    class Availability(models.TextChoices):
        AVAILABLE = "available", "Available: anyone can obtain the system"
        PREVIEW = "preview", "Preview: available by the next round"
        RESEARCH = "research", "Research, development or internal"

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        FIX_REQUIRED = "fix_required", "Fix required"
        WITHDRAWN = "withdrawn", "Withdrawn"
        PUBLISHED = "published", "Published"
        MOVED_TO_OPEN = "moved_to_open", "Moved to the open division"
        REMOVED = "removed", "Removed"

    IN_REVIEW_STATES = (State.SUBMITTED, State.FIX_REQUIRED, State.MOVED_TO_OPEN)
    PUBLIC_STATES = (State.PUBLISHED, State.MOVED_TO_OPEN)

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="submissions")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="benchmark_submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    division = models.CharField(max_length=10, choices=Division.choices)
    availability = models.CharField(max_length=10, choices=Availability.choices)
    system_model = models.CharField("model", max_length=200)
    system_model_version = models.CharField("model version", max_length=100)
    hardware = models.CharField(max_length=300)
    software = models.CharField(max_length=300)
    artifacts = models.JSONField(default=list, blank=True, help_text="Links: logs, code at a commit.")
    state = models.CharField(max_length=14, choices=State.choices, default=State.SUBMITTED, db_index=True)
    removal_reason = models.TextField(blank=True)
    preview_lapsed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "organization__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="removed") | ~Q(removal_reason=""),
                name="benchmark_submission_removed_with_reason",
                violation_error_message="A removed submission says why it was removed.",
            ),
            models.CheckConstraint(
                condition=~Q(state="moved_to_open") | Q(division="open"),
                name="benchmark_submission_moved_is_open",
                violation_error_message="A submission moved to the open division is in the open division.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.system_model} {self.system_model_version} ({self.round})"

    def get_absolute_url(self) -> str:
        return reverse("benchmarks:submission_detail", kwargs={"pk": self.pk})

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES


class Result(models.Model):
    """A submission's value for one metric, with its confidence interval when it has one."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="results")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="results")
    value = models.FloatField()
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["submission", "metric__position", "metric__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "metric"],
                name="benchmark_result_one_per_metric",
                violation_error_message="A submission has one result per metric.",
            ),
            models.CheckConstraint(
                condition=Q(ci_low__isnull=True, ci_high__isnull=True) | Q(ci_low__isnull=False, ci_high__isnull=False),
                name="benchmark_result_interval_complete",
                violation_error_message="Give both ends of the confidence interval, or neither.",
            ),
            models.CheckConstraint(
                condition=Q(ci_low__isnull=True) | Q(ci_low__lte=F("value"), ci_high__gte=F("value")),
                name="benchmark_result_value_in_interval",
                violation_error_message="The value must lie inside its confidence interval (low ≤ value ≤ high).",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric.key} = {self.value}"

    @property
    def has_interval(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None


class ReviewAssignment(models.Model):
    """An organization asked to review another organization's submission when the round's review starts."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="assignments")
    reviewer_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    submitter_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "reviewer_organization__name", "submission__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "reviewer_organization"],
                name="benchmark_assignment_unique",
                violation_error_message="This organization already reviews this submission.",
            ),
            models.CheckConstraint(
                condition=~Q(reviewer_organization=F("submitter_organization")),
                name="benchmark_assignment_not_own_organization",
                violation_error_message="Nobody reviews their own organization's submission.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_organization} reviews submission {self.submission_id}"


class Review(models.Model):
    """A reviewer organization's verdict on an assigned submission, written by one of its people."""

    class Verdict(models.TextChoices):
        COMPLIANT = "compliant", "Follows the rules"
        QUESTIONS = "questions", "Needs clarification"
        NON_COMPLIANT = "non_compliant", "Breaks a rule"

    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.CASCADE, related_name="review")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=14, choices=Verdict.choices)
    comment = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} on submission {self.assignment.submission_id}"


class Objection(models.Model):
    """An organization's objection to another's submission, citing a rule; decided by staff or the leads.

    During review only organizations that submitted to the round object; after publication any member may.
    Nobody from the objecting or the objected organization decides it. Upholding names an outcome.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        UPHELD = "upheld", "Upheld"
        DISMISSED = "dismissed", "Dismissed"

    class Outcome(models.TextChoices):
        FIX_REQUIRED = "fix_required", "Fix required"
        MOVE_TO_OPEN = "move_to_open", "Move to the open division"
        REMOVE = "remove", "Remove"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="objections")
    objector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    objector_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=200, help_text="The rule the submission breaks, as the rules name it.")
    description = models.TextField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN, db_index=True)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    after_publication = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "objector_organization"],
                condition=Q(state="open"),
                name="benchmark_objection_one_open_per_organization",
                violation_error_message="Your organization already has an open objection to this submission.",
            ),
            models.CheckConstraint(
                condition=(Q(state="upheld") & ~Q(outcome="")) | (~Q(state="upheld") & Q(outcome="")),
                name="benchmark_objection_outcome_when_upheld",
                violation_error_message="An upheld objection names its outcome; no other one does.",
            ),
            models.CheckConstraint(
                condition=Q(state="open", decided_at__isnull=True)
                | (~Q(state="open") & Q(decided_at__isnull=False) & ~Q(decision_reason="")),
                name="benchmark_objection_decided_with_reason",
                violation_error_message="A decided objection records when and why.",
            ),
        ]

    def __str__(self) -> str:
        return f"Objection to submission {self.submission_id} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("benchmarks:submission_detail", kwargs={"pk": self.submission_id}) + f"#objection-{self.pk}"


class Release(models.Model):
    """A frozen, numbered copy of a published round's results: the exact CSV and JSON bytes and their SHA-256.

    Release 1 is frozen at publication; each later correction makes the next one with a changelog. A release is
    written once and never changed: downloads serve these bytes, byte for byte.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="releases")
    version = models.PositiveIntegerField()
    changelog = models.TextField()
    csv_bytes = models.BinaryField(editable=False)
    json_bytes = models.BinaryField(editable=False)
    csv_sha256 = models.CharField(max_length=64, editable=False)
    json_sha256 = models.CharField(max_length=64, editable=False)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "version"],
                name="benchmark_release_version_unique",
                violation_error_message="The round already has a release of this number.",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1),
                name="benchmark_release_version_positive",
                violation_error_message="Releases are numbered from 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} release {self.version}"
