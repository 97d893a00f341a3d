"""Issue 22.4-5 in Chromium: a manager's dashboards at 1366 px and on a phone, in English and Spanish, and the
files their buttons download, read back the way a spreadsheet would (pandas and openpyxl).

`MESA_SCREENSHOTS=docs/screenshots` (`make screenshots`) keeps whole-page pictures there as 22-*.png.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image

from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.e2e.test_journeys import session_cookie, sign_in, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# a scroller wider inside than out: the table scrolls sideways (its columns do not fit)
OVERFLOWING = """() => [...document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller')]
    .map(s => s.scrollWidth - s.clientWidth)"""


@pytest.fixture(scope="module")
def manager(portal, browser):
    portal.cli("seed-demo", "--tickets", "150", "--days", "45", "--seed", "22")  # weeks of answers to chart
    context = browser.new_context(viewport=DESKTOP, locale="en-US", accept_downloads=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(portal.base + "/satisfaction")
    sign_in(page, "manager@mesa.example", "mesa-manager-demo")
    page.get_by_role("heading", name="Satisfaction").wait_for()
    wait_idle(page)
    session_cookie(page)
    yield page
    context.close()


def drawn(page, charts: int) -> None:
    """The run is over and its charts are on the page."""
    wait_idle(page)
    page.wait_for_function(f"document.querySelectorAll('.js-plotly-plot').length >= {charts}")
    page.wait_for_timeout(800)


def whole_page(page, name: str) -> None:
    """The whole page (Streamlit scrolls inside its main block, so the window is made as tall) at the desktop
    width and at a phone's, in test-results/screenshots and, with MESA_SCREENSHOTS, there too."""
    folders = [SCREENSHOTS] + ([Path(os.environ["MESA_SCREENSHOTS"])] if os.environ.get("MESA_SCREENSHOTS") else [])
    for size, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        page.set_viewport_size(size)
        page.wait_for_timeout(1000)
        height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": size["width"], "height": min(height + 40, 8000)})
        page.wait_for_timeout(1500)
        for folder in folders:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"22-{name}{suffix}.png"
            page.screenshot(path=str(path))
            if folder != SCREENSHOTS:  # kept in the repository: a palette of 128 colours, a third of the size
                picture = Image.open(path).convert("RGB").quantize(128, method=Image.Quantize.FASTOCTREE)
                picture.save(path, optimize=True)
    page.set_viewport_size(DESKTOP)
    page.wait_for_timeout(500)


def download(page, button: str, nth: int = 0) -> bytes:
    with page.expect_download() as started:
        page.locator("[data-testid='stDownloadButton'] button:visible", has_text=button).nth(nth).click()
    return Path(started.value.path()).read_bytes()


def test_the_satisfaction_dashboard_and_its_files(portal, manager):
    drawn(manager, 3)
    whole_page(manager, "satisfaction")
    assert manager.get_by_text("As a table").count() == 3, "each chart with its table"

    book = openpyxl.load_workbook(io.BytesIO(download(manager, "Download this dashboard (Excel)")))
    assert book.sheetnames[:3] == ["Trend by week", "Scores", "By agent"]
    trend = book["Trend by week"]
    assert [c.value for c in trend[1]] == ["Week (from Monday)", "Responses", "CSAT (%)", "Average score"]
    assert all(row[0].is_date and isinstance(row[1].value, int) for row in trend.iter_rows(min_row=2))
    comments = pd.read_excel(io.BytesIO(download(manager, "Download this dashboard (Excel)")),
                             sheet_name="Comments, newest first")
    assert pd.api.types.is_integer_dtype(comments["Ticket"]) and pd.api.types.is_integer_dtype(comments["Score"])
    assert comments["Link"].str.startswith(portal.base + "/workbench?ticket=").all(), "a full link"
    assert pd.api.types.is_datetime64_any_dtype(comments[f"When ({portal_zone()})"])

    raw = download(manager, "CSV")  # the breakdown by agent
    assert raw.startswith(b"\xef\xbb\xbf")
    agents = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert list(agents.columns) == ["Agent", "Responses", "CSAT (%)", "Average score"]
    assert pd.api.types.is_integer_dtype(agents["Responses"]) and agents["CSAT (%)"].between(0, 100).all()


def test_the_response_times_dashboard_in_spanish_fits_and_downloads(portal, manager):
    manager.goto(portal.base + "/response-times?lang=es")
    manager.get_by_role("heading", name="Tiempos de respuesta").wait_for()
    drawn(manager, 4)
    assert manager.evaluate(OVERFLOWING) == [0] * manager.locator("[data-testid='stDataFrame']").count(), (
        "every table fits 1366 px")
    whole_page(manager, "response-times-es")

    book = openpyxl.load_workbook(io.BytesIO(download(manager, "Descargar este panel (Excel)")))
    assert book.sheetnames[:2] == ["Evolución por semana", "Por prioridad"]
    tickets = book["Los tickets del periodo"]
    header = [c.value for c in tickets[1]]
    assert header[:2] == ["Ticket", "Enlace"] and "Primera respuesta (horas)" in header
    rows = list(tickets.iter_rows(min_row=2, values_only=True))
    assert rows and all(isinstance(r[0], int) and r[1] == f"{portal.base}/workbench?ticket={r[0]}" for r in rows)
    assert {r[header.index("Prioridad")] for r in rows} <= {"Baja", "Normal", "Alta", "Urgente"}
    hours = [r[header.index("Primera respuesta (horas)")] for r in rows]
    assert any(isinstance(h, float) for h in hours) and all(h is None or isinstance(h, float) for h in hours)

    raw = download(manager, "CSV", nth=1)  # the breached tickets
    breached = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    due = pd.to_datetime(breached[f"Vencía ({portal_zone()})"], format="ISO8601")
    assert due.dt.tz is not None, "dates carry their zone"


def test_the_satisfaction_dashboard_in_spanish(portal, manager):
    manager.goto(portal.base + "/satisfaction?lang=es")
    manager.get_by_role("heading", name="Satisfacción").wait_for()
    drawn(manager, 3)
    assert manager.get_by_text("Como tabla").count() == 3
    whole_page(manager, "satisfaction-es")
    manager.goto(portal.base + "/response-times?lang=en")
    manager.get_by_role("heading", name="Response times").wait_for()
    drawn(manager, 4)
    whole_page(manager, "response-times")


def portal_zone() -> str:
    return "Europe/Madrid"  # MESA_TIMEZONE's default, which the test server keeps
