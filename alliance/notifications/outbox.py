"""Recording: ``notify`` writes one outbox row per recipient inside the caller's transaction; ``notify_crowd`` writes
one row for a whole crowd, which the delivery job turns into theirs.

``notify``'s rows are rendered now, in each recipient's language, so what is delivered later is what was true when
the change happened, and the inbox shows them at once. For a crowd whose size the service does not choose
(everyone registered for an event), rendering in the request would make the request grow with the crowd:
``notify_crowd`` records who and what (a ``NotificationFanOut``) and the job writes each person's row moments later.
Delivery is asked for only after the transaction commits, by one message per change (``delivery``).
"""

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.template import Engine

from ..models import Notification, NotificationFanOut
from .context import context_freeze
from .delivery import notification_fan_out_enqueue, notifications_enqueue
from .writing import Recipient, notifications_write, recipients_distinct

ALWAYS_TRANSACTIONAL = {Notification.Kind.INVITATION, Notification.Kind.SECURITY}

__all__ = ["ALWAYS_TRANSACTIONAL", "Recipient", "notify", "notify_crowd", "staff_recipients"]


def notify(
    *,
    recipients: Iterable[Recipient],
    kind: str,
    template: str,
    context: dict[str, Any] | None = None,
    url: str = "",
    transactional: bool = False,
    forget_address_when_sent: bool = False,
) -> list[Notification]:
    """Record one notification per distinct recipient and schedule its delivery after commit.

    ``transactional`` messages go whatever the recipient's preferences; invitations and security messages
    always are. A person who turned the kind off gets the notification in the inbox, but no email.
    ``forget_address_when_sent``: the last message to an address being erased keeps it only until it is sent (or
    has failed for good); then the row's address becomes a placeholder.
    """
    notifications = notifications_write(
        recipients_distinct(recipients),
        kind=kind,
        template=template,
        context=context or {},
        url=url,
        transactional=transactional or kind in ALWAYS_TRANSACTIONAL,
        forget_address_when_sent=forget_address_when_sent,
    )
    to_send = [n.pk for n in notifications if n.status == Notification.Status.PENDING]
    if to_send:
        transaction.on_commit(partial(notifications_enqueue, to_send))
    return notifications


def notify_crowd(
    *,
    people: QuerySet[Any],
    kind: str,
    template: str,
    context: dict[str, Any] | None = None,
    url: str = "",
    transactional: bool = False,
) -> NotificationFanOut | None:
    """Tell a crowd of people (a query of accounts) the same news: one row now, whatever the crowd's size.

    The people are those ``people`` selects now; each gets the notification ``notify`` would have written, in
    their language and by their preferences, written and sent by the delivery job after commit (seconds later,
    for thousands). ``context`` holds what ``alliance.notifications.context`` can keep: objects (by reference),
    text, numbers, dates. None when the query selects nobody.
    """
    Engine.get_default().get_template(f"{template}.txt")  # a wrong name fails here, in the service, not later
    frozen = context_freeze(context or {})  # and so does a context that cannot be kept
    person_ids = list(people.order_by("pk").values_list("pk", flat=True).distinct())
    if not person_ids:
        return None
    fan_out = NotificationFanOut.objects.create(
        kind=kind,
        transactional=transactional or kind in ALWAYS_TRANSACTIONAL,
        template=template,
        context=frozen,
        url=url,
        recipient_ids=person_ids,
    )
    transaction.on_commit(partial(notification_fan_out_enqueue, fan_out.pk))
    return fan_out


def staff_recipients() -> list[Recipient]:
    """Who hears about work waiting for staff: active staff accounts and the secretariat's addresses."""
    staff = list(get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk"))
    return [*staff, *settings.STAFF_NOTIFICATION_EMAILS]
