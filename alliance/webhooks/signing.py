"""Standard Webhooks signing (https://www.standardwebhooks.com): secrets, message ids and signed headers.

Receivers verify a delivery with ``standardwebhooks.Webhook(secret).verify(body, headers)``.
"""

import base64
import json
import secrets
import uuid
from datetime import datetime
from typing import Any

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
USER_AGENT = "AlliancePortal-Webhooks/1.0"


def secret_generate() -> str:
    """A new signing secret: ``whsec_`` and 32 random bytes in base64, as Standard Webhooks expects."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def message_id_generate() -> str:
    return f"msg_{uuid.uuid4().hex}"


def body_encode(payload: dict[str, Any]) -> str:
    """The exact bytes that are signed and sent (compact JSON, keys in a stable order)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def signed_headers(*, secrets_in_use: list[str], message_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers; one ``v1,`` signature per secret (two during a rotation)."""
    signatures = " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in secrets_in_use)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": signatures,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
