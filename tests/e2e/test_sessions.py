"""M6 and L2 in a real browser: a copied sign-in cookie stops working once the session is ended, and
a forged or orphaned cookie signs the visitor out instead of breaking every page."""

from __future__ import annotations

import base64
import json

import pytest

from tests.e2e.test_journeys import session_cookie, sign_in, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("e2e-sessions")]  # one server
PASSWORD = "dora's long passphrase"


def _signed_in_cookie(portal, page, email: str) -> dict:
    page.goto(portal.base + "/account")
    sign_in(page, email, PASSWORD)
    page.get_by_role("heading", name="My tickets").wait_for()  # a customer lands on their tickets
    wait_idle(page)
    return session_cookie(page)


def _fresh_page(browser, cookie: dict):
    """Another browser (the attacker's) holding a copy of the cookie."""
    context = browser.new_context()
    context.add_cookies([{key: cookie[key] for key in ("name", "value", "domain", "path")}])
    return context, context.new_page()


def _create(portal, email: str, role: str = "customer") -> None:
    portal.cli("create-user", "--email", email, "--name", "Dora Díaz", "--role", role, "--password-stdin",
               stdin=(PASSWORD + "\n").encode())


def test_a_copied_cookie_stops_working_after_sign_out(portal, page, browser):
    _create(portal, "dora@example.com")
    cookie = _signed_in_cookie(portal, page, "dora@example.com")
    context, thief = _fresh_page(browser, cookie)
    thief.goto(portal.base + "/account")
    thief.get_by_text("Signed in as Dora").wait_for()  # the copy works while the session lives
    page.goto(portal.base + "/account")
    page.get_by_role("button", name="Sign out").click()
    wait_idle(page)
    thief.goto(portal.base + "/account")
    thief.get_by_role("button", name="Sign in").first.wait_for()
    assert thief.get_by_text("Signed in as Dora").count() == 0
    context.close()


def test_a_forged_cookie_with_alg_none_signs_nobody_in_and_breaks_no_page(portal, browser):
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    forged = f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'username': 'admin@mesa.example', 'exp_date': 4e9})}."
    host = portal.base.split("//")[1].split(":")[0]
    context, visitor = _fresh_page(browser, {"name": "mesa_session", "value": forged, "domain": host, "path": "/"})
    visitor.goto(portal.base + "/")
    visitor.get_by_role("heading").first.wait_for()
    assert visitor.locator("[data-testid='stException']").count() == 0
    visitor.goto(portal.base + "/admin")
    visitor.get_by_text("Sign in").first.wait_for()
    assert visitor.get_by_text("Staff").count() == 0 and visitor.locator("[data-testid='stException']").count() == 0
    context.close()
