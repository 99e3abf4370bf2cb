"""Every write of the webhooks: endpoints, emission of events, delivery with retries, re-send and test send.

Emission runs inside the caller's transaction (the audit trail calls ``webhook_event_emit`` for every state
change), so a rolled-back change sends nothing. Deliveries are sent after commit by a Celery task and swept by
a beat job; the retry schedule lives in the database (``next_attempt_at``), never in broker countdowns.

Who receives what, in one rule (``endpoint_receives``): an endpoint receives the event types it subscribed to;
a staff-level endpoint (no organization) receives every such event, an organization's endpoint only events
about that organization (see ``event_types.organizations_concerned``).
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from alliance.models import AuditEntry, Notification
from alliance.notifications import notify, staff_recipients
from members.models import Affiliation, Organization, User
from members.selectors import is_organization_admin

from .event_types import EVENT_TYPES, TEST_EVENT, api_url, object_name, organizations_concerned
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .signing import body_encode, message_id_generate, secret_generate, signed_headers
from .ssrf import HttpResult, UnsafeDestination, destination_check, http_post

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
SECRET_ROTATION_GRACE = timedelta(hours=24)
SWEEP_BATCH = 200


# --- who may do what, and who receives what ------------------------------------------------------------------


def _require_manager(actor: Any, endpoint: WebhookEndpoint) -> None:
    if getattr(actor, "is_staff", False):
        return
    if endpoint.organization_id is None or not is_organization_admin(actor, endpoint.organization):
        raise NotPermitted("Only alliance staff or an admin of the endpoint's organization can do this.")


def endpoint_receives(endpoint: WebhookEndpoint, event_type: str, organization_ids: set[int]) -> bool:
    """The one rule: subscribed, and staff-level or about the endpoint's own organization."""
    if not endpoint.active or event_type not in endpoint.event_types:
        return False
    return endpoint.organization_id is None or endpoint.organization_id in organization_ids


def webhook_default_organization(actor: Any) -> Organization | None:
    """Where a new endpoint belongs when none is named: staff-level for staff, else the one organization run."""
    if getattr(actor, "is_staff", False):
        return None
    administered = list(
        Organization.objects.filter(affiliations__person=actor, affiliations__role=Affiliation.Role.ADMIN)[:2]
    )
    if len(administered) == 1:
        return administered[0]
    if not administered:
        raise NotPermitted("Only alliance staff and organization admins can register webhooks.")
    raise DomainError("You administer several organizations: say which one the endpoint is for.", field="organization")


# --- endpoints -----------------------------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500:
        raise DomainError("The URL is too long (500 characters at most).", field="url")
    destination_check(url)  # a clear refusal (scheme, host, address) before the generic URL check
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise DomainError("This is not a valid URL.", field="url") from error
    return url


def _clean_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = set(event_types or [])
    unknown = sorted(chosen - set(EVENT_TYPES))
    if unknown:
        raise DomainError(f"Unknown event types: {', '.join(unknown)}.", field="event_types")
    if not chosen:
        raise DomainError("Choose at least one event type.", field="event_types")
    return [name for name in EVENT_TYPES if name in chosen]


def webhook_endpoint_create(
    *,
    actor: User,
    url: str,
    event_types: Iterable[str],
    organization: Organization | None = None,
    description: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; answer it with its new secret, which is shown this once.

    Without an organization the endpoint is staff-level (staff only); with one, the actor administers it.
    The URL must pass the SSRF guard now (and it is checked again before every send).
    """
    if organization is None:
        if not getattr(actor, "is_staff", False):
            raise NotPermitted("Only alliance staff can register an endpoint that receives every event.")
    elif not (getattr(actor, "is_staff", False) or is_organization_admin(actor, organization)):
        raise NotPermitted(f"Only an admin of {organization} can register webhooks for it.")
    endpoint = WebhookEndpoint(
        organization=organization,
        created_by=actor,
        url=_clean_url(url),
        event_types=_clean_event_types(event_types),
        description=(description or "").strip()[:200],
        secret=secret_generate(),
    )
    with transaction.atomic():
        endpoint.save()
        audit_record(actor=actor, action="webhook.created", target=endpoint, changes={"url": (None, endpoint.url)})
    return endpoint, endpoint.secret


def webhook_endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change the URL (checked again), the event types or the description."""
    _require_manager(actor, endpoint)
    changes: dict[str, tuple[Any, Any]] = {}
    if url is not None and url.strip() != endpoint.url:
        changes["url"] = (endpoint.url, _clean_url(url))
    if event_types is not None:
        cleaned = _clean_event_types(event_types)
        if cleaned != endpoint.event_types:
            changes["event_types"] = (endpoint.event_types, cleaned)
    if description is not None and description.strip() != endpoint.description:
        changes["description"] = (endpoint.description, description.strip()[:200])
    if not changes:
        return endpoint
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
        for field, (_, after) in changes.items():
            setattr(endpoint, field, after)
        endpoint.save(update_fields=[*changes, "updated_at"])
        audit_record(
            actor=actor,
            action="webhook.updated",
            target=endpoint,
            changes={field: (str(before), str(after)) for field, (before, after) in changes.items()},
        )
    return endpoint


def webhook_endpoint_activate(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Turn deliveries on again (also after an automatic disable); the URL must still pass the guard."""
    _require_manager(actor, endpoint)
    _clean_url(endpoint.url)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
        if endpoint.active:
            return endpoint
        endpoint.active = True
        endpoint.disabled_reason = ""
        endpoint.disabled_at = None
        endpoint.consecutive_failures = 0
        endpoint.save(update_fields=["active", "disabled_reason", "disabled_at", "consecutive_failures", "updated_at"])
        audit_record(actor=actor, action="webhook.activated", target=endpoint, changes={"active": (False, True)})
    return endpoint


def webhook_endpoint_deactivate(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop deliveries; pending ones are closed as failed when their turn comes, without being sent."""
    _require_manager(actor, endpoint)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
        if not endpoint.active:
            return endpoint
        endpoint.active = False
        endpoint.disabled_reason = f"Deactivated by {actor}."
        endpoint.disabled_at = timezone.now()
        endpoint.save(update_fields=["active", "disabled_reason", "disabled_at", "updated_at"])
        audit_record(actor=actor, action="webhook.deactivated", target=endpoint, changes={"active": (True, False)})
    return endpoint


def webhook_endpoint_rotate_secret(*, actor: User, endpoint: WebhookEndpoint) -> tuple[WebhookEndpoint, str]:
    """Issue a new secret, shown once. For a day, deliveries are signed with both the old and the new one."""
    _require_manager(actor, endpoint)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + SECRET_ROTATION_GRACE
        endpoint.secret = secret_generate()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
        audit_record(actor=actor, action="webhook.secret_rotated", target=endpoint)
    return endpoint, endpoint.secret


def webhook_endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its delivery log."""
    _require_manager(actor, endpoint)
    with transaction.atomic():
        audit_record(actor=actor, action="webhook.deleted", target=endpoint, changes={"url": (endpoint.url, None)})
        endpoint.delete()


# --- emission ------------------------------------------------------------------------------------------------


def _payload(event_type: str, target: models.Model, occurred_at: datetime) -> dict[str, Any]:
    return {
        "type": event_type,
        "timestamp": occurred_at.isoformat(),
        "data": {"id": target.pk, "object": object_name(target), "url": api_url(target)},
    }


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


def _record(deliveries: list[WebhookDelivery]) -> list[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk))
    return deliveries


def _enqueue(delivery_id: int) -> None:
    from .tasks import deliver_webhook

    try:
        deliver_webhook.delay(delivery_id)
    except Exception:  # the broker is down: the sweep will send it
        logger.warning("Could not enqueue webhook delivery %s; the sweep will send it", delivery_id, exc_info=True)


def webhook_endpoint_send_test(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a ``webhook.test`` event now, whatever the endpoint subscribed to, to check the receiver."""
    _require_manager(actor, endpoint)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
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
    endpoint = delivery.endpoint
    _require_manager(actor, endpoint)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint.pk)
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


# --- delivery ------------------------------------------------------------------------------------------------


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


def webhook_delivery_attempt(*, delivery_id: int) -> bool:
    """Try to send one due delivery; log the attempt; schedule the next one or close it. Returns success.

    The delivery row is locked (skipped if another worker holds it) while it is sent, and only a pending,
    due delivery is sent, so a task run twice or a sweep racing a task sends it once per due attempt.
    The address is checked again just before connecting, and the connection goes to the checked address.
    """
    with transaction.atomic():
        now = timezone.now()
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, no_key=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .exclude(next_attempt_at__gt=now)
            .first()
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
        body = body_encode(delivery.payload)
        try:
            destination = destination_check(endpoint.url)
        except UnsafeDestination as error:
            result = HttpResult(None, 0, error=error.message)
        else:
            headers = signed_headers(
                secrets_in_use=_secrets_in_use(endpoint, now),
                message_id=delivery.message_id,
                timestamp=timezone.now(),
                body=body,
            )
            result = http_post(destination, body.encode(), headers)
        succeeded = result.status_code is not None and 200 <= result.status_code < 300
        error = "" if succeeded else _failure(result)
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            attempted_at=now,
            status_code=result.status_code,
            duration_ms=result.duration_ms,
            succeeded=succeeded,
            error=error,
        )

        gone = result.status_code == 410
        delivery.attempts = number
        delivery.last_status_code = result.status_code
        delivery.last_error = error
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
            logger.warning("Webhook delivery %s failed (attempt %s): %s", delivery.pk, number, error)
        _endpoint_record_outcome(endpoint.pk, delivery, gone=gone)
        return succeeded


def _endpoint_record_outcome(endpoint_id: int, delivery: WebhookDelivery, *, gone: bool) -> None:
    """Count deliveries that failed for good in a row; disable the endpoint after a 410 or too many of them."""
    if delivery.status == WebhookDelivery.Status.PENDING:
        return
    endpoint = WebhookEndpoint.objects.select_for_update(no_key=True).get(pk=endpoint_id)
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


def webhook_deliveries_due(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Pending deliveries whose time has come: never tried (the broker lost them) or past their back-off."""
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
