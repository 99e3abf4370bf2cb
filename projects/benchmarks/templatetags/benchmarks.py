"""Template filters of the benchmark pages."""

from django import template

register = template.Library()


@register.filter
def measure(value: float | None) -> str:
    """A result as people write it: ``1.9``, ``61.4``, ``420`` (no trailing ``.0``, no float noise); '' for none."""
    return "" if value is None else f"{value:.6g}"
