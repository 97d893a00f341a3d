"""Hostile files through the ticket form: a zip bomb is stored as it came and never unpacked, a
polyglot is kept under the type its bytes start with, and both come back byte for byte."""

from __future__ import annotations

import io
import zipfile

from sqlalchemy import select

from core.db import unit_of_work
from core.models import Attachment
from core.portal import service as portal
from core.tickets import attachments
from core.tickets.attachments import Upload
from tests.core.conftest import T0


def _zip_bomb() -> bytes:
    """50 MB of zeros in a zip of about 50 KB (a ratio of 1000): unpacking many would fill the disk."""
    buffer = io.BytesIO()
    with (zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
          archive.open("zeros.bin", "w", force_zip64=True) as member):
        chunk = b"\x00" * (1024 * 1024)
        for _ in range(50):
            member.write(chunk)
    return buffer.getvalue()


POLYGLOT = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
            + b"<html><script>alert(document.cookie)</script></html>")  # a PNG start, HTML after


def test_a_zip_bomb_and_a_polyglot_are_stored_untouched(desk, monkeypatch):
    bomb, opened = _zip_bomb(), []
    unpack = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda self, member, *a, **k: opened.append(getattr(member, "filename", member))
                        or unpack(self, member, *a, **k))
    with unit_of_work(desk.factory) as session:
        sent = portal.send_ticket(session, visitor=portal.Visitor("10.0.0.7"), name="Olivia",
                                  email="olivia@example.com", subject="Logs", description="Attached.",
                                  kind="incident", product_id=None, locale="en", settings=desk.settings, now=T0,
                                  uploads=[Upload("logs.zip", bomb), Upload("shot.png", POLYGLOT)])
    assert opened == [], "Mesa reads a zip's directory to tell Office files, never unpacks what it holds"
    with desk.reader() as session:
        stored = {a.filename: a for a in session.scalars(select(Attachment))}
        assert stored["logs.zip"].content_type == "application/zip"
        assert stored["shot.png"].content_type == "image/png"
        assert attachments.content_of(session, stored["logs.zip"]) == bomb
        assert attachments.content_of(session, stored["shot.png"]) == POLYGLOT
    assert sent.ticket_id


