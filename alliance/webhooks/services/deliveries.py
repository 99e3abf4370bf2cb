"""Sending: one attempt at a due delivery (signed, to the checked address), the retry schedule, the sweep's list of
what is due, and disabling an endpoint that keeps failing (or answered 410 Gone).

The retry schedule lives in the database (``next_attempt_at``), never in broker countdowns: a beat job re-queues
what is due.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alliance.audit import audit_record
from alliance.models import Notification
from alliance.notifications import notify, staff_recipients
from alliance.sweeps import claim
from members.models import Affiliation, User

from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from ..signing import body_encode, signed_headers
from ..ssrf import HttpResult, UnsafeDestination, destination_check, http_post
from ._common import endpoint_locked

logger = logging.getLogger(__name__)

# Retries after the first attempt: about 21 hours from the first failure to the last try.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
DISABLE_AFTER_FAILED_DELIVERIES = 10
SWEEP_BATCH = 200


def webhook_delivery_attempt(*, delivery_id: int) -> bool:
    """Try to send one due delivery; log the attempt; schedule the next one or close it. Returns success.

    The delivery row is claimed (skipped if another worker holds it) while it is sent, and only a pending,
    due delivery is sent, so a task run twice or a sweep racing a task sends it once per due attempt.
    The address is checked again just before connecting, and the connection goes to the checked address.
    """
    with transaction.atomic():
        now = timezone.now()
        delivery = claim(
            WebhookDelivery.objects.select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .exclude(next_attempt_at__gt=now)
        )
        if delivery is None:
            return False
        endpoint = delivery.endpoint
        if not endpoint.active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = "Not sent: the endpoint is not active."
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            return False

        number = delivery.attempts + 1
        result = _send(delivery, endpoint, now)
        succeeded = result.status_code is not None and 200 <= result.status_code < 300
        failure = "" if succeeded else _failure(result)
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            attempted_at=now,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            succeeded=succeeded,
            error=failure,
        )

        gone = result.status_code == 410
        delivery.attempts = number
        delivery.last_status_code = result.status_code
        delivery.last_error = failure
        delivery.last_duration_ms = result.duration_ms
        if succeeded:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif gone or number >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = timezone.now() + RETRY_DELAYS[number - 1]
        delivery.save(
            update_fields=[
                "attempts", "last_status_code", "last_error", "last_duration_ms", "status", "delivered_at",
                "next_attempt_at",
            ]
        )  # fmt: skip
        if not succeeded:
            logger.warning("Webhook delivery %s failed (attempt %s): %s", delivery.pk, number, failure)
        _endpoint_record_outcome(endpoint.pk, delivery, gone=gone)
        return succeeded


def webhook_deliveries_due(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Pending deliveries whose time has come: never tried (the broker lost them) or past their back-off."""
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def _send(delivery: WebhookDelivery, endpoint: WebhookEndpoint, now: datetime) -> HttpResult:
    """Check the address again, sign, and post; an unsafe address is an attempt that never connected."""
    body = body_encode(delivery.payload)
    try:
        destination = destination_check(endpoint.url)
    except UnsafeDestination as refusal:
        return HttpResult(None, 0, error=refusal.message)
    headers = signed_headers(
        secrets_in_use=_secrets_in_use(endpoint, now),
        message_id=delivery.message_id,
        timestamp=timezone.now(),
        body=body,
    )
    return http_post(destination, body.encode(), headers)


def _secrets_in_use(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        secrets.append(endpoint.previous_secret)
    return secrets


def _failure(result: HttpResult) -> str:
    if result.error:
        return result.error
    code = result.status_code
    if code is not None and 300 <= code < 400:
        where = f" to {result.location}" if result.location else ""
        return f"The receiver answered {code} (a redirect{where}); redirects are not followed."
    if code == 410:
        return "The receiver answered 410 Gone: it wants no more deliveries."
    return f"The receiver answered {code}."


def _endpoint_record_outcome(endpoint_id: int, delivery: WebhookDelivery, *, gone: bool) -> None:
    """Count deliveries that failed for good in a row; disable the endpoint after a 410 or too many of them."""
    if delivery.status == WebhookDelivery.Status.PENDING:
        return
    endpoint = endpoint_locked(endpoint_id)
    if delivery.status == WebhookDelivery.Status.SUCCEEDED:
        if endpoint.consecutive_failures:
            endpoint.consecutive_failures = 0
            endpoint.save(update_fields=["consecutive_failures"])
        return
    endpoint.consecutive_failures += 1
    endpoint.save(update_fields=["consecutive_failures"])
    if not endpoint.active:
        return
    if gone:
        _endpoint_disable(endpoint, "The receiver answered 410 Gone: it asked for no more deliveries.")
    elif endpoint.consecutive_failures >= DISABLE_AFTER_FAILED_DELIVERIES:
        _endpoint_disable(
            endpoint,
            f"{endpoint.consecutive_failures} deliveries in a row failed after every retry.",
        )


def _endpoint_disable(endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop sending to a receiver that asked us to or keeps failing, and tell the people who run it."""
    endpoint.active = False
    endpoint.disabled_reason = reason
    endpoint.disabled_at = timezone.now()
    endpoint.save(update_fields=["active", "disabled_reason", "disabled_at", "updated_at"])
    audit_record(actor=None, action="webhook.disabled", target=endpoint, changes={"active": (True, False)}, note=reason)
    notify(
        recipients=_owners(endpoint),
        kind=Notification.Kind.SECURITY,
        template="webhooks/notifications/webhook_disabled",
        context={"endpoint": endpoint, "reason": reason},
        url=reverse("webhooks:endpoint_detail", kwargs={"pk": endpoint.pk}),
    )


def _owners(endpoint: WebhookEndpoint) -> list[Any]:
    """Who hears that an endpoint was disabled: whoever registered it, and the organization's admins."""
    owners: list[Any] = []
    if endpoint.created_by is not None and endpoint.created_by.is_active:
        owners.append(endpoint.created_by)
    if endpoint.organization_id is not None:
        owners += list(
            User.objects.filter(
                affiliations__organization_id=endpoint.organization_id,
                affiliations__role=Affiliation.Role.ADMIN,
                is_active=True,
            ).order_by("pk")
        )
    return owners or staff_recipients()
