"""Every write of the webhooks: endpoints, emission of events, delivery with retries, re-send and test send.

Emission runs inside the caller's transaction (the audit trail calls ``webhook_event_emit`` for every state
change), so a rolled-back change sends nothing. Deliveries are sent after commit by a Celery task and swept by
a beat job; the retry schedule lives in the database (``next_attempt_at``), never in broker countdowns.

Who receives what, in one rule (``endpoint_receives``): an endpoint receives the event types it subscribed to;
a staff-level endpoint (no organization) receives every such event, an organization's endpoint only events
about that organization (see ``event_types.organizations_concerned``).

Where things are: ``endpoints`` (who may manage; register, edit, switch on and off, rotate the secret, delete),
``emission`` (what becomes a delivery: audit events, test events, re-sends), ``deliveries`` (one attempt, the
retry schedule, what the sweep finds due, disabling an endpoint that keeps failing).
"""

from .deliveries import (
    DISABLE_AFTER_FAILED_DELIVERIES,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    SWEEP_BATCH,
    webhook_deliveries_due,
    webhook_delivery_attempt,
)
from .emission import (
    endpoint_receives,
    webhook_audit_listener,
    webhook_delivery_resend,
    webhook_endpoint_send_test,
    webhook_event_emit,
)
from .endpoints import (
    SECRET_ROTATION_GRACE,
    webhook_default_organization,
    webhook_endpoint_activate,
    webhook_endpoint_create,
    webhook_endpoint_deactivate,
    webhook_endpoint_delete,
    webhook_endpoint_manage_check,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhooks_manage_check,
)
from .erasure import webhook_endpoints_disable_for, webhook_texts_forget
from .retention import webhook_deliveries_empty_old

__all__ = [
    "DISABLE_AFTER_FAILED_DELIVERIES",
    "MAX_ATTEMPTS",
    "RETRY_DELAYS",
    "SECRET_ROTATION_GRACE",
    "SWEEP_BATCH",
    "endpoint_receives",
    "webhook_audit_listener",
    "webhook_default_organization",
    "webhook_deliveries_due",
    "webhook_deliveries_empty_old",
    "webhook_delivery_attempt",
    "webhook_delivery_resend",
    "webhook_endpoint_activate",
    "webhook_endpoint_create",
    "webhook_endpoint_deactivate",
    "webhook_endpoint_delete",
    "webhook_endpoint_manage_check",
    "webhook_endpoint_rotate_secret",
    "webhook_endpoint_send_test",
    "webhook_endpoint_update",
    "webhook_endpoints_disable_for",
    "webhook_event_emit",
    "webhook_texts_forget",
    "webhooks_manage_check",
]
