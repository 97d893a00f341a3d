"""Behind nginx (Debian's), configured as docs/deploy.md and tests/nginxserver.py show: Mesa counts the address
nginx saw, never one a client wrote into X-Forwarded-For (security H3 through a real proxy), and the sticky
cookie keeps a signed-in browser on its server across page loads."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import nginxserver as nginx
from tests.conftest import IN_CI
from tests.e2e.test_attacks import PASSWORD, _create, _failed_sign_in
from tests.e2e.test_journeys import sign_in, wait_idle
from tests.mailserver import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PORTAL_ENV = {"MESA_TRUSTED_PROXIES": "1"}  # one proxy in front, as the deploy guide says


@pytest.fixture(scope="module")
def proxy(portal, tmp_path_factory):
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        message = "nginx is missing: apt-get install nginx-light (.ci/run does)"
        if IN_CI:
            pytest.fail(message + " (CI=true requires it)")
        pytest.skip(message)
    port, upstream = free_port(), int(portal.base.rsplit(":", 1)[1])
    server = nginx.start(tmp_path_factory.mktemp("nginx"), port, [upstream])
    yield SimpleNamespace(base=f"http://127.0.0.1:{port}")
    server.terminate()
    server.wait(timeout=10)


def test_through_nginx_a_signed_in_browser_stays_signed_in_across_page_loads(portal, proxy, page):
    _create(portal, "ines@example.com", "Inés Pardo")
    page.goto(proxy.base + "/account")
    page.get_by_role("button", name="Sign in").first.wait_for()
    wait_idle(page)
    sign_in(page, "ines@example.com", PASSWORD)
    page.get_by_role("heading", name="My tickets").wait_for()
    wait_idle(page)
    assert [c["name"] for c in page.context.cookies() if c["name"] == "mesa_replica"] == ["mesa_replica"]
    for _ in range(3):
        page.goto(proxy.base + "/my-tickets")
        page.get_by_role("heading", name="My tickets").wait_for()
        assert page.get_by_role("button", name="Sign in").count() == 0


# last: it spends this address's failed sign-ins (the limit is per address nginx saw, which is the point)
def test_through_nginx_a_client_written_forwarded_for_does_not_escape_the_address_limit(portal, proxy, page):
    _create(portal, "noor@example.com", "Noor Haddad")
    refused = [_failed_sign_in(page, proxy, "noor@example.com", f"198.51.100.{n}") for n in range(12)]
    assert None in refused, "each forged X-Forwarded-For counted as a new address behind nginx"
