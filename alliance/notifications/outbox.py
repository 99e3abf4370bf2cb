"""Recording: ``notify`` writes one outbox row per recipient inside the caller's transaction.

The rows are rendered now, in each recipient's language, so what is delivered later is what was true when the
change happened. Delivery is asked for only after the transaction commits (``delivery.notifications_enqueue``).
"""

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template import Context, Engine
from django.utils import translation

from ..models import Notification
from .delivery import notifications_enqueue
from .preferences import languages_of, people_without_email

ALWAYS_TRANSACTIONAL = {Notification.Kind.INVITATION, Notification.Kind.SECURITY}

Recipient = Any  # a person (with .email) or a bare email address


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
    languages = languages_of(person_ids)
    muted = set() if transactional else people_without_email(person_ids, kind)
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
        transaction.on_commit(partial(notifications_enqueue, to_send))
    return notifications


def staff_recipients() -> list[Recipient]:
    """Who hears about work waiting for staff: active staff accounts and the secretariat's addresses."""
    staff = list(get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk"))
    return [*staff, *settings.STAFF_NOTIFICATION_EMAILS]


def _render(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and plain-text body; plain text is not HTML, so nothing is escaped (the HTML part escapes it)."""
    text = Engine.get_default().get_template(f"{template}.txt").render(Context(context, autoescape=False)).strip()
    subject, _, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"
