"""Mail of the embedded default, kept as files a person can find: one file per message under ``EMAIL_FILE_PATH``,
named by the time it was sent and its recipient (``20261203-182501-ada@example.org-1.eml``), and read back for the
``/dev/mail/`` page of the local settings."""

import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend
from django.utils import timezone

FILE_NAME = re.compile(r"^[\w.@+-]+\.eml$")


class NamedFileEmailBackend(EmailBackend):
    """Django's file backend, but one ``.eml`` file per message, named ``<time>-<first recipient>-<n>.eml``."""

    def send_messages(self, email_messages: Any) -> int:
        sent = 0
        folder = Path(self.file_path)  # type: ignore[attr-defined]
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            if not message.recipients():
                continue
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            recipient = re.sub(r"[^\w.@+-]", "_", message.recipients()[0])[:80]
            number = 1
            while (path := folder / f"{stamp}-{recipient}-{number}.eml").exists():
                number += 1
            path.write_bytes(message.message().as_bytes())
            sent += 1
        return sent


@dataclass(frozen=True)
class MailFile:
    """One mail written by the embedded default, as the ``/dev/mail/`` page lists it."""

    name: str
    sent_at: datetime
    to: str
    subject: str


def _parsed(path: Path) -> Any:
    """The message as the standard library's modern API reads it (``policy.default``: ``get_body``)."""
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def _folder() -> Path | None:
    """Where the file backend writes (``EMAIL_FILE_PATH``), or None when mail is not written to files."""
    folder = getattr(settings, "EMAIL_FILE_PATH", None)
    return Path(folder) if folder else None


def mail_files() -> list[MailFile]:
    """The written mails, newest first."""
    folder = _folder()
    if folder is None or not folder.is_dir():
        return []
    files = []
    for path in folder.glob("*.eml"):
        parsed = _parsed(path)
        sent_at = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
        files.append(MailFile(path.name, sent_at, str(parsed["To"] or ""), str(parsed["Subject"] or "")))
    return sorted(files, key=lambda mail: (mail.sent_at, mail.name), reverse=True)


def mail_file_text(name: str) -> tuple[MailFile, str] | None:
    """One written mail and its plain text, or None when there is no such file (names outside the folder too)."""
    if not FILE_NAME.match(name):
        return None
    folder = _folder()
    if folder is None or not (path := folder / name).is_file():
        return None
    parsed = _parsed(path)
    part = parsed.get_body(preferencelist=("plain", "html"))
    text = part.get_content() if part is not None else ""
    sent_at = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
    return MailFile(name, sent_at, str(parsed["To"] or ""), str(parsed["Subject"] or "")), text
