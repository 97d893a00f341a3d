"""A Spanish and a Brazilian agent and admin read no English: their accounts say es or pt-BR (users.locale, which
wins over the browser's), and Chromium walks the workbench, the dashboards, the admin page, the account page, the
email log and the knowledge pages, with every expander open, word by word (tests/e2e/test_languages.py's
dictionary). What people wrote (subjects, messages, names, canned responses, emails in a customer's language) is
theirs, not the desk's: it is taken off the page's text before the check. Plotly's toolbar says its tooltips
(data-title) in the reader's language too."""

from __future__ import annotations

import re
import sqlite3
from email.message import EmailMessage

import pytest

from core import i18n
from core.api import tokens
from tests.e2e.conftest import SCREENSHOTS, shot
from tests.e2e.test_journeys import session_cookie, wait_idle
from tests.e2e.test_languages import PAGE_WORDS, english_on_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PASSWORD = "contraseña-de-prueba-22"
PEOPLE = {"es-ES": ("Marisol Quintana", "Rodrigo Quintana"), "pt-BR": ("Iara Moreira", "Tiago Moreira")}
WRITTEN = {  # what people wrote, by table: never the desk's own words
    "tickets": ("subject",), "messages": ("body",), "users": ("name", "email"), "products": ("name",),
    "canned_responses": ("title", "body"), "organizations": ("name",), "ticket_tags": ("tag",),
    "surveys": ("comment",), "outbox": ("subject", "to_address", "smtp_response"), "inbound_mail": ("subject",),
    "attachments": ("filename",), "help_translations": ("title", "summary"), "help_sections": ("slug",),
    "help_articles": ("slug",), "help_activity": ("query",)}
MODEBAR = "() => [...document.querySelectorAll('.modebar-btn')].map((b) => b.getAttribute('data-title'))"
OPEN_ALL = """() => { for (const d of document.querySelectorAll('[data-testid="stExpander"] details:not([open])'))
  d.querySelector('summary').click(); }"""


def written(portal) -> list[str]:
    """Every text a person (or a mail server) wrote in the desk's database, whole and line by line, the longest
    first."""
    found: set[str] = set()
    with sqlite3.connect(portal.env["MESA_DATABASE_URL"].removeprefix("sqlite:///")) as db:
        for table, columns in WRITTEN.items():
            for row in db.execute(f"SELECT {', '.join(columns)} FROM {table}"):  # our tables' names
                for value in filter(None, row):
                    found.update((value.strip(), value.strip()[:28] + "…"))  # whole, and cut as a tab cuts it
                    found.update(line.strip(" >*-#") for line in value.splitlines() if len(line.strip()) > 2)
    codes = {*tokens.SCOPES, "Message-ID", "In-Reply-To"}  # the API's scopes and email headers: names, not words
    return sorted(found | codes, key=len, reverse=True)


def live_ticket(portal) -> int:
    """A ticket still being worked (its composer is there), the longest conversation and history first; a
    customer's email makes one if the demo left none."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "Nuno <nuno@cliente.example>", "soporte@mesa.example", "Hola"
    mail.set_content("¿Podéis revisar mi factura?")
    portal.cli("ingest-email", stdin=mail.as_bytes())
    with sqlite3.connect(portal.env["MESA_DATABASE_URL"].removeprefix("sqlite:///")) as db:
        return db.execute("SELECT ticket_id FROM messages JOIN tickets ON tickets.id = ticket_id WHERE status NOT IN "
                          "('solved', 'closed') GROUP BY ticket_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def check(page, code: str, name: str, seen: dict[str, list[str]], people: list[str]) -> None:
    wait_idle(page)
    page.evaluate(OPEN_ALL)
    wait_idle(page)
    shot(page, f"lang-staff-{code}-{name}")
    words = page.evaluate(PAGE_WORDS)
    (SCREENSHOTS / f"lang-staff-{code}-{name}.txt").write_text(words)  # what was read
    # the email log quotes the mail server's own reply after "SMTP:" ("250 OK queued as …"): its words, not ours
    seen[name] = english_on_text(re.sub(r"(?m)^(SMTP: ).*$", r"\1", words), code, people)
    titles = [title for title in page.evaluate(MODEBAR) if title]
    seen[name + " (chart toolbar)"] = sorted({title for title in titles
                                             if title in i18n.catalog("en").values() or re.search(r"[Zz]oom", title)})


def sign_in(page, base: str, path: str, email: str, code: str) -> None:
    page.goto(base + path)
    page.locator(".st-key-login_email input").fill(email)
    page.locator(".st-key-login_password input").fill(PASSWORD)
    page.get_by_role("button", name=i18n.t("account.sign_in", code), exact=True).first.click()
    wait_idle(page)
    session_cookie(page)


@pytest.fixture
def staff(portal, browser, request):
    """An agent and an admin whose accounts are in the language (the browser asks for it too, as theirs would)."""
    tag = request.param
    code = i18n.match(tag)
    agent, admin = PEOPLE[tag]
    for name, role in ((agent, "agent"), (admin, "admin")):
        email = name.lower().replace(" ", ".") + "@mesa.example"
        portal.cli("create-user", "--email", email, "--name", name, "--role", role, "--locale", code,
                   "--password-stdin", stdin=PASSWORD.encode())
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale=tag)
    context.set_default_timeout(90_000)
    yield code, context, [name.lower().replace(" ", ".") + "@mesa.example" for name in (agent, admin)]
    context.close()


@pytest.mark.parametrize("staff", ["es-ES", "pt-BR"], indirect=True)
def test_staff_read_no_english_on_any_page(portal, staff):
    code, context, (agent, admin) = staff
    portal.cli("seed-demo", "--tickets", "40", "--days", "30", "--seed", "22")  # weeks to chart, an email log
    number = live_ticket(portal)
    seen: dict[str, list[str]] = {}
    page = context.new_page()
    sign_in(page, portal.base, "/workbench", agent, code)
    page.get_by_text(re.compile(rf"^{re.escape(i18n.t('wb.view_unassigned', code))}")).first.wait_for()
    people = written(portal)
    check(page, code, "queues", seen, people)
    page.goto(f"{portal.base}/workbench?ticket={number}")
    page.get_by_role("heading", name=re.compile(f"#{number} · ")).wait_for()
    check(page, code, "ticket-reply", seen, people)
    note = i18n.t("wb.kind_note", code)
    page.get_by_role("radio", name=note).or_(page.get_by_role("button", name=note, exact=True)).click()
    check(page, code, "ticket-note", seen, people)
    for path in ("/account", "/knowledge"):
        page.goto(portal.base + path)
        check(page, code, path.strip("/"), seen, people)
    page.close()

    page = context.new_page()
    context.clear_cookies()
    sign_in(page, portal.base, "/satisfaction", admin, code)
    for path in ("/satisfaction", "/response-times", "/knowledge-report"):
        page.goto(portal.base + path)
        page.get_by_role("heading").first.wait_for()
        wait_idle(page)
        page.wait_for_timeout(1500)  # the charts draw after the run
        check(page, code, path.strip("/"), seen, people)
        if page.locator("[data-testid='stDataFrame']").count():
            page.locator("[data-testid='stDataFrame']").first.hover()  # a table's toolbar
            check(page, code, path.strip("/") + "-table-toolbar", seen, people)
        charts = page.locator(".js-plotly-plot").count()
        for n in range(page.get_by_text(i18n.t("report.as_table", code), exact=True).count()):
            page.get_by_text(i18n.t("report.as_table", code), exact=True).nth(n).click()  # its label, as a person
            wait_idle(page)
        assert page.locator(".js-plotly-plot").count() < charts or not charts, "the toggles showed the tables"
        check(page, code, path.strip("/") + "-tables", seen, people)
    page.goto(portal.base + "/admin")
    wait_idle(page)
    shot(page, f"lang-staff-{code}-admin")  # (a slow machine: where it was if the tabs are late)
    page.get_by_role("tab").first.wait_for(timeout=120_000)
    for n in range(page.get_by_role("tab").count()):
        page.get_by_role("tab").nth(n).click()
        check(page, code, f"admin-tab-{n}", seen, people)
    page.goto(portal.base + "/email-log")
    check(page, code, "email-log", seen, people)
    page.goto(portal.base + "/account")
    check(page, code, "admin-account", seen, people)

    found = {name: words for name, words in seen.items() if words}
    assert not found, "\n".join(f"{name}: {' '.join(words)}" for name, words in found.items())
