"""The journeys of issue 8 in a real browser, one module so they share the server and its mailbox.

The tests run in file order and hand the ticket from one to the next (the customer writes it,
the agent answers it, the customer rates it, the manager reads the numbers).
"""

from __future__ import annotations

import re
from email.message import EmailMessage

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import DESKTOP, html_of, links_in, shot, text_of
from tests.e2e.media import recording_webm, screenshot_png

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CUSTOMER = "lucia.fernandez@cliente.example"
STORY: dict[str, object] = {}


def wait_idle(page) -> None:
    """Streamlit is done with the current run (no "Running..." status widget).

    A click reaches the server over the websocket a moment later, so give the run time to start.
    """
    page.wait_for_timeout(400)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached", timeout=30_000)
    page.wait_for_function("!document.querySelector('[data-stale=\"true\"]')", timeout=30_000)


def choose(page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox by its label.

    Opening the list blurs a text field just typed in, and the rerun that commits that text can close
    the list again, as it does for a person, who then clicks once more; so do we.
    """
    box, wanted = page.get_by_label(label, exact=True), page.get_by_role("option", name=option, exact=True)
    for _ in range(5):
        box.click()
        try:
            wanted.click(timeout=3000)
            break
        except PlaywrightTimeout:
            wait_idle(page)
    wait_idle(page)


def test_customer_without_account_writes_a_ticket_in_spanish(portal, page):
    page.goto(portal.base + "/?lang=es")
    page.get_by_role("button", name="¿Cómo evoluciona un ticket?").wait_for()
    shot(page, "1-help-center")
    page.get_by_role("button", name="¿Cómo evoluciona un ticket?").click()
    page.get_by_role("heading", name="¿Cómo evoluciona un ticket?").wait_for()
    shot(page, "1-article")
    page.get_by_role("link", name="Nuevo ticket de ayuda").first.click()
    page.get_by_role("heading", name=re.compile("Nuevo ticket")).wait_for()

    page.get_by_role("textbox", name="Tu nombre *", exact=True).fill("Lucía Fernández")
    page.get_by_role("textbox", name="Tu correo electrónico *", exact=True).fill(CUSTOMER)
    choose(page, "¿De qué se trata? *", "Incidencia")
    page.get_by_role("textbox", name="Asunto *", exact=True).fill("La exportación a CSV falla con error 500")
    page.get_by_role("textbox", name="Descripción *", exact=True).fill(
        "Al exportar el informe mensual aparece un error 500. Adjunto captura y vídeo.")
    files = [{"name": "captura.png", "mimeType": "image/png", "buffer": screenshot_png()},
             {"name": "grabacion.webm", "mimeType": "video/webm", "buffer": recording_webm(page)}]
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(files)
    page.get_by_text("grabacion.webm").wait_for()
    wait_idle(page)
    shot(page, "1-new-ticket")
    page.get_by_role("button", name="Enviar", exact=True).click()

    confirmation = page.get_by_text(re.compile(r"El número de tu ticket es el #(\d+)"))
    confirmation.wait_for()
    number = int(re.search(r"#(\d+)", confirmation.inner_text()).group(1))
    STORY["ticket"] = number
    shot(page, "1-confirmation")

    mail = portal.wait_for_mail(CUSTOMER, f"[#{number}]")
    assert "Hemos recibido" in text_of(mail) or "recibido" in html_of(mail)
    link = next(url for url in links_in(mail) if "/ticket?" in url)
    STORY["link"] = link
    page.goto(link)
    page.get_by_text("Abierto — estamos en ello").first.wait_for()
    page.locator("[data-testid='stImage'] img").first.wait_for()
    page.locator("video").first.wait_for(state="attached")
    assert page.get_by_text("captura.png").count() >= 1 and page.get_by_text("grabacion.webm").count() >= 1
    shot(page, "1-customer-ticket")


def sign_in(page, email: str, password: str) -> None:
    """The sign-in form's own fields, by their keys: a page can hold other "Email" and "Password" boxes (the
    registration form), and a label can match one that is hidden."""
    page.locator(".st-key-login_email input").fill(email)
    page.locator(".st-key-login_password input").fill(password)
    page.get_by_role("button", name="Sign in").first.click()
    wait_idle(page)


def session_cookie(page, tries: int = 60) -> dict:
    """The sign-in cookie, once the page has written it (a component writes it as the page after sign-in loads;
    from then on any address opens signed in)."""
    for _ in range(tries):
        if cookie := [c for c in page.context.cookies() if c["name"] == "mesa_session"]:
            return cookie[0]
        page.wait_for_timeout(250)
    raise AssertionError("the sign-in cookie was never written")


METRIC_JS = """(label) => {
  for (const card of document.querySelectorAll('[data-testid="stMetric"]')) {
    const name = card.querySelector('[data-testid="stMetricLabel"]');
    if (name && name.innerText.trim() === label) return card.querySelector('[data-testid="stMetricValue"]').innerText;
  }
  return null;
}"""  # a dashboard's card: its value
FACT_JS = """(label) => {
  for (const line of document.querySelectorAll('[data-testid="stMarkdownContainer"] p')) {
    if (!line.innerText.startsWith('Status: ')) continue;  // the ticket's properties: "Status: New · Priority: …"
    const part = line.innerText.split(' · ').find((p) => p.startsWith(label + ': '));
    if (part) return part.slice(label.length + 2).trim();
  }
  return null;
}"""
FACT_IS = f"([label, value]) => ({FACT_JS})(label) === value"  # wait_for_function: the ticket's line says that


def said(page, text: str):
    """A message shown in the conversation (not the same words still sitting in the composer)."""
    return page.locator("[data-testid='stChatMessage']").get_by_text(text).first


def grid_text(page) -> str:
    """What the queue table holds (its accessible copy; the grid itself is drawn on a canvas)."""
    return page.locator("table[role='grid']").first.text_content() or ""


def customer_reply(to_message, *, body: str, attachment: tuple[str, bytes]) -> bytes:
    """The customer answers from their mail client: thread headers, a quote of our email, a file."""
    reply = EmailMessage()
    reply["From"] = f"Lucía Fernández <{CUSTOMER}>"
    reply["To"] = str(to_message["Reply-To"] or to_message["From"])
    reply["Subject"] = "Re: " + str(to_message["Subject"])
    reply["Message-ID"] = "<respuesta-1@cliente.example>"
    reply["In-Reply-To"] = to_message["Message-ID"]
    reply["References"] = f"{to_message.get('References', '')} {to_message['Message-ID']}".strip()
    quoted = "\n".join("> " + line for line in text_of(to_message).splitlines())
    reply.set_content(f"{body}\n\nEl jue, 26 nov 2026, Mesa Support escribió:\n{quoted}\n")
    name, content = attachment
    reply.add_attachment(content, maintype="text", subtype="plain", filename=name)
    return reply.as_bytes()


def test_agent_takes_answers_as_pending_adds_a_note_and_solves(portal, page):
    number = STORY["ticket"]
    page.goto(portal.base + "/workbench")
    sign_in(page, "ana@mesa.example", "mesa-agent-demo")
    page.get_by_text(re.compile(r"^Unassigned \(\d+\)$")).wait_for()
    wait_idle(page)
    shot(page, "2-queues")
    assert f"#{number}" in grid_text(page) and "La exportación a CSV" in grid_text(page)
    grid = page.locator("[data-testid='stDataFrame']").first.bounding_box()
    page.mouse.click(grid["x"] + 18, grid["y"] + 36 + 17)  # the row's selection box, first row
    page.get_by_role("button", name=f"Open #{number}").click()
    page.get_by_role("heading", name=re.compile(f"#{number} · La exportación")).wait_for()
    page.get_by_role("button", name="Take it").click()
    wait_idle(page)
    page.wait_for_function(FACT_IS, arg=["Assignee", "Ana Ruiz"])

    ask = "Gracias, Lucía. ¿Puedes adjuntar el archivo de registro (export.log) de la exportación?"
    page.get_by_role("textbox", name="Message").fill(ask)
    choose(page, "Submit as", "Pending (waiting for customer)")
    page.get_by_role("button", name="Send the reply").click()
    wait_idle(page)
    said(page, ask).wait_for()
    note = "Nota interna: sospecho del límite de 10.000 filas del exportador."
    page.get_by_role("radio", name="Internal note").or_(page.get_by_role("button", name="Internal note")).click()
    page.get_by_role("textbox", name="Message").fill(note)
    page.get_by_role("button", name="Add the internal note").click()
    wait_idle(page)
    said(page, note).wait_for()
    shot(page, "2-agent-ticket")

    answer = portal.wait_for_mail(CUSTOMER, f"[#{number}]", containing="export.log")
    with portal.mail.inbox.lock:
        to_customer = [m for m in portal.mail.inbox.messages if CUSTOMER in str(m["To"])]
    assert all("sospecho" not in text_of(m) and "sospecho" not in html_of(m) for m in to_customer)
    page.goto(STORY["link"])
    page.get_by_text("Pendiente de tu respuesta").first.wait_for()
    assert page.get_by_text("sospecho").count() == 0

    raw = customer_reply(answer, body="Aquí tienes el log.", attachment=("export.log", b"ERROR rows>10000\n"))
    portal.cli("ingest-email", stdin=raw)
    page.goto(f"{portal.base}/workbench?ticket={number}")
    page.get_by_text("Aquí tienes el log.").first.wait_for()
    page.get_by_text("export.log").first.wait_for()
    page.wait_for_function(FACT_IS, arg=["Status", "Open"])  # the customer's reply opened it again
    page.get_by_role("button", name="Edit properties").click()  # its boxes are drawn once it is open
    wait_idle(page)
    choose(page, "Status", "Solved")
    page.get_by_role("button", name="Save").click()
    wait_idle(page)
    page.wait_for_function(FACT_IS, arg=["Status", "Solved"])
    page.get_by_role("button", name="Save").wait_for(state="hidden")  # saved, the popover closed
    shot(page, "2-agent-solved")


def test_customer_rates_five_and_a_manager_reads_the_dashboards(portal, page):
    number = STORY["ticket"]
    solved = portal.wait_for_mail(CUSTOMER, f"[#{number}]", containing="score=5")
    five = next(url for url in links_in(solved) if "/survey?" in url and "score=5" in url)
    page.goto(five)
    page.get_by_text("Gracias por tu valoración: 5 · Muy bien.").wait_for()
    comment = "Muy rápidos, gracias por el arreglo del exportador."
    page.get_by_role("textbox", name="¿Quieres contarnos algo más? (opcional)").fill(comment)
    wait_idle(page)
    page.get_by_role("button", name="Guardar").click()
    page.get_by_text("¡Gracias! Hemos guardado tu respuesta.").wait_for()
    shot(page, "3-survey")

    manager = page.context.browser.new_context(viewport=DESKTOP).new_page()
    manager.goto(portal.base + "/satisfaction")
    sign_in(manager, "manager@mesa.example", "mesa-manager-demo")
    manager.get_by_role("heading", name="Satisfaction").wait_for()
    wait_idle(manager)
    comments = in_a_table(manager, comment)
    assert f"ticket={number}" in comments.text_content(), "the comment is listed with a link to its ticket"
    shot(manager, "3-satisfaction")

    manager.goto(portal.base + "/response-times")
    manager.get_by_role("heading", name="Response times").wait_for()
    wait_idle(manager)
    in_a_table(manager, f"ticket={number}")
    shot(manager, "3-response-times")
    manager.context.close()


def in_a_table(page, text: str):
    """The table row that shows `text` (tables are drawn on a canvas; this reads their accessible copy)."""
    row = page.locator("table[role='grid'] tr", has_text=text).first
    row.wait_for(state="attached")
    return row
