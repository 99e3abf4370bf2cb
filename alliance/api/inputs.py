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
    if isinstance(request.data, dict) and not hasattr(request.data, "getlist"):  # JSON, not a form
        errors = json_type_errors(serializer, request.data)
        if errors:
            raise serializers.ValidationError(errors)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# DRF coerces JSON values it is given (``0`` becomes the text "0", ``0`` the boolean false, "5" the number 5); the
# schema promises a type, so a JSON value of another type is refused, as the schema says. Forms carry only text
# and keep DRF's parsing.
_TEXT_FIELDS = (
    serializers.CharField,
    serializers.DateTimeField,
    serializers.DateField,
    serializers.TimeField,
    serializers.SlugRelatedField,
)


def _type_error(field: serializers.Field, value: Any) -> str | list | dict | None:
    if value is None:
        return None if field.allow_null else "This field may not be null."
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Must be true or false."
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else "A whole number is required."
    if isinstance(field, serializers.ChoiceField) and not isinstance(field, serializers.MultipleChoiceField):
        if all(isinstance(key, str) for key in field.choices):
            return None if isinstance(value, str) else "Must be one of the choices, as text."
        return None
    if isinstance(field, _TEXT_FIELDS):
        return None if isinstance(value, str) else "Must be text."
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Must be a list."
        items = {index: _type_error(field.child, item) for index, item in enumerate(value)}
        return {index: [error] if isinstance(error, str) else error for index, error in items.items() if error} or None
    if isinstance(field, serializers.ManyRelatedField):
        if not isinstance(value, list):
            return "Must be a list."
        items = {index: _type_error(field.child_relation, item) for index, item in enumerate(value)}
        return {index: [error] if isinstance(error, str) else error for index, error in items.items() if error} or None
    if isinstance(field, serializers.Serializer):
        if not isinstance(value, dict):
            return "Must be an object."
        return json_type_errors(field, value) or None
    return None


def json_type_errors(serializer: serializers.Serializer, data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a JSON body whose value is not of the type the serializer (and so the schema) declares."""
    errors: dict[str, Any] = {}
    for name, field in serializer.fields.items():
        if field.read_only or name not in data:
            continue
        error = _type_error(field, data[name])
        if error:
            errors[name] = [error] if isinstance(error, str) else error
    return errors
