"""The built-in captcha (stateless HMAC token) and the hosted providers' siteverify check, all offline."""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.portal import captcha

SECRET = "s" * 48
ANSWER = "K7P4X"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    """A token whose answer is ANSWER, issued at T0."""
    monkeypatch.setattr(captcha, "_random_answer", lambda length: ANSWER[:length])
    return captcha.new_challenge(SECRET, now=T0).token


def _raw(token: str) -> bytes:
    return base64.urlsafe_b64decode(token)


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize("answer", ["K7P4X", "k7p4x", "K7p4X", " k7 p4x ", "K 7 P 4 X\t", "\nk7P4x\n"])
def test_the_right_answer_passes_in_any_case_and_spacing(token: str, answer: str) -> None:
    assert captcha.verify(token, answer, SECRET, now=T0 + timedelta(minutes=1))


@pytest.mark.parametrize("answer", ["", "   ", "K7P4", "K7P4XX", "K7P4Y", "X4P7K", "K7P4X!", "K7P4X\x00"])
def test_a_wrong_or_empty_answer_fails(token: str, answer: str) -> None:
    assert not captcha.verify(token, answer, SECRET, now=T0)


def test_the_token_expires_after_ten_minutes(token: str) -> None:
    assert captcha.verify(token, ANSWER, SECRET, now=T0 + timedelta(minutes=9, seconds=59))
    assert not captcha.verify(token, ANSWER, SECRET, now=T0 + timedelta(minutes=10))
    assert not captcha.verify(token, ANSWER, SECRET, now=T0 + timedelta(days=3))


def test_a_token_from_another_secret_fails(token: str) -> None:
    assert not captcha.verify(token, ANSWER, "t" * 48, now=T0)
    assert not captcha.verify(token, ANSWER, "", now=T0)


def test_any_changed_character_breaks_the_token(token: str) -> None:
    for i in range(len(token)):
        swapped = "A" if token[i] != "A" else "B"
        assert not captcha.verify(token[:i] + swapped + token[i + 1 :], ANSWER, SECRET, now=T0), i


def test_pushing_the_expiry_or_version_breaks_the_token(token: str) -> None:
    raw = bytearray(_raw(token))
    later = bytearray(raw)
    later[1:9] = (int.from_bytes(raw[1:9], "big") + 3600).to_bytes(8, "big")
    assert not captcha.verify(_encode(bytes(later)), ANSWER, SECRET, now=T0 + timedelta(minutes=30))
    raw[0] = 2
    assert not captcha.verify(_encode(bytes(raw)), ANSWER, SECRET, now=T0)


@pytest.mark.parametrize(
    "bad", ["", "abc", "=" * 76, "A" * 76, "A" * 75, "A" * 77, "é" * 76, "A" * 10_000, None, 123, b"A" * 76]
)
def test_garbage_tokens_fail_and_have_no_nonce(bad: object) -> None:
    assert not captcha.verify(bad, ANSWER, SECRET, now=T0)  # type: ignore[arg-type]
    assert captcha.nonce_of(bad) is None  # type: ignore[arg-type]


def test_padding_or_a_newline_after_a_good_token_is_rejected(token: str) -> None:
    for bad in (token + "=", token + "\n", " " + token, token[:-1]):
        assert not captcha.verify(bad, ANSWER, SECRET, now=T0)


def test_the_answer_is_not_in_the_token(token: str) -> None:
    raw = _raw(token)
    assert len(raw) == 57  # version + expiry + nonce + HMAC-SHA256; no room for the answer
    for spelling in (ANSWER, ANSWER.lower()):
        assert spelling.encode() not in raw
        assert spelling not in token


def test_nonces_are_random_and_stable_per_token(token: str) -> None:
    other = captcha.new_challenge(SECRET, now=T0).token
    nonce = captcha.nonce_of(token)
    assert nonce is not None and len(nonce) == 32 and nonce == captcha.nonce_of(token)
    assert nonce != captcha.nonce_of(other)


def test_a_challenge_needs_a_secret_and_a_length() -> None:
    with pytest.raises(ValueError):
        captcha.new_challenge("")
    with pytest.raises(ValueError):
        captcha.new_challenge(SECRET, length=0)


def test_the_challenge_is_a_png_with_no_audio_to_correlate() -> None:
    """M3: the audio variant, built from voice files anyone can download with the package, was solved by
    correlating the WAV against them; a challenge has only its picture."""
    challenge = captcha.new_challenge(SECRET, length=4)
    assert challenge.image_png.startswith(b"\x89PNG\r\n\x1a\n")
    assert set(vars(challenge)) == {"image_png", "token"}


def test_answers_avoid_look_alike_characters() -> None:
    answers = "".join(captcha._random_answer(200) for _ in range(5))
    assert not set(answers) & set("0O1IL")


@given(token=st.text(), answer=st.text())
def test_verify_never_raises_on_arbitrary_text(token: str, answer: str) -> None:
    assert captcha.verify(token, answer, SECRET) is False


@given(token=st.text(alphabet=B64URL, min_size=76, max_size=76), answer=st.text(alphabet=captcha.ALPHABET))
def test_verify_rejects_well_shaped_forgeries(token: str, answer: str) -> None:
    assert captcha.verify(token, answer, SECRET) is False


# --- hosted providers: a local siteverify stand-in -------------------------------------------------------------


class _Siteverify(BaseHTTPRequestHandler):
    posts: list[dict[str, list[str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.posts.append(urllib.parse.parse_qs(body))
        status, reply = 200, b""
        if self.path == "/ok":
            reply = json.dumps({"success": True}).encode()
        elif self.path == "/no":
            reply = json.dumps({"success": False, "error-codes": ["invalid-input-response"]}).encode()
        elif self.path == "/truthy":
            reply = json.dumps({"success": "true"}).encode()
        elif self.path == "/list":
            reply = b"[true]"
        elif self.path == "/garbage":
            reply = b"<html>not json"
        elif self.path == "/error":
            status, reply = 500, json.dumps({"success": True}).encode()
        elif self.path == "/slow":
            time.sleep(0.5)
            reply = json.dumps({"success": True}).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(reply)
        except OSError:  # the client gave up (the timeout test)
            pass

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def _server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Siteverify)
    server.daemon_threads = True
    server.block_on_close = False
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def siteverify(_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The stand-in's base URL, with a clean list of posted forms."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    _Siteverify.posts = []
    return _server


@pytest.mark.parametrize("provider", ["turnstile", "hcaptcha", "recaptcha"])
def test_provider_success_posts_the_form_fields(siteverify: str, provider: str) -> None:
    assert captcha.verify_provider(provider, "sekrit", "widget-token", "203.0.113.7", url=siteverify + "/ok")
    assert _Siteverify.posts == [{"secret": ["sekrit"], "response": ["widget-token"], "remoteip": ["203.0.113.7"]}]


def test_provider_without_remote_ip_omits_it(siteverify: str) -> None:
    assert captcha.verify_provider("turnstile", "sekrit", "widget-token", None, url=siteverify + "/ok")
    assert _Siteverify.posts == [{"secret": ["sekrit"], "response": ["widget-token"]}]


@pytest.mark.parametrize("path", ["/no", "/truthy", "/list", "/garbage", "/error", "/missing"])
def test_provider_failure_or_nonsense_is_false(siteverify: str, path: str) -> None:
    assert not captcha.verify_provider("hcaptcha", "sekrit", "widget-token", None, url=siteverify + path)


def test_provider_timeout_is_false(siteverify: str) -> None:
    # /slow answers success after 0.5 s: only a timeout honoured at 0.1 s turns that into False
    assert not captcha.verify_provider("recaptcha", "s", "r", None, url=siteverify + "/slow", timeout=0.1)


def test_provider_unreachable_or_bad_url_is_false(siteverify: str) -> None:
    port = siteverify.rsplit(":", 1)[1]
    assert not captcha.verify_provider("turnstile", "s", "r", None, url="http://127.0.0.1:1/siteverify")
    assert not captcha.verify_provider("turnstile", "s", "r", None, url=f"nope://127.0.0.1:{port}")
    assert not captcha.verify_provider("turnstile", "s", "r", None, url="http://[::1")


def test_provider_without_secret_or_response_asks_nobody(siteverify: str) -> None:
    assert not captcha.verify_provider("turnstile", "", "r", None, url=siteverify + "/ok")
    assert not captcha.verify_provider("turnstile", "s", "", None, url=siteverify + "/ok")
    assert _Siteverify.posts == []


def test_unknown_provider_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown captcha provider"):
        captcha.verify_provider("friendlycaptcha", "s", "r", None)


def test_every_provider_has_a_script_widget_and_endpoint() -> None:
    assert set(captcha.PROVIDER_SCRIPTS) == set(captcha.VERIFY_URLS) == {"turnstile", "hcaptcha", "recaptcha"}
    assert captcha.PROVIDER_SCRIPTS["turnstile"].widget_class == "cf-turnstile"
    assert captcha.PROVIDER_SCRIPTS["hcaptcha"].widget_class == "h-captcha"
    assert captcha.PROVIDER_SCRIPTS["recaptcha"].widget_class == "g-recaptcha"
    assert all(s.src.startswith("https://") for s in captcha.PROVIDER_SCRIPTS.values())
