"""The guard against server-side request forgery, and the one HTTP client that sends webhooks.

A webhook URL is chosen by a person, so the server must not be made to call its own network: only http(s),
and every address the host resolves to must be public. Loopback, private, link-local, multicast, reserved and
cloud-metadata addresses are refused, unless they fall in ``settings.WEBHOOKS_ALLOWED_NETWORKS`` (tests and
the embedded default allow loopback; metadata addresses are refused whatever the setting says).

The check runs when an endpoint is registered and again before every send, and the connection goes to the
address that was checked (never a second DNS answer), with no redirects followed and short timeouts.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from alliance.errors import DomainError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

CONNECT_TIMEOUT = 3.0
TOTAL_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 64 * 1024

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server
    )
)


class UnsafeDestination(DomainError):
    """The URL may not receive webhooks: wrong scheme, unknown host, or an address of a network we protect."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="url")


@dataclass(frozen=True)
class Destination:
    """A checked URL: where to connect (the checked addresses) and what to ask for."""

    scheme: str
    host: str
    port: int
    target: str  # path and query
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class HttpResult:
    status_code: int | None
    duration_ms: int
    error: str = ""
    location: str = ""


def destination_check(url: str) -> Destination:
    """Parse and resolve ``url`` and check every address; raise ``UnsafeDestination`` saying why not."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeDestination("This is not a valid URL.") from error
    if parts.scheme not in ("http", "https"):
        raise UnsafeDestination("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        raise UnsafeDestination("The URL names no host.")
    if parts.username or parts.password:
        raise UnsafeDestination("Put no user name or password in the URL: verify the signature instead.")
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port)
    for address in addresses:
        reason = address_refusal(address)
        if reason:
            shown = host if str(address) == host else f"{host} ({address})"
            raise UnsafeDestination(f"Webhooks cannot be sent to {shown}: it is {reason}.")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, host, port, target, tuple(str(address) for address in addresses))


NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, Teredo, NAT64), which is where it really goes."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def address_refusal(address: IPAddress) -> str:
    """Why webhooks may not go to ``address`` ("" when they may)."""
    address = _embedded_ipv4(address)
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if any(address in network for network in _allowed_networks()):
        return ""
    for reason, refused in (
        ("a loopback address", address.is_loopback),
        ("an unspecified address", address.is_unspecified),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
        ("not a public address", not address.is_global),
    ):
        if refused:
            return reason
    return ""


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(network) for network in getattr(settings, "WEBHOOKS_ALLOWED_NETWORKS", [])]


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeDestination(f"The host {host} could not be found.") from error
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise UnsafeDestination(f"The host {host} could not be found.")
    return addresses


def http_post(destination: Destination, body: bytes, headers: dict[str, str]) -> HttpResult:
    """POST ``body`` to the checked destination: connect only to its checked addresses, follow no redirect.

    Connecting may take 3 seconds per address, the whole exchange 10 seconds; the answer's body is read up
    to 64 KiB and thrown away. Never raises for network trouble: the result says what went wrong.
    """
    started = time.monotonic()
    deadline = started + TOTAL_TIMEOUT

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    connection = _connection(destination, deadline)
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        response = connection.getresponse()
        remaining = MAX_RESPONSE_BYTES
        while remaining > 0 and time.monotonic() < deadline:
            chunk = response.read(min(remaining, 8192))
            if not chunk:
                break
            remaining -= len(chunk)
        return HttpResult(response.status, elapsed_ms(), location=response.getheader("Location") or "")
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        return HttpResult(None, elapsed_ms(), error=_describe(error))
    finally:
        connection.close()


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "The receiver did not answer in time."
    if isinstance(error, ConnectionRefusedError):
        return "The receiver refused the connection."
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error}"[:500]
    return f"{error.__class__.__name__}: {error}"[:500]


def _connection(destination: Destination, deadline: float) -> http.client.HTTPConnection:
    if destination.scheme == "https":
        return _PinnedHTTPSConnection(destination, deadline)
    return _PinnedHTTPConnection(destination, deadline)


def _connect(destination: Destination, deadline: float) -> socket.socket:
    """A socket to the first checked address that answers; the Host header and TLS name stay the host's."""
    last_error: OSError = ConnectionError(f"No address of {destination.host} could be reached.")
    for address in destination.addresses:
        timeout = min(CONNECT_TIMEOUT, max(deadline - time.monotonic(), 0.01))
        try:
            sock = socket.create_connection((address, destination.port), timeout=timeout)
        except OSError as error:
            last_error = error
            continue
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        return sock
    raise last_error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, deadline: float) -> None:
        super().__init__(destination.host, destination.port, timeout=TOTAL_TIMEOUT)
        self._destination = destination
        self._deadline = deadline

    def connect(self) -> None:
        self.sock = _connect(self._destination, self._deadline)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, deadline: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(destination.host, destination.port, timeout=TOTAL_TIMEOUT, context=self._tls)
        self._destination = destination
        self._deadline = deadline

    def connect(self) -> None:
        sock = _connect(self._destination, self._deadline)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
