"""What becomes a delivery: events of the audit trail, test events, and re-sends; each queued after commit.

Emission runs inside the caller's transaction (the audit trail calls ``webhook_audit_listener`` for every
entry), so a rolled-back change sends nothing. Who receives what is one rule, ``endpoint_receives``.
"""

import logging
from datetime import datetime
from functools import partial
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError
from alliance.jobs import enqueue
from alliance.models import AuditEntry
from members.models import User

from ..event_types import EVENT_TYPES, TEST_EVENT, api_url, object_name, organizations_concerned
from ..models import WebhookDelivery, WebhookEndpoint
from ..signing import message_id_generate
from ._common import endpoint_locked
from .endpoints import webhook_endpoint_manage_check

logger = logging.getLogger(__name__)

DELIVER_TASK = "alliance.webhooks.tasks.deliver_webhook"  # by name: services do not import tasks


def endpoint_receives(endpoint: WebhookEndpoint, event_type: str, organization_ids: set[int]) -> bool:
    """The one rule: subscribed, and staff-level or about the endpoint's own organization."""
    if not endpoint.active or event_type not in endpoint.event_types:
        return False
    return endpoint.organization_id is None or endpoint.organization_id in organization_ids


def webhook_event_emit(*, action: str, target: models.Model, occurred_at: datetime | None = None) -> list[Any]:
    """Record one delivery per endpoint that receives this event, in the caller's transaction.

    Called for every audit entry (``webhook_audit_listener``); actions that are not webhook event types cost nothing,
    the others one query for the active endpoints (and one for the organizations concerned, when an
    organization's endpoint subscribed to the type).
    """
    if action not in EVENT_TYPES:
        return []
    endpoints = [endpoint for endpoint in WebhookEndpoint.objects.filter(active=True) if action in endpoint.event_types]
    if not endpoints:
        return []
    concerned = organizations_concerned(target) if any(e.organization_id for e in endpoints) else set()
    receivers = [endpoint for endpoint in endpoints if endpoint_receives(endpoint, action, concerned)]
    if not receivers:
        return []
    payload = _payload(action, target, occurred_at or timezone.now())
    message_id = message_id_generate()
    return _record(
        [
            WebhookDelivery(endpoint=endpoint, message_id=message_id, event_type=action, payload=payload)
            for endpoint in receivers
        ]
    )


def webhook_audit_listener(entry: AuditEntry, target: models.Model) -> None:
    """The audit trail's listener (registered in ``WebhooksConfig.ready``): each entry may be a webhook event."""
    webhook_event_emit(action=entry.action, target=target, occurred_at=entry.created_at)


def webhook_endpoint_send_test(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a ``webhook.test`` event now, whatever the endpoint subscribed to, to check the receiver."""
    webhook_endpoint_manage_check(actor=actor, endpoint=endpoint)
    with transaction.atomic():
        endpoint = endpoint_locked(endpoint.pk)
        if not endpoint.active:
            raise DomainError("Activate the endpoint before sending it a test event.")
        delivery = WebhookDelivery(
            endpoint=endpoint,
            message_id=message_id_generate(),
            event_type=TEST_EVENT,
            payload=_payload(TEST_EVENT, endpoint, timezone.now()),
        )
        (delivery,) = _record([delivery])
    return delivery


def webhook_delivery_resend(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again, as a new delivery with the same event (same ``webhook-id`` and payload)."""
    webhook_endpoint_manage_check(actor=actor, endpoint=delivery.endpoint)
    with transaction.atomic():
        endpoint = endpoint_locked(delivery.endpoint_id)
        if not endpoint.active:
            raise DomainError("Activate the endpoint before re-sending to it.")
        copy = WebhookDelivery(
            endpoint=endpoint,
            message_id=delivery.message_id,
            event_type=delivery.event_type,
            payload=delivery.payload,
            resent_from=delivery,
        )
        (copy,) = _record([copy])
        audit_record(actor=actor, action="webhook.delivery_resent", target=endpoint, note=delivery.message_id)
    return copy


def _payload(event_type: str, target: models.Model, occurred_at: datetime) -> dict[str, Any]:
    """Thin: what happened, when, and where to read the object (receivers fetch the rest through the API)."""
    return {
        "type": event_type,
        "timestamp": occurred_at.isoformat(),
        "data": {"id": target.pk, "object": object_name(target), "url": api_url(target)},
    }


def _record(deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        transaction.on_commit(partial(_enqueue, delivery.pk))
    return deliveries


def _enqueue(delivery_id: int) -> None:
    """Ask a worker to try the delivery now; never raise: when the broker is down, the sweep sends it."""
    enqueue(DELIVER_TASK, [delivery_id], what="webhook delivery")
