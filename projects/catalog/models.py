"""The catalog's one model, registered in the ``projects`` app (table, migrations and content type unchanged)."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from projects.validators import validate_spdx_expression


class CatalogEntry(models.Model):
    """A tool, model, dataset, benchmark or learning resource a project publishes, validated by staff.

    Validation lasts ``CATALOG_VALIDATION_PERIOD`` unless renewed; a beat job marks overdue entries expired
    and warns the project's leads a month before.
    """

    class Kind(models.TextChoices):
        TOOL = "tool", "Tool"
        MODEL = "model", "Model"
        DATASET = "dataset", "Dataset"
        BENCHMARK = "benchmark", "Benchmark"
        LEARNING = "learning_resource", "Learning resource"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        VALIDATED = "validated", "Validated"
        EXPIRED = "expired", "Expired"
        DEPRECATED = "deprecated", "Deprecated"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="catalog_entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(help_text="Markdown.")
    link = models.URLField()
    license = models.CharField(max_length=100, validators=[validate_spdx_expression])
    version = models.CharField(max_length=50, blank=True)
    documentation_url = models.URLField(blank=True)
    safety_notes = models.TextField(blank=True)
    evaluation_notes = models.TextField(blank=True, help_text="How to reproduce the evaluation, where it applies.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    checklist = models.JSONField(default=dict, blank=True, help_text="The validation checklist as staff ticked it.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    validated_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    expiry_warning_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "projects"
        ordering = ["name", "pk"]
        verbose_name_plural = "catalog entries"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name", "version"],
                name="catalog_entry_unique_version",
                violation_error_message="The project already lists this name and version in the catalog.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()

    def get_absolute_url(self) -> str:
        return reverse("projects:catalog_detail", kwargs={"pk": self.pk})
