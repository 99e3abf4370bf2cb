"""The in-app inbox: every notification recorded for a person, emailed or not, and whether they have read it."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ..errors import NotPermitted
from ..models import Notification


def inbox(*, person: Any, kind: str | None = None, unread: bool | None = None) -> QuerySet[Notification]:
    """A person's notifications, newest first: every one recorded for them, emailed or not.

    ``kind`` keeps those of one kind; ``unread`` True keeps the unread ones, False the read ones.
    """
    notifications = Notification.objects.filter(recipient=person)
    if kind is not None:
        notifications = notifications.filter(kind=kind)
    if unread is not None:
        notifications = notifications.filter(read_at__isnull=unread)
    return notifications.order_by("-created_at", "-id")


def unread_count(*, person: Any) -> int:
    """How many of the person's notifications they have not marked read (the header's count)."""
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """The recipient marks one notification read; marking it again keeps the first time."""
    if notification.recipient_id != actor.pk:
        raise NotPermitted("This notification is not yours.")
    if notification.read_at is None:
        now = timezone.now()
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        if updated:
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: Any) -> int:
    """The person marks every unread notification of theirs read; returns how many were unread."""
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
