"""Access tokens for mailboxes that sign in with OAuth2 (XOAUTH2) instead of a password: Microsoft 365, Google
Workspace, or any provider with a token endpoint (MESA_MAIL_AUTH; docs/deploy.md has each one's settings).

- oauth2-microsoft: msal, with the client-credentials flow (app-only: MESA_OAUTH_TENANT and a client secret, no
  refresh token) or the refresh-token flow (a delegated mailbox: MESA_OAUTH_REFRESH_TOKEN).
- oauth2-google: google-auth, refresh-token flow.
- oauth2: a plain POST of the refresh token to MESA_OAUTH_TOKEN_URL (RFC 6749 section 6).

A token is kept in memory until MARGIN before it expires, then fetched again; a refresh token the provider
replaces in its answer is used from then on (in memory: the configured one is used again after a restart).
`forget` drops the token after a server refused it. Nothing is written to disk.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import yagmail

from core.config import Settings

PASSWORD, MICROSOFT, GOOGLE, GENERIC = "password", "oauth2-microsoft", "oauth2-google", "oauth2"
MARGIN = 60.0  # seconds: a token this close to expiring is not used
TIMEOUT = 30.0
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
SCOPES = {  # when MESA_OAUTH_SCOPE is empty
    (MICROSOFT, "client"): "https://outlook.office365.com/.default",
    (MICROSOFT, "refresh"): "https://outlook.office365.com/IMAP.AccessAsUser.All https://outlook.office365.com/SMTP.Send",
    (GOOGLE, "refresh"): "https://mail.google.com/",
    (GENERIC, "refresh"): "",
}


class TokenError(Exception):
    """No access token: the provider refused the client or the refresh token, or could not be reached."""


@dataclass
class _Token:
    value: str
    expires_at: float  # on the clock `access_token` was given
    refresh_token: str


_tokens: dict[tuple[str, ...], _Token] = {}
_lock = threading.Lock()


def uses_oauth(settings: Settings) -> bool:
    return settings.mail_auth != PASSWORD


def xoauth2(user: str, token: str) -> str:
    """The XOAUTH2 SASL string (before base64), the same for IMAP and SMTP."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01"


def sign_in_smtp(client: yagmail.SMTP, settings: Settings) -> None:
    """AUTH XOAUTH2 on yagmail's open connection, as MESA_SMTP_USER or else MESA_MAIL_FROM: the SASL string
    first; to the server's error challenge (334 and a JSON error) an empty answer, and its 535 raises
    SMTPAuthenticationError. A refused token is forgotten and the connection closed."""
    sasl = xoauth2(settings.smtp_user or settings.mail_from, access_token(settings))
    try:
        client.smtp.ehlo_or_helo_if_needed()
        client.smtp.auth("XOAUTH2", lambda challenge=None: sasl if challenge is None else "")
    except Exception:
        forget(settings)
        with contextlib.suppress(Exception):
            client.close()
        raise


def flow(settings: Settings) -> str:
    """'client' (client credentials, Microsoft only) or 'refresh' (a refresh token)."""
    return "client" if settings.mail_auth == MICROSOFT and not settings.oauth_refresh_token else "refresh"


def scopes(settings: Settings) -> list[str]:
    return (settings.oauth_scope or SCOPES[(settings.mail_auth, flow(settings))]).split()


def _key(settings: Settings) -> tuple[str, ...]:
    return (settings.mail_auth, settings.oauth_client_id, settings.oauth_tenant, settings.oauth_authority,
            settings.oauth_token_url, settings.oauth_scope, settings.oauth_refresh_token)


def access_token(settings: Settings, now: Callable[[], float] = time.monotonic) -> str:
    """A token that is good for at least MARGIN seconds more: the kept one, or a new one from the provider."""
    key = _key(settings)
    with _lock:  # one fetch at a time: the worker and a page asking together make one request
        kept = _tokens.get(key)
        if kept is not None and kept.expires_at - MARGIN > now():
            return kept.value
        refresh_token = kept.refresh_token if kept else settings.oauth_refresh_token
        started = now()
        value, lifetime, new_refresh = _fetch(settings, refresh_token)
        _tokens[key] = _Token(value, started + lifetime, new_refresh or refresh_token)
        return value


def forget(settings: Settings) -> None:
    """Drop the kept access token (a server refused it); the next sign-in fetches a new one."""
    with _lock:
        kept = _tokens.get(_key(settings))
        if kept is not None:
            kept.expires_at = float("-inf")


def _fetch(settings: Settings, refresh_token: str) -> tuple[str, float, str | None]:
    """(access token, seconds it lasts, the refresh token to use next time if the provider sent a new one)."""
    if settings.mail_auth == MICROSOFT:
        return _microsoft(settings, refresh_token)
    if settings.mail_auth == GOOGLE:
        return _google(settings, refresh_token)
    if settings.mail_auth == GENERIC:
        return _generic(settings, refresh_token)
    raise TokenError(f"MESA_MAIL_AUTH is {settings.mail_auth!r}: no OAuth2 token to fetch")


def _microsoft(settings: Settings, refresh_token: str) -> tuple[str, float, str | None]:
    import msal

    tenant = settings.oauth_tenant or "organizations"
    authority = settings.oauth_authority or f"https://login.microsoftonline.com/{tenant}"
    try:
        app = msal.ConfidentialClientApplication(
            settings.oauth_client_id, client_credential=settings.oauth_client_secret or None, authority=authority,
            timeout=TIMEOUT, instance_discovery=not settings.oauth_authority, token_cache=msal.TokenCache())
        if flow(settings) == "client":
            answer = app.acquire_token_for_client(scopes=scopes(settings))
        else:
            answer = app.acquire_token_by_refresh_token(refresh_token, scopes=scopes(settings))
    except TokenError:
        raise
    except Exception as exc:  # msal raises ValueError for an authority it cannot discover, requests' errors
        raise TokenError(f"Microsoft sign-in at {authority} failed: {exc.__class__.__name__}: {exc}") from exc
    if "access_token" not in answer:
        first_line = (answer.get("error_description") or "").split("\n")[0].strip()
        raise TokenError(f"Microsoft refused the mailbox's credentials at {authority}: "
                         f"{answer.get('error', '?')}: {first_line}")
    return answer["access_token"], float(answer.get("expires_in", 3600)), answer.get("refresh_token")


def _google(settings: Settings, refresh_token: str) -> tuple[str, float, str | None]:
    from google.auth.exceptions import GoogleAuthError
    from google.auth.transport.requests import Request
    from google.oauth2.credentials import Credentials

    token_url = settings.oauth_token_url or GOOGLE_TOKEN_URL
    credentials = Credentials(None, refresh_token=refresh_token, token_uri=token_url,
                              client_id=settings.oauth_client_id, client_secret=settings.oauth_client_secret,
                              scopes=scopes(settings))
    try:
        credentials.refresh(Request())
    except GoogleAuthError as exc:
        raise TokenError(f"Google refused the mailbox's refresh token at {token_url}: {exc}") from exc
    expiry = credentials.expiry  # naive UTC
    lifetime = (expiry.replace(tzinfo=UTC) - datetime.now(UTC)).total_seconds() if expiry else 3600.0
    return credentials.token, lifetime, credentials.refresh_token


def _generic(settings: Settings, refresh_token: str) -> tuple[str, float, str | None]:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": settings.oauth_client_id}
    if settings.oauth_client_secret:
        form["client_secret"] = settings.oauth_client_secret
    if settings.oauth_scope:
        form["scope"] = settings.oauth_scope
    request = urllib.request.Request(settings.oauth_token_url, data=urllib.parse.urlencode(form).encode(),
                                     headers={"Accept": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            answer = json.loads(response.read(1_000_000))
    except urllib.error.HTTPError as exc:
        raise TokenError(f"The token endpoint {settings.oauth_token_url} refused the refresh token: "
                         f"HTTP {exc.code} {_said(exc)}") from exc
    except (OSError, ValueError) as exc:
        raise TokenError(f"The token endpoint {settings.oauth_token_url} could not be used: "
                         f"{exc.__class__.__name__}: {exc}") from exc
    if not isinstance(answer, dict) or not answer.get("access_token"):
        raise TokenError(f"The token endpoint {settings.oauth_token_url} sent no access_token")
    return str(answer["access_token"]), float(answer.get("expires_in") or 3600), answer.get("refresh_token")


def _said(error: urllib.error.HTTPError) -> str:
    """The OAuth2 error in a refusal ('invalid_grant: the refresh token has expired')."""
    try:
        body = json.loads(error.read(100_000))
        return f"{body.get('error', '')}: {body.get('error_description', '')}".strip(": ")
    except (OSError, ValueError, AttributeError):
        return error.reason or ""
