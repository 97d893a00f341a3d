"""A throw-away Dovecot IMAP server on a loopback port, for the IMAP tests (Debian's dovecot-imapd).

`ImapServer(root, introspection_url=…)` also signs in with XOAUTH2 and OAUTHBEARER: Dovecot's oauth2 passdb
asks that URL (a loopback token endpoint, tests/oauthservers.py) whether the token is active. The password
still works for PLAIN and LOGIN (append, unseen)."""

from __future__ import annotations

import imaplib
import os
import shutil
import subprocess
import time
from pathlib import Path

from tests.mailserver import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "support", "imap-test-password"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = static
  args = password={password}
  {static_only}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""

OAUTH_CONFIG = """
auth_mechanisms = plain login xoauth2 oauthbearer
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/dovecot-oauth2.conf.ext
}}
"""
OAUTH_PASSDB = """
introspection_mode = post
introspection_url = {url}
username_attribute = username
active_attribute = active
active_value = true
"""


def available() -> bool:
    return Path(DOVECOT).exists()


class ImapServer:
    def __init__(self, root: Path, introspection_url: str | None = None) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        owner = os.stat(root)
        (root / "mail").mkdir(exist_ok=True)
        uid, gid = (65534, 65534) if os.geteuid() == 0 else (owner.st_uid, owner.st_gid)
        os.chown(root / "mail", uid, gid) if os.geteuid() == 0 else None
        os.chmod(root, 0o755)
        self.config = root / "dovecot.conf"
        # with OAuth2, the password is for PLAIN and LOGIN only: a password sent as a token must not sign in
        static_only = "mechanisms = plain login" if introspection_url else ""
        config = CONFIG.format(root=root, port=self.port, password=PASSWORD, uid=uid, gid=gid, static_only=static_only)
        if introspection_url:
            config += OAUTH_CONFIG.format(root=root)
            (root / "dovecot-oauth2.conf.ext").write_text(OAUTH_PASSDB.format(url=introspection_url))
        self.config.write_text(config)

    def start(self) -> ImapServer:
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                client = imaplib.IMAP4("127.0.0.1", self.port, timeout=2)
                client.logout()
                return self
            except OSError:
                time.sleep(0.2)
        log = (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
        raise RuntimeError(f"dovecot did not start: {log[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        client.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
        client.logout()

    def unseen(self, folder: str = "INBOX") -> int:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        client.select(folder)
        _, data = client.search(None, "UNSEEN")
        client.logout()
        return len((data[0] or b"").split())
