from typing import Any

from django import template

from alliance.webhooks.selectors import may_manage_webhooks

register = template.Library()


@register.filter
def manages_webhooks(person: Any) -> bool:
    """Whether the account menu shows Webhooks: staff and organization admins (asked once per request)."""
    if not hasattr(person, "_manages_webhooks"):
        person._manages_webhooks = may_manage_webhooks(person)
    return person._manages_webhooks
