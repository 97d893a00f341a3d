"""An attached email (.eml, message/rfc822) read for a page to show "as a message": its decoded sender, date,
subject and text, and the names of the files it carries. Read with the inbound parser (core.mail.inbound), so
it never raises and nothing in it is run or unpacked; a page shows the text as text (never as HTML).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from core.mail import inbound
from core.models import Attachment
from core.tickets import attachments
from core.tickets.filekinds import EMAIL

MAX_TEXT = 200_000  # characters of the text a page is given


@dataclass(frozen=True)
class AttachedEmail:
    sender: str  # "Name <address>", or the address alone
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None
    subject: str = ""
    text: str = ""
    files: list[str] = field(default_factory=list)


def read(content: bytes) -> AttachedEmail:
    """The email in `content`, decoded (headers, quoted-printable, base64, charsets)."""
    parsed = inbound.parse(content)
    sender = parsed.from_address or ""
    if parsed.from_name and sender:
        sender = f"{parsed.from_name} <{sender}>"  # as people read it (formataddr would encode the name)
    text = parsed.text if len(parsed.text) <= MAX_TEXT else parsed.text[:MAX_TEXT] + "\n[…]"
    return AttachedEmail(sender=sender, to=parsed.to, cc=parsed.cc, date=parsed.date, subject=parsed.subject,
                         text=text, files=[upload.filename for upload in parsed.attachments])


def of_attachment(session: Session, attachment: Attachment) -> AttachedEmail | None:
    """The attachment as a message when it is an email; None for any other file."""
    if attachment.content_type != EMAIL:
        return None
    return read(attachments.content_of(session, attachment))
