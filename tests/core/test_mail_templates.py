"""Email templates: complete in both languages, user text escaped in HTML only, one-line subjects."""

from __future__ import annotations

import jinja2
import pytest

from core.mail.templates import TEMPLATES, Rendered, nl2br, render, summarize

LINK = "http://localhost:8501/ticket?ticket=42&token=abc"
LINK_IN_HTML = "http://localhost:8501/ticket?ticket=42&amp;token=abc"
# The first six customer templates; tests/core/test_mail_notices.py checks every template, these included.
TICKET = dict(ticket_number=42, subject="Cannot log in", requester_name="Olivia Brown", link=LINK)
CONTEXTS: dict[str, dict] = {
    "ticket_received": {**TICKET, "summary": "The app says invalid credentials.", "first_contact": False},
    "lost_link": TICKET,
    "verify_email": dict(name="Olivia Brown", link=LINK),
    "password_reset": dict(name="Olivia Brown", link=LINK),
    "agent_replied": {**TICKET, "reply_body": "Please try again.\nIt works now.", "agent_name": "Ana Ruiz",
                      "attachments": [{"name": "steps.pdf", "url": "http://localhost:8501/a/1"}]},
    "ticket_solved": {**TICKET, "survey_links": [{"score": s, "url": f"http://localhost:8501/survey?score={s}"}
                                                 for s in range(1, 6)],
                      "by_customer": False, "reply_body": "It works now.\nThe export was fixed.",
                      "agent_name": "Ana Ruiz"},
}
NAMES = tuple(CONTEXTS)
TICKET_TEMPLATES = [name for name in NAMES if "ticket_number" in CONTEXTS[name]]


def _render(name: str, locale: str, **changes: object) -> Rendered:
    return render(name, locale, product_name="Mesa", **{**CONTEXTS[name], **changes})


def test_every_template_here_exists():
    assert set(NAMES) <= set(TEMPLATES)


@pytest.mark.parametrize("name", NAMES)
def test_renders_in_both_languages_and_they_differ(name):
    english, spanish = _render(name, "en"), _render(name, "es")
    assert english.subject and english.text.strip() and english.html.strip()
    assert english.text != spanish.text and english.html != spanish.html
    # a reply's subject is "[#N] Re: <ticket subject>" in every language: "Re:" keeps Gmail's thread
    assert english.subject != spanish.subject or english.subject == "[#42] Re: Cannot log in"
    assert '<html lang="en">' in english.html and '<html lang="es">' in spanish.html
    assert "You are receiving this because you wrote to Mesa support." in english.html + english.text
    assert "Recibes este correo porque escribiste al soporte de Mesa." in spanish.html + spanish.text


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_a_missing_variable_is_an_error_not_a_blank(name, locale):
    context = dict(CONTEXTS[name])
    context.pop("link")
    with pytest.raises(jinja2.UndefinedError):
        render(name, locale, product_name="Mesa", **context)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_link_is_clickable_in_html_and_raw_in_text(name, locale):
    rendered = _render(name, locale)
    assert f'href="{LINK_IN_HTML}"' in rendered.html
    assert LINK in rendered.text
    assert "&amp;" not in rendered.text


@pytest.mark.parametrize("name", TICKET_TEMPLATES)
@pytest.mark.parametrize("locale", ["en", "es"])
def test_ticket_subjects_start_with_the_number(name, locale):
    assert _render(name, locale).subject.startswith("[#42] ")


def test_received_subjects_read_naturally():
    assert _render("ticket_received", "en").subject == "[#42] We received your request: Cannot log in"
    assert _render("ticket_received", "es").subject == "[#42] Hemos recibido tu solicitud: Cannot log in"


@pytest.mark.parametrize("name", TICKET_TEMPLATES)
def test_subject_with_line_breaks_comes_out_on_one_line(name):
    subject = _render(name, "en", subject="Hello\r\nBcc: x@y\n\tmore").subject
    assert "\r" not in subject and "\n" not in subject
    assert subject.endswith("Hello Bcc: x@y more")


def test_user_text_is_escaped_in_html_and_verbatim_in_text():
    script = "<script>alert(1)</script>"
    rendered = _render("agent_replied", "en", subject=script, reply_body=f"Hi\n{script}")
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert rendered.text.count(script) == 2
    assert script in rendered.subject


def test_message_body_keeps_its_lines_in_html():
    assert "Please try again.<br>\nIt works now." in _render("agent_replied", "en").html
    assert str(nl2br("a <b>\r\nc")) == "a &lt;b&gt;<br>\nc"


def test_attachments_are_links_and_optional():
    html = _render("agent_replied", "en").html
    assert '<a href="http://localhost:8501/a/1"' in html and "steps.pdf" in html
    assert "steps.pdf" not in _render("agent_replied", "en", attachments=[]).html


@pytest.mark.parametrize(("locale", "labels"), [("en", ["Very bad", "Very good"]), ("es", ["Muy mal", "Muy bien"])])
def test_survey_offers_five_translated_one_click_scores(locale, labels):
    rendered = _render("ticket_solved", locale)
    for score in range(1, 6):
        assert f'href="http://localhost:8501/survey?score={score}"' in rendered.html
        assert f"http://localhost:8501/survey?score={score}" in rendered.text
    for label in labels:
        assert label in rendered.html and label in rendered.text


def test_unknown_locale_falls_back_to_english():
    assert _render("verify_email", "fr") == _render("verify_email", "en")
    assert _render("verify_email", "es-MX") == _render("verify_email", "es")


def test_unknown_template_is_refused():
    with pytest.raises(ValueError, match="unknown email template"):
        render("../base", "en")


def test_summary_cuts_long_descriptions_at_a_word():
    assert summarize("short") == "short"
    summary = summarize("word " * 100)
    assert len(summary) <= 301 and summary.endswith("word…")
