"""A real HTTP receiver on 127.0.0.1, endpoints in every ownership, and a guard that no forbidden host is dialled."""

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from alliance.webhooks.models import WebhookEndpoint
from alliance.webhooks.signing import secret_generate
from tests.members.conftest import (  # noqa: F401  (fixtures shared with the members tests)
    applicant_organization,
    org_admin,
    org_member,
    organization,
    other_admin,
    person,
    staff,
)
from tests.members.factories import OrganizationFactory


@dataclass
class Receiver:
    """What the receiver was sent, and what it answers next (200 once the planned answers are used up)."""

    url: str = ""
    requests: list[dict] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait before answering

    def answer(self, status: int, headers: dict[str, str] | None = None) -> None:
        self.answers.append((status, headers or {}))


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
            time.sleep(state.delay)
            status, headers = state.answers.pop(0) if state.answers else (200, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if anything tries to open a TCP connection (the guard must refuse before connecting)."""
    dialled = []

    def refuse(address, *args, **kwargs):
        dialled.append(address)
        raise AssertionError(f"A connection to {address} was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return dialled


@pytest.fixture
def fake_dns(monkeypatch):
    """Make chosen host names resolve to chosen addresses; other names still resolve for real."""
    answers: dict[str, str] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            address = answers[host]
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def make_endpoint(**fields) -> WebhookEndpoint:
    """An endpoint row as the service would store it (also in states the service refuses to create)."""
    return WebhookEndpoint.objects.create(secret=secret_generate(), **fields)


@pytest.fixture
def other_organization():
    return OrganizationFactory()
