"""Delivery: queueing (``alliance.jobs``, with its circuit breaker), sending one row exactly once, the sweep, retries.

A row is sent only while this process holds it claimed (``alliance.sweeps.claim``: ``FOR UPDATE SKIP LOCKED``)
and is marked sent in the same transaction; see the package's docstring for the one duplicate window left.
"""

import logging
from datetime import timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ..audit import audit_record
from ..errors import DomainError, require_staff
from ..jobs import enqueue
from ..locking import lock_row
from ..models import Notification, NotificationPreference
from ..sweeps import claim, claim_each
from .preferences import PREFERENCE_KINDS, email_wanted, unsubscribe_token

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # back-off 2, 4, 8, 16, 32 minutes, then failed: about an hour of retries
SWEEP_LIMIT = 500  # notifications one sweep run looks at; the next run (a minute later) takes the rest


# --- publishing to the broker ----------------------------------------------------------------------------------

DELIVER_TASK = "alliance.tasks.deliver_notification"  # by name: the outbox does not import its tasks


def notifications_enqueue(notification_ids: list[int]) -> None:
    """Ask a worker to deliver these now; never raise, never wait long: the sweep is the safety net."""
    enqueue(DELIVER_TASK, notification_ids, what="notification")


# --- delivery ----------------------------------------------------------------------------------------------------


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending notification, exactly once, whoever else is trying at the same time.

    The row is claimed (skipping it if another worker holds it) for the duration of the send, and marked sent
    in the same transaction, so a retried or redelivered task finds it already sent and does nothing.
    Returns whether this call sent it.
    """
    with transaction.atomic():
        notification = claim(
            Notification.objects.select_related("recipient").filter(
                pk=notification_id, status=Notification.Status.PENDING
            )
        )
        if notification is None:
            return False
        return _deliver_claimed(notification)


def notifications_due() -> QuerySet[Notification]:
    """Pending notifications whose time has come: new ones, and failed attempts whose back-off has passed."""
    return Notification.objects.filter(status=Notification.Status.PENDING).exclude(next_attempt_at__gt=timezone.now())


def notifications_sweep_run(*, limit: int = SWEEP_LIMIT) -> int:
    """Deliver due notifications one row at a time, each claimed with ``FOR UPDATE SKIP LOCKED``.

    Several sweeps (and the per-notification tasks) can run at once: each claims a row no one else holds,
    so they share the work and never send one twice. Returns how many were sent.
    """
    return claim_each(notifications_due().select_related("recipient"), _deliver_claimed, limit=limit)


def _deliver_claimed(notification: Notification) -> bool:
    """Send a row the caller holds claimed; record the outcome on it. Any failure counts as an attempt."""
    if (
        not notification.transactional
        and notification.recipient_id
        and not email_wanted(person=notification.recipient, kind=notification.kind)
    ):
        notification.status = Notification.Status.SKIPPED
        notification.save(update_fields=["status"])
        return False
    try:
        _email_message(notification).send()
    except Exception as error:
        notification.attempts += 1
        notification.last_error = repr(error)[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
            notification.next_attempt_at = None
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


def _email_message(notification: Notification) -> EmailMultiAlternatives:
    """The multipart email: the recorded text, and the branded HTML rendered from the same content."""
    unsubscribe_url = ""
    if not notification.transactional and notification.recipient_id and notification.kind in PREFERENCE_KINDS:
        unsubscribe_url = settings.SITE_URL + reverse(
            "notification_unsubscribe",
            kwargs={"token": unsubscribe_token(person=notification.recipient, kind=notification.kind)},
        )
    link = notification.url if notification.url.startswith("http") else settings.SITE_URL + notification.url
    context = {
        "notification": notification,
        "link": link if notification.url else "",
        "unsubscribe_url": unsubscribe_url,
        "kind_label": NotificationPreference.Kind(notification.kind).label if unsubscribe_url else "",
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "preferences_url": settings.SITE_URL + reverse("notification_preferences"),
    }
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        text = render_to_string("alliance/notifications/email.txt", context)
        html = render_to_string("alliance/notifications/email.html", context)
    headers = {"Message-ID": _message_id(notification)}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{notification.subject}",
        body=text,
        to=[notification.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _message_id(notification: Notification) -> str:
    """Fixed per notification, so a copy sent again after a crash is recognisably the same message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "alliance.invalid"
    return f"<notification-{notification.pk}-{notification.created_at:%Y%m%d%H%M%S}@{domain}>"


# --- what could not be delivered -----------------------------------------------------------------------------------


def notifications_failed() -> QuerySet[Notification]:
    """Notifications given up on after every attempt, newest first: what staff may retry."""
    return (
        Notification.objects.filter(status=Notification.Status.FAILED)
        .select_related("recipient")
        .order_by("-created_at", "-id")
    )


def notification_retry(*, actor: Any, notification: Notification) -> Notification:
    """Staff send a failed notification again (after fixing the mail server, say): a fresh set of attempts."""
    require_staff(actor)
    with transaction.atomic():
        locked = lock_row(Notification.objects.filter(pk=notification.pk))
        if locked is None or locked.status != Notification.Status.FAILED:
            raise DomainError("Only a failed notification can be retried.")
        locked.status = Notification.Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="notification.retried",
            target=locked,
            changes={"status": (Notification.Status.FAILED, Notification.Status.PENDING)},
        )
        transaction.on_commit(partial(notifications_enqueue, [locked.pk]))
    return locked
