"""The licence rule of projects and catalog entries: an SPDX expression, stored in its canonical spelling."""

import re
from functools import cache

from django.core.exceptions import ValidationError
from license_expression import ExpressionError, ExpressionInfo, Licensing, get_spdx_licensing

LICENSE_HELP = "An SPDX identifier or expression, for example Apache-2.0, MIT, CC-BY-4.0 or “MIT OR Apache-2.0”."

# SPDX identifiers, operators (AND, OR, WITH) and parentheses are ASCII letters, digits, ".", "-", "+", ":" and
# spaces; anything else ("MIT%", "@@", a control character, "Apache-2.0 ✓") is not an expression. The library
# cannot tokenize such text and fails with an AttributeError of its own (an ExpressionError without token_string),
# so it is refused before the library sees it, and any failure of the library is a refusal too, never a 500.
_SPDX_CHARACTERS = re.compile(r"[A-Za-z0-9.+\-:() ]+")


@cache
def _spdx() -> Licensing:
    return get_spdx_licensing()


def _info(value: str) -> ExpressionInfo | None:
    """The library's reading of ``value``, or None when it is not even made of an expression's characters."""
    if not _SPDX_CHARACTERS.fullmatch(value):
        return None
    try:
        return _spdx().validate(value)
    except (ExpressionError, AttributeError, TypeError, ValueError):
        return None


def validate_spdx_expression(value: str) -> None:
    """A licence must be an SPDX identifier or expression (``Apache-2.0``, ``MIT OR Apache-2.0``)."""
    if not value:
        return
    info = _info(value)
    if info is None or info.errors:
        raise ValidationError(
            f"“{value}” is not an SPDX licence identifier or expression (for example Apache-2.0, MIT, CC-BY-4.0 "
            "or “MIT OR Apache-2.0”).",
            code="invalid_spdx",
        )


def normalize_spdx_expression(value: str) -> str:
    """The canonical spelling: ``apache-2.0`` becomes ``Apache-2.0``."""
    if not value:
        return ""
    info = _info(value)
    return (info.normalized_expression if info else None) or value
