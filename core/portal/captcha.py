"""The "I'm not a robot" check: Mesa's own image captcha, and the hosted providers' server-side check.

There is no audio variant: one built from the `captcha` package's bundled voice files was solved by a
short script correlating the WAV with those same files (security review M3). People who cannot read the
picture write to the support address instead: an email becomes a ticket and needs no captcha, and a
hosted provider (Turnstile, hCaptcha, reCAPTCHA) brings its own accessible check.

The built-in captcha is stateless so it works across several app replicas: the token carries its expiry,
a random nonce and an HMAC over (answer, expiry, nonce) keyed with the app's secret. Nothing is stored,
and the answer cannot be read back from the token without the secret.

Single use is the caller's job: a token stays valid until it expires, so the page remembers the
`nonce_of` every accepted token (the session keeps them) and refuses a nonce it has seen. Tokens of
Turnstile, hCaptcha and reCAPTCHA are single-use by the provider itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import re
import secrets
import struct
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from captcha.image import ImageCaptcha

# No look-alikes (0/O, 1/I/L).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TTL = timedelta(minutes=10)
IMAGE_SIZE = (280, 90)

_VERSION = 1
_NONCE_BYTES = 16
_HEAD = struct.Struct(">BQ")  # version, expires_at (unix seconds)
_RAW_LEN = _HEAD.size + _NONCE_BYTES + hashlib.sha256().digest_size  # 57 bytes, a multiple of 3...
_TOKEN_RE = re.compile(rf"[A-Za-z0-9_-]{{{_RAW_LEN * 4 // 3}}}")  # ...so base64 has no padding, one spelling
_ANSWER_CHARS = frozenset(ALPHABET.lower())


@dataclass(frozen=True)
class Challenge:
    image_png: bytes
    token: str


def _now(now: datetime | None) -> int:
    return int((now or datetime.now(UTC)).timestamp())


def _random_answer(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _normalize(answer: str) -> str:
    return "".join(answer.split()).lower()


def _mac(secret_key: str, answer: str, expires_at: int, nonce: bytes) -> bytes:
    message = b"mesa-captcha|%d|%s|%s" % (expires_at, nonce.hex().encode(), _normalize(answer).encode())
    return hmac.new(secret_key.encode("utf-8", "surrogatepass"), message, hashlib.sha256).digest()


def _decode(token: object) -> tuple[int, bytes, bytes] | None:
    """(expires_at, nonce, mac) of a well-formed token, else None; checks the shape, not the MAC."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    raw = base64.urlsafe_b64decode(token)
    version, expires_at = _HEAD.unpack_from(raw)
    if version != _VERSION:
        return None
    nonce = raw[_HEAD.size : _HEAD.size + _NONCE_BYTES]
    return expires_at, nonce, raw[_HEAD.size + _NONCE_BYTES :]


def new_challenge(secret_key: str, *, now: datetime | None = None, length: int = 5) -> Challenge:
    """A fresh challenge valid for TTL."""
    if not secret_key:
        raise ValueError("a captcha needs a secret key: without one the answer could be guessed from the token")
    if length < 1:
        raise ValueError("a captcha answer needs at least one character")
    answer = _random_answer(length)
    expires_at = _now(now) + int(TTL.total_seconds())
    nonce = secrets.token_bytes(_NONCE_BYTES)
    raw = _HEAD.pack(_VERSION, expires_at) + nonce + _mac(secret_key, answer, expires_at, nonce)
    image = ImageCaptcha(width=IMAGE_SIZE[0], height=IMAGE_SIZE[1]).generate(answer, format="png").getvalue()
    return Challenge(image_png=image, token=base64.urlsafe_b64encode(raw).decode("ascii"))


def verify(token: str, answer: str, secret_key: str, *, now: datetime | None = None) -> bool:
    """True if `answer` solves the challenge of `token` and the token has not expired. Never raises."""
    if not isinstance(answer, str) or not isinstance(secret_key, str) or not secret_key:
        return False
    decoded = _decode(token)
    guess = _normalize(answer)
    if decoded is None or not guess or not _ANSWER_CHARS.issuperset(guess):
        return False
    expires_at, nonce, mac = decoded
    try:
        if _now(now) >= expires_at:
            return False
    except (AttributeError, TypeError, ValueError, OverflowError, OSError):  # a `now` that is no datetime
        return False
    return hmac.compare_digest(mac, _mac(secret_key, guess, expires_at, nonce))


def nonce_of(token: str) -> str | None:
    """The token's nonce (hex) for a caller's used-token list, or None if the token is malformed.

    It does not check the MAC: call it after `verify` succeeded.
    """
    decoded = _decode(token)
    return decoded[1].hex() if decoded else None


class ProviderScript(NamedTuple):
    """What a page needs to render a hosted widget: its script, the div class, the form field it fills."""

    src: str
    widget_class: str
    response_field: str


PROVIDER_SCRIPTS: dict[str, ProviderScript] = {
    "turnstile": ProviderScript(
        "https://challenges.cloudflare.com/turnstile/v0/api.js", "cf-turnstile", "cf-turnstile-response"
    ),
    "hcaptcha": ProviderScript("https://js.hcaptcha.com/1/api.js", "h-captcha", "h-captcha-response"),
    "recaptcha": ProviderScript("https://www.google.com/recaptcha/api.js", "g-recaptcha", "g-recaptcha-response"),
}

VERIFY_URLS: dict[str, str] = {
    "turnstile": "https://challenges.cloudflare.com/turnstile/v0/siteverify",
    "hcaptcha": "https://api.hcaptcha.com/siteverify",
    "recaptcha": "https://www.google.com/recaptcha/api/siteverify",
}


def verify_provider(
    provider: str, secret: str, response: str, remote_ip: str | None, *, url: str | None = None, timeout: float = 5
) -> bool:
    """Ask the provider's siteverify endpoint whether `response` (the widget's token) is genuine.

    False on any failure (network, HTTP status, timeout, non-JSON): a broken check must not let robots in.
    `url` overrides the endpoint (tests). An unknown provider is a programming error and raises ValueError.
    """
    endpoint = url or VERIFY_URLS.get(provider)
    if endpoint is None:
        raise ValueError(f"unknown captcha provider {provider!r}; expected one of {', '.join(VERIFY_URLS)}")
    if not secret or not response:
        return False
    fields = {"secret": secret, "response": response}
    if remote_ip:
        fields["remoteip"] = remote_ip
    data = urllib.parse.urlencode(fields).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "Mesa-helpdesk"}
    try:
        request = urllib.request.Request(endpoint, data=data, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            body = json.loads(reply.read(65536))
    except (OSError, ValueError, http.client.HTTPException):  # URLError, HTTPError, timeouts; bad JSON/UTF-8
        return False
    return isinstance(body, dict) and body.get("success") is True
