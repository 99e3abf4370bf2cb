"""A template context kept for later: what a crowd notification (``NotificationFanOut``) is written from.

``context_freeze`` turns the context a service passes into JSON: objects become references (their model and primary
key), dates and times keep their type, and anything else is refused at once, in the request, rather than when the
job renders it. ``context_thaw`` turns it back, loading the objects (one query per model). The objects are read as
they are when the messages are written, moments after the change, so no copy of anyone's data waits in the queue.
"""

import datetime
import decimal
import uuid
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

_TAG = "$"  # keys of tagged values start with it; a context's own keys may not


def context_freeze(context: dict[str, Any]) -> dict[str, Any]:
    """The context as JSON, objects by reference; a value that cannot be kept raises ``TypeError`` now."""
    return {_key(key): _freeze(value) for key, value in context.items()}


def context_thaw(frozen: dict[str, Any]) -> dict[str, Any]:
    """The context again, with its objects loaded; ``LookupError`` when one no longer exists."""
    wanted: dict[str, set[Any]] = defaultdict(set)
    _references(frozen, wanted)
    loaded = {}
    for label, pks in wanted.items():
        found = apps.get_model(label)._base_manager.in_bulk(list(pks))
        loaded.update({(label, pk): row for pk, row in found.items()})
    return {key: _thaw(value, loaded) for key, value in frozen.items()}


def _key(key: Any) -> str:
    if not isinstance(key, str) or key.startswith(_TAG):
        raise TypeError(f"A notification's context is keyed by names not starting with {_TAG!r}, not {key!r}.")
    return key


def _freeze(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Model):
        return {"$model": value._meta.label_lower, "pk": value.pk}
    if isinstance(value, QuerySet):
        return [_freeze(row) for row in value]
    if isinstance(value, list | tuple):
        return [_freeze(item) for item in value]
    if isinstance(value, dict):
        return {_key(key): _freeze(item) for key, item in value.items()}
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    raise TypeError(f"A {type(value).__name__} cannot be kept in a notification's context for later.")


def _references(value: Any, wanted: dict[str, set[Any]]) -> None:
    if isinstance(value, list):
        for item in value:
            _references(item, wanted)
    elif isinstance(value, dict):
        if "$model" in value:
            wanted[value["$model"]].add(value["pk"])
        else:
            for item in value.values():
                _references(item, wanted)


def _thaw(value: Any, loaded: dict[tuple[str, Any], Model]) -> Any:
    if isinstance(value, list):
        return [_thaw(item, loaded) for item in value]
    if not isinstance(value, dict):
        return value
    if "$model" in value:
        try:
            return loaded[(value["$model"], value["pk"])]
        except KeyError:
            raise LookupError(f"The {value['$model']} {value['pk']} of this notification no longer exists.") from None
    if "$datetime" in value:
        return datetime.datetime.fromisoformat(value["$datetime"])
    if "$date" in value:
        return datetime.date.fromisoformat(value["$date"])
    if "$decimal" in value:
        return decimal.Decimal(value["$decimal"])
    if "$uuid" in value:
        return uuid.UUID(value["$uuid"])
    return {key: _thaw(item, loaded) for key, item in value.items()}
