"""The permission-matrix machinery the API tests share: a client signed in as someone, a row read again, and one
case of a matrix called and checked. Each test file keeps its own world, roles and table of cases."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rest_framework.test import APIClient

from members.models import User

API = "/api/v1"


def client_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def refreshed(instance):
    return type(instance).objects.filter(pk=instance.pk).first()


@dataclass
class Case:
    name: str
    method: str
    path: str  # formatted with ``w``, the world; so are the strings in ``body``
    expected: tuple[int, ...]  # one status code for each role, in the order of the file's ROLES
    body: dict[str, Any] | None = None
    changed: Callable[[Any], bool] | None = None  # the effect, which must happen exactly when the call succeeds


def _filled(value: Any, world: Any) -> Any:
    if isinstance(value, str):
        return value.format(w=world)
    if isinstance(value, list):
        return [_filled(item, world) for item in value]
    return value


def check_case(world: Any, case: Case, role: str, roles: Sequence[str]) -> None:
    """Call ``case`` as ``world.users[role]``; the answer must be the expected code, and the effect happen only on
    success. A refusal always says why in ``detail``."""
    # given
    client = client_as(world.users[role])
    path = API + case.path.format(w=world)
    body = {key: _filled(value, world) for key, value in (case.body or {}).items()}

    # when
    response = getattr(client, case.method)(path, body, format="json") if body else getattr(client, case.method)(path)

    # then
    expected = case.expected[roles.index(role)]
    assert response.status_code == expected, response.content
    if response.status_code >= 400:
        assert response.json()["detail"]
    if case.changed is not None:
        assert case.changed(world) is (200 <= response.status_code < 300)
