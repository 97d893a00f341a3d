"""Suggestions while typing, in Chromium (python -m bench.knowledge --browser): on the new-ticket form, a customer
types an article's title into the subject; from the last key to that article among the suggestions on screen,
with the field still focused. The time includes the debounce (ui.help_widgets.WAIT_MS) that waits for a pause."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.stats import percentile
from bench.workspace import start_servers
from core.db import make_engine, read_factory
from core.models import HelpArticle, HelpTranslation

CHROMIUM = "/usr/bin/chromium"


def _titles(url: str, count: int) -> list[str]:
    engine = make_engine(url)
    with read_factory(engine)() as session:
        titles = session.scalars(select(HelpTranslation.title).join(HelpArticle)
                                 .where(HelpTranslation.locale == "es", HelpArticle.status == "published")
                                 .order_by(HelpArticle.id).limit(count)).all()
    engine.dispose()
    return list(titles)


def typing_to_suggestion(url: str, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    titles = _titles(url, repeat)
    with tempfile.TemporaryDirectory() as folder:
        base, processes, _pids = start_servers(url, 1, Path(folder))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.goto(base + "/new-ticket?lang=es")
                subject = page.get_by_role("textbox", name="Asunto *")
                seconds = []
                for title in titles:
                    subject.click()
                    subject.fill("")
                    page.keyboard.type(title, delay=40)
                    typed = time.perf_counter()
                    page.locator("[data-testid='stExpander']").get_by_text(title, exact=True).first.wait_for(
                        timeout=30_000)
                    seconds.append(time.perf_counter() - typed)
                browser.close()
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=20)
    return {"cold_ms": 1000 * seconds[0], "median_ms": 1000 * statistics.median(seconds),
            "p95_ms": 1000 * percentile(seconds, 0.95)}
