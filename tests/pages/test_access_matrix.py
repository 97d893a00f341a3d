"""Every page × every role: allowed or refused, and a refusal shows nothing of the page."""

import pytest

from core.accounts import service as accounts
from core.db import make_engine, session_factory, unit_of_work
from tests.pages.conftest import run_home

ROLES = ("anonymous", "customer", "agent", "manager", "admin")
STAFF_PAGES = {"app_pages/workbench.py": ("agent", "manager", "admin"), "app_pages/admin.py": ("admin",),
               "app_pages/email_log.py": ("admin",), "app_pages/satisfaction.py": ("manager", "admin"),
               "app_pages/response_times.py": ("manager", "admin"),
               "app_pages/knowledge.py": ("agent", "manager", "admin"),
               "app_pages/knowledge_report.py": ("manager", "admin")}
PUBLIC_PAGES = ("app_pages/help_center.py", "app_pages/new_ticket.py", "app_pages/account.py")


@pytest.fixture
def users(app_env):
    engine = make_engine(app_env)
    with unit_of_work(session_factory(engine)) as session:
        for role in ROLES[1:]:
            accounts.create_user(session, email=f"{role}@mesa.example", name=role.title(), role=role,
                                 password="a long passphrase")
    engine.dispose()


def _open(page, role):
    app = run_home()
    if role != "anonymous":
        app.session_state["authentication_status"] = True
        app.session_state["username"] = f"{role}@mesa.example"
    app.switch_page(page).run()
    return app


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(STAFF_PAGES))
def test_staff_pages(users, page, role):
    app = _open(page, role)
    assert not app.exception, app.exception
    texts = [e.value for e in app.error] + [i.value for i in app.info]
    if role in STAFF_PAGES[page]:
        assert "Your account cannot open this page." not in texts and "Sign in to open this page." not in texts
    elif role == "anonymous":
        assert "Sign in to open this page." in texts and not app.dataframe and not app.expander
    else:
        assert "Your account cannot open this page." in texts and not app.dataframe and not app.expander


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_open_for_everyone(users, page, role):
    app = _open(page, role)
    assert not app.exception, app.exception
    assert app.title
