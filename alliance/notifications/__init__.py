"""The one place every service calls to tell people about a change.

``notify`` renders the message, in the recipient's language, and records it as a ``Notification`` row inside
the caller's transaction (the outbox). After the transaction commits, a Celery task is asked to deliver it (one
message per chunk of rows, never one per recipient); if the broker cannot be reached the request still completes
promptly (short broker timeouts, and a circuit breaker in ``alliance.jobs`` that stops trying for
``BROKER_RETRY_AFTER`` seconds) and the periodic sweep delivers the message later. A rolled-back change leaves no
row, so it notifies no one.

A crowd (everyone registered for an event, however many) is told with ``notify_crowd``: the request records one
``NotificationFanOut`` row (who, by id, and what), so it costs the same for ten people or ten thousand, and one
message asks a worker to write each person's row (rendered then, in their language) and send them, a chunk at a
time. The sweep finishes any crowd the broker never heard of.

Each app keeps the messages it sends in ``<app>/templates/<app>/notifications/<name>.txt`` and names them by that
path (``template="events/notifications/event_reminder"``): the first line is the subject (shortened with an
ellipsis when it is longer than 255 characters), the rest is the plain-text body. The email's layout is
``alliance/notifications/email.txt`` and ``.html``, around that text.

Preferences: a person may turn email of a kind (membership, projects, events, digests) off. Transactional
messages always go: invitations and security messages (by kind), and what a service marks
``transactional=True`` because it answers the person's own request (event registration confirmed, waitlisted
or promoted, an event they registered for cancelled, their organization's application received, decided or
returned for changes, their join request decided). Turning a kind off stops the email only: the in-app inbox
still records the notification (its status says ``skipped``). Every non-transactional email to a person
carries a one-click unsubscribe link for its kind (RFC 8058 headers).

Exactly once: rows are sent a chunk at a time (``CHUNK_SIZE``), over one connection to the mail server; the
chunk's rows are locked (``FOR UPDATE SKIP LOCKED``) while they are sent and marked sent in the same transaction,
so a retried, redelivered or concurrent task finds them sent or locked and does nothing. The one window left is a
process killed after the mail server accepted messages of a chunk and before the commit: those rows stay pending
and are sent again. Each email carries a ``Message-ID`` fixed per notification, so such a copy is recognisably the
same message (mail systems that deduplicate by ``Message-ID`` drop it).

Where things are: ``outbox`` (``notify``, ``notify_crowd``, ``staff_recipients``), ``writing`` (rendering each
row), ``context`` (a crowd's context kept for later), ``delivery`` (queueing through ``alliance.jobs``, writing a
crowd's rows, sending chunks, the sweep, retries, failed messages), ``preferences`` (email preferences, language,
unsubscribe tokens), ``in_app`` (the inbox). The pages are in ``views`` / ``urls``, the API in ``api``. Import the
names from this package: ``from alliance.notifications import notify``.
"""

from ..jobs import BROKER_RETRY_AFTER, BrokerCircuit, broker_circuit
from .delivery import (
    CHUNK_SIZE,
    MAX_ATTEMPTS,
    SWEEP_LIMIT,
    email_bodies,
    notification_deliver,
    notification_fan_out_enqueue,
    notification_fan_out_run,
    notification_retry,
    notifications_deliver,
    notifications_due,
    notifications_enqueue,
    notifications_failed,
    notifications_sweep_run,
)
from .in_app import inbox, notification_mark_read, notifications_mark_all_read, unread_count
from .outbox import ALWAYS_TRANSACTIONAL, Recipient, notify, notify_crowd, staff_recipients
from .preferences import (
    PREFERENCE_KINDS,
    UNSUBSCRIBE_SALT,
    email_preferences,
    email_wanted,
    languages_of,
    notification_preference_set,
    people_without_email,
    unsubscribe_token,
    unsubscribe_token_read,
)
from .retention import notifications_expire

__all__ = [
    "ALWAYS_TRANSACTIONAL",
    "BROKER_RETRY_AFTER",
    "CHUNK_SIZE",
    "MAX_ATTEMPTS",
    "PREFERENCE_KINDS",
    "SWEEP_LIMIT",
    "UNSUBSCRIBE_SALT",
    "BrokerCircuit",
    "Recipient",
    "broker_circuit",
    "email_bodies",
    "email_preferences",
    "email_wanted",
    "inbox",
    "languages_of",
    "notification_deliver",
    "notification_fan_out_enqueue",
    "notification_fan_out_run",
    "notification_mark_read",
    "notification_preference_set",
    "notification_retry",
    "notifications_deliver",
    "notifications_due",
    "notifications_enqueue",
    "notifications_expire",
    "notifications_failed",
    "notifications_mark_all_read",
    "notifications_sweep_run",
    "notify",
    "notify_crowd",
    "people_without_email",
    "staff_recipients",
    "unread_count",
    "unsubscribe_token",
    "unsubscribe_token_read",
]
