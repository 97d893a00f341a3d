"""One raw inbound email turned into what the help desk needs: pure functions, no database.

`parse` never raises: broken MIME, wrong or unknown charsets, missing or huge headers and
bytes that are not an email at all still give a `Parsed` (with empty fields where nothing
could be read). Headers are read from their raw text, so a header the email package cannot
parse costs that header only, never the message.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import email
import email.parser
import email.policy
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import TypeVar

from core.mail.quotes import html_to_text, split_reply, unflow
from core.tickets.attachments import Upload, safe_filename

log = logging.getLogger(__name__)

MAX_HEADER_CHARS = 16_384  # longer header values are cut before parsing (the email package is slow on them)
MAX_REFERENCES = 100  # the most recent ones are kept
MAX_MESSAGE_ID = 998
MAX_HEAD_BYTES = 1024 * 1024  # the most of an oversized email's header block that is read
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
LATIN = {"ascii", "iso8859-1", "iso8859-15", "cp1252"}  # declared by mail that is often really UTF-8
EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
    "application/pdf": ".pdf", "application/zip": ".zip", "video/mp4": ".mp4", "text/plain": ".txt",
    "text/html": ".html", "text/csv": ".csv", "text/calendar": ".ics", "message/rfc822": ".eml",
    "message/delivery-status": ".txt", "text/rfc822-headers": ".txt",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_TICKET = re.compile(r"\[#(\d{1,9})\]")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_BOUNDARY_LINE = re.compile(rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70})[ \t]*\r?$", re.MULTILINE)

T = TypeVar("T")


@dataclass(frozen=True)
class Parsed:
    """What the help desk needs from one email. Every field has an empty default."""

    message_id: str | None = None
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    from_address: str | None = None
    from_name: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    visible: str = ""
    quoted: str = ""  # what was cut from the reply (history, signature), for a collapsed "quoted text" view
    attachments: list[Upload] = field(default_factory=list)
    auto_reason: str | None = None
    plus_tokens: list[str] = field(default_factory=list)
    ticket_number: int | None = None
    sender_failed_checks: bool = False  # our receiving server said the From is not proven (auth_failed)


def _safe(call: Callable[[], T], default: T) -> T:
    try:
        return call()
    except Exception:
        return default


# --- text decoding --------------------------------------------------------------------------

def _codec(charset: str | None) -> str | None:
    """The Python codec for a MIME charset name, or None when unknown or not a text encoding."""
    try:
        info = codecs.lookup((charset or "").split("*")[0].strip().strip("\"'"))
    except (LookupError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in the declared charset; when that is wrong, UTF-8, then Windows-1252, then Latin-1.

    UTF-8 is tried first when the declared charset is Latin-1, Windows-1252, ASCII or unknown:
    valid UTF-8 is almost never meant as Latin-1, and mail often declares Latin-1 wrongly.
    """
    codec = _codec(charset)
    other = codec is not None and codec not in LATIN and codec != "utf-8"
    for name in [codec, "utf-8"] if other else ["utf-8", "cp1252"]:
        try:
            return data.decode(name)
        except Exception:
            continue
    if other:  # a multi-byte charset with a few bad bytes: keep the rest
        try:
            return data.decode(codec, errors="replace")
        except Exception:
            pass
    return data.decode("latin-1")


def _restore(value: str) -> str:
    """Raw 8-bit header bytes (kept by the parser as surrogates) decoded as text."""
    if not any("\udc80" <= char <= "\udcff" for char in value):
        return value
    try:
        return decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    except UnicodeError:
        return value.encode("utf-8", "replace").decode("utf-8")


def _decode_word(charset: str, encoding: str, data: str) -> bytes | None:
    try:
        if encoding in "bB":
            return base64.b64decode(data + "=" * (-len(data) % 4))
        return binascii.a2b_qp(data.encode("ascii"), header=True)
    except (binascii.Error, ValueError, UnicodeError):
        return None


def decode_words(value: str) -> str:
    """A header with RFC 2047 encoded words as text; an unknown charset falls back as in `decode_bytes`.

    Adjacent words in one charset are joined before decoding (a character may be split between them).
    """
    out: list[str] = []
    pending: tuple[str, bytes] | None = None
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        decoded = _decode_word(*match.groups())
        if decoded is None:
            continue  # left as it is, in the next gap
        gap = value[position:match.start()]
        charset = match.group(1).lower()
        if pending is not None and not gap.strip() and pending[0] == charset:
            pending = (charset, pending[1] + decoded)
        else:
            if pending is not None:
                out.append(decode_bytes(pending[1], pending[0]))
            if pending is None or gap.strip():  # white space between encoded words is not text
                out.append(gap)
            pending = (charset, decoded)
        position = match.end()
    if pending is not None:
        out.append(decode_bytes(pending[1], pending[0]))
    out.append(value[position:])
    return "".join(out)


def _one_line(value: str) -> str:
    return _WHITESPACE.sub(" ", _CONTROL.sub(" ", value)).strip()


def clean_text(text: str, flowed: bool = False, delsp: bool = False) -> str:
    """Unix newlines, no NUL or other control characters, no trailing spaces; format=flowed lines joined."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if flowed:
        text = unflow(text, delsp)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


# --- headers --------------------------------------------------------------------------------

class _Headers:
    """Raw header values by lower-case name: unfolded, cut to MAX_HEADER_CHARS, 8-bit bytes decoded."""

    def __init__(self, message: Message) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in _safe(lambda: list(message.raw_items()), []):
            text = re.sub(r"[\r\n]", "", str(value)[: MAX_HEADER_CHARS * 2])[:MAX_HEADER_CHARS]
            self._values.setdefault(str(name).strip().lower(), []).append(_restore(text))

    def all(self, name: str) -> list[str]:
        return self._values.get(name, [])

    def first(self, name: str) -> str:
        return next(iter(self.all(name)), "")

    def has(self, name: str) -> bool:
        return name in self._values


def _address(value: str) -> str:
    return _WHITESPACE.sub("", _CONTROL.sub("", value)).strip("<>").lower()


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    return _safe(lambda: getaddresses(values), [])


def _sender(headers: _Headers) -> tuple[str, str | None]:
    """Display name and lower-case address of the first From."""
    for name, address in _pairs(headers.all("from")[:1]):
        if _address(address):
            return _one_line(decode_words(name)), _address(address)
    return "", None


def _address_list(values: list[str]) -> list[str]:
    found: list[str] = []
    for _, address in _pairs(values):
        address = _address(address)
        if "@" in address and address not in found:
            found.append(address)
    return found


def _plus_tokens(headers: _Headers) -> list[str]:
    """TOKEN of every recipient local+TOKEN@domain, as written (tokens may be case-sensitive)."""
    tokens: list[str] = []
    for name in RECIPIENT_HEADERS:
        for _, address in _pairs(headers.all(name)):
            local, at, _ = _WHITESPACE.sub("", _CONTROL.sub("", address)).strip("<>").rpartition("@")
            token = local.partition("+")[2]
            if at and token and token not in tokens:
                tokens.append(token)
    return tokens


def normalize_message_id(value: object) -> str | None:
    """A Message-ID as `<id>`: the first `<...>` in the value, or a bare `id@host`; None if there is none."""
    if value is None:
        return None
    text = _CONTROL.sub("", str(value))
    match = _MESSAGE_ID.search(text)
    if match:
        core = match.group(1)
    else:
        tokens = text.split()
        candidates = [token for token in tokens if "@" in token] or (tokens if len(tokens) == 1 else [])
        core = candidates[0].strip("<>") if candidates else ""
        if "<" in core or ">" in core:
            return None
    return f"<{core}>" if core and len(core) + 2 <= MAX_MESSAGE_ID else None


def _ids(values: list[str]) -> list[str]:
    found: list[str] = []
    seen: set[str] = set()
    for value in values:
        text = _CONTROL.sub("", value)
        ids = [f"<{core}>" for core in _MESSAGE_ID.findall(text)]
        if not ids:
            ids = [normalize_message_id(token) or "" for token in re.split(r"[\s,]+", text) if "@" in token]
        for message_id in ids:
            if message_id and len(message_id) <= MAX_MESSAGE_ID and message_id not in seen:
                seen.add(message_id)
                found.append(message_id)
    return found


def _date(value: str) -> datetime | None:
    if not value.strip():
        return None
    moment = _safe(lambda: parsedate_to_datetime(_one_line(value)), None)
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _ticket_number(subject: str) -> int | None:
    match = _TICKET.search(subject)
    return int(match.group(1)) if match else None


def _auto_reason(headers: _Headers, from_address: str | None, content_type: str) -> str | None:
    """Why this mail is automatic, checked from the most specific kind to the most general:

    bounce, auto-submitted, x-autoreply, precedence, auto-response-suppress, list.
    """
    sender = (from_address or "").rpartition("@")
    if (content_type == "multipart/report" or (sender[0] or sender[2]) in BOUNCE_SENDERS
            or any(_WHITESPACE.sub("", value) == "<>" for value in headers.all("return-path"))):
        return "bounce"
    if any(value.split(";")[0].strip().lower() != "no" for value in headers.all("auto-submitted")):
        return "auto-submitted"
    if headers.has("x-autoreply") or headers.has("x-autorespond"):
        return "x-autoreply"
    if any(value.strip().lower() in AUTO_PRECEDENCE for value in headers.all("precedence")):
        return "precedence"
    if headers.has("x-auto-response-suppress"):
        return "auto-response-suppress"
    if headers.has("list-id") or headers.has("list-unsubscribe"):
        return "list"
    return None


# --- body -----------------------------------------------------------------------------------

def _content_type(part: Message) -> str:
    return _safe(part.get_content_type, "text/plain")


def _children(part: Message) -> list[Message] | None:
    payload = _safe(part.get_payload, None)
    if isinstance(payload, list):
        return [child for child in payload if isinstance(child, Message)]
    return None


def _filename(part: Message) -> str:
    name = _safe(part.get_filename, None) or _safe(lambda: part.get_param("name"), None)
    if not isinstance(name, str):
        return ""
    return _one_line(decode_words(_restore(name)))


def _is_body(part: Message, content_type: str) -> bool:
    """Text meant to be read as the message (not a text file attached to it)."""
    if content_type not in ("text/plain", "text/html"):
        return False
    return _safe(part.get_content_disposition, None) != "attachment" and not _filename(part)


def _param(part: Message, name: str) -> str:
    value = _safe(lambda: part.get_param(name), None)
    return value.lower() if isinstance(value, str) else ""


def _has_text(part: Message, subtype: str) -> bool:
    """Whether the part holds readable text/SUBTYPE (an attached message does not count)."""
    stack = [part]
    while stack:
        node = stack.pop()
        content_type, children = _content_type(node), _children(node)
        if children is None and content_type == f"text/{subtype}" and _is_body(node, content_type):
            return True
        if children is not None and not content_type.startswith("message/"):
            stack.extend(children)
    return False


def _alternatives(children: list[Message]) -> list[Message]:
    """The alternatives to read: every one holding plain text, else the last one holding HTML."""
    plain = [child for child in children if _has_text(child, "plain")]
    if plain:
        return plain
    html = [child for child in children if _has_text(child, "html")]
    return html[-1:]


class _Body:
    """Text, reply text and attachments gathered from a MIME tree in order."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.replies: list[str] = []
        self.cut = False  # quoted history was met: later text is not part of the reply
        self.history: list[str] = []  # the text after that point
        self.attachments: list[Upload] = []

    def walk(self, message: Message) -> None:
        """Every part in order, without recursion: nesting is only limited by what the parser accepts."""
        stack: list[tuple[Message, bool]] = [(message, True)]  # (part, whether its text is read)
        while stack:
            part, read = stack.pop()
            content_type, children = _content_type(part), _children(part)
            if children is not None and content_type.startswith("message/"):
                self._attach(part, content_type, _message_bytes(children))
            elif children is not None:
                chosen = {id(child) for child in (
                    _alternatives(children) if content_type == "multipart/alternative" else children)}
                stack.extend((child, read and id(child) in chosen) for child in reversed(children))
            elif content_type.startswith("multipart/") and (repaired := _repaired(part)) is not None:
                stack.append((repaired, read))
            elif content_type.startswith("multipart/") or _is_body(part, content_type):
                if read:  # a multipart that could not be split is read as plain text
                    self._read(part, "text/html" if content_type == "text/html" else "text/plain")
            else:
                self._attach(part, content_type, _safe(lambda p=part: p.get_payload(decode=True), None) or b"")

    def _read(self, part: Message, content_type: str) -> None:
        data = _safe(lambda: part.get_payload(decode=True), None) or b""
        text = decode_bytes(data, _safe(part.get_content_charset, None))
        if content_type == "text/html":
            html = html_to_text(clean_text(text))
            full, reply = clean_text(html.full), clean_text(html.reply)
        else:
            full = reply = clean_text(text, _param(part, "format") == "flowed", _param(part, "delsp") == "yes")
        if full.strip():
            self.texts.append(full)
        if self.cut:
            self.history.append(full)
            return
        if reply.strip():
            self.replies.append(reply)
        if reply != full:
            self.cut = True
            self.history.append(full[len(reply):].strip("\n") if full.startswith(reply) else full)

    def _attach(self, part: Message, content_type: str, content: bytes) -> None:
        number = len(self.attachments) + 1
        name = _filename(part) or f"attachment-{number}{EXTENSIONS.get(content_type, '.bin')}"
        if content_type == "message/rfc822":  # an attached email: named after its subject, kept as .eml
            name = _email_name(_filename(part) or parse_head(content).subject, number)
        self.attachments.append(Upload(safe_filename(name), content))


def _email_name(name: str, number: int) -> str:
    name = re.sub(r'[:*?"<>|]+', " ", re.sub(r"[\\/]", "-", name)).strip()[:100].strip() or f"attachment-{number}"
    return name if name.lower().endswith(".eml") else name + ".eml"


def _repaired(part: Message) -> Message | None:
    """A multipart whose declared boundary is never used, split again at the boundary its body does use."""
    if _safe(lambda: part.get("x-mesa-repaired"), None):
        return None
    body = _safe(lambda: part.get_payload(decode=True), None) or b""
    match = _BOUNDARY_LINE.search(body)
    if match is None:
        return None
    head = b'X-Mesa-Repaired: 1\nContent-Type: %s; boundary="%s"\n\n' % (_content_type(part).encode(), match.group(1))
    return _safe(lambda: email.message_from_bytes(head + body, policy=email.policy.default), None)


def _message_bytes(messages: list[Message]) -> bytes:
    """An attached message (or a delivery report's blocks) as bytes, headers not refolded."""
    policy = email.policy.compat32.clone(max_line_length=None)
    return b"\n".join(_safe(lambda m=message: m.as_bytes(policy=policy), b"") for message in messages)


# --- the whole message ----------------------------------------------------------------------

def _message(raw: bytes) -> Message:
    try:
        return email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:  # RecursionError on absurd nesting, for one: keep the headers, read the body as text
        return email.parser.BytesParser(policy=email.policy.default).parsebytes(raw, headersonly=True)


def _head(message: Message) -> dict[str, object]:
    """The fields of `Parsed` that come from the headers alone."""
    headers = _Headers(message)
    from_name, from_address = _sender(headers)
    subject = _one_line(decode_words(headers.first("subject")))
    return dict(
        message_id=normalize_message_id(headers.first("message-id")),
        in_reply_to=_ids(headers.all("in-reply-to")),
        references=_ids(headers.all("references"))[-MAX_REFERENCES:],
        from_address=from_address,
        from_name=from_name,
        to=_address_list(headers.all("to")),
        cc=_address_list(headers.all("cc")),
        subject=subject,
        date=_date(headers.first("date")),
        auto_reason=_auto_reason(headers, from_address, _content_type(message)),
        plus_tokens=_plus_tokens(headers),
        ticket_number=_ticket_number(subject),
        sender_failed_checks=auth_failed(headers.first("authentication-results")),
    )


_AUTH_RESULT = re.compile(r"\b(dmarc|spf|dkim)\s*=\s*([a-z]+)", re.I)


def auth_failed(header: str) -> bool:
    """What the receiving server's Authentication-Results (RFC 8601; the topmost one, which our own MTA
    adds) says of the sender: DMARC failed, or SPF failed with no passing DKIM signature. A missing
    header says nothing: the deploy guide asks the MTA to check."""
    results: dict[str, set[str]] = {}
    for method, result in _AUTH_RESULT.findall(header or ""):
        results.setdefault(method.lower(), set()).add(result.lower())
    if "fail" in results.get("dmarc", set()):
        return True
    return "fail" in results.get("spf", set()) and "pass" not in results.get("dkim", set())


def _parse(raw: bytes) -> Parsed:
    message = _message(bytes(raw))
    body = _Body()
    body.walk(message)
    text = "\n\n".join(body.texts)
    visible, quoted = split_reply("\n\n".join(body.replies))
    quoted = "\n\n".join(part for part in (quoted, *body.history) if part.strip())
    return Parsed(**_head(message), text=text, visible=visible or text, quoted=quoted if visible else "",
                  attachments=body.attachments)


def header_section(raw: bytes, limit: int = MAX_HEAD_BYTES) -> bytes:
    """The raw header block (up to and with the first empty line), at most `limit` bytes of it."""
    start = raw[:limit]
    end = _HEADER_END.search(start)
    return start[: end.end()] if end else start


def parse_head(raw: bytes) -> Parsed:
    """Only the header fields of an email too large to read in full (no body, no files). Never raises.

    `raw` may be the whole message or just its header block: only the header block is read.
    """
    try:
        parser = email.parser.BytesParser(policy=email.policy.default)
        return Parsed(**_head(parser.parsebytes(header_section(bytes(raw)), headersonly=True)))
    except Exception:
        log.exception("inbound email headers could not be parsed")
        return Parsed()


def parse(raw: bytes) -> Parsed:
    """Everything the help desk needs from one raw email. Never raises."""
    try:
        return _parse(raw)
    except Exception:  # a bug here must not stop the mailbox: the raw email is kept by the caller
        log.exception("inbound email could not be parsed")
        return Parsed()


def thread_ids(parsed: Parsed) -> list[str]:
    """Message-IDs this email answers, most recent first: In-Reply-To, then References from the end."""
    found: list[str] = []
    for message_id in [*parsed.in_reply_to, *reversed(parsed.references)]:
        if message_id not in found:
            found.append(message_id)
    return found


def _base_address(value: str) -> str:
    address = _address(parseaddr(value)[1] or value)
    local, at, domain = address.rpartition("@")
    return f"{local.partition('+')[0]}@{domain}" if at else address


def is_own_address(parsed: Parsed, our_addresses: Iterable[str]) -> bool:
    """Whether the sender is one of our addresses (plus-addresses included): mail from ourselves is a loop."""
    if not parsed.from_address:
        return False
    ours = {_base_address(address) for address in our_addresses if address and address.strip()}
    return _base_address(parsed.from_address) in ours
