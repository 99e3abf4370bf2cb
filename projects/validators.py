"""The licence rule of projects and catalog entries: an SPDX expression, stored in its canonical spelling."""

from functools import cache

from django.core.exceptions import ValidationError
from license_expression import Licensing, get_spdx_licensing

LICENSE_HELP = "An SPDX identifier or expression, for example Apache-2.0, MIT, CC-BY-4.0 or “MIT OR Apache-2.0”."


@cache
def _spdx() -> Licensing:
    return get_spdx_licensing()


def validate_spdx_expression(value: str) -> None:
    """A licence must be an SPDX identifier or expression (``Apache-2.0``, ``MIT OR Apache-2.0``)."""
    if not value:
        return
    info = _spdx().validate(value)
    if info.errors:
        raise ValidationError(f"“{value}” is not an SPDX licence identifier (for example Apache-2.0, MIT, CC-BY-4.0).")


def normalize_spdx_expression(value: str) -> str:
    """The canonical spelling: ``apache-2.0`` becomes ``Apache-2.0``."""
    if not value:
        return ""
    return _spdx().validate(value).normalized_expression or value
