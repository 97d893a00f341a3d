"""Staff single sign-on in a real browser, against a local OpenID Connect provider (oidc-provider-mock on
loopback): Streamlit's st.login takes the visitor there, the test types who they are, and Mesa signs in the
staff account an admin linked to that address, or refuses.

The tests run in file order on one server: the admin links Rosa first, "SSO only" is turned on last.
"""

from __future__ import annotations

import json
import re
import urllib.request
import warnings

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy.orm import Session

from core.accounts import service as accounts
from core.db import make_engine, read_factory, session_factory, unit_of_work
from core.desk import admin
from tests.e2e.test_journeys import choose, sign_in, wait_idle

# One server. The provider (test tooling) still calls Authlib's older key API: its warnings, not Mesa's.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("e2e-sso"),
              pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning:authlib")]
PORTAL_ENV: dict[str, str] = {}  # the secrets file, written by `provider` before the module's server starts
PASSWORD = "a long staff passphrase"
ROSA, ROSA_CORP, ADA = "rosa@mesa.example", "rosa.vidal@corp.example", "ada@mesa.example"
REFUSED = "is not linked to any active staff account here"


@pytest.fixture(scope="module", autouse=True)
def provider(tmp_path_factory):
    """The identity provider on 127.0.0.1, and Streamlit's [auth] secrets pointing at it (autouse: before
    `portal` reads PORTAL_ENV). Any client id and secret are accepted; `{port}` is the Streamlit server's."""
    from authlib.deprecate import AuthlibDeprecationWarning  # (its import turns its warnings on)

    with warnings.catch_warnings():  # the provider imports Authlib's deprecated authlib.jose
        warnings.simplefilter("ignore", AuthlibDeprecationWarning)
        from oidc_provider_mock import run_server_in_thread
    with run_server_in_thread() as server:
        issuer = f"http://127.0.0.1:{server.server_port}"
        secrets = tmp_path_factory.mktemp("sso") / "secrets.toml"
        secrets.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "a test cookie secret of some length"
client_id = "mesa-tests"
client_secret = "not a secret"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
""")
        PORTAL_ENV["STREAMLIT_SECRETS_FILES"] = str(secrets)
        yield issuer


def identity(issuer: str, subject: str, **claims: object) -> None:
    """What the provider will say about `subject` when the test types it in its form."""
    request = urllib.request.Request(f"{issuer}/users/{subject}", method="PUT", data=json.dumps(claims).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 204


def change(portal, action) -> None:
    """A change made straight through a core service, as an admin's other browser would."""
    engine = make_engine(portal.env["MESA_DATABASE_URL"])
    with unit_of_work(session_factory(engine)) as session:
        action(session)
    engine.dispose()


def user_id(portal, email: str) -> int:
    engine = make_engine(portal.env["MESA_DATABASE_URL"])
    with read_factory(engine)() as session:
        found = accounts.find_by_email(session, email).id
    engine.dispose()
    return found


def create(portal, email: str, name: str, role: str) -> None:
    portal.cli("create-user", "--email", email, "--name", name, "--role", role, "--password-stdin",
               stdin=(PASSWORD + "\n").encode())


def shown(address: str) -> str:
    """A pattern for an address as the page shows it: a word joiner before "@" keeps it from becoming a link."""
    local, domain = address.split("@")
    return re.escape(local) + "\u2060?@" + re.escape(domain)


def through_provider(page, portal, subject: str) -> None:
    """From the sign-in page, through the provider's form as `subject`, back to Mesa."""
    page.goto(portal.base + "/account")
    button = page.get_by_role("button", name="Sign in with your company account")
    button.wait_for()
    wait_idle(page)
    button.click()
    page.locator("input[name=sub]").fill(subject)  # the provider's page
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(portal.base)))
    wait_idle(page)


def settled(page) -> None:
    """After a sign-in: the run that writes Mesa's cookie (a component, which reruns the page) is over."""
    page.wait_for_timeout(1500)
    wait_idle(page)


def my_account(page) -> None:
    """The account page in the same session (the sidebar's link). A click during the rerun that writes the
    sign-in cookie can be lost, as it is for a person, who then clicks again; so do we."""
    settled(page)
    heading = page.get_by_role("heading", name="Your account")
    for _ in range(3):
        page.get_by_role("link", name="My account").click()
        try:
            heading.wait_for(timeout=8000)
            break
        except PlaywrightTimeout:
            wait_idle(page)
    heading.wait_for()
    wait_idle(page)


def admin_tab(page) -> None:
    """Signed in as the admin, on the Staff sign-in tab of the Administration page."""
    sign_in(page, ADA, PASSWORD)
    page.get_by_role("heading", name="Administration").wait_for()
    settled(page)
    page.get_by_role("tab", name="Staff sign-in").click()
    page.get_by_role("heading", name="Link a company account").wait_for()


def signed_out(page) -> bool:
    """The page offers the password sign-in form: nobody is signed in."""
    page.get_by_role("button", name="Sign in").first.wait_for()
    return page.get_by_role("button", name="Sign out").count() == 0


def test_an_agent_the_admin_linked_signs_in_through_the_provider_and_lands_on_the_workbench(portal, page,
                                                                                             provider):
    create(portal, ADA, "Ada Admin", "admin")
    create(portal, ROSA, "Rosa Vidal", "agent")
    page.goto(portal.base + "/admin")
    admin_tab(page)
    choose(page, "Staff member", "Rosa Vidal <rosa@mesa.example>")
    page.get_by_role("textbox", name="Company account email").fill(ROSA_CORP)
    page.get_by_role("button", name="Link", exact=True).click()
    page.get_by_text("Rosa Vidal signs in with the company account").wait_for()

    context = page.context.browser.new_context()  # Rosa's own browser
    rosa = context.new_page()
    identity(provider, ROSA_CORP, email=ROSA_CORP, email_verified=True, name="Rosa Vidal")
    through_provider(rosa, portal, ROSA_CORP)
    rosa.get_by_role("heading", name="Workbench").wait_for()
    assert rosa.url.endswith("/workbench")
    my_account(rosa)
    rosa.get_by_text("Signed in as Rosa Vidal").wait_for()
    context.close()


def test_an_address_linked_to_nobody_is_refused_and_signs_nobody_in(portal, page, provider):
    identity(provider, "mallory@corp.example", email="mallory@corp.example", email_verified=True)
    through_provider(page, portal, "mallory@corp.example")
    page.goto(portal.base + "/account")
    page.get_by_text(re.compile(shown("mallory@corp.example") + " " + REFUSED)).wait_for()
    page.get_by_role("button", name="Use another company account").wait_for()
    assert signed_out(page)
    page.goto(portal.base + "/workbench")
    assert signed_out(page) and page.get_by_role("heading", name="Workbench").count() == 0


def test_an_unverified_address_is_refused_even_when_linked(portal, page, provider):
    identity(provider, "rosa-unverified", email=ROSA_CORP, email_verified=False)
    through_provider(page, portal, "rosa-unverified")
    page.goto(portal.base + "/account")
    page.get_by_text(re.compile(REFUSED)).wait_for()
    assert signed_out(page)


def test_a_deactivated_account_is_refused(portal, page, provider):
    create(portal, "leo@mesa.example", "Leo Gil", "agent")
    leo, boss = user_id(portal, "leo@mesa.example"), user_id(portal, ADA)

    def link_then_deactivate(session: Session) -> None:
        admin.map_sso(session, leo, "leo.gil@corp.example", actor_id=boss)
        admin.set_active(session, leo, False, actor_id=boss)
    change(portal, link_then_deactivate)
    identity(provider, "leo.gil@corp.example", email="leo.gil@corp.example", email_verified=True)
    through_provider(page, portal, "leo.gil@corp.example")
    page.goto(portal.base + "/account")
    page.get_by_text(re.compile(shown("leo.gil@corp.example") + " " + REFUSED)).wait_for()
    assert signed_out(page)


def test_after_sign_out_the_old_identity_does_not_sign_in_again(portal, page, browser, provider):
    through_provider(page, portal, ROSA_CORP)
    page.get_by_role("heading", name="Workbench").wait_for()
    identity_cookies = [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
    assert identity_cookies  # Streamlit's record of what the provider said
    my_account(page)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own sign-out page
    page.wait_for_url(re.compile(re.escape(portal.base)))
    wait_idle(page)
    page.goto(portal.base + "/workbench")
    assert signed_out(page)

    copy = browser.new_context()  # the identity cookie from before the sign-out, kept elsewhere
    copy.add_cookies([{key: c[key] for key in ("name", "value", "domain", "path")} for c in identity_cookies])
    elsewhere = copy.new_page()
    elsewhere.goto(portal.base + "/workbench")
    assert signed_out(elsewhere)
    copy.close()

    through_provider(page, portal, ROSA_CORP)  # asking the provider again signs her in again
    page.get_by_role("heading", name="Workbench").wait_for()


def test_with_sso_only_staff_cannot_sign_in_with_a_password(portal, page, provider):
    context = page.context.browser.new_context()  # the admin's browser
    boss = context.new_page()
    boss.goto(portal.base + "/admin")
    admin_tab(boss)
    boss.get_by_text("Staff sign in only with the company account (single sign-on)").click()
    boss.get_by_role("button", name="Save the rules").click()
    boss.get_by_text("Saved.").wait_for()
    context.close()

    page.goto(portal.base + "/account")
    sign_in(page, ROSA, PASSWORD)
    page.get_by_text("Staff sign in with the company account: use the button below.").wait_for()
    assert signed_out(page)
    through_provider(page, portal, ROSA_CORP)  # the company account still works
    page.get_by_role("heading", name="Workbench").wait_for()
