"""The query filters of the catalog API's list, parsed by ``alliance.api.filters.query_values``; the values go to
``projects.catalog.selectors.catalog_list``, the selector the catalog page calls."""

from rest_framework import serializers

from projects.api.filters import SearchField
from projects.models import CatalogEntry


class CatalogListFilter(serializers.Serializer):
    """``?kind=dataset&status=validated&focus_area=<slug>&license=Apache-2.0&search=words``."""

    kind = serializers.ChoiceField(choices=CatalogEntry.Kind.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=CatalogEntry.Status.choices, required=False, allow_blank=True, help_text="Validation state."
    )
    focus_area = serializers.CharField(
        required=False, allow_blank=True, help_text="A focus area's slug (of the entry's project)."
    )
    license = serializers.CharField(required=False, allow_blank=True, help_text="SPDX expression, such as Apache-2.0.")
    search = SearchField(help_text="Words in the name or description.")
