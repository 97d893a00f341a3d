"""The real thing for the journeys: `streamlit run Home.py` with its embedded worker, a loopback SMTP
server receiving the mail, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.mailserver import MailServer, free_port
from tests.servers import start_streamlit, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-results" / "screenshots"
DESKTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # Streamlit's lines name their logger too
ISO_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


@dataclass
class Portal:
    base: str
    env: dict[str, str]
    mail: MailServer

    def cli(self, *args: str, stdin: bytes | None = None) -> str:
        done = subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=self.env, input=stdin,
                              capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode()
        return done.stdout.decode()

    def wait_for_mail(self, to: str, subject_part: str, containing: str = "", timeout: float = 60) -> EmailMessage:
        """The newest email to `to` whose subject and text contain the parts given, as the worker sends it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.mail.inbox.lock:
                found = [m for m in self.mail.inbox.messages if to in str(m["To"])
                         and subject_part in str(m["Subject"]) and containing in text_of(m)]
            if found:
                return found[-1]
            time.sleep(0.3)
        subjects = [(str(m["To"]), str(m["Subject"])) for m in self.mail.inbox.messages]
        raise AssertionError(f"no email to {to} about {subject_part!r}; got {subjects}")


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links_in(message: EmailMessage) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>)\]]+", text_of(message))


@pytest.fixture(scope="module")
def portal(tmp_path_factory, request):
    """One server per test module; a module may set PORTAL_ENV to change settings (e.g. the captcha)."""
    data = tmp_path_factory.mktemp("portal")
    mail = MailServer().start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "MESA_DATA_DIR": str(data), "MESA_DATABASE_URL": f"sqlite:///{data / 'mesa.db'}",
           "MESA_BASE_URL": base, "MESA_SMTP_HOST": "127.0.0.1", "MESA_SMTP_PORT": str(mail.port),
           "MESA_SMTP_SECURITY": "none", "MESA_CAPTCHA": "off", "MESA_EMBEDDED_WORKER": "1",
           "MESA_WORKER_INTERVAL_SECONDS": "1", "MESA_LOCALE": "en", "STREAMLIT_LOGGER_MESSAGE_FORMAT": LOG_FORMAT,
           **getattr(request.module, "PORTAL_ENV", {})}
    env.pop("MESA_SECRET_KEY", None)
    portal = Portal(base, env, mail)
    portal.cli("migrate")
    portal.cli("seed-demo", "--tickets", "12", "--if-empty")
    log = open(data / "server.log", "wb")  # noqa: SIM115 - closed below
    server = start_streamlit(port, env, log)
    wait_healthy(base, server, data / "server.log")
    yield portal
    server.terminate()
    server.wait(timeout=20)
    log.close()
    mail.stop()
    check_server_log((data / "server.log").read_text(errors="replace"))


def check_server_log(log: str) -> None:
    """What the real server wrote while the module's journeys ran: no deprecation (Streamlit logs those, such as
    the container-width flag, on its logger `streamlit.deprecation_util` instead of raising them), and the embedded
    worker's lines time-stamped by core/logs.py."""
    lines = log.splitlines()
    deprecations = [line for line in lines if "deprecat" in line.lower() or "will be removed" in line]
    assert not deprecations, "the server logged deprecations:\n" + "\n".join(deprecations)
    worker = [line for line in lines if " mesa.worker: " in line]
    assert [line for line in worker if not re.match(ISO_TIME + " ", line)] == []
    if Path(CHROMIUM).exists():  # the journeys ran, so a session ran Home.py, which starts the worker
        assert any("worker started" in line for line in worker), log[-3000:]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
        if IN_CI:
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def shot(page, name: str) -> None:
    """Keep a screenshot of where the journey is (test-results/screenshots).

    With MESA_SCREENSHOTS=folder (`make screenshots`), also a desktop and a phone-width copy there.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    folder = os.environ.get("MESA_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    desktop = page.viewport_size
    page.screenshot(path=str(Path(folder) / f"{name}.png"))
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(800)
    page.screenshot(path=str(Path(folder) / f"{name}-phone.png"))
    page.set_viewport_size(desktop)
    page.wait_for_timeout(300)
