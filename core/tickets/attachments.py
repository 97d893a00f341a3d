"""Attachments: checked by content (not by name), limited, named safely, stored once.

Files are never unpacked or executed. A zip is stored as it came (core.tickets.filekinds only reads its
directory, to tell an Office or OpenDocument file from any zip). A refused file is named in plain words
("this looks like a Windows program"), never by a MIME type.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import insert
from sqlalchemy.orm import Session

from core.config import Settings
from core.errors import Collector
from core.formats import Size
from core.i18n import Phrase
from core.models import Attachment, AttachmentBlob, Message
from core.tickets import filekinds, previews
from core.tickets.filekinds import EMAIL, OFFICE_AND_ODF, name_key, sniff

# extension -> MIME types the content may have
ACCEPTED: dict[str, tuple[str, ...]] = {
    "png": ("image/png",),
    "jpg": ("image/jpeg",),
    "jpeg": ("image/jpeg",),
    "gif": ("image/gif",),
    "webp": ("image/webp",),
    "mp4": ("video/mp4", "video/x-m4v", "video/quicktime"),
    "webm": ("video/webm", "video/x-matroska"),
    "mov": ("video/quicktime", "video/mp4"),
    "heic": ("image/heic", "image/heif"),
    "heif": ("image/heif", "image/heic"),
    "pdf": ("application/pdf",),
    "docx": (filekinds.DOCX,),
    "xlsx": (filekinds.XLSX,),
    "pptx": (filekinds.PPTX,),
    "odt": (filekinds.ODT,),
    "ods": (filekinds.ODS,),
    "odp": (filekinds.ODP,),
    "eml": (EMAIL,),
    "zip": ("application/zip", *OFFICE_AND_ODF),  # an Office file is a zip too
    "txt": ("text/plain", EMAIL),  # an email saved as text is text
    "log": ("text/plain", EMAIL),
    "csv": ("text/csv", "text/plain", EMAIL),
}
TEXT_TYPES = {"txt": "text/plain", "log": "text/plain", "csv": "text/csv"}
MAX_NAME = 150


@dataclass(frozen=True)
class Upload:
    """A file as the user gave it."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def safe_filename(name: str) -> str:
    """A name that is only a name: no folders, no control characters, not too long."""
    name = unicodedata.normalize("NFC", name or "")
    name = PureWindowsPath(PurePosixPath(name.replace("\x00", "")).name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .") or "file"
    stem, dot, ext = name.rpartition(".")
    if len(name) > MAX_NAME:
        name = (stem[: MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:MAX_NAME]
    return name


def extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def check_uploads(uploads: Sequence[Upload], settings: Settings, errors: Collector,
                  field: str = "attachments") -> list[CheckedFile]:
    """Validate every file; each refused file is named with its reason."""
    checked: list[CheckedFile] = []
    if len(uploads) > settings.max_attachments:
        errors.add(field, "errors.too_many_files", max=settings.max_attachments, count=len(uploads))
        return []
    for upload in uploads:
        name = safe_filename(upload.filename)
        problem = _check_one(name, upload.content, settings)
        if problem:
            errors.add(field, problem[0], **problem[1])
            continue
        ext = extension(name)
        found = sniff(upload.content)
        content_type = TEXT_TYPES.get(ext, found)
        checked.append(CheckedFile(name, content_type, upload.content, hashlib.sha256(upload.content).hexdigest()))
    total = sum(len(u.content) for u in uploads)
    if total > settings.max_ticket_bytes:
        errors.add(field, "errors.files_too_big", size=Size(total), max=Size(settings.max_ticket_bytes))
    return [] if errors.has(field) else checked


Problem = tuple[str, dict[str, object]]


def _check_one(name: str, content: bytes, settings: Settings) -> Problem | None:
    ext = extension(name)
    if not content:
        return "errors.file_empty", {"name": name}
    if len(content) > settings.max_file_bytes:
        return "errors.file_too_big", {"name": name, "size": Size(len(content)), "max": Size(settings.max_file_bytes)}
    found = sniff(content)
    if ext not in ACCEPTED:
        accepted = ", ".join(sorted(ACCEPTED))
        if found in filekinds.TELLING:  # "setup.exe: this looks like a Windows program; …"
            return "filekind.refused", {"name": name, "kind": Phrase(name_key(found)), "accepted": accepted}
        return "errors.file_type", {"name": name, "accepted": accepted}
    if found not in ACCEPTED[ext]:
        return "filekind.mismatch", {"name": name, "ext": ext, "kind": Phrase(name_key(found))}
    return None


def store(session: Session, message: Message, files: Sequence[CheckedFile]) -> list[Attachment]:
    """Save the files on the message; content is written once per sha256. An image gets its preview
    (core.tickets.previews) here, once, stored as a blob of its own."""
    rows = []
    for item in files:
        _insert_blob(session, item.sha256, item.content)
        preview_sha256 = None
        if item.content_type.startswith("image/") and (shown := previews.preview(item.content)) is not None:
            preview_sha256 = hashlib.sha256(shown).hexdigest()
            _insert_blob(session, preview_sha256, shown)
        attachment = Attachment(filename=item.filename, content_type=item.content_type,
                                size=item.size, sha256=item.sha256, preview_sha256=preview_sha256)
        message.attachments.append(attachment)
        rows.append(attachment)
    return rows


def save_blob(session: Session, content: bytes) -> str:
    """Content kept once by its SHA-256 (which is returned), for any owner: messages, help articles."""
    sha256 = hashlib.sha256(content).hexdigest()
    _insert_blob(session, sha256, content)
    return sha256


def blob(session: Session, sha256: str) -> bytes | None:
    found = session.get(AttachmentBlob, sha256)
    return found.content if found else None


def _insert_blob(session: Session, sha256: str, content: bytes) -> None:
    values = {"sha256": sha256, "size": len(content), "content": content}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(AttachmentBlob).values(values).on_conflict_do_nothing()
    else:
        statement = insert(AttachmentBlob).values(values).prefix_with("OR IGNORE")
    session.execute(statement)


def content_of(session: Session, attachment: Attachment) -> bytes:
    blob = session.get(AttachmentBlob, attachment.sha256)
    return blob.content if blob else b""


def shown_content(session: Session, attachment: Attachment) -> bytes | None:
    """What a page draws inline: an image's bounded preview, a video itself; None for every other
    file and for an image without a preview (shown as a file to download)."""
    if attachment.content_type.startswith("image/"):
        return preview_of(session, attachment)
    if attachment.content_type.startswith("video/"):
        return content_of(session, attachment)
    return None


def preview_of(session: Session, attachment: Attachment) -> bytes | None:
    """The image's bounded preview, the only picture a page draws; None when it has none."""
    if attachment.preview_sha256 is None:
        return None
    blob = session.get(AttachmentBlob, attachment.preview_sha256)
    return blob.content if blob else None
