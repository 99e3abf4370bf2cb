"""Shapes of the catalog API: an entry as it is read, and the bodies of its actions (read only, never saved).

The rules (who may submit, the licence, the checklist's completeness) are the services'; the views hand these
serializers' data to ``projects.catalog.services``.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.api.fields import DetailUrlField
from projects.models import CatalogEntry, Project
from projects.selectors import projects_visible_to

from ..services import CATALOG_CHECKLIST

ENTRY_KIND_ERRORS = {"invalid_choice": "Choose one of the kinds: " + ", ".join(CatalogEntry.Kind.values) + "."}

PROJECT_REF = {
    "type": "object",
    "properties": {"slug": {"type": "string"}, "title": {"type": "string"}},
    "required": ["slug", "title"],
}


class CatalogEntrySerializer(serializers.ModelSerializer):
    """An entry; ``status`` is its validation state (submitted, validated, expired, deprecated)."""

    url = DetailUrlField(view_name="catalog-entry-detail")
    project = serializers.SerializerMethodField()
    focus_areas = serializers.SerializerMethodField(help_text="Slugs of the project's focus areas.")
    validated_by = serializers.CharField(source="validated_by.name", read_only=True, allow_null=True, default=None)
    documentation_url = serializers.URLField(read_only=True, allow_blank=True, help_text="Empty when not given.")

    class Meta:
        model = CatalogEntry
        fields = [
            "id",
            "project",
            "focus_areas",
            "kind",
            "name",
            "version",
            "description",
            "link",
            "license",
            "documentation_url",
            "evaluation_notes",
            "safety_notes",
            "status",
            "checklist",
            "validated_by",
            "validated_at",
            "expires_at",
            "created_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(PROJECT_REF)
    def get_project(self, entry: CatalogEntry) -> dict:
        return {"slug": entry.project.slug, "title": entry.project.title}

    def get_focus_areas(self, entry: CatalogEntry) -> list[str]:
        return [area.slug for area in entry.project.focus_areas.all()]


class CatalogEntryProjectSerializer(serializers.Serializer):
    """The project an entry is submitted to: read first, so who may submit is asked before the rest is read."""

    project = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Project.objects.none(),
        error_messages={"does_not_exist": "There is no project at the address “{value}” that you can see."},
        help_text="The project's slug.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["project"].queryset = projects_visible_to(request.user if request else None)


class CatalogEntryCreateSerializer(CatalogEntryProjectSerializer):
    kind = serializers.ChoiceField(choices=CatalogEntry.Kind.choices, error_messages=ENTRY_KIND_ERRORS)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(help_text="Markdown.")
    link = serializers.URLField()
    license = serializers.CharField(max_length=100, help_text="SPDX expression.")
    version = serializers.CharField(max_length=50, required=False, allow_blank=True)
    documentation_url = serializers.URLField(required=False, allow_blank=True)
    safety_notes = serializers.CharField(required=False, allow_blank=True)
    evaluation_notes = serializers.CharField(required=False, allow_blank=True)


class ChecklistSerializer(serializers.Serializer):
    checklist = serializers.DictField(
        child=serializers.BooleanField(),
        help_text="Every item must be true: "
        + ", ".join(f"`{key}` ({label})" for key, label in CATALOG_CHECKLIST.items()),
    )


class DeprecateSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
