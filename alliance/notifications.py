"""The one place every service calls to tell people about a change.

``notify`` renders the message, in the recipient's language, and records it as a ``Notification`` row inside
the caller's transaction (the outbox). After the transaction commits, a Celery task is asked to deliver it;
if the broker cannot be reached the request still completes promptly (short broker timeouts, and a circuit
breaker that stops trying for ``BROKER_RETRY_AFTER`` seconds) and the periodic sweep delivers the message
later. A rolled-back change leaves no row, so it notifies no one.

Each app keeps the messages it sends in ``<app>/templates/<app>/notifications/<name>.txt`` and names them by that
path (``template="events/notifications/event_reminder"``): the first line is the subject, the rest is the
plain-text body. The email's layout is ``alliance/notifications/email.txt`` and ``.html``, around that text.

Preferences: a person may turn email of a kind (membership, projects, events, digests) off. Transactional
messages always go: invitations and security messages (by kind), and what a service marks
``transactional=True`` because it answers the person's own request (event registration confirmed, waitlisted
or promoted, an event they registered for cancelled, their organization's application received, decided or
returned for changes, their join request decided). Turning a kind off stops the email only: the in-app inbox
still records the notification (its status says ``skipped``). Every non-transactional email to a person
carries a one-click unsubscribe link for its kind (RFC 8058 headers).

Exactly once: the row is locked (``FOR UPDATE SKIP LOCKED``) while it is sent and marked sent in the same
transaction, so a retried, redelivered or concurrent task finds it sent or locked and does nothing. The one
window left is a process killed after the mail server accepted the message and before the commit: the row
stays pending and is sent again. Each email carries a ``Message-ID`` fixed per notification, so such a copy is
recognisably the same message (mail systems that deduplicate by ``Message-ID`` drop it).
"""

import logging
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from email.utils import parseaddr
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from .audit import audit_record
from .errors import DomainError, NotPermitted
from .models import Notification, NotificationPreference, NotificationProfile

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # back-off 2, 4, 8, 16, 32 minutes, then failed: about an hour of retries
BROKER_RETRY_AFTER = 30.0  # seconds without publishing after the broker failed once; the sweep covers the gap
ALWAYS_TRANSACTIONAL = {Notification.Kind.INVITATION, Notification.Kind.SECURITY}
UNSUBSCRIBE_SALT = "alliance.notifications.unsubscribe"

Recipient = Any  # a person (with .email) or a bare email address


# --- recording -----------------------------------------------------------------------------------------------


def notify(
    *,
    recipients: Iterable[Recipient],
    kind: str,
    template: str,
    context: dict[str, Any] | None = None,
    url: str = "",
    transactional: bool = False,
) -> list[Notification]:
    """Record one notification per distinct recipient and schedule its delivery after commit.

    ``transactional`` messages go whatever the recipient's preferences; invitations and security messages
    always are. A person who turned the kind off gets the notification in the inbox, but no email.
    """
    transactional = transactional or kind in ALWAYS_TRANSACTIONAL
    distinct: list[tuple[Any, str]] = []
    seen: set[str] = set()
    for recipient in recipients:
        person = None if isinstance(recipient, str) else recipient
        email = recipient if person is None else person.email
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        distinct.append((person, email))
    person_ids = [person.pk for person, _ in distinct if person is not None]
    languages = _languages(person_ids)
    muted = set() if transactional else _people_without_email(person_ids, kind)
    created = []
    for person, email in distinct:
        language = languages.get(person.pk, "") if person is not None else ""
        with translation.override(language or settings.LANGUAGE_CODE):
            subject, body = _render(template, {**(context or {}), "recipient": person, "site_url": settings.SITE_URL})
        status = Notification.Status.SKIPPED if person is not None and person.pk in muted else None
        created.append(
            Notification(
                recipient=person,
                email=email,
                kind=kind,
                transactional=transactional,
                language=language,
                subject=subject,
                body=body,
                url=url,
                status=status or Notification.Status.PENDING,
            )
        )
    notifications = Notification.objects.bulk_create(created)
    to_send = [n.pk for n in notifications if n.status == Notification.Status.PENDING]
    if to_send:
        transaction.on_commit(partial(_enqueue, to_send))
    return notifications


def staff_recipients() -> list[Recipient]:
    """Who hears about work waiting for staff: active staff accounts and the secretariat's addresses."""
    from django.contrib.auth import get_user_model

    staff = list(get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk"))
    return [*staff, *settings.STAFF_NOTIFICATION_EMAILS]


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and plain-text body; plain text is not HTML, so nothing is escaped (the HTML part escapes it)."""
    text = get_template(f"{template}.txt").template.render(Context(context, autoescape=False)).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def _languages(person_ids: list[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    return dict(
        NotificationProfile.objects.filter(person_id__in=person_ids)
        .exclude(language="")
        .values_list("person_id", "language")
    )


def _people_without_email(person_ids: list[int], kind: str) -> set[int]:
    """Of these people, those who do not want email of this kind (explicitly, or by the default)."""
    if not person_ids or kind not in NotificationPreference.Kind.values:
        return set()
    chosen = dict(
        NotificationPreference.objects.filter(person_id__in=person_ids, kind=kind).values_list(
            "person_id", "email_enabled"
        )
    )
    default = NotificationPreference.DEFAULT_EMAIL[NotificationPreference.Kind(kind)]
    return {pk for pk in person_ids if not chosen.get(pk, default)}


# --- publishing to the broker ----------------------------------------------------------------------------------


class _BrokerCircuit:
    """After one failed publish, stop asking the broker for a while: later requests do not wait on it at all.

    Per process; the sweep (run by beat every minute) delivers whatever was not published.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed_until = 0.0

    def is_open(self) -> bool:
        with self._lock:
            return time.monotonic() < self._closed_until

    def trip(self) -> None:
        with self._lock:
            self._closed_until = time.monotonic() + BROKER_RETRY_AFTER

    def reset(self) -> None:
        with self._lock:
            self._closed_until = 0.0


broker_circuit = _BrokerCircuit()


def _enqueue(notification_ids: list[int]) -> None:
    """Ask a worker to deliver these now; never raise, never wait long: the sweep is the safety net."""
    from .celery import app
    from .tasks import deliver_notification

    uses_broker = not app.conf.task_always_eager  # eager tasks run here: their errors say nothing of the broker
    if uses_broker and broker_circuit.is_open():
        logger.info("Broker marked unavailable; the sweep will deliver notifications %s", notification_ids)
        return
    for notification_id in notification_ids:
        try:
            deliver_notification.delay(notification_id)
        except Exception:
            if uses_broker:
                broker_circuit.trip()
            logger.warning(
                "Could not enqueue notification %s; the sweep will deliver it", notification_id, exc_info=True
            )
            return


# --- delivery ----------------------------------------------------------------------------------------------------


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending notification, exactly once, whoever else is trying at the same time.

    The row is locked (skipping it if another worker holds it) for the duration of the send, and marked sent
    in the same transaction, so a retried or redelivered task finds it already sent and does nothing.
    Returns whether this call sent it.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return False
        return _deliver_locked(notification)


def notifications_due() -> QuerySet[Notification]:
    """Pending notifications whose time has come: new ones, and failed attempts whose back-off has passed."""
    return Notification.objects.filter(status=Notification.Status.PENDING).exclude(next_attempt_at__gt=timezone.now())


def notifications_sweep_run(*, limit: int = 500) -> int:
    """Deliver due notifications one row at a time, each claimed with ``FOR UPDATE SKIP LOCKED``.

    Several sweeps (and the per-notification tasks) can run at once: each claims a row no one else holds,
    so they share the work and never send one twice. Returns how many were sent.
    """
    sent = 0
    for _ in range(limit):
        with transaction.atomic():
            notification = (
                notifications_due()
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .order_by("pk")
                .first()
            )
            if notification is None:
                break
            sent += _deliver_locked(notification)
    return sent


def _deliver_locked(notification: Notification) -> bool:
    """Send a row the caller holds locked; record the outcome on it. Any failure counts as an attempt."""
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
    if not notification.transactional and notification.recipient_id and notification.kind in _PREFERENCE_KINDS:
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
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "alliance.invalid"
    return f"<notification-{notification.pk}-{notification.created_at:%Y%m%d%H%M%S}@{domain}>"


def notification_retry(*, actor: Any, notification: Notification) -> Notification:
    """Staff send a failed notification again (after fixing the mail server, say): a fresh set of attempts."""
    if not getattr(actor, "is_staff", False):
        raise NotPermitted("Only alliance staff can retry notifications.")
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.status != Notification.Status.FAILED:
            raise DomainError("Only a failed notification can be retried.")
        notification.status = Notification.Status.PENDING
        notification.attempts = 0
        notification.next_attempt_at = None
        notification.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="notification.retried",
            target=notification,
            changes={"status": (Notification.Status.FAILED, Notification.Status.PENDING)},
        )
        transaction.on_commit(partial(_enqueue, [notification.pk]))
    return notification


# --- preferences and unsubscribing ------------------------------------------------------------------------------

_PREFERENCE_KINDS = set(NotificationPreference.Kind.values)


def email_preferences(*, person: Any) -> dict[str, bool]:
    """Every kind a person can turn off, with whether they get its email (the default where they never chose)."""
    chosen = dict(NotificationPreference.objects.filter(person=person).values_list("kind", "email_enabled"))
    return {
        kind: chosen.get(kind, NotificationPreference.DEFAULT_EMAIL[NotificationPreference.Kind(kind)])
        for kind in NotificationPreference.Kind.values
    }


def email_wanted(*, person: Any, kind: str) -> bool:
    if kind not in _PREFERENCE_KINDS:
        return True
    return person.pk not in _people_without_email([person.pk], kind)


def notification_preference_set(*, person: Any, kind: str, email_enabled: bool) -> NotificationPreference:
    """A person turns the email of one kind on or off (from the preferences page, the API or an unsubscribe)."""
    if kind not in _PREFERENCE_KINDS:
        raise DomainError("Choose membership, projects, events or digests.", field="kind")
    preference, _ = NotificationPreference.objects.update_or_create(
        person=person, kind=kind, defaults={"email_enabled": bool(email_enabled)}
    )
    return preference


def notification_language_set(*, person: Any, language: str) -> NotificationProfile:
    """A person chooses the language of their messages; empty means the site's language."""
    if language and language not in dict(settings.LANGUAGES):
        raise DomainError("Choose one of the languages offered.", field="language")
    profile, _ = NotificationProfile.objects.update_or_create(person=person, defaults={"language": language})
    return profile


def notification_language(*, person: Any) -> str:
    return _languages([person.pk]).get(person.pk, "")


def unsubscribe_token(*, person: Any, kind: str) -> str:
    """A signed token naming one person and one kind: it turns off that kind for that person, nothing else."""
    return signing.dumps({"person": person.pk, "kind": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str]:
    """The person id and kind a token names; ``signing.BadSignature`` when it was not made by us."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if (
        not isinstance(data, dict)
        or data.get("kind") not in _PREFERENCE_KINDS
        or not isinstance(data.get("person"), int)
    ):
        raise signing.BadSignature("Not an unsubscribe token.")
    return data["person"], data["kind"]


# --- the in-app inbox ------------------------------------------------------------------------------------------


def inbox(*, person: Any) -> QuerySet[Notification]:
    """A person's notifications, newest first: every one recorded for them, emailed or not."""
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-id")


def unread_count(*, person: Any) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def notification_mark_read(*, person: Any, notification: Notification) -> Notification:
    """The recipient marks one notification read; marking it again keeps the first time."""
    if notification.recipient_id != person.pk:
        raise NotPermitted("This notification is not yours.")
    if notification.read_at is None:
        now = timezone.now()
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        if updated:
            notification.read_at = now
        else:
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, person: Any) -> int:
    """Mark every unread notification of the person read; returns how many were unread."""
    return Notification.objects.filter(recipient=person, read_at__isnull=True).update(read_at=timezone.now())
