"""The one exception type that services raise for a rule a person broke, and its permission variant.

Views show the message to the person; the API's exception handler maps it to a JSON error (400, or 403 for
``NotPermitted``). Messages are written for the person who will read them.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A request that the rules of the alliance refuse; nothing has been changed."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(DomainError):
    """The acting person may not do this (not staff, not an admin of the organization, ...)."""

    status_code = 403


def require_staff(actor) -> None:
    """Staff (the secretariat and the committees) decide; anyone else is refused."""
    if not getattr(actor, "is_staff", False):
        raise NotPermitted("Only alliance staff can do this.")


def validate_model(instance, *, exclude: Iterable[str] = ()) -> None:
    """Run the model's own validation (fields, choices, constraints) before a service writes it.

    The first problem becomes a DomainError on that field, so forms and the API show it where it belongs.
    """
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from error


def require_reason(reason: str | None, *, reader: str, field: str = "reason") -> str:
    """A refusal, a request for changes or a deprecation says why: the reason, trimmed, or a DomainError.

    ``reader`` is who will read it ("applicant", "proposer", ...), named in the message.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(f"Give a reason: the {reader} will read it.", field=field)
    return reason
