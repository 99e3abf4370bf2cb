"""What the service modules of the webhooks share (private to this package): the endpoint's row lock."""

from alliance.errors import DomainError
from alliance.locking import lock_row

from ..models import WebhookEndpoint

ENDPOINT_BUSY = "Someone else is changing this endpoint right now; please try again in a moment."


def endpoint_locked(endpoint_id: int) -> WebhookEndpoint:
    """The endpoint, locked until the transaction ends (``FOR NO KEY UPDATE``: deliveries may still be recorded
    for it meanwhile); a DomainError when it was deleted in the meantime."""
    endpoint = lock_row(WebhookEndpoint.objects.filter(pk=endpoint_id), busy=ENDPOINT_BUSY, no_key=True)
    if endpoint is None:
        raise DomainError("This endpoint no longer exists.")
    return endpoint
