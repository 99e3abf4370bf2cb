"""Delivery: queueing (``alliance.jobs``, with its circuit breaker), writing a crowd's rows, sending chunks of rows
exactly once over one connection to the mail server each, the sweep, retries.

Rows are sent a chunk at a time (``CHUNK_SIZE``): the chunk is claimed (``alliance.sweeps.claim_many``: ``FOR UPDATE
SKIP LOCKED``), its emails go over one connection to the mail server (Django's ``send_messages``), and every row is
marked sent (or its failure recorded) in the same transaction; see the package's docstring for the one duplicate
window left. Several workers, and the sweep, share the work: each claims rows nobody else holds.
"""

import functools
import logging
from collections import defaultdict
from datetime import timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ..audit import audit_record
from ..errors import DomainError, require_staff
from ..jobs import enqueue_once
from ..locking import lock_row
from ..models import FORGOTTEN_ADDRESS, Notification, NotificationFanOut, NotificationPreference
from ..sweeps import claim, claim_many
from .context import context_thaw
from .preferences import PREFERENCE_KINDS, people_without_email, unsubscribe_token
from .writing import notifications_write

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # back-off 2, 4, 8, 16, 32 minutes, then failed: about an hour of retries
CHUNK_SIZE = 100  # rows claimed, written or sent together (one connection to the mail server per chunk)
SWEEP_LIMIT = 5000  # notifications one sweep run sends at most (some seconds of mail); the next run takes the rest


# --- publishing to the broker ----------------------------------------------------------------------------------

DELIVER_TASK = "alliance.tasks.deliver_notifications"  # by name: the outbox does not import its tasks
FAN_OUT_TASK = "alliance.tasks.fan_out_notification"


def notifications_enqueue(notification_ids: list[int]) -> None:
    """Ask the workers to deliver these now, one message per chunk; never raise, never wait long: the sweep is the
    safety net."""
    for start in range(0, len(notification_ids), CHUNK_SIZE):
        enqueue_once(DELIVER_TASK, notification_ids[start : start + CHUNK_SIZE], what="notifications")


def notification_fan_out_enqueue(fan_out_id: int) -> None:
    """Ask a worker to write and send a crowd's notifications: one message, however large the crowd."""
    enqueue_once(FAN_OUT_TASK, fan_out_id, what="crowd notification")


# --- delivery ----------------------------------------------------------------------------------------------------


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending notification now (its back-off or not), exactly once, whoever else is trying at the same
    time. Returns whether this call sent it."""
    return notifications_deliver(notification_ids=[notification_id]) == 1


def notifications_deliver(*, notification_ids: list[int]) -> int:
    """Send those of these notifications still pending, a chunk at a time; rows another worker holds are left to
    it. Returns how many this call sent."""
    pending = Notification.objects.filter(status=Notification.Status.PENDING)
    return sum(
        _deliver_next_chunk(pending.filter(pk__in=notification_ids[start : start + CHUNK_SIZE]))
        for start in range(0, len(notification_ids), CHUNK_SIZE)
    )


def notifications_due() -> QuerySet[Notification]:
    """Pending notifications whose time has come: new ones, and failed attempts whose back-off has passed."""
    return Notification.objects.filter(status=Notification.Status.PENDING).exclude(next_attempt_at__gt=timezone.now())


def notifications_sweep_run(*, limit: int = SWEEP_LIMIT) -> int:
    """Write what crowds are still owed, then deliver due notifications a chunk at a time, up to ``limit``.

    Several sweeps (and the delivery tasks) can run at once: each claims rows no one else holds, so they share the
    work and never send one twice. Returns how many were sent.
    """
    for fan_out_id in _fan_outs_due().values_list("pk", flat=True):
        notification_fan_out_run(fan_out_id=fan_out_id)
    sent = claimed = 0
    while claimed < limit:
        with transaction.atomic():
            chunk = claim_many(notifications_due().select_related("recipient"), min(CHUNK_SIZE, limit - claimed))
            if not chunk:
                break
            claimed += len(chunk)
            sent += _deliver_claimed(chunk)
    return sent


def _deliver_next_chunk(candidates: QuerySet[Notification]) -> int:
    with transaction.atomic():
        chunk = claim_many(candidates.select_related("recipient"), CHUNK_SIZE)
        return _deliver_claimed(chunk) if chunk else 0


def _deliver_claimed(chunk: list[Notification]) -> int:
    """Send a chunk the caller holds claimed, over one connection; record each row's outcome. Returns how many
    were sent. A person who turned the kind off since the row was written is skipped (asked again now)."""
    muted = _muted_now(chunk)
    if muted:
        Notification.objects.filter(pk__in=muted).update(status=Notification.Status.SKIPPED)
    sent: list[int] = []
    mail = _MailConnection()
    try:
        for notification in chunk:
            if notification.pk in muted:
                continue
            try:
                mail.send(_email_message(notification))
            except Exception as error:
                _failure_record(notification, error)
            else:
                sent.append(notification.pk)
    finally:
        mail.close()
    if sent:
        Notification.objects.filter(pk__in=sent).update(
            status=Notification.Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1
        )
        _addresses_forget(Notification.objects.filter(pk__in=sent))
    return len(sent)


def _addresses_forget(notifications: QuerySet[Notification]) -> None:
    """The rows that were the last message to an erased address keep it no longer than needed to send them."""
    notifications.filter(forget_address_when_sent=True).update(email=FORGOTTEN_ADDRESS, forget_address_when_sent=False)


def _muted_now(chunk: list[Notification]) -> set[int]:
    """The rows of the chunk whose person no longer wants email of their kind (one query per kind)."""
    people_by_kind: dict[str, set[int]] = defaultdict(set)
    for notification in chunk:
        if not notification.transactional and notification.recipient_id:
            people_by_kind[notification.kind].add(notification.recipient_id)
    unwanted = {kind: people_without_email(sorted(ids), kind) for kind, ids in people_by_kind.items()}
    return {
        notification.pk
        for notification in chunk
        if not notification.transactional and notification.recipient_id in unwanted.get(notification.kind, ())
    }


def _failure_record(notification: Notification, error: Exception) -> None:
    """Any failure counts as an attempt: back off exponentially, give up after ``MAX_ATTEMPTS``."""
    notification.attempts += 1
    notification.last_error = repr(error)[:2000]
    if notification.attempts >= MAX_ATTEMPTS:
        notification.status = Notification.Status.FAILED
        notification.next_attempt_at = None
    else:
        notification.next_attempt_at = timezone.now() + timedelta(minutes=2**notification.attempts)
    notification.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    if notification.status == Notification.Status.FAILED:
        _addresses_forget(Notification.objects.filter(pk=notification.pk))
    logger.warning("Notification %s failed (attempt %s)", notification.pk, notification.attempts)


class _MailConnection:
    """The one connection to the mail server a chunk goes over: opened for the first message, opened again only
    after a failure (the server may have dropped it), closed at the end."""

    def __init__(self) -> None:
        self.backend = get_connection()
        self.is_open = False

    def send(self, message: EmailMultiAlternatives) -> None:
        if not self.is_open:
            self.backend.open()
            self.is_open = True
        try:
            if self.backend.send_messages([message]) != 1:
                raise RuntimeError("The mail server did not accept the message.")
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.is_open:
            self.is_open = False
            try:
                self.backend.close()
            except Exception:  # a connection that already broke: nothing left to close
                logger.info("Closing the connection to the mail server failed", exc_info=True)


def email_bodies(
    *, subject: str, body: str, language: str = "", link: str = "", unsubscribe_url: str = "", kind_label: str = ""
) -> tuple[str, str]:
    """The portal's email layout around a message: the plain text and the branded HTML, in ``language``.

    Every email the portal sends wears it: notifications, and the account mails allauth writes
    (``members.adapters.AccountAdapter.render_mail``).
    """
    context = {
        "notification": {"subject": subject, "body": body, "language": language or settings.LANGUAGE_CODE},
        "link": link,
        "unsubscribe_url": unsubscribe_url,
        "kind_label": kind_label,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "preferences_url": settings.SITE_URL + reverse("notification_preferences"),
    }
    with translation.override(language or settings.LANGUAGE_CODE):
        return (
            render_to_string("alliance/notifications/email.txt", context),
            render_to_string("alliance/notifications/email.html", context),
        )


def _email_message(notification: Notification) -> EmailMultiAlternatives:
    """The multipart email: the recorded text, and the branded HTML rendered from the same content."""
    unsubscribe_url = ""
    if not notification.transactional and notification.recipient_id and notification.kind in PREFERENCE_KINDS:
        unsubscribe_url = settings.SITE_URL + reverse(
            "notification_unsubscribe",
            kwargs={"token": unsubscribe_token(person=notification.recipient, kind=notification.kind)},
        )
    link = notification.url if notification.url.startswith("http") else settings.SITE_URL + notification.url
    text, html = email_bodies(
        subject=notification.subject,
        body=notification.body,
        language=notification.language,
        link=link if notification.url else "",
        unsubscribe_url=unsubscribe_url,
        kind_label=str(NotificationPreference.Kind(notification.kind).label) if unsubscribe_url else "",
    )
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
    domain = _domain_of(settings.DEFAULT_FROM_EMAIL)
    return f"<notification-{notification.pk}-{notification.created_at:%Y%m%d%H%M%S}@{domain}>"


@functools.lru_cache(maxsize=8)
def _domain_of(address: str) -> str:
    """The mail domain of the sender (parsing an address is slow next to the rest of a message: once per address)."""
    return parseaddr(address)[1].rpartition("@")[2] or "alliance.invalid"


# --- crowds: writing each person's row -------------------------------------------------------------------------------


def _fan_outs_due() -> QuerySet[NotificationFanOut]:
    return NotificationFanOut.objects.filter(failed_at__isnull=True).exclude(next_attempt_at__gt=timezone.now())


def notification_fan_out_run(*, fan_out_id: int) -> int:
    """Write a crowd's notifications a chunk at a time and hand each chunk to delivery as soon as it commits.

    The crowd's row is claimed for each chunk (skipped while another worker writes one), and ``expanded`` moves on
    in the same transaction as the chunk's rows, so a second run, or one after a crash, writes nobody's twice. A
    chunk that cannot be written (an object of its context was deleted, say) is retried with a back-off, then kept
    as failed. Returns how many rows this run wrote.
    """
    people = get_user_model()._default_manager
    context: dict[str, Any] | None = None
    written = 0
    while True:
        with transaction.atomic():
            fan_out = claim(_fan_outs_due().filter(pk=fan_out_id))
            if fan_out is None:  # done (deleted), failed, backing off, or another worker holds it
                return written
            chunk_ids = fan_out.recipient_ids[fan_out.expanded : fan_out.expanded + CHUNK_SIZE]
            try:
                with transaction.atomic():
                    if context is None:
                        context = context_thaw(fan_out.context)
                    recipients = [(person, person.email) for person in people.filter(pk__in=chunk_ids).order_by("pk")]
                    rows = notifications_write(
                        recipients,
                        kind=fan_out.kind,
                        template=fan_out.template,
                        context=context,
                        url=fan_out.url,
                        transactional=fan_out.transactional,
                    )
            except Exception as error:
                _fan_out_failure_record(fan_out, error)
                return written
            fan_out.expanded += len(chunk_ids)
            if fan_out.expanded >= len(fan_out.recipient_ids):
                fan_out.delete()
            else:
                fan_out.save(update_fields=["expanded"])
        written += len(rows)
        pending = [n.pk for n in rows if n.status == Notification.Status.PENDING]
        if pending:
            notifications_enqueue(pending)


def _fan_out_failure_record(fan_out: NotificationFanOut, error: Exception) -> None:
    logger.exception("Crowd notification %s could not be written (attempt %s)", fan_out.pk, fan_out.attempts + 1)
    fan_out.attempts += 1
    fan_out.last_error = repr(error)[:2000]
    if fan_out.attempts >= MAX_ATTEMPTS:
        fan_out.failed_at = timezone.now()
    else:
        fan_out.next_attempt_at = timezone.now() + timedelta(minutes=2**fan_out.attempts)
    fan_out.save(update_fields=["attempts", "last_error", "next_attempt_at", "failed_at"])


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
