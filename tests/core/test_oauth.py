"""Issue 18 item 6: mailboxes that sign in with OAuth2 (XOAUTH2), against real local servers: Dovecot with its
oauth2 passdb asking a loopback token endpoint, an aiosmtpd server taking AUTH XOAUTH2, and the token endpoint
itself through the generic flow, msal (Microsoft) and google-auth (Google). Nothing leaves 127.0.0.1: a guard
refuses any other connection from this process."""

from __future__ import annotations

import shutil
import socket
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from core.db import unit_of_work
from core.mail import imap, oauth, sender
from core.models import InboundMail, Outbox
from core.tickets import service as tickets
from tests.core.conftest import T0, run_command
from tests.core.test_ingest import mail
from tests.imapserver import PASSWORD, USER, ImapServer, available
from tests.mailserver import free_port, smtp_settings
from tests.oauthservers import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, TokenServer, XOAuthInbox, certificate

OAUTH = {"mail_auth": "oauth2", "oauth_client_id": CLIENT_ID, "oauth_client_secret": CLIENT_SECRET,
         "oauth_refresh_token": REFRESH_TOKEN, "oauth_scope": "mail.read mail.send"}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Any connection this process opens to an address other than 127.0.0.1 fails the test."""
    real = socket.socket.connect

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1"):
            raise AssertionError(f"a connection to {address} was attempted")
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    oauth._tokens.clear()
    yield
    oauth._tokens.clear()


@pytest.fixture
def tokens():
    server = TokenServer().start()
    yield server
    server.stop()


@pytest.fixture
def https_tokens(tmp_path, monkeypatch):
    """The token endpoint over HTTPS (msal takes nothing else), trusted through requests' CA bundle variable."""
    cert, key = certificate(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    server = TokenServer(tls=(cert, key)).start()
    yield server
    server.stop()


@pytest.fixture
def dovecot(tokens):
    if not available():
        pytest.skip("Debian's dovecot-imapd is not installed")
    root = Path(tempfile.mkdtemp(prefix="mesa-dovecot-"))  # not under pytest's 0700 folder: Dovecot drops root
    server = ImapServer(root, introspection_url=tokens.url + "/introspect").start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _imap(desk, dovecot, tokens, **more):
    return desk.settings.model_copy(update={
        "imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_security": "none", "imap_user": USER,
        "imap_password": "", "oauth_token_url": tokens.url + "/token", **OAUTH, **more})


def _logins(dovecot) -> list[str]:
    log = (dovecot.root / "dovecot.log").read_text()
    return [line.split("method=")[1].split(",")[0] for line in log.splitlines() if "Login: user=<support>" in line]


def test_imap_fetch_signs_in_to_dovecot_with_xoauth2_and_a_refused_token_is_said_in_the_report(desk, dovecot,
                                                                                              tokens):
    dovecot.append(mail(sender="james@example.com", subject="Printer on fire"))
    settings = _imap(desk, dovecot, tokens)
    report = imap.fetch(desk.factory, settings)
    assert (report.stored, report.errors) == (1, [])
    assert _logins(dovecot) == ["PLAIN", "XOAUTH2"]  # the test's append, then Mesa
    assert [form["grant_type"] for form in tokens.requests] == ["refresh_token"]

    dovecot.append(mail(sender="olivia@example.com", subject="Second question"))
    tokens.revoked.add("access-1")  # the provider revoked the token Mesa keeps
    report = imap.fetch(desk.factory, settings)
    assert report.stored == 0 and report.errors == [
        "The IMAP server 127.0.0.1 refused to sign in support with an OAuth2 access token (XOAUTH2): "
        "[AUTHENTICATIONFAILED] Authentication failed."]
    assert dovecot.unseen() == 1
    report = imap.fetch(desk.factory, settings)  # the refused token was forgotten: a new one signs in
    assert (report.stored, report.errors, tokens.issued) == (1, [], ["access-1", "access-2"])
    with desk.reader() as session:
        assert len(session.scalars(select(InboundMail)).all()) == 2


def test_the_password_is_no_token_and_a_password_login_still_works(desk, dovecot, tokens):
    settings = _imap(desk, dovecot, tokens)
    monkey = settings.model_copy(update={"oauth_refresh_token": "stolen"})
    report = imap.fetch(desk.factory, monkey)
    assert report.errors and "No access token to sign in support at 127.0.0.1" in report.errors[0]
    assert "invalid_grant: The refresh token has expired." in report.errors[0]
    oauth._tokens[oauth._key(settings)] = oauth._Token(PASSWORD, float("inf"), REFRESH_TOKEN)
    assert "refused to sign in" in imap.fetch(desk.factory, settings).errors[0]  # XOAUTH2 takes no password
    password = settings.model_copy(update={"mail_auth": "password", "imap_password": PASSWORD})
    assert imap.fetch(desk.factory, password).errors == []
    wrong = password.model_copy(update={"imap_password": "wrong"})
    assert "refused to sign in support with its password" in imap.fetch(desk.factory, wrong).errors[0]


@pytest.fixture
def smtp_server(tokens):
    inbox = XOAuthInbox(tokens, "support@mesa.localhost")
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), auth_required=True,
                            auth_require_tls=False)
    controller.start()
    yield controller, inbox
    controller.stop()


def _queue(desk, email):
    with unit_of_work(desk.factory) as session:  # its confirmation email is queued
        tickets.create_ticket(session, name="Olivia", email=email, subject="Cannot log in",
                              description="Invalid credentials.", settings=desk.settings, now=T0)


def _last_errors(desk):
    with desk.reader() as session:
        return [(row.status, row.last_error) for row in session.scalars(select(Outbox).order_by(Outbox.id))]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")  # loopback only
def test_dispatch_sends_through_smtp_with_xoauth2(desk, tokens, smtp_server):
    controller, inbox = smtp_server
    settings = smtp_settings(desk.settings, controller.port, oauth_token_url=tokens.url + "/token", **OAUTH)
    _queue(desk, "olivia@example.com")
    report = sender.dispatch(desk.factory, settings, now=lambda: T0 + timedelta(minutes=1))
    assert len(report.sent) == 1, _last_errors(desk)
    assert inbox.signed_in == ["access-1"] and inbox.messages[0]["To"] == "olivia@example.com"

    tokens.revoked.add("access-1")
    _queue(desk, "james@example.com")
    report = sender.dispatch(desk.factory, settings, now=lambda: T0 + timedelta(minutes=2))
    assert len(report.retry) == 1 and len(inbox.messages) == 1
    assert "SMTPAuthenticationError: (535, b'5.7.8 Token not accepted')" in _last_errors(desk)[1][1]
    report = sender.dispatch(desk.factory, settings, now=lambda: T0 + timedelta(minutes=10))
    assert len(report.sent) == 1 and inbox.signed_in == ["access-1", "access-2"]

    password = smtp_settings(desk.settings, controller.port)  # no sign-in: this server sends nothing
    _queue(desk, "emma@example.com")
    assert sender.dispatch(desk.factory, password, now=lambda: T0 + timedelta(minutes=11)).retry
    assert "530" in _last_errors(desk)[2][1]


def test_the_generic_flow_keeps_the_token_until_it_expires_then_refreshes(desk, tokens):
    settings = desk.settings.model_copy(update={"oauth_token_url": tokens.url + "/token", **OAUTH})
    clock = [1000.0]
    tokens.expires_in = 600
    assert oauth.access_token(settings, now=lambda: clock[0]) == "access-1"
    clock[0] += 600 - oauth.MARGIN - 1  # still good for more than a minute
    assert oauth.access_token(settings, now=lambda: clock[0]) == "access-1"
    assert len(tokens.requests) == 1
    clock[0] += 2
    assert oauth.access_token(settings, now=lambda: clock[0]) == "access-2"
    assert tokens.requests == [{"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN,
                                "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                "scope": "mail.read mail.send"}] * 2


def test_a_refresh_token_the_provider_replaces_is_used_from_then_on(desk, tokens):
    tokens.rotate = True
    settings = desk.settings.model_copy(update={"oauth_token_url": tokens.url + "/token", **OAUTH})
    for expected in ("access-1", "access-2", "access-3"):
        assert oauth.access_token(settings, now=lambda: 0.0) == expected
        oauth.forget(settings)
    assert [form["refresh_token"] for form in tokens.requests] == [REFRESH_TOKEN, "refresh-2", "refresh-3"]
    wrong = settings.model_copy(update={"oauth_client_secret": "nope"})
    with pytest.raises(oauth.TokenError, match="refused the refresh token: HTTP 401 invalid_client"):
        oauth.access_token(wrong)


def test_microsoft_client_credentials_and_refresh_token_through_msal(desk, https_tokens):
    settings = desk.settings.model_copy(update={
        "mail_auth": "oauth2-microsoft", "oauth_client_id": CLIENT_ID, "oauth_client_secret": CLIENT_SECRET,
        "oauth_tenant": "contoso.example", "oauth_authority": https_tokens.url + "/contoso.example"})
    assert oauth.access_token(settings) == "access-1"
    [form] = https_tokens.requests
    assert (form["grant_type"], form["scope"]) == ("client_credentials", "https://outlook.office365.com/.default")
    delegated = settings.model_copy(update={"oauth_refresh_token": REFRESH_TOKEN})
    assert oauth.access_token(delegated) == "access-2"
    form = https_tokens.requests[-1]
    assert (form["grant_type"], form["refresh_token"]) == ("refresh_token", REFRESH_TOKEN)
    assert {"https://outlook.office365.com/IMAP.AccessAsUser.All",
            "https://outlook.office365.com/SMTP.Send"} <= set(form["scope"].split())
    with pytest.raises(oauth.TokenError, match="invalid_grant: The refresh token has expired"):
        oauth.access_token(delegated.model_copy(update={"oauth_refresh_token": "old"}))


def test_google_refresh_token_through_google_auth(desk, https_tokens):
    settings = desk.settings.model_copy(update={
        "mail_auth": "oauth2-google", "oauth_client_id": CLIENT_ID, "oauth_client_secret": CLIENT_SECRET,
        "oauth_refresh_token": REFRESH_TOKEN, "oauth_token_url": https_tokens.url + "/token"})
    assert oauth.access_token(settings) == "access-1"
    [form] = https_tokens.requests
    assert (form["grant_type"], form["refresh_token"], form["scope"]) == (
        "refresh_token", REFRESH_TOKEN, "https://mail.google.com/")
    with pytest.raises(oauth.TokenError, match=r"Google refused the mailbox's refresh token.*invalid_grant"):
        oauth.access_token(settings.model_copy(update={"oauth_refresh_token": "old"}))


def test_the_xoauth2_string():
    assert oauth.xoauth2("support@example.com", "tok") == "user=support@example.com\x01auth=Bearer tok\x01\x01"


def test_fetch_mail_says_a_refused_token_and_exits_1(engine, tmp_path, monkeypatch, capsys, tokens):
    for name, value in {"IMAP_HOST": "127.0.0.1", "IMAP_PORT": "1", "IMAP_USER": USER, "MAIL_AUTH": "oauth2",
                        "OAUTH_CLIENT_ID": CLIENT_ID, "OAUTH_CLIENT_SECRET": CLIENT_SECRET,
                        "OAUTH_REFRESH_TOKEN": "old", "OAUTH_TOKEN_URL": tokens.url + "/token"}.items():
        monkeypatch.setenv("MESA_" + name, value)
    assert run_command(engine, tmp_path, monkeypatch, "fetch-mail") == 1
    assert "invalid_grant: The refresh token has expired." in capsys.readouterr().err
