from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .notifications import unread_count


def portal(request) -> dict:
    return {"SITE_NAME": settings.SITE_NAME}


def unread_notifications(request) -> dict:
    """The header's unread count: one COUNT, only for signed-in people, only when a template shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": SimpleLazyObject(lambda: unread_count(person=user))}
