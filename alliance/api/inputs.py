"""Reading a request's body through a serializer, written once for every API view."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request

ERROR = OpenApiResponse(description='A JSON error: {"detail": "...", "errors": {"field": ["..."]}}')


def validated_input(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    """The body's validated data; a 400 in the one error shape when it is not valid.

    Call it only after the caller's right to act was checked: permission comes before input.
    """
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
