"""One rule for times (issue 19.6): staff read the desk's zone, or the one they chose on their account page, and
every time says its zone; customers read their browser's."""

import pytest

from core.accounts import service as accounts
from core.config import get_settings
from tests.workbench_desk import open_workbench, workbench_desk


@pytest.fixture
def desk(app_env):
    yield from workbench_desk(app_env, (("olivia@example.com", "Export stops at 10,000 rows", "details here"),))


def _times(app) -> str:
    return " ".join(caption.value for caption in app.caption)


def test_an_agent_reads_the_desks_zone_until_she_picks_her_own_on_her_account_page(desk):
    _factory, read, _ana, _liam, ids = desk
    assert get_settings().timezone == "Europe/Madrid"
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    assert not app.exception, app.exception
    assert " CET" in _times(app) or " CEST" in _times(app), _times(app)  # the desk's zone, named
    app.switch_page("app_pages/account.py").run()
    box = app.selectbox(key="mesa_time_zone")
    assert box.value == "" and box.format_func("") == "The desk's: Europe/Madrid"
    box.select("America/Bogota").run()
    assert not app.exception, app.exception
    with read() as session:
        assert accounts.find_by_email(session, "ana@mesa.example").preferences == {"timezone": "America/Bogota"}
    app.switch_page("app_pages/workbench.py").run()
    assert " -05" in _times(app) and " CET" not in _times(app), _times(app)


def test_a_customer_has_no_time_zone_to_pick(desk):
    app = open_workbench("olivia@example.com")
    app.switch_page("app_pages/account.py").run()
    assert not app.exception, app.exception
    assert any("Signed in as" in text.value for text in app.markdown)
    assert not [box for box in app.selectbox if box.key == "mesa_time_zone"]
