"""Loopback stand-ins for an OAuth2 provider, for the XOAUTH2 tests: a token endpoint (refresh-token and
client-credentials grants, the OpenID discovery document msal reads, and token introspection for Dovecot's
oauth2 passdb), over plain HTTP or HTTPS with a certificate made here; and an aiosmtpd handler that takes
AUTH XOAUTH2 with the tokens that endpoint issued. Nothing listens beyond 127.0.0.1."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.mailserver import Inbox

CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN = "mesa-test-client", "mesa-test-secret", "refresh-1"


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA): (certificate file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "token-server.pem", folder / "token-server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class TokenServer:
    """Issues access-1, access-2, … for the right client and refresh token (or client credentials); says which
    tokens are active. `requests` keeps every form it was sent, `expires_in` is the lifetime it gives."""

    def __init__(self, tls: tuple[Path, Path] | None = None, rotate: bool = False) -> None:
        self.issued: list[str] = []
        self.revoked: set[str] = set()
        self.requests: list[dict[str, str]] = []
        self.expires_in = 3600
        self.refresh_token = REFRESH_TOKEN
        self.rotate = rotate  # send a new refresh token with each access token, the old one then stops working
        self.lock = threading.Lock()
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*tls)
            self.http.socket = context.wrap_socket(self.http.socket, server_side=True)
        self.scheme = "https" if tls else "http"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.http.server_address[1]}"

    def start(self) -> TokenServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()

    def active(self, token: str) -> bool:
        with self.lock:
            return token in self.issued and token not in self.revoked

    def answer(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, object]]:
        with self.lock:
            if path.endswith("/.well-known/openid-configuration"):
                base = self.url + path.split("/v2.0/")[0]
                return 200, {"issuer": base + "/v2.0", "authorization_endpoint": base + "/oauth2/v2.0/authorize",
                             "token_endpoint": base + "/oauth2/v2.0/token", "response_types_supported": ["code"]}
            if path.endswith("/introspect"):
                token = form.get("token", "")
                ok = token in self.issued and token not in self.revoked
                return 200, ({"active": True, "username": "support"} if ok else {"active": False})
            self.requests.append(form)
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return 401, {"error": "invalid_client", "error_description": "Unknown client or wrong secret."}
            grant = form.get("grant_type")
            if grant == "refresh_token" and form.get("refresh_token") != self.refresh_token:
                return 400, {"error": "invalid_grant", "error_description": "The refresh token has expired."}
            if grant not in ("refresh_token", "client_credentials"):
                return 400, {"error": "unsupported_grant_type"}
            self.issued.append(f"access-{len(self.issued) + 1}")
            answer: dict[str, object] = {"access_token": self.issued[-1], "token_type": "Bearer",
                                         "expires_in": self.expires_in, "scope": form.get("scope", "")}
            if self.rotate and grant == "refresh_token":
                self.refresh_token = answer["refresh_token"] = f"refresh-{len(self.issued) + 1}"
            return 200, answer


def _handler(server: TokenServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._send(*server.answer(urllib.parse.urlsplit(self.path).path, {}))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            form = dict(urllib.parse.parse_qsl(body))
            if self.headers.get("Authorization", "").startswith("Basic "):  # client_secret_basic
                pair = base64.b64decode(self.headers["Authorization"][6:]).decode()
                form["client_id"], _, form["client_secret"] = (urllib.parse.unquote(p) for p in pair.partition(":"))
            self._send(*server.answer(urllib.parse.urlsplit(self.path).path, form))

        def _send(self, status: int, answer: dict[str, object]) -> None:
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class XOAuthInbox(Inbox):
    """The test SMTP server's inbox, signing in with AUTH XOAUTH2 only, for the tokens `tokens` has active."""

    def __init__(self, tokens: TokenServer, user: str) -> None:
        super().__init__()
        self.tokens, self.user = tokens, user
        self.signed_in: list[str] = []

    async def auth_XOAUTH2(self, server, args):  # aiosmtpd calls handler methods named auth_<MECHANISM>
        try:
            fields = dict(part.split("=", 1) for part in base64.b64decode(args[1]).decode().split("\x01") if part)
        except (IndexError, ValueError):
            return AuthResult(success=False, handled=False)
        token = fields.get("auth", "").removeprefix("Bearer ")
        if fields.get("user") == self.user and self.tokens.active(token):
            self.signed_in.append(token)
            return AuthResult(success=True, auth_data=fields["user"])
        # the error challenge of RFC 7628 (334 and a JSON error); the client answers with an empty line
        await server.challenge_auth(json.dumps({"status": "401", "schemes": "bearer"}))
        return AuthResult(success=False, handled=False, message="535 5.7.8 Token not accepted")
