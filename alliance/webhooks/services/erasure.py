"""The webhooks' part of erasing an account: the endpoints the person set up stop (an endpoint nobody answers for
must not go on receiving the organization's events), and the deliveries that named them forget it."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from alliance.audit import audit_record
from alliance.erasure import texts_forget
from members.models import User

from ..models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from ._common import endpoint_locked

DISABLED_FOR_ERASURE = "Its creator's account was erased."


def webhook_endpoints_disable_for(*, person: User) -> int:
    """Switch off every active endpoint the person set up, as ``webhook_endpoint_deactivate`` does (pending
    deliveries close as failed when their turn comes), audited as the person's; returns how many."""
    disabled = 0
    with transaction.atomic():
        for endpoint_id in WebhookEndpoint.objects.filter(created_by=person, active=True).values_list("pk", flat=True):
            endpoint = endpoint_locked(endpoint_id)
            if not endpoint.active:
                continue
            endpoint.active = False
            endpoint.disabled_reason = DISABLED_FOR_ERASURE
            endpoint.disabled_at = timezone.now()
            endpoint.save(update_fields=["active", "disabled_reason", "disabled_at", "updated_at"])
            audit_record(actor=person, action="webhook.deactivated", target=endpoint, changes={"active": (True, False)})
            disabled += 1
    return disabled


def webhook_texts_forget(*, needles: Sequence[str]) -> None:
    """The old name and address leave the recorded payloads, the attempts' errors and endpoints' reasons."""
    texts_forget(WebhookDelivery, fields=["payload"], needles=needles)
    texts_forget(WebhookAttempt, fields=["error"], needles=needles)
    texts_forget(WebhookEndpoint, fields=["description", "disabled_reason"], needles=needles)
