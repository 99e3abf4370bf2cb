"""The one place every service calls to tell people about a change.

``notify`` renders the message and records it as a ``Notification`` row inside the caller's transaction (the
outbox). After the transaction commits, a Celery task is asked to deliver it; if the broker cannot be reached
the request still completes and the periodic sweep delivers the message later. A rolled-back change leaves
no row, so it notifies no one.

Message templates live in ``templates/notifications/<name>.txt``: the first line is the subject, the rest is
the plain-text body.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
Recipient = Any  # a person (with .email) or a bare email address


def notify(
    *,
    recipients: Iterable[Recipient],
    kind: str,
    template: str,
    context: dict[str, Any] | None = None,
    url: str = "",
) -> list[Notification]:
    """Record one notification per distinct recipient and schedule its delivery after commit."""
    created = []
    seen: set[str] = set()
    for recipient in recipients:
        person = None if isinstance(recipient, str) else recipient
        email = recipient if person is None else person.email
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        subject, body = _render(template, {**(context or {}), "recipient": person, "site_url": settings.SITE_URL})
        created.append(Notification(recipient=person, email=email, kind=kind, subject=subject, body=body, url=url))
    notifications = Notification.objects.bulk_create(created)
    for notification in notifications:
        transaction.on_commit(lambda pk=notification.pk: _enqueue(pk))
    return notifications


def staff_recipients() -> list[Recipient]:
    """Who hears about work waiting for staff: active staff accounts and the secretariat's addresses."""
    from django.contrib.auth import get_user_model

    staff = list(get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk"))
    return [*staff, *settings.STAFF_NOTIFICATION_EMAILS]


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    text = render_to_string(f"notifications/{template}.txt", context).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def _enqueue(notification_id: int) -> None:
    from .tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception:  # the broker is down: the sweep will deliver it
        logger.warning("Could not enqueue notification %s; the sweep will deliver it", notification_id, exc_info=True)


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending notification, exactly once, whoever else is trying at the same time.

    The row is locked (skipping it if another worker holds it) for the duration of the send, and marked sent
    in the same transaction, so a retried or redelivered task finds it already sent and does nothing.
    Returns whether this call sent it.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return False
        try:
            EmailMessage(
                subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.subject}",
                body=notification.body,
                to=[notification.email],
            ).send()
        except Exception as error:
            notification.attempts += 1
            notification.last_error = repr(error)[:2000]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
            else:
                notification.next_attempt_at = timezone.now() + timedelta(minutes=2**notification.attempts)
            notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            logger.warning("Notification %s failed (attempt %s)", notification.pk, notification.attempts)
            return False
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.attempts += 1
        notification.save(update_fields=["status", "sent_at", "attempts"])
        return True


def notifications_due(*, limit: int = 500) -> list[int]:
    """Pending notifications whose time has come: new ones, and failed attempts whose back-off has passed."""
    now = timezone.now()
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
