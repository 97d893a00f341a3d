"""Fetch replies from an IMAP mailbox: each message is stored first, marked seen only after.

A connection cut mid-fetch loses nothing: unseen messages are fetched again next time, and
the ones already stored come back as duplicates (same Message-ID) and are skipped.

Mesa signs in with the mailbox's password, or with an OAuth2 access token (XOAUTH2, core.mail.oauth) for
Microsoft 365 and Google Workspace. A refused sign-in is written in the fetch report's errors (and logged);
a server that cannot be reached still raises.

The size of each message is asked first: one over MESA_INBOUND_MAX_MB is never downloaded,
only its header block and the first ingest.KEEP_BYTES of its body (a partial fetch), which is
enough to record it, thread it, tell the sender and keep what ingest keeps of it.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.mail import ingest, oauth

TIMEOUT = 30
log = logging.getLogger("mesa.imap")
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass
class FetchReport:
    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


class SignInRefused(Exception):
    """The server refused Mesa's password or access token, or no access token could be had."""


def connect(settings: Settings) -> imaplib.IMAP4:
    """An open, signed-in connection; SignInRefused when the credentials are refused (other failures raise)."""
    token = _token(settings) if oauth.uses_oauth(settings) else None
    if settings.imap_security == "ssl":
        client = imaplib.IMAP4_SSL(settings.imap_host, settings.imap_port, timeout=TIMEOUT,
                                   ssl_context=ssl.create_default_context())
    else:
        client = imaplib.IMAP4(settings.imap_host, settings.imap_port, timeout=TIMEOUT)
        if settings.imap_security == "starttls":
            client.starttls(ssl.create_default_context())
    try:
        if token is None:
            client.login(settings.imap_user, settings.imap_password)
        else:
            client.authenticate("XOAUTH2", _responder(oauth.xoauth2(settings.imap_user, token)))
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as exc:
        with contextlib.suppress(OSError):
            client.shutdown()
        how = "an OAuth2 access token (XOAUTH2)" if token else "its password"
        if token:
            oauth.forget(settings)  # not offered again: the next poll fetches a new one
        detail = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        raise SignInRefused(f"The IMAP server {settings.imap_host} refused to sign in {settings.imap_user} "
                            f"with {how}: {detail}") from exc
    return client


def _token(settings: Settings) -> str:
    try:
        return oauth.access_token(settings)
    except oauth.TokenError as exc:
        raise SignInRefused(f"No access token to sign in {settings.imap_user} at {settings.imap_host}: {exc}") from exc


def _responder(sasl: str) -> Callable[[bytes], bytes]:
    """XOAUTH2 for imaplib: the SASL string first; to the server's error challenge an empty line, then NO."""
    answers = iter([sasl.encode()])
    return lambda challenge: next(answers, b"")


def fetch(factory: sessionmaker[Session], settings: Settings, limit: int = 200) -> FetchReport:
    """Ingest the unseen messages of the configured folder."""
    report = FetchReport()
    if not settings.imap_host:
        return report
    try:
        client = connect(settings)
    except SignInRefused as exc:  # said in the report (and the log), not raised: the worker goes on polling
        log.warning("%s", exc)
        report.errors.append(str(exc))
        return report
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
