"""The query filters of the projects API's lists, parsed by ``alliance.api.filters.query_values``.

An enum given a value it does not have (``?state=AAA``) answers 400 naming the allowed ones; the values go to
the selector the project list page calls (``projects.selectors.project_list``), which owns what each one means.
"""

from rest_framework import serializers

from projects.models import Project


class SearchField(serializers.CharField):
    """Free text, optional; a longer one is cut to 100 characters, as on the pages."""

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, allow_blank=True, **kwargs)

    def to_internal_value(self, data) -> str:
        return super().to_internal_value(data)[:100]


class ProjectListFilter(serializers.Serializer):
    """``?state=active&kind=software&focus_area=<slug>&organization=<slug>&search=words``."""

    state = serializers.ChoiceField(
        choices=Project.State.choices, required=False, allow_blank=True, help_text="Lifecycle state."
    )
    kind = serializers.ChoiceField(choices=Project.Kind.choices, required=False, allow_blank=True)
    focus_area = serializers.CharField(required=False, allow_blank=True, help_text="A focus area's slug.")
    organization = serializers.CharField(
        required=False, allow_blank=True, help_text="Sponsored by, or with people from, this organization (slug)."
    )
    search = SearchField(help_text="Words in the title, summary or description.")
