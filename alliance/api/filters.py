"""List filters, one style everywhere: the API parses the query with a serializer, the selector takes the values.

Each app's ``api/filters.py`` declares a serializer per list (``ChoiceField`` for enums, so ``?state=AAA`` is a
400 that names the allowed values, never a silently empty list). The view hands ``query_values(...)`` to the
same selector the page calls with its filter form's values, so a filter's rule is written once, in the selector.
Pass the serializer to ``extend_schema(parameters=[...])`` and the OpenAPI schema lists its fields as query
parameters.
"""

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


def query_values(request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """The query's filter values, validated (a 400 in the one error shape otherwise); empty ones left out."""
    serializer = serializer_class(data=request.query_params, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return {name: value for name, value in serializer.validated_data.items() if value not in ("", None)}
