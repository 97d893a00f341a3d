"""With MESA_CAPTCHA=off, admins see a warning on every page; nobody else does."""

import pytest

from core.config import get_settings
from tests.pages.test_admin_page import _as

WARNING = "The captcha is turned off"


@pytest.mark.parametrize(("role", "warned"), [("admin", True), ("agent", False)])
def test_admins_are_warned_while_the_captcha_is_off(app_env, monkeypatch, role, warned):
    monkeypatch.setenv("MESA_CAPTCHA", "off")
    get_settings.cache_clear()
    app = _as(app_env, f"{role}@mesa.example", role)
    assert not app.exception, app.exception
    assert sum(WARNING in w.value for w in app.warning) == (1 if warned else 0)  # once: Home.py, not the page too


def test_no_warning_while_the_captcha_is_on(app_env):
    app = _as(app_env, "admin@mesa.example", "admin")
    assert not any(WARNING in w.value for w in app.warning)
