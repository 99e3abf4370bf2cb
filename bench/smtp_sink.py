"""A counting SMTP sink on 127.0.0.1: accepts every message, keeps who got what and when, and tells over HTTP.

    python -m bench.smtp_sink --smtp-port 2525 --http-port 2526

``GET /stats`` answers the count, the first and last acceptance times (``time.time()``, comparable with other
processes on this machine), how many ``Message-ID`` headers came more than once and how many distinct recipients
there were; ``GET /messages`` lists every message (recipients, ``Message-ID``, subject, time); ``GET /sample`` the
raw bytes of the last message; ``POST /reset`` forgets everything. The mail itself is thrown away.

aiosmtpd serves SMTP; the HTTP side is a few lines of asyncio on the same loop, so one thread does everything.
"""

import argparse
import asyncio
import json
import re
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

HEADER_END = re.compile(rb"\r?\n\r?\n")
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(.+?)\r?$", re.IGNORECASE | re.MULTILINE)
SUBJECT = re.compile(rb"^Subject:[ \t]*(.+?)\r?$", re.IGNORECASE | re.MULTILINE)


@dataclass
class Mailbox:
    """What the sink has accepted since it started or was last reset."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    message_ids: Counter = field(default_factory=Counter)
    recipients: Counter = field(default_factory=Counter)
    sample: bytes = b""

    def accept(self, envelope: Envelope) -> None:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode()
        match = HEADER_END.search(content)
        headers = content[: match.start()] if match else content
        message_id = MESSAGE_ID.search(headers)
        subject = SUBJECT.search(headers)
        entry = {
            "at": time.time(),
            "to": list(envelope.rcpt_tos),
            "message_id": message_id.group(1).decode(errors="replace").strip() if message_id else "",
            "subject": subject.group(1).decode(errors="replace").strip() if subject else "",
        }
        self.messages.append(entry)
        if entry["message_id"]:
            self.message_ids[entry["message_id"]] += 1
        self.recipients.update(envelope.rcpt_tos)
        self.sample = content

    def stats(self) -> dict[str, Any]:
        return {
            "count": len(self.messages),
            "first_at": self.messages[0]["at"] if self.messages else None,
            "last_at": self.messages[-1]["at"] if self.messages else None,
            "duplicate_message_ids": sum(count - 1 for count in self.message_ids.values() if count > 1),
            "distinct_recipients": len(self.recipients),
        }

    def reset(self) -> None:
        self.messages.clear()
        self.message_ids.clear()
        self.recipients.clear()
        self.sample = b""


class CountingHandler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.mailbox.accept(envelope)
        return "250 Message accepted for delivery"


def _http_answer(mailbox: Mailbox, method: str, path: str) -> tuple[str, str, bytes]:
    if method == "GET" and path == "/stats":
        return "200 OK", "application/json", json.dumps(mailbox.stats()).encode()
    if method == "GET" and path == "/messages":
        return "200 OK", "application/json", json.dumps(mailbox.messages).encode()
    if method == "GET" and path == "/sample":
        return "200 OK", "message/rfc822", mailbox.sample
    if method == "POST" and path == "/reset":
        mailbox.reset()
        return "200 OK", "application/json", b'{"count": 0}'
    return "404 Not Found", "text/plain", b"not here"


async def _serve_http(mailbox: Mailbox, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        request_line = (await reader.readline()).decode(errors="replace").split()
        while (await reader.readline()) not in (b"\r\n", b"\n", b""):
            pass  # headers: nothing to read from them
        method, path = ([*request_line, "", ""])[:2]
        status, content_type, body = _http_answer(mailbox, method, path)
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
    finally:
        writer.close()


async def serve(host: str, smtp_port: int, http_port: int) -> None:
    mailbox = Mailbox()
    handler = CountingHandler(mailbox)
    loop = asyncio.get_running_loop()
    smtp_server = await loop.create_server(
        lambda: SMTP(handler, hostname="bench-sink", enable_SMTPUTF8=True, data_size_limit=None),
        host=host,
        port=smtp_port,
    )
    http_server = await asyncio.start_server(
        lambda reader, writer: _serve_http(mailbox, reader, writer), host=host, port=http_port
    )
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(f"SMTP sink on {host}:{smtp_port}, stats on http://{host}:{http_port}/stats", flush=True)
    await stop.wait()
    smtp_server.close()
    http_server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smtp-port", type=int, default=2525)
    parser.add_argument("--http-port", type=int, default=2526)
    args = parser.parse_args()
    asyncio.run(serve("127.0.0.1", args.smtp_port, args.http_port))  # loopback only


if __name__ == "__main__":
    main()
