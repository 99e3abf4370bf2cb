from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from members.models import Organization

from .validators import validate_spdx_expression


class FocusArea(models.Model):
    """A theme that groups the alliance's work (trust and safety, skills and education, ...); staff-managed."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    chairs = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="chaired_focus_areas")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """Open work started by members: proposed, reviewed by staff, then incubated, active, archived.

    The state moves only through the lifecycle services in projects/services.py, which check who may move it.
    """

    class Kind(models.TextChoices):
        WORKING_GROUP = "working_group", "Working group"
        SOFTWARE = "software", "Open-source software"
        BENCHMARK = "benchmark", "Benchmark"
        DATASET = "dataset", "Dataset"
        MODEL = "model", "Model"
        EDUCATION = "education", "Educational resource"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PROPOSED = "proposed", "Proposed"
        INCUBATING = "incubating", "Incubating"
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"
        REJECTED = "rejected", "Rejected"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: anyone signed in may join"
        APPROVAL = "approval", "By approval of a lead"

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        MEMBERS = "members", "Members only"

    LIVE_STATES = (State.INCUBATING, State.ACTIVE)
    LISTED_STATES = (State.INCUBATING, State.ACTIVE, State.ARCHIVED)

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        error_messages={
            "unique": "This address (slug) is already taken by another project.",
        },
    )
    summary = models.CharField(max_length=300, help_text="One or two sentences shown in lists.")
    description = models.TextField(blank=True, help_text="Markdown.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="projects")
    sponsors = models.ManyToManyField(Organization, blank=True, related_name="sponsored_projects")
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposed_projects")
    repository_url = models.URLField(blank=True)
    website_url = models.URLField(blank=True)
    license = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_spdx_expression],
        help_text="SPDX identifier or expression, for example Apache-2.0 or MIT OR Apache-2.0.",
    )
    help_wanted = models.JSONField(default=list, blank=True, help_text="Roles the project is looking for.")
    join_policy = models.CharField(max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    decision_reason = models.TextField(blank=True)
    archive_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Participation", related_name="projects")

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", kwargs={"slug": self.slug})


class Participation(models.Model):
    """A person's part in a project. Pending while a lead decides on a request to join."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        MAINTAINER = "maintainer", "Maintainer"
        CONTRIBUTOR = "contributor", "Contributor"
        OBSERVER = "observer", "Observer"

    class Status(models.TextChoices):
        PENDING = "pending", "Asked to join"
        ACTIVE = "active", "Active"

    MANAGING_ROLES = (Role.LEAD, Role.MAINTAINER)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.CONTRIBUTOR)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "role", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "person"],
                name="participation_unique",
                violation_error_message="This person already takes part in the project.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) in {self.project}"


class ProposalReview(models.Model):
    """A staff reviewer's comment and recommendation on a proposal, before the decision."""

    class Recommendation(models.TextChoices):
        ACCEPT = "accept", "Accept"
        REJECT = "reject", "Reject"
        DISCUSS = "discuss", "Needs discussion"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices)
    comment = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reviewer} recommends {self.recommendation} for {self.project}"


class ProjectUpdate(models.Model):
    """News a lead posts on a project; its participants are told."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


# The catalog's model lives with the rest of the catalog; importing it here registers it in this app.
from .catalog.models import CatalogEntry  # noqa: E402

__all__ = ["CatalogEntry", "FocusArea", "Participation", "Project", "ProjectUpdate", "ProposalReview"]
