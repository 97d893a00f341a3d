"""Issue 17 in a real browser: a long Spanish passphrase registers and signs in, each role lands on its
home, and a staff member enrols in two-step verification and signs in with a code."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from core.config import load_settings
from core.db import make_engine, session_factory, unit_of_work
from core.desk import admin
from tests.e2e.conftest import links_in, shot
from tests.e2e.test_journeys import sign_in, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PASSPHRASE = "Mi frase de paso es larga: «el búho canta en la montaña cuando llueve en otoño»"  # 88 bytes
STAFF_PASSWORD = "ana's passphrase for the desk"


def test_a_long_spanish_passphrase_registers_confirms_and_signs_in(portal, page):
    assert len(PASSPHRASE.encode()) > 72
    page.goto(portal.base + "/account?lang=es")
    page.get_by_role("tab", name="Crear una cuenta").click()
    page.get_by_label("Nombre", exact=True).fill("Lucía")
    page.get_by_label("Correo electrónico").nth(1).fill("lucia.frase@example.es")
    page.get_by_label("Contraseña", exact=True).nth(1).fill(PASSPHRASE)
    page.get_by_label("Repite la contraseña").fill(PASSPHRASE)
    page.get_by_role("button", name="Crear una cuenta").click()
    page.get_by_text("Tu cuenta está lista").wait_for()
    shot(page, "17-registered-es")

    mail = portal.wait_for_mail("lucia.frase@example.es", "", containing="?verify=")
    page.goto(next(url for url in links_in(mail) if "verify=" in url))
    page.get_by_text("Tu correo está confirmado").wait_for()
    wait_idle(page)
    page.wait_for_timeout(1500)
    assert page.get_by_text("Tu correo está confirmado").is_visible()  # it used to vanish after a second

    sign_in_es(page, "lucia.frase@example.es", PASSPHRASE[:60])  # the first 72 bytes are not the passphrase
    page.get_by_text("El correo o la contraseña no son correctos.").wait_for()
    sign_in_es(page, "lucia.frase@example.es", PASSPHRASE)
    page.get_by_role("heading", name="Mis tickets").wait_for()
    assert page.url.endswith("/my-tickets") or "/my-tickets?" in page.url


def sign_in_es(page, email: str, password: str) -> None:
    page.get_by_role("textbox", name="Correo electrónico").first.fill(email)
    page.get_by_label("Contraseña", exact=True).first.fill(password)
    page.get_by_role("button", name="Iniciar sesión").first.click()
    wait_idle(page)


def _require_two_step(portal, required: bool = True) -> None:
    """The admin's rule, through the service the admin page calls (the server's own database and secret)."""
    settings = load_settings(database_url=portal.env["MESA_DATABASE_URL"], data_dir=Path(portal.env["MESA_DATA_DIR"]))
    engine = make_engine(settings.database)
    with unit_of_work(session_factory(engine)) as session:
        admin.staff_sign_in_rules(session, settings=settings, two_factor=required, sso_only=False,
                                  sso_available=False)
    engine.dispose()


def test_staff_enrol_in_two_step_verification_then_sign_in_with_a_code(portal, page, browser):
    portal.cli("create-user", "--email", "ana.totp@mesa.example", "--name", "Ana Totp", "--role", "agent",
               "--password-stdin", stdin=(STAFF_PASSWORD + "\n").encode())
    _require_two_step(portal)
    try:
        _enrol_and_sign_in_again(portal, page, browser)
    finally:
        _require_two_step(portal, required=False)  # the module's other journeys sign in without it


def _enrol_and_sign_in_again(portal, page, browser) -> None:
    page.goto(portal.base + "/account")
    sign_in(page, "ana.totp@mesa.example", STAFF_PASSWORD)
    page.get_by_role("heading", name="Turn on two-step verification").wait_for()
    page.get_by_role("img").first.wait_for()  # the QR code
    shot(page, "17-enrol")
    secret = re.sub(r"\s", "", page.locator("[data-testid='stCode']").first.inner_text())
    page.get_by_role("textbox", name="Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()  # clicked at once, as a person would
    codes = page.locator("[data-testid='stCode']").first.inner_text().split()
    assert len(codes) == 10
    page.get_by_role("button", name="I have saved them").click()
    page.get_by_role("heading", name="Workbench").wait_for()

    context = browser.new_context()
    other = context.new_page()
    other.goto(portal.base + "/account")
    sign_in(other, "ana.totp@mesa.example", STAFF_PASSWORD)
    other.get_by_role("heading", name="Two-step verification").wait_for()
    assert other.get_by_role("heading", name="Workbench").count() == 0
    next_step = datetime.now(UTC) + timedelta(seconds=30)  # the step after the one enrolment used
    other.get_by_role("textbox", name="Code from your authenticator app").fill(pyotp.TOTP(secret).at(next_step))
    other.get_by_role("button", name="Verify").click()
    other.get_by_role("heading", name="Workbench").wait_for()
    context.close()


def test_staff_land_on_the_workbench_and_a_deep_link_survives_sign_in(portal, page, browser):
    portal.cli("create-user", "--email", "liam.land@mesa.example", "--name", "Liam Land", "--role", "agent",
               "--password-stdin", stdin=(STAFF_PASSWORD + "\n").encode())
    page.goto(portal.base + "/account")
    sign_in(page, "liam.land@mesa.example", STAFF_PASSWORD)
    page.get_by_role("heading", name="Workbench").wait_for()
    assert "/workbench" in page.url
    context = browser.new_context()  # another browser, signed out, opening a link to a ticket
    other = context.new_page()
    other.goto(portal.base + "/workbench?ticket=1")
    other.get_by_text("Sign in to open this page.").wait_for()
    sign_in(other, "liam.land@mesa.example", STAFF_PASSWORD)
    other.get_by_role("heading", name=re.compile(r"^#1 · ")).wait_for()
    assert "ticket=1" in other.url
    context.close()
