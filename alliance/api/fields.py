"""Read-only fields for lists, cheap per row: the same JSON and the same schema as DRF's and django-countries' own;
and serializers whose fields are worked out once per class.

- ``DetailUrlField``: the row's absolute detail address, as ``HyperlinkedIdentityField`` gives it, but reversed once
  per response (with a marker in place of the lookup value) and filled in per row: a URL resolver walk per row was a
  quarter of a list's serialization.
- ``CountryCodeField``: the stored two-letter code, as django-countries' ``CountryField`` gives it, without building
  its 250 choices for every response nor a ``Country`` object per row; the schema is that field's (the enum).
- ``FieldsBuiltOnce``: a ``ModelSerializer`` looks its model over to build its fields every time one is made (once
  per response); with this mixin that happens once per class, and each serializer gets fresh copies.
"""

import copy
from typing import Any, ClassVar
from urllib.parse import quote

from django.urls import reverse
from django_countries.serializer_fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

_MARKER = "lookupvaluemarker"  # fits any lookup pattern of the router (slugs, [^/.]+)


@extend_schema_field(OpenApiTypes.URI)
class DetailUrlField(serializers.Field):
    """The row's detail address, absolute when the request is in the context (as DRF builds it)."""

    def __init__(self, *, view_name: str, lookup_field: str = "pk", lookup_url_kwarg: str = "", **kwargs: Any) -> None:
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)
        self.view_name = view_name
        self.lookup_field = lookup_field
        self.lookup_url_kwarg = lookup_url_kwarg or lookup_field
        self._template = ""

    def to_representation(self, instance: Any) -> str:
        if not self._template:
            url = reverse(self.view_name, kwargs={self.lookup_url_kwarg: _MARKER})
            request = self.context.get("request")
            self._template = request.build_absolute_uri(url) if request is not None else url
        return self._template.replace(_MARKER, quote(str(getattr(instance, self.lookup_field)), safe="-_.~"))


@extend_schema_field(CountryField())
class CountryCodeField(serializers.Field):
    """The country's code as stored on the row ("" when none)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> Any:
        stored = instance.__dict__  # django-countries keeps the code there; its descriptor makes a Country per read
        return stored[self.source] if self.source in stored else super().get_attribute(instance)

    def to_representation(self, value: Any) -> str:
        return str(value or "")


class FieldsBuiltOnce:
    """For serializers whose fields depend on their class only (not on the request or the instance)."""

    _built: ClassVar[dict[type, dict[str, serializers.Field]]] = {}

    def get_fields(self) -> dict[str, serializers.Field]:
        built = FieldsBuiltOnce._built.get(type(self))
        if built is None:
            built = FieldsBuiltOnce._built[type(self)] = super().get_fields()  # type: ignore[misc]
        return {name: copy.deepcopy(field) for name, field in built.items()}
