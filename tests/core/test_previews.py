"""M2: images are decoded and bounded once, when they arrive; pages draw only the bounded preview."""

from __future__ import annotations

import io
import os

from PIL import Image
from sqlalchemy import select

from core.db import unit_of_work
from core.models import Attachment, Message
from core.tickets import attachments, previews
from core.tickets import service as tickets
from core.tickets.attachments import Upload


def _png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def _noise_png(size: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(out, "PNG")
    return out.getvalue()


NOISE = _noise_png(200)
BROKEN_PNG = NOISE[: len(NOISE) // 2] + b"\x00" * 200  # signature, header, half its data, then garbage
BROKEN_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x13" * 300


def test_a_photo_gets_a_small_preview():
    shown = previews.preview(_png(3000, 1500))
    with Image.open(io.BytesIO(shown)) as image:
        assert (image.format, image.size) == ("WEBP", (previews.EDGE, previews.EDGE // 2))


def test_undecodable_images_and_decompression_bombs_get_no_preview():
    bomb = _png(13_000, 13_000, mode="1")  # 169 megapixels in about 20 KB
    assert len(bomb) < 100_000
    assert [previews.preview(data) for data in (BROKEN_PNG, BROKEN_JPEG, bomb)] == [None, None, None]


def test_a_ticket_keeps_every_file_and_only_the_good_image_has_a_preview(desk):
    uploads = [Upload("fine.png", _png(1200, 800)), Upload("broken.png", BROKEN_PNG),
               Upload("bomb.png", _png(13_000, 13_000, mode="1"))]
    ticket = desk.new_ticket(uploads=uploads)
    with desk.reader() as session:
        files = {a.filename: a for a in session.scalars(select(Attachment).join(Message)
                                                         .where(Message.ticket_id == ticket.id))}
        shown = {name: attachments.preview_of(session, a) for name, a in files.items()}
        kept = {name: attachments.content_of(session, a) for name, a in files.items()}
    assert set(files) == {"fine.png", "broken.png", "bomb.png"}
    assert kept == {upload.filename: upload.content for upload in uploads}, "the originals stay for download"
    assert shown["fine.png"] is not None and shown["broken.png"] is None and shown["bomb.png"] is None
    with unit_of_work(desk.factory) as session:  # a reply reusing the same picture reuses its preview blob
        again = tickets.add_internal_note(session, ticket.id, agent_id=desk.ana, body="Same picture",
                                          uploads=[uploads[0]])
        assert again.attachments[0].preview_sha256 == files["fine.png"].preview_sha256
