"""A Spanish and a Brazilian customer read no English: the customer journey in Chromium with the browser's language
(Accept-Language es-ES, then pt-BR) and no ?lang=, each page's text and accessible labels checked word by word.

The dictionary is the English the desk itself can say (core/locales/en.toml, the English help articles and
Streamlit's own words that ui/builtin_text.py replaces) minus the words the page's language shares with it
("ticket", "normal", "Web"), with a short allow-list for names and product words."""

from __future__ import annotations

import re

import pytest

from core import i18n
from core.help import starter
from tests.e2e.conftest import links_in, shot
from tests.e2e.test_journeys import wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PORTAL_ENV = {"MESA_MAX_FILE_MB": "1"}  # a 1 MB limit per file: a small file shows Streamlit's refusal
ALLOWED = {"mesa", "demo", "streamlit", "sla", "csat", "csv", "pdf", "zip", "eml", "log", "txt", "png", "jpeg", "gif",
           "webp", "heic", "mp4", "webm", "mov", "docx", "xlsx", "pptx", "odt", "ods", "odp", "office", "opendocument",
           "ctrl", "cmd", "alt", "enter", "lucía", "fernández", "joão", "silva", "example", "exe"}
WORD = re.compile(r"[^\W\d_]{2,}")
PAGE_WORDS = """() => {
  const icons = new Set([...document.querySelectorAll('[data-testid="stIconMaterial"], [data-testid="stExpanderIcon"]')]
    .map((i) => i.textContent));
  const texts = document.body.innerText.split("\\n").filter((line) => !icons.has(line.trim()));  // ligatures
  for (const element of document.querySelectorAll("[aria-label], [title], [placeholder], [data-title]")) {
    for (const name of ["aria-label", "title", "placeholder", "data-title"]) {
      texts.push(element.getAttribute(name) || "");
    }
  }
  for (const text of document.querySelectorAll("svg text")) texts.push(text.textContent);  // a chart's words
  for (const cell of document.querySelectorAll("table[role='grid'] th, table[role='grid'] td")) {
    texts.push(cell.textContent);  // a table's headers and cells (the grid is drawn on a canvas; this is its copy)
  }
  const skip = document.querySelector('[data-testid="stSkipToContent"]');
  texts.push(skip ? skip.textContent : "");
  return texts.join("\\n");
}"""
PEOPLE = {"es-ES": ("Lucía Fernández", "lucia.idiomas@cliente.example", "La exportación falla", "Sale un aviso 500."),
          "pt-BR": ("João Silva", "joao.idiomas@cliente.example", "A exportação falha", "Aparece um aviso 500.")}


def _words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text)}


def _language_words(code: str) -> set[str]:
    catalog = " ".join(i18n.catalog(code).values())
    articles = " ".join(a["path"].read_text(encoding="utf-8") + a["title"] + a["summary"]
                        for a in starter.listed(code))
    return _words(re.sub(r"\]\([^)]*\)|<a id=\"[^\"]*\"></a>", " ", catalog + " " + articles))  # not file names


def english_words(code: str) -> set[str]:
    """Words a page in `code` must not show: English the desk and Streamlit can say, less the language's own."""
    return _language_words("en") - _language_words(code) - ALLOWED


def english_on(page, code: str, written: list[str] = ()) -> list[str]:
    """The English words on the page, less what people wrote (`written`: whole texts, taken off as they stand)."""
    return english_on_text(page.evaluate(PAGE_WORDS), code, written)


def english_on_text(text: str, code: str, written: list[str] = ()) -> list[str]:
    text = text.replace("\u2060", "")  # no word joiners; a link's address (a table's link cell) is no word
    text = re.sub(r"https?://\S+|(?<!\S)/[\w/-]+\?\S+", " ", text)
    for said in written:
        text = re.sub(rf"(?<!\w){re.escape(said)}(?!\w)", " ", text)
    return sorted(_words(text) & english_words(code))


def check(page, code: str, name: str, seen: dict[str, list[str]]) -> None:
    wait_idle(page)
    shot(page, f"lang-{code}-{name}")
    seen[name] = english_on(page, code)


@pytest.fixture
def reader(browser, request):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=request.param)
    context.set_default_timeout(30_000)
    yield request.param, context.new_page()
    context.close()


def test_the_dictionary_knows_english_and_spares_the_languages_own_words():
    spanish = english_words("es")
    assert {"upload", "drag", "drop", "press", "skip", "content", "the", "your", "ticket"} - spanish == {"ticket"}
    assert "ticket" not in english_words("pt-BR") and "normal" not in spanish


@pytest.mark.parametrize("reader", ["es-ES", "pt-BR"], indirect=True)
def test_a_customer_reads_no_english_on_any_page(portal, reader):
    tag, page = reader
    code = i18n.match(tag)
    name, email, subject, description = PEOPLE[tag]
    seen: dict[str, list[str]] = {}

    page.goto(portal.base + "/")  # no ?lang=: the browser's language decides
    page.get_by_role("button", name=starter.listed(code)[2]["title"]).click()
    page.get_by_role("heading", name=starter.listed(code)[2]["title"]).wait_for()
    check(page, code, "article", seen)

    page.goto(portal.base + "/new-ticket")
    page.get_by_role("textbox", name=i18n.t("new.name", code), exact=True).wait_for()
    page.get_by_role("textbox", name=i18n.t("new.email", code), exact=True).fill("sin-arroba.example")
    check(page, code, "new-ticket-typing", seen)  # "Press Enter to apply" under the box
    text = page.evaluate(PAGE_WORDS)
    assert i18n.t("streamlit.enter_apply", code) in text and i18n.t("streamlit.upload", code) in text
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        [{"name": "grande.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(1_200_000)},
         {"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ" + bytes(200)}])
    page.get_by_text("setup.exe").wait_for()
    page.get_by_role("button", name=i18n.t("new.send", code), exact=True).click()
    page.get_by_text(i18n.t("errors.email_no_at", code)).wait_for()
    check(page, code, "new-ticket-refused", seen)  # the uploader, its size refusal, our file and address refusals
    text = page.evaluate(PAGE_WORDS)
    assert i18n.t("filekind.windows_program", code) in text  # our refusal, in plain words
    assert i18n.t("streamlit.file_too_big", code, size="1.0MB") in text  # Streamlit's, in the browser

    page.goto(portal.base + "/new-ticket")
    page.get_by_role("textbox", name=i18n.t("new.name", code), exact=True).fill(name)
    page.get_by_role("textbox", name=i18n.t("new.email", code), exact=True).fill(email)
    page.get_by_role("textbox", name=i18n.t("new.subject", code), exact=True).fill(subject)
    page.get_by_role("textbox", name=i18n.t("new.description", code), exact=True).fill(description)
    wait_idle(page)
    page.get_by_role("button", name=i18n.t("new.send", code), exact=True).click()
    page.get_by_text(i18n.t("new.sent_title", code)).wait_for()
    check(page, code, "confirmation", seen)

    mail = portal.wait_for_mail(email, "[#")
    page.goto(next(url for url in links_in(mail) if "/ticket?" in url))
    page.get_by_text(i18n.t("status.customer.open", code)).first.wait_for()
    check(page, code, "ticket", seen)

    page.goto(portal.base + "/ticket?ticket=1&token=wrong")
    page.get_by_text(i18n.t("ticket.lost_title", code)).first.wait_for()
    check(page, code, "lost-link", seen)
    for path, key in (("/account", "account.register"), ("/my-tickets", "mine.sign_in_first"),
                      ("/survey?ticket=1&token=wrong&score=5", "survey.bad_link")):
        page.goto(portal.base + path)
        page.get_by_text(i18n.t(key, code)).first.wait_for()
        check(page, code, path.strip("/").split("?")[0], seen)

    assert {page_name: words for page_name, words in seen.items() if words} == {}
