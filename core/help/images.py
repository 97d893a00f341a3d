"""Images in help articles: checked like ticket attachments (by content, same limits), redrawn as a bounded WEBP
(core.tickets.previews: nothing a reader's browser opens is the file as uploaded), kept once by hash, and named in
the Markdown as `![alt](help-image:SHA256)`; `parts` cuts a body into text and images for drawing."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from core.config import Settings
from core.errors import Collector
from core.help.articles import may_write
from core.models import User
from core.tickets import attachments, previews
from core.tickets.attachments import Upload

IMAGE = re.compile(r"!\[([^\]\n]*)\]\(help-image:([0-9a-f]{64})\)")


def add(session: Session, upload: Upload, settings: Settings, by: int) -> str:
    """Store an uploaded image for an article; the Markdown that shows it."""
    errors = Collector()
    if not may_write(session.get(User, by)):
        errors.add("image", "help.may_not_write")
        errors.raise_if_any()
    checked = attachments.check_uploads([upload], settings, errors, field="image")
    errors.raise_if_any()
    shown = previews.preview(checked[0].content) if checked[0].content_type.startswith("image/") else None
    if shown is None:
        errors.add("image", "help.image_only", name=checked[0].filename)
        errors.raise_if_any()
    alt = checked[0].filename.rpartition(".")[0].replace("]", "")[:80]
    return f"![{alt}](help-image:{attachments.save_blob(session, shown)})"


def parts(body: str) -> list[tuple[str, str]]:
    """The body as ("text", markdown) and ("image", sha256) pieces, in order."""
    pieces: list[tuple[str, str]] = []
    at = 0
    for match in IMAGE.finditer(body):
        if text := body[at:match.start()].strip("\n"):
            pieces.append(("text", text))
        pieces.append(("image", match.group(2)))
        at = match.end()
    if text := body[at:].strip("\n"):
        pieces.append(("text", text))
    return pieces


def content(session: Session, sha256: str) -> bytes | None:
    return attachments.blob(session, sha256)
