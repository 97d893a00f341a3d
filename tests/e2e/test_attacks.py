"""The page-level attacks of the security review (docs/security.md) in a real browser, on one server.

Each test is one finding: H1 merge, M2 hostile images, M5 impersonation, L2 `?ticket=²`, L7 text
that would become links or reorder, L8 pasting past a limit, L5 and H3 sign-in timing and limits.
The H3 test runs last: it uses up the per-address sign-in limit of 127.0.0.1 for the module.
"""

from __future__ import annotations

import io
import os
import re
import time
from email.message import EmailMessage

import bcrypt
import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import links_in
from tests.e2e.test_journeys import choose, said, sign_in, wait_idle
from tests.servers import visit

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
AGENT, AGENT_PASSWORD = "ana@mesa.example", "mesa-agent-demo"
PASSWORD = "a long enough passphrase"
EXCEPTION = "[data-testid='stException']"
# Streamlit's server (uvicorn) believes X-Forwarded-For from a loopback peer, as from a local proxy; the
# browser here plays a client on the internet, whose peer address no proxy vouches for
PORTAL_ENV = {"FORWARDED_ALLOW_IPS": "192.0.2.1"}


@pytest.fixture(scope="module", autouse=True)
def worker(portal):
    """A first session runs Home.py, which starts the embedded worker that sends the mail."""
    visit(portal.base)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _email(sender: str, subject: str, body: str, files: tuple[tuple[str, bytes], ...] = ()) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "support@mesa.localhost", subject
    message["Message-ID"] = f"<{abs(hash((sender, subject)))}@example.com>"
    message.set_content(body)
    for name, content in files:
        message.add_attachment(content, maintype="image", subtype="png", filename=name)
    return message.as_bytes()


def _mailed_link(portal, raw: bytes, to: str) -> tuple[int, str]:
    """Ingest the email as the MTA pipe does; the ticket's number and link from the confirmation."""
    portal.cli("ingest-email", stdin=raw)
    link = next(url for url in links_in(portal.wait_for_mail(to, "We received your request")) if "/ticket?" in url)
    return int(re.search(r"ticket=(\d+)", link).group(1)), link


def _create(portal, email: str, name: str) -> None:
    portal.cli("create-user", "--email", email, "--name", name, "--role", "customer", "--password-stdin",
               stdin=(PASSWORD + "\n").encode())


def _agent(browser, portal, ticket: int):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto(f"{portal.base}/workbench?ticket={ticket}")
    sign_in(page, AGENT, AGENT_PASSWORD)
    page.get_by_role("heading", name=re.compile(f"#{ticket} · ")).wait_for()
    return page


def _fill_form(page, portal, email: str, subject: str = "Cannot log in") -> None:
    page.goto(portal.base + "/new-ticket")
    page.get_by_role("textbox", name="Your name *", exact=True).fill("Lucía García")
    page.get_by_role("textbox", name="Your email *", exact=True).fill(email)
    choose(page, "What is it about? *", "Question")
    page.get_by_role("textbox", name="Subject *", exact=True).fill(subject)
    page.get_by_role("textbox", name="Description *", exact=True).fill("It says invalid credentials.")
    wait_idle(page)


def _send(page) -> None:
    page.get_by_role("button", name="Send", exact=True).click()
    wait_idle(page)


def test_h1_a_merged_ticket_of_another_requester_never_reaches_this_requesters_link(portal, page, browser):
    secret = "My account number is 4400 1234, passport scan attached."
    source, _ = _mailed_link(portal, _email("Olivia Brown <olivia@example.com>", "Locked out", secret,
                                            (("passport.png", _png(Image.new("RGB", (40, 30), "navy"))),)),
                             "olivia@example.com")
    target, link = _mailed_link(portal, _email("James Hill <james@example.com>", "Login broken",
                                               "I cannot log in either."), "james@example.com")
    agent = _agent(browser, portal, source)
    agent.get_by_text("Merge into another ticket").click()
    agent.get_by_label("Number of the ticket to keep").fill(str(target))
    agent.get_by_label("Number of the ticket to keep").press("Enter")
    wait_idle(agent)
    agent.get_by_text("That ticket belongs to another requester (james").wait_for()
    agent.get_by_role("button", name="Merge into the ticket above").click()
    agent.get_by_role("heading", name=re.compile(f"#{target} · ")).wait_for()
    said(agent, secret).wait_for()  # the merge happened: staff still see Olivia's words, as a note
    agent.context.close()
    page.goto(link)
    page.get_by_text("I cannot log in either.").first.wait_for()
    wait_idle(page)
    assert page.get_by_text("account number").count() == 0 and page.get_by_text("passport").count() == 0
    assert page.locator("[data-testid='stImage']").count() == 0


def test_m2_broken_and_bomb_images_leave_both_ticket_pages_whole(portal, page, browser):
    noise = _png(Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)))
    files = [("broken.png", noise[: len(noise) // 2] + b"\x00" * 100),
             ("bomb.png", _png(Image.new("1", (13_000, 13_000)))),  # 169 megapixels in about 20 KB
             ("photo.png", _png(Image.new("RGB", (800, 600), "teal")))]
    _fill_form(page, portal, "olga@example.com", "Screens")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
        [{"name": name, "mimeType": "image/png", "buffer": data} for name, data in files])
    page.get_by_text("photo.png").wait_for()
    wait_idle(page)
    _send(page)
    page.get_by_text("We have received your ticket").wait_for()
    link = page.locator("[data-testid='stCode']").inner_text().strip()
    number = int(re.search(r"ticket=(\d+)", link).group(1))
    page.goto(link)
    _whole(page, "Your message")
    _whole(_agent(browser, portal, number), "Message")


def _whole(page, composer: str) -> None:
    page.get_by_role("textbox", name=composer).wait_for()
    wait_idle(page)
    assert page.locator(EXCEPTION).count() == 0
    for name in ("broken.png", "bomb.png", "photo.png"):
        page.get_by_role("button", name=f"⬇ {name}").wait_for()
    assert page.locator("[data-testid='stImage']").count() == 1, "only the photo is drawn, as its preview"


def test_m5_a_ticket_in_an_account_holders_name_shows_no_link(portal, page):
    _create(portal, "marta@example.es", "Marta Ruiz")
    _fill_form(page, portal, "marta@example.es")
    _send(page)
    page.get_by_text("went only to its mailbox").wait_for()
    assert "token=" not in page.content() and page.locator("[data-testid='stCode']").count() == 0
    _fill_form(page, portal, "someone.new@example.es")  # a stranger's confirmation page does show the link
    _send(page)
    page.get_by_text("We have received your ticket").wait_for()
    assert "token=" in page.locator("[data-testid='stCode']").inner_text()


@pytest.mark.parametrize("path", ["/ticket?ticket=²&token=x", "/survey?ticket=²&token=x&score=5"])
def test_l2_a_ticket_number_in_unicode_digits_shows_no_traceback(portal, page, path):
    page.goto(portal.base + path)
    page.get_by_role("heading").first.wait_for()
    wait_idle(page)
    assert page.locator(EXCEPTION).count() == 0 and "Traceback" not in page.content()


def test_l7_links_bidi_controls_and_markdown_in_user_text_render_as_text(portal, page, browser):
    subject = "Refund \u202egnp.exe at https://evil.example/pay now"
    raw = _email("Olivia www.evil.example <olivia7@example.com>", subject, "See the file.",
                 (("[prize](mailto:win@evil.example) *big*.png", _png(Image.new("RGB", (40, 30), "red"))),))
    number, link = _mailed_link(portal, raw, "olivia7@example.com")
    page.goto(link)
    page.get_by_text("See the file.").first.wait_for()
    _plain(page)
    _plain(_agent(browser, portal, number))


def _plain(page) -> None:
    page.get_by_role("button", name=re.compile(r"big\*\.png")).wait_for()
    wait_idle(page)
    assert page.locator("a[href*='evil.example']").count() == 0, "no link to the attacker's site"
    text = page.evaluate("document.body.innerText").replace("\u2060", "")
    assert "\u202e" not in page.content() and "\u202e" not in text, "no right-to-left override"
    assert "https://evil.example/pay" in text and "[prize](mailto:win@evil.example) *big*.png" in text


def test_l8_a_pasted_subject_past_the_limit_is_kept_and_refused_next_to_the_field(portal, page):
    _fill_form(page, portal, "paste@example.com", subject="")
    subject = page.get_by_role("textbox", name="Subject *", exact=True)
    subject.focus()
    pasted = "Fwd: Re: " * 30  # 270 characters, over the 200 allowed
    page.keyboard.insert_text(pasted)  # as a paste does: one insertion, not keystrokes
    page.get_by_role("textbox", name="Description *", exact=True).focus()
    wait_idle(page)
    _send(page)
    message = page.get_by_text("Use at most 200 characters (this has 269).")
    message.wait_for()
    assert subject.input_value() == pasted
    below = page.get_by_role("textbox", name="Description *", exact=True).bounding_box()["y"]
    assert subject.bounding_box()["y"] < message.bounding_box()["y"] < below, "between the subject and the next field"
    assert page.get_by_text("We have received your ticket").count() == 0


REFUSED = "Too many failed sign-ins"


def _settled(page) -> None:
    """The account page has run twice (the cookie component answers after the first run): a click sent
    while that second run starts can be lost."""
    wait_idle(page)
    page.wait_for_timeout(1000)
    wait_idle(page)


def _failed_sign_in(page, portal, email: str, forwarded_for: str = "") -> float | None:
    """Seconds from pressing Sign in to the page's answer, on a fresh page load (with this X-Forwarded-For);
    None when the page refuses to sign anyone in from this address."""
    if forwarded_for:
        page.set_extra_http_headers({"X-Forwarded-For": forwarded_for})
    page.goto(portal.base + "/account")
    page.get_by_role("button", name="Sign in").first.or_(page.get_by_text(REFUSED)).wait_for()
    _settled(page)
    if page.get_by_text(REFUSED).count():
        return None
    page.get_by_role("textbox", name="Email").first.fill(email)
    page.get_by_label("Password", exact=True).first.fill("not the password")
    started, answer = time.monotonic(), page.get_by_text("The email or the password is not right.")
    page.get_by_role("button", name="Sign in").first.click()
    try:
        answer.wait_for(timeout=15_000)
    except PlaywrightTimeout:  # a rerun still running on a busy machine can swallow the click: press again
        page.get_by_role("button", name="Sign in").first.click()
        answer.wait_for()
    return time.monotonic() - started


def _bcrypt_check() -> float:
    """Seconds one password check takes on this machine now (the least of three)."""
    hashed = bcrypt.hashpw(b"y", bcrypt.gensalt())
    times = []
    for _ in range(3):
        started = time.monotonic()
        bcrypt.checkpw(b"x", hashed)
        times.append(time.monotonic() - started)
    return min(times)


def test_l5_an_unknown_account_answers_about_as_slowly_as_a_known_one(portal, page):
    _create(portal, "known@example.com", "Known Person")
    # 2 of the address's 10 failures (an unknown account's failure counts too), so that the H3 test after it
    # still has 7 to spend and its owner's sign-in; the unknown one second, so it does not get the cold server
    known = [_failed_sign_in(page, portal, "known@example.com")]
    unknown = [_failed_sign_in(page, portal, "nobody0@example.com")]
    check = _bcrypt_check()
    # without a password check for an unknown account, its answer comes one check sooner
    assert min(unknown) > min(known) - check / 2, (known, unknown, check)


def test_h3_guesses_on_one_account_slow_down_the_owner_signs_in_and_a_forged_xff_changes_nothing(portal, page):
    _create(portal, "kim@example.com", "Kim Lee")
    times = [_failed_sign_in(page, portal, "kim@example.com", f"203.0.113.{n}") for n in range(7)]
    assert times[6] > min(times[:4]) + 1.5, times  # the 7th failure waits 2 s, the first four none
    page.set_extra_http_headers({"X-Forwarded-For": "203.0.113.99"})
    page.goto(portal.base + "/account")
    page.get_by_role("button", name="Sign in").first.wait_for()
    _settled(page)
    sign_in(page, "kim@example.com", PASSWORD)
    page.get_by_role("heading", name="My tickets").wait_for()  # signed in: a customer lands on their tickets
    _create(portal, "lee@example.com", "Lee Kim")
    guesser = page.context.browser.new_context().new_page()
    refused = [_failed_sign_in(guesser, portal, "lee@example.com", f"198.51.100.{n}") for n in range(10)]
    assert None in refused, "every guess came from 127.0.0.1 whatever X-Forwarded-For claimed"
    guesser.context.close()
