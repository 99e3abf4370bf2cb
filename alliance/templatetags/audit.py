from django import template

from alliance.audit import action_label
from alliance.audit_pages import recorded_value

register = template.Library()


@register.filter(name="action_label")
def action_label_filter(action: str) -> str:
    """``{{ entry.action|action_label }}``: the words a person reads for an action code (``ACTION_LABELS``)."""
    return action_label(action)


@register.filter(name="recorded_value")
def recorded_value_filter(value: object) -> str:
    """``{{ value|recorded_value }}``: a recorded before or after value, moments with their zone."""
    return recorded_value(value)
