"""M2: images that pass the signature check but do not decode, and decompression bombs, crashed the
ticket page for agent and customer (a traceback, no composer); the agent page grew to 1.6 GB."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from core.accounts import service as accounts
from core.config import get_settings
from core.db import make_engine, session_factory, unit_of_work
from core.portal import service as portal
from core.tickets.attachments import Upload
from tests.pages.conftest import run_home
from tests.workbench_desk import PASSWORD, open_workbench
from ui import keys
from ui.text import plain


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


NOISE = _png(Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)))
FILES = [Upload("broken.png", NOISE[: len(NOISE) // 2] + b"\x00" * 100),
         Upload("bomb.png", _png(Image.new("1", (13_000, 13_000)))),  # 169 megapixels, about 20 KB
         Upload("photo.png", _png(Image.new("RGB", (1600, 1200), "teal")))]


@pytest.fixture
def link(app_env):
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        accounts.create_user(session, email="ana@mesa.example", name="Ana", role="agent", password=PASSWORD)
        sent = portal.send_ticket(session, visitor=portal.Visitor("10.0.0.1"), name="Olivia", email="o@example.com",
                                  subject="Screens", description="See the pictures", kind="incident",
                                  product_id=None, locale="en", uploads=FILES, settings=get_settings())
    yield sent.link
    engine.dispose()


def _shows_files_and_composer(app, draft_key):
    assert not app.exception, app.exception
    captions = [c.value for c in app.caption]
    assert all(any(plain(f.filename) in c for c in captions) for f in FILES), "every file is listed for download"
    assert len(app.get("image")) == 1, "only the decodable photo is drawn, as its preview"
    assert app.text_area(key=draft_key) is not None, "the composer is there"


def test_the_customer_page_lists_broken_images_as_files_and_keeps_its_composer(link):
    query = dict(part.split("=", 1) for part in link.split("?", 1)[1].split("&"))
    app = run_home(**query)
    app.switch_page("app_pages/customer_ticket.py").run()
    _shows_files_and_composer(app, keys.field(keys.ADD_INFORMATION, "body"))


def test_the_agent_page_lists_broken_images_as_files_and_keeps_its_composer(link):
    app = open_workbench("ana@mesa.example", ticket="1")
    _shows_files_and_composer(app, "wb_draft_1")
