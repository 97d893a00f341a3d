"""Issue 20 in a real browser: an agent writes an article in Spanish and English and publishes it; a customer finds
it by a word with a typo and no accents and votes it helpful; typing a subject suggests it before the field is
left, it answers the question, no ticket is sent, and the manager's dashboard counts the ticket avoided."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import shot
from tests.e2e.test_journeys import METRIC_JS, sign_in, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
TITLE_ES, TITLE_EN = "Exportar facturas en PDF", "Export invoices as PDF"


def _avoided(page, base: str) -> int:
    page.goto(base + "/knowledge-report?lang=es")
    try:
        page.get_by_role("heading", name="Conocimiento").wait_for()
    finally:
        shot(page, "20-knowledge-dashboard")
    wait_idle(page)
    return int(page.evaluate(METRIC_JS, "Tickets evitados"))


def _write(page, title: str, body: str, tags: str = "") -> None:
    page.get_by_role("textbox", name="Título").fill(title)
    if tags:
        page.get_by_role("textbox", name="Etiquetas").fill(tags)
    page.get_by_role("textbox", name="Texto (Markdown)").fill(body)
    wait_idle(page)
    page.get_by_role("button", name="Guardar").click()
    wait_idle(page)


def test_an_article_written_in_two_languages_answers_a_question_before_a_ticket(portal, browser, page):
    manager = browser.new_page(viewport={"width": 1366, "height": 900})
    manager.goto(portal.base + "/knowledge-report")
    sign_in(manager, "manager@mesa.example", "mesa-manager-demo")
    manager.get_by_role("heading", name="Knowledge").wait_for()
    wait_idle(manager)  # the sign-in cookie is written
    avoided_before = _avoided(manager, portal.base)

    page.goto(portal.base + "/knowledge")
    sign_in(page, "ana@mesa.example", "mesa-agent-demo")
    page.get_by_role("heading", name="Knowledge base").wait_for()
    wait_idle(page)
    page.goto(portal.base + "/knowledge?lang=es")
    page.get_by_role("button", name="Artículo nuevo").wait_for()
    wait_idle(page)  # a click while the page's first run is still going can be lost with that run
    page.get_by_role("button", name="Artículo nuevo").click()
    wait_idle(page)
    _write(page, TITLE_ES, "Si la **exportación** de facturas falla con un error 500, espera un minuto y vuelve a "
                           "intentarlo desde Facturación.", tags="facturación, PDF")
    page.get_by_text("English").click()
    wait_idle(page)
    _write(page, TITLE_EN, "If exporting invoices fails with error 500, wait a minute and try again from Billing.")
    page.get_by_role("button", name="Publicar").click()
    wait_idle(page)
    page.get_by_text("Publicado").first.wait_for()
    page.get_by_role("textbox", name="Título").scroll_into_view_if_needed()
    shot(page, "20-knowledge-editor")

    reader = browser.new_page(viewport={"width": 1366, "height": 900})
    reader.goto(portal.base + "/?lang=es")
    box = reader.get_by_role("textbox", name="Busca en el centro de ayuda")
    box.wait_for()
    wait_idle(reader)
    box.fill("exportacoin")  # a typo, and no accent
    box.press("Enter")
    result = reader.locator(".st-key-hit-exportar-facturas-en-pdf button")  # its title, in bold
    result.wait_for()
    shot(reader, "20-search")
    result.click()
    reader.get_by_role("heading", name=TITLE_ES).wait_for()
    reader.get_by_role("button", name="Sí").click()
    reader.get_by_text("Gracias por tu voto").wait_for()

    reader.goto(portal.base + "/new-ticket?lang=es")
    subject = reader.get_by_role("textbox", name="Asunto *")
    subject.wait_for()
    wait_idle(reader)
    subject.click()
    reader.keyboard.type("No puedo exportar facturas", delay=60)
    typed = time.monotonic()
    suggestion = reader.locator("[data-testid='stExpander']").get_by_text(TITLE_ES)
    suggestion.wait_for(timeout=10_000)
    shown_after = time.monotonic() - typed
    assert reader.evaluate("document.activeElement.getAttribute('aria-label')") == "Asunto *", \
        "suggested while the customer is still in the field"
    shot(reader, "20-suggestion")
    suggestion.click()
    reader.get_by_role("button", name="Esto responde a mi pregunta").click()
    reader.get_by_text("no se ha enviado ningún ticket").wait_for()

    assert _avoided(manager, portal.base) == avoided_before + 1
    print(f"suggestion on screen {1000 * shown_after:.0f} ms after the last key")
