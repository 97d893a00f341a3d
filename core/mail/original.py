"""An email as an agent reads it behind "Show the original email": decoded headers, the text part, the HTML
part as text (never rendered: it is the sender's markup), the attachments by name, type and size, and what
the reply parser cut as quoted history. The raw source stays available as a download.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.mail import inbound
from core.mail.html_text import html_to_text

HEADERS = ("From", "Reply-To", "To", "Cc", "Date", "Subject", "Message-ID", "In-Reply-To", "Authentication-Results")
MAX_TEXT = 200_000  # characters of each part shown; the download has everything


@dataclass(frozen=True)
class Original:
    raw: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    html_text: str = ""
    files: list[tuple[str, str, int]] = field(default_factory=list)  # name, content type, bytes
    quoted: str = ""  # what the reply parser left out of the message on the ticket


def read(raw: bytes) -> Original:
    """Decode `raw` for reading; a part that does not decode is left out, never an exception."""
    message = inbound._message(raw)
    headers = []
    for name in HEADERS:
        for value in message.get_all(name, []) or []:
            text = inbound._safe(lambda v=value: inbound.decode_words(str(v)), "")
            if text.strip():
                headers.append((name, " ".join(text.split())))
    plain = inbound._safe(lambda: message.get_body(preferencelist=("plain",)), None)
    html = inbound._safe(lambda: message.get_body(preferencelist=("html",)), None)
    text = inbound._safe(lambda: plain.get_content(), "") if plain is not None else ""
    markup = inbound._safe(lambda: html.get_content(), "") if html is not None else ""
    files = []
    for part in inbound._safe(lambda: list(message.iter_attachments()), []):
        payload = inbound._safe(lambda p=part: p.get_payload(decode=True), b"") or b""
        files.append((inbound._filename(part) or "(no name)", inbound._content_type(part), len(payload)))
    quoted = inbound._safe(lambda: inbound.parse(raw).quoted, "")
    return Original(raw=raw, headers=headers, text=str(text)[:MAX_TEXT],
                    html_text=html_to_text(str(markup)).full[:MAX_TEXT] if markup else "", files=files,
                    quoted=quoted[:MAX_TEXT])
