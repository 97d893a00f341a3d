"""Journey 4: the guards, in a real browser against a server with the image captcha on."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import shot
from tests.e2e.test_journeys import choose, links_in, sign_in, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PORTAL_ENV = {"MESA_CAPTCHA": "image"}
RAW = (b"From: Bob Stone <bob@example.com>\r\nTo: support@mesa.localhost\r\nSubject: Printer on fire\r\n"
       b"Message-ID: <guard-1@example.com>\r\n\r\nThe printer is on fire.\r\n")


def test_a_link_with_another_tickets_number_shows_the_neutral_refusal(portal, page):
    page.goto(portal.base)  # the first visit starts the embedded worker, as with `make run`
    portal.cli("ingest-email", stdin=RAW)
    # Bob never wrote before: his confirmation carries the number and the link, not his subject (M4)
    received = portal.wait_for_mail("bob@example.com", "We received your request")
    link = next(url for url in links_in(received) if "/ticket?" in url)
    number = int(re.search(r"ticket=(\d+)", link).group(1))
    page.goto(link)
    page.get_by_text("The printer is on fire.").first.wait_for()
    page.goto(link.replace(f"ticket={number}", f"ticket={number - 1}"))
    page.get_by_text("This link does not open a ticket.").wait_for()
    assert page.get_by_text("The printer is on fire.").count() == 0
    assert page.get_by_text("Printer on fire").count() == 0


def test_a_signed_in_customer_who_types_the_workbench_url_is_refused_then_signs_out(portal, page):
    portal.cli("create-user", "--email", "carla@example.com", "--name", "Carla Díaz", "--role", "customer",
               "--password-stdin", stdin=b"carla's long passphrase\n")
    page.goto(portal.base + "/account")
    sign_in(page, "carla@example.com", "carla's long passphrase")
    page.get_by_role("heading", name="My tickets").wait_for()  # a customer lands on their tickets
    wait_idle(page)
    page.goto(portal.base + "/workbench")
    page.get_by_text("Your account cannot open this page.").wait_for()
    assert page.get_by_text("Unassigned").count() == 0
    shot(page, "4-refused")
    page.goto(portal.base + "/account")  # signing out clears the cookie: a new page load is signed out
    page.get_by_role("button", name="Sign out").click()
    wait_idle(page)
    page.wait_for_timeout(1000)
    page.goto(portal.base + "/my-tickets")
    page.get_by_text("Sign in to see all your tickets in one place.").wait_for()


def test_a_wrong_captcha_keeps_the_form_and_says_why(portal, page):
    page.goto(portal.base + "/new-ticket")
    page.get_by_role("textbox", name="Your name *", exact=True).fill("Dana Lee")
    page.get_by_role("textbox", name="Your email *", exact=True).fill("dana@example.com")
    choose(page, "What is it about? *", "Question")
    page.get_by_role("textbox", name="Subject *", exact=True).fill("Where is the invoice?")
    page.get_by_role("textbox", name="Description *", exact=True).fill("I cannot find last month's invoice.")
    page.locator("[data-testid='stImage'] img").first.wait_for()
    page.get_by_role("textbox", name=re.compile("characters", re.I)).fill("WRONG1")
    wait_idle(page)
    page.get_by_role("button", name="Send", exact=True).click()
    wait_idle(page)
    page.get_by_text("The characters do not match").first.wait_for()
    assert page.get_by_role("textbox", name="Subject *", exact=True).input_value() == "Where is the invoice?"
    assert page.get_by_role("textbox", name="Description *", exact=True).input_value() == (
        "I cannot find last month's invoice.")
    assert page.get_by_role("textbox", name="Your email *", exact=True).input_value() == "dana@example.com"
    shot(page, "4-captcha")
