"""Managing endpoints: who may, registering one (its secret shown once), editing, switching on and off, rotating
the secret, deleting. Every change is audited; none of them is itself sent as a webhook event."""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from alliance.errors import DomainError, NotPermitted
from members.models import Organization, User
from members.selectors import organizations_administered_by

from ..event_types import EVENT_TYPES
from ..models import WebhookEndpoint
from ..selectors import may_manage_webhook_endpoint, may_manage_webhooks, may_register_webhook_endpoint
from ..signing import secret_generate
from ..ssrf import destination_check
from ._common import endpoint_locked

SECRET_ROTATION_GRACE = timedelta(hours=24)
URL_MAX_LENGTH = WebhookEndpoint._meta.get_field("url").max_length or 500
DESCRIPTION_MAX_LENGTH = WebhookEndpoint._meta.get_field("description").max_length or 200


# --- who may ---------------------------------------------------------------------------------------------------


def webhooks_manage_check(*, actor: Any) -> None:
    """Webhooks are for staff and organization admins: anyone else is refused before their input is read."""
    if not may_manage_webhooks(actor):
        raise NotPermitted("Webhooks are for alliance staff and organization admins.")


def webhook_endpoint_manage_check(*, actor: Any, endpoint: WebhookEndpoint) -> None:
    """Staff, or an admin of the endpoint's organization; every change to an endpoint asks this first."""
    if not may_manage_webhook_endpoint(actor, endpoint):
        raise NotPermitted("Only alliance staff or an admin of the endpoint's organization can do this.")


def webhook_default_organization(*, actor: Any) -> Organization | None:
    """Where a new endpoint belongs when none is named: staff-level for staff, else the one organization run."""
    webhooks_manage_check(actor=actor)
    if getattr(actor, "is_staff", False):
        return None
    administered = list(organizations_administered_by(actor)[:2])
    if len(administered) == 1:
        return administered[0]
    raise DomainError("You administer several organizations: say which one the endpoint is for.", field="organization")


# --- what an endpoint may be -----------------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > URL_MAX_LENGTH:
        raise DomainError(f"The URL is too long ({URL_MAX_LENGTH} characters at most).", field="url")
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


def _clean_description(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(
            f"The description is too long ({DESCRIPTION_MAX_LENGTH} characters at most).", field="description"
        )
    return description


# --- endpoints -------------------------------------------------------------------------------------------------


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
    if not may_register_webhook_endpoint(actor, organization):
        if organization is None:
            raise NotPermitted("Only alliance staff can register an endpoint that receives every event.")
        raise NotPermitted(f"Only an admin of {organization} can register webhooks for it.")
    endpoint = WebhookEndpoint(
        organization=organization,
        created_by=actor,
        url=_clean_url(url),
        event_types=_clean_event_types(event_types),
        description=_clean_description(description),
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
    webhook_endpoint_manage_check(actor=actor, endpoint=endpoint)
    changes: dict[str, tuple[Any, Any]] = {}
    if url is not None and url.strip() != endpoint.url:
        changes["url"] = (endpoint.url, _clean_url(url))
    if event_types is not None:
        cleaned = _clean_event_types(event_types)
        if cleaned != endpoint.event_types:
            changes["event_types"] = (endpoint.event_types, cleaned)
    if description is not None and description.strip() != endpoint.description:
        changes["description"] = (endpoint.description, _clean_description(description))
    if not changes:
        return endpoint
    with transaction.atomic():
        endpoint = endpoint_locked(endpoint.pk)
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
    webhook_endpoint_manage_check(actor=actor, endpoint=endpoint)
    _clean_url(endpoint.url)
    with transaction.atomic():
        endpoint = endpoint_locked(endpoint.pk)
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
    webhook_endpoint_manage_check(actor=actor, endpoint=endpoint)
    with transaction.atomic():
        endpoint = endpoint_locked(endpoint.pk)
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
    webhook_endpoint_manage_check(actor=actor, endpoint=endpoint)
    with transaction.atomic():
        endpoint = endpoint_locked(endpoint.pk)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_expires_at = timezone.now() + SECRET_ROTATION_GRACE
        endpoint.secret = secret_generate()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
        audit_record(actor=actor, action="webhook.secret_rotated", target=endpoint)
    return endpoint, endpoint.secret


def webhook_endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint and its delivery log."""
    webhook_endpoint_manage_check(actor=actor, endpoint=endpoint)
    with transaction.atomic():
        audit_record(actor=actor, action="webhook.deleted", target=endpoint, changes={"url": (endpoint.url, None)})
        endpoint.delete()
