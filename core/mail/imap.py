"""Fetch replies from an IMAP mailbox: each message is stored first, marked seen only after.

A connection cut mid-fetch loses nothing: unseen messages are fetched again next time, and
the ones already stored come back as duplicates (same Message-ID) and are skipped.

The size of each message is asked first: one over MESA_INBOUND_MAX_MB is never downloaded,
only its header block and the first ingest.KEEP_BYTES of its body (a partial fetch), which is
enough to record it, thread it, tell the sender and keep what ingest keeps of it.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.mail import ingest

TIMEOUT = 30
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass
class FetchReport:
    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def connect(settings: Settings) -> imaplib.IMAP4:
    if settings.imap_security == "ssl":
        client = imaplib.IMAP4_SSL(settings.imap_host, settings.imap_port, timeout=TIMEOUT,
                                   ssl_context=ssl.create_default_context())
    else:
        client = imaplib.IMAP4(settings.imap_host, settings.imap_port, timeout=TIMEOUT)
        if settings.imap_security == "starttls":
            client.starttls(ssl.create_default_context())
    client.login(settings.imap_user, settings.imap_password)
    return client


def fetch(factory: sessionmaker[Session], settings: Settings, limit: int = 200) -> FetchReport:
    """Ingest the unseen messages of the configured folder."""
    report = FetchReport()
    if not settings.imap_host:
        return report
    client = connect(settings)
    try:
        status, _ = client.select(_quoted(settings.imap_folder))
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot open folder {settings.imap_folder!r}")
        _, data = client.uid("SEARCH", None, "UNSEEN")
        for uid in (data[0] or b"").split()[:limit]:
            result = _take(client, factory, uid, settings)
            if result is None:
                continue
            if result.status == ingest.FAILED:
                report.failed += 1
            elif result.status == ingest.DUPLICATE:
                report.duplicates += 1
            else:
                report.stored += 1
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return report


def _take(client: imaplib.IMAP4, factory: sessionmaker[Session], uid: bytes,
          settings: Settings) -> ingest.Result | None:
    """Ingest one message (PEEK: not seen until stored); an oversized one from its headers alone."""
    size = _size(client, uid)
    if size is not None and size > settings.inbound_max_bytes:
        head = _literal(client.uid("FETCH", uid, "(BODY.PEEK[HEADER])")[1])
        if head is None:
            return None
        # the start of the body too (a partial fetch): the row keeps what ingest keeps of a whole message
        text = _literal(client.uid("FETCH", uid, f"(BODY.PEEK[TEXT]<0.{ingest.KEEP_BYTES}>)")[1]) or b""
        return ingest.ingest_oversized(factory, head + text[: ingest.KEEP_BYTES], size, settings)
    raw = _literal(client.uid("FETCH", uid, "(BODY.PEEK[])")[1])
    return None if raw is None else ingest.ingest(factory, raw, settings)


def _size(client: imaplib.IMAP4, uid: bytes) -> int | None:
    _, parts = client.uid("FETCH", uid, "(RFC822.SIZE)")
    found = next((_SIZE.search(part) for part in parts if isinstance(part, bytes) and _SIZE.search(part)), None)
    return int(found.group(1)) if found else None


def _literal(parts: list) -> bytes | None:
    return next((part[1] for part in parts if isinstance(part, tuple)), None)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
