"""The hand-made corpus: the visible reply of each email, and what else each one must yield.

Every `corpus/NAME.eml` has a sibling `NAME.expected.txt` with the exact visible text.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.mail.inbound import Parsed, clean_text, decode_bytes, is_own_address, normalize_message_id, parse, thread_ids
from core.mail.quotes import html_to_text, strip_quotes
from core.tickets.attachments import sniff

CORPUS = Path(__file__).parent / "corpus"
EMAILS = sorted(CORPUS.glob("*.eml"))


def _lines(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def _parse(stem: str) -> Parsed:
    return parse((CORPUS / f"{stem}.eml").read_bytes())


def test_the_corpus_has_an_expected_text_for_every_email():
    assert len(EMAILS) >= 16
    assert all(path.with_name(f"{path.stem}.expected.txt").exists() for path in EMAILS)


@pytest.mark.parametrize("path", EMAILS, ids=lambda path: path.stem)
def test_visible_is_the_reply_alone(path: Path):
    expected = path.with_name(f"{path.stem}.expected.txt").read_text(encoding="utf-8")
    assert _lines(parse(path.read_bytes()).visible) == _lines(expected)


@dataclass(frozen=True)
class Expect:
    message_id: str | None
    ticket_number: int | None = None
    auto_reason: str | None = None
    attachments: list[str] = field(default_factory=list)
    plus_tokens: list[str] = field(default_factory=list)


TABLE = {
    "apple_mail": Expect("<5B8E1A2F-3C4D-4E5F-8A9B-0C1D2E3F4A5B@icloud.example>", 102),
    "attachments": Expect("<20260304.100500.nadia@woodgrove.example>", 150, None, ["screenshot.png", "app.log"],
                          ["Q1w2"]),
    "bounce": Expect("<20260302090009.7C1D2E3F40@mx.mesa.example>", None, "bounce",
                     ["attachment-1.txt", "[#42] We received your request.eml"]),
    "forwarded": Expect("<9A8B7C6D-5E4F-4321-ABCD-EF0123456789@fabrikam.example>"),
    "gmail_html_only_es": Expect("<CAJ8pLm0Qw9e@mail.gmail.example>", 77),
    "gmail_reply": Expect("<CAF3xq9uK2p7TzQ+w@mail.gmail.example>", 42, plus_tokens=["k7Qx2"]),
    "iphone": Expect("<A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF@me.example>", 131, plus_tokens=["Zz9"]),
    "latin1": Expect("<5f2e.8c1d.jose@correo.example>"),
    "malformed": Expect(None, None, None, ["dump.bin"]),
    "mobile_es": Expect("<F0E1D2C3-B4A5-4697-8877-665544332211@correo.example>", 140),
    "newsletter": Expect("<newsletter.2026-03.123456@news.example>", None, "list"),
    "out_of_office": Expect("<AM0PR01MB1234OOF0001@AM0PR01MB1234.eurprd01.prod.outlook.example>", 57,
                            "auto-submitted", plus_tokens=["k7Qx2"]),
    "outlook_desktop_en": Expect("<AM0PR01MB1234A1B2C3D4E5F6@AM0PR01MB1234.eurprd01.prod.outlook.example>", 57),
    "outlook_desktop_es": Expect("<DB9PR02MB7788E1F2@DB9PR02MB7788.eurprd02.prod.outlook.example>", 61,
                                 plus_tokens=["R2d2"]),
    "outlook_ios": Expect("<BY5PR11MB4000AB12@BY5PR11MB4000.namprd11.prod.outlook.example>", 104),
    "outlook_plain_es": Expect("<000001dcab12$34a5b6c0$9ef01240$@contoso.example>", 70),
    "outlook_web_hr_es": Expect("<VI1PR05MB4455@VI1PR05MB4455.eurprd05.prod.outlook.example>", 93),
    "outlook_web_html": Expect("<PAXPR03MB9911C2B6@PAXPR03MB9911.eurprd03.prod.outlook.example>", 88, None,
                               ["attachment-1.png"]),
    "signature": Expect("<20260304110000.GA1234@contoso.example>"),
    "spanish_quoted": Expect("<CAL9e2Xw+7rK@mail.gmail.example>", 123, plus_tokens=["abc"]),
    "thunderbird_bottom_post": Expect("<8d3c1f0a-5e6b-4c2d-9a7e-1f2b3c4d5e6f@posteo.example>", 115),
    "thunderbird_original": Expect("<0e1f2a3b-4c5d-6e7f-8091-a2b3c4d5e6f7@tailspin.example>"),
}


def test_the_table_covers_the_corpus():
    assert sorted(TABLE) == [path.stem for path in EMAILS]


@pytest.mark.parametrize("stem", sorted(TABLE))
def test_what_each_email_yields(stem: str):
    parsed, expect = _parse(stem), TABLE[stem]
    assert parsed.message_id == expect.message_id
    assert parsed.ticket_number == expect.ticket_number
    assert parsed.auto_reason == expect.auto_reason
    assert [upload.filename for upload in parsed.attachments] == expect.attachments
    assert parsed.plus_tokens == expect.plus_tokens


ALTERNATIVES = ["apple_mail", "gmail_reply", "outlook_desktop_en", "outlook_desktop_es"]


@pytest.mark.parametrize("stem", ALTERNATIVES)
def test_the_html_alternative_alone_gives_the_same_reply(stem: str):
    message = email.message_from_bytes((CORPUS / f"{stem}.eml").read_bytes(), policy=email.policy.default)
    html = message.get_body(("html",))
    converted = html_to_text(clean_text(decode_bytes(html.get_payload(decode=True), html.get_content_charset())))
    expected = (CORPUS / f"{stem}.expected.txt").read_text(encoding="utf-8")
    assert _lines(strip_quotes(converted.reply)) == _lines(expected)


# --- details of single emails -------------------------------------------------------------------

def test_headers_are_decoded_and_addresses_lower_case():
    parsed = _parse("gmail_reply")
    assert parsed.from_address == "ana.garcia@gmail.example"
    assert parsed.from_name == "Ana García"
    assert parsed.to == ["support+k7qx2@mesa.example"]
    assert parsed.subject == "Re: [#42] Cannot log in after password reset"
    assert parsed.date == datetime(2026, 3, 2, 10, 24, 5, tzinfo=UTC)
    assert parsed.in_reply_to == ["<mesa.42.3.a1b2c3@mesa.example>"]
    assert parsed.references == ["<mesa.42.1.f00d@mesa.example>", "<mesa.42.3.a1b2c3@mesa.example>"]
    assert thread_ids(parsed) == ["<mesa.42.3.a1b2c3@mesa.example>", "<mesa.42.1.f00d@mesa.example>"]


def test_the_full_text_keeps_the_quoted_history():
    assert "> We reset your password." in _parse("gmail_reply").text
    assert "Hello Sara, could you send us the February invoice?" in _parse("outlook_web_html").text


def test_latin1_accents_survive_in_body_subject_and_name():
    parsed = _parse("latin1")
    assert parsed.subject == "No puedo acceder a mi cuenta ¿me ayudáis?"
    assert parsed.from_name == "José Muñoz"
    assert "mañana tengo que enviar las facturas" in parsed.text


def test_windows_1252_names_and_cc_list():
    parsed = _parse("outlook_desktop_es")
    assert parsed.subject == "RE: [#61] Informe mensual vacío"
    assert parsed.cc == ["jorge.perez@empresa.example"]
    assert _parse("signature").cc == ["finance@contoso.example", "sam.lee@contoso.example"]
    assert _parse("signature").from_name == "Ana Pérez"


def test_attachment_bytes_are_as_sent():
    png, log = _parse("attachments").attachments
    assert sniff(png.content) == "image/png"
    assert log.content.startswith(b"2026-03-04 10:00:01 INFO  app started\n")
    assert "Screenshot and log attached." in _parse("attachments").text


def test_a_bounce_keeps_the_report_and_the_returned_message():
    report, returned = _parse("bounce").attachments
    assert b"Status: 5.1.1" in report.content
    assert parse(returned.content).message_id == "<mesa.42.1.f00d@mesa.example>"


def test_a_malformed_email_still_gives_its_sender_and_text():
    parsed = _parse("malformed")
    assert (parsed.message_id, parsed.date) == (None, None)
    assert parsed.from_address == "pat@example.org"
    assert parsed.attachments[0].content == bytes(range(6))


# --- beyond the corpus --------------------------------------------------------------------------

@pytest.mark.parametrize("history", [
    "-------- Mensaje original --------\nAsunto: Aviso\nDe: Proveedor <a@b.example>\n\nTexto antiguo",
    "-----Original Message-----\nFrom: Support\nSent: Monday\nSubject: Old\n\nOld text",
    "Inicio del mensaje reenviado:\n\nDe: Laura <l@b.example>\nAsunto: Error\n\nTexto",
    "---------- Forwarded message ---------\nFrom: Laura <l@b.example>\n\nOld",
    "Sent from my Android\n\nOn Mon, 2 Mar 2026, 10:00 Support <s@m.example> wrote:\n> old",
    "Enviado desde mi móvil\n\nEl lun., 2 mar. 2026 10:00, Soporte <s@m.example> escribió:\n> viejo",
    "Obtener Outlook para iOS\n________________________________\nDe: Soporte <s@m.example>\nEnviado: lunes\n"
    "Para: Ana\nAsunto: [#1] Hola\n\nTexto viejo",
    "De: Soporte <s@m.example>\nEnviado el: lunes, 2 de marzo de 2026 10:00\nPara: Ana\nAsunto: RE: Hola\n\nViejo",
    "El lun, 3 mar 2026 a las 10:00, Soporte <\nsupport+abc@mesa.example> escribió:\n\n> viejo",
    "--\nAna\n+34 600 000 000",
])
def test_history_and_signatures_after_the_reply_are_cut(history: str):
    assert strip_quotes(f"Thanks, it works now.\n\n  - step one\n  - step two\n\n{history}") == (
        "Thanks, it works now.\n\n  - step one\n  - step two")


def test_inline_answers_between_quotes_are_kept():
    text = "On Mon, 2 Mar 2026, Support wrote:\n> Which browser?\n\nFirefox.\n\n> Which version?\n\n135.\n"
    assert strip_quotes(text) == "Firefox.\n\n135."


def test_a_reply_header_without_a_quote_cuts_what_follows():
    assert strip_quotes("Yes.\n\nOn Mon, 2 Mar 2026 at 10:00, Support wrote:\nOld text\n") == "Yes."


@pytest.mark.parametrize("text", [
    "El técnico escribió:\nque había que reiniciar el router.",
    "On the other hand, my colleague wrote:\nthe report is fine.",
    "From: the logs I see this.\nSubject: nothing else.",
])
def test_prose_that_looks_like_a_marker_is_kept(text: str):
    assert strip_quotes(text) == text


def test_a_message_that_is_only_history_is_shown_whole():
    raw = b"From: a@b.example\nSubject: x\n\n> only a quote\n> nothing else\n"
    assert parse(raw).visible == "> only a quote\n> nothing else"


def _raw(*headers: str, content_type: str = "text/plain") -> bytes:
    head = "\n".join(("From: Ana <ana@example.org>", f"Content-Type: {content_type}", *headers))
    return f"{head}\n\nHello\n".encode()


@pytest.mark.parametrize(("headers", "reason"), [
    ((), None),
    (("Auto-Submitted: no",), None),
    (("Auto-Submitted: auto-generated",), "auto-submitted"),
    (("Auto-Submitted: auto-replied; owner-email=x@y.example",), "auto-submitted"),
    (("Precedence: bulk",), "precedence"),
    (("Precedence: auto_reply",), "precedence"),
    (("Precedence: first-class",), None),
    (("X-Autoreply: yes",), "x-autoreply"),
    (("X-Autorespond: yes",), "x-autoreply"),
    (("X-Auto-Response-Suppress: OOF",), "auto-response-suppress"),
    (("List-Id: <news.example.org>",), "list"),
    (("Return-Path: <>",), "bounce"),
    (("Return-Path: <ana@example.org>",), None),
    (("Auto-Submitted: auto-replied", "Precedence: bulk", "List-Id: x"), "auto-submitted"),
    (("Precedence: list", "List-Id: <l.example.org>"), "precedence"),
])
def test_auto_reason(headers: tuple[str, ...], reason: str | None):
    assert parse(_raw(*headers)).auto_reason == reason


def test_bounces_come_first_among_the_reasons():
    assert parse(_raw("Auto-Submitted: auto-replied", content_type="multipart/report")).auto_reason == "bounce"
    assert parse(b"From: postmaster@example.org\nAuto-Submitted: auto-replied\n\nx").auto_reason == "bounce"
    assert parse(b"From: MAILER-DAEMON\n\nx").auto_reason == "bounce"


def test_is_own_address_knows_our_plus_addresses():
    ours = ["support@mesa.example", "Mesa Support <help@mesa.example>"]
    assert is_own_address(parse(b"From: Mesa <Support+k7Qx2@Mesa.example>\n\nx"), ours)
    assert is_own_address(parse(b"From: help@mesa.example\n\nx"), ours)
    assert not is_own_address(parse(b"From: ana@example.org\n\nx"), ours)
    assert not is_own_address(parse(b"Subject: no sender\n\nx"), ours)


@pytest.mark.parametrize(("value", "expected"), [
    ("<abc@host>", "<abc@host>"),
    ("  <abc@host> (comment)", "<abc@host>"),
    ("abc@host", "<abc@host>"),
    ("\t<abc@host>\r\n", "<abc@host>"),
    ("plain-token", "<plain-token>"),
    ("two words", None),
    ("", None),
    ("<>", None),
    (None, None),
    ("<" + "x" * 1000 + "@h>", None),
])
def test_normalize_message_id(value: str | None, expected: str | None):
    assert normalize_message_id(value) == expected


def test_thread_ids_have_no_duplicates_most_recent_first():
    parsed = Parsed(in_reply_to=["<c@x>"], references=["<a@x>", "<b@x>", "<c@x>"])
    assert thread_ids(parsed) == ["<c@x>", "<b@x>", "<a@x>"]


def test_ticket_number_and_plus_tokens_from_the_headers():
    parsed = parse(b"To: Support <support+T0k@mesa.example>, bob@x.example\nCc: support+two@mesa.example\n"
                   b"Delivered-To: support+T0k@mesa.example\nSubject: RE: Fwd: [#0012] hi [#99]\n\nx")
    assert parsed.plus_tokens == ["T0k", "two"]
    assert parsed.ticket_number == 12
