"""Hosted captcha providers on the new-ticket form, checked against a local siteverify stand-in."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from core import config
from core.db import make_engine, read_factory
from core.models import Ticket
from tests.pages.conftest import ROOT, run_home

GOOD_TOKEN = "provider-token-ok"
SECRET = "s3cret-provider-key"
ADDRESS = "203.0.113.9"


@pytest.fixture
def siteverify():
    """A siteverify endpoint that accepts GOOD_TOKEN with SECRET only; `posts` keeps every posted form."""
    posts: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            form = dict(urllib.parse.parse_qsl(body))
            posts.append(form)
            ok = form.get("secret") == SECRET and form.get("response") == GOOD_TOKEN
            reply = json.dumps({"success": ok}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/siteverify", posts
    server.shutdown()
    server.server_close()


def _provider(monkeypatch, token: str | None, provider: str = "turnstile", keys: bool = True, url: str = "") -> list:
    """Configure a provider and make its widget 'solved' with `token`; returns the widget calls."""
    import ui.captcha_widget
    import ui.forms

    calls: list[tuple] = []

    def fake_widget(provider: str, site_key: str, language: str, key: str) -> str | None:
        calls.append((provider, site_key, language, key))
        return token

    monkeypatch.setattr(ui.captcha_widget, "widget", fake_widget)
    monkeypatch.setattr(ui.forms, "client_address", lambda: ADDRESS)
    monkeypatch.setenv("MESA_CAPTCHA", provider)
    monkeypatch.setenv("MESA_CAPTCHA_SITE_KEY", "site-key-1" if keys else "")
    monkeypatch.setenv("MESA_CAPTCHA_SECRET_KEY", SECRET if keys else "")
    monkeypatch.setenv("MESA_CAPTCHA_VERIFY_URL", url)
    config.get_settings.cache_clear()
    return calls


def _tickets(url: str) -> int:
    engine = make_engine(url)
    with read_factory(engine)() as session:
        count = session.scalar(select(func.count()).select_from(Ticket))
    engine.dispose()
    return count


def _form(lang: str = "en") -> AppTest:
    app = run_home(lang=lang)
    app.switch_page("app_pages/new_ticket.py").run()
    return app


def _send(app: AppTest) -> AppTest:
    app.text_input(key="new_name").input("Lucía García")
    app.text_input(key="new_email").input("lucia@example.es")
    app.text_input(key="new_subject").input("No puedo entrar")
    app.text_area(key="new_description").input("Dice credenciales no válidas.")
    return app.button(key="new_send").click().run()


def test_a_valid_provider_token_creates_the_ticket(app_env, monkeypatch, siteverify):
    url, posts = siteverify
    calls = _provider(monkeypatch, GOOD_TOKEN, provider="hcaptcha", url=url)
    app = _form(lang="es")
    assert calls[-1] == ("hcaptcha", "site-key-1", "es", "new_captcha_widget_0")
    assert not [w for w in app.text_input if w.key == "new_captcha_answer"]  # no image captcha
    _send(app)
    assert not app.exception, app.exception
    assert app.title[0].value == "Hemos recibido tu ticket"
    assert posts == [{"secret": SECRET, "response": GOOD_TOKEN, "remoteip": ADDRESS}]
    assert _tickets(app_env) == 1
    assert "new_captcha_provider_token" not in app.session_state  # spent: single use


def test_an_invalid_token_shows_the_error_by_the_captcha(app_env, monkeypatch, siteverify):
    url, posts = siteverify
    calls = _provider(monkeypatch, "forged-token", url=url)
    app = _send(_form())
    assert not app.exception, app.exception
    assert [e.value for e in app.error] == ["The robot check did not pass or has expired. Please complete it again."]
    assert posts == [{"secret": SECRET, "response": "forged-token", "remoteip": ADDRESS}]
    assert _tickets(app_env) == 0
    assert app.text_input(key="new_subject").value == "No puedo entrar"
    assert calls[-1][3] == "new_captcha_widget_1"  # a fresh widget: the spent token is not offered again


def test_no_token_is_refused_without_asking_the_provider(app_env, monkeypatch, siteverify):
    url, posts = siteverify
    _provider(monkeypatch, None, provider="recaptcha", url=url)
    app = _send(_form())
    assert len(app.error) == 1 and posts == [] and _tickets(app_env) == 0


def test_a_provider_without_keys_falls_back_to_the_image_captcha(app_env, monkeypatch, siteverify):
    url, posts = siteverify
    calls = _provider(monkeypatch, GOOD_TOKEN, keys=False, url=url)
    app = _form()
    assert calls == []
    assert app.text_input(key="new_captcha_answer").label == "Type the characters you see"
    assert len(app.get("image")) == 1
    _send(app)  # no answer typed: the image captcha refuses it
    assert "The characters do not match. Try again with the new image." in [e.value for e in app.error]
    assert posts == [] and _tickets(app_env) == 0


def _off_warning_page() -> None:
    from ui import captcha_box

    captcha_box.off_warning()


@pytest.mark.parametrize(("mode", "warnings"), [("off", 1), ("image", 0)])
def test_off_warning_only_when_the_captcha_is_off(app_env, monkeypatch, mode, warnings):
    monkeypatch.setenv("MESA_CAPTCHA", mode)
    config.get_settings.cache_clear()
    app = AppTest.from_function(_off_warning_page).run()
    assert len(app.warning) == warnings
    if warnings:
        assert "MESA_CAPTCHA=off" in app.warning[0].value


@pytest.mark.parametrize(("value", "ok"), [("", True), ("https://proxy.example/siteverify", True),
                                           ("http://127.0.0.1:9/x", True), ("ftp://proxy.example", False)])
def test_verify_url_must_be_http(app_env, monkeypatch, value, ok):
    monkeypatch.setenv("MESA_CAPTCHA_VERIFY_URL", value)
    if ok:
        assert config.load_settings().captcha_verify_url == value
    else:
        with pytest.raises(config.ConfigError, match="MESA_CAPTCHA_VERIFY_URL"):
            config.load_settings()


def test_the_widget_speaks_the_component_protocol():
    page = (Path(ROOT) / "ui" / "captcha_widget" / "frontend" / "index.html").read_text()
    for word in ("streamlit:componentReady", "streamlit:setComponentValue", "streamlit:setFrameHeight",
                 "streamlit:render", "isStreamlitMessage", "apiVersion: 1"):
        assert word in page
    for render in ("turnstile", "hcaptcha", "grecaptcha"):
        assert f'"{render}"' in page
