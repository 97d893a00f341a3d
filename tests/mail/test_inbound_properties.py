"""parse never raises and never silently drops the plain text of an email, whatever it is fed.

`_parse` (without the safety net of `parse`) is checked too, so the net hides no bug.
"""

from __future__ import annotations

import base64
import quopri
import time
from dataclasses import dataclass
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.mail.inbound import Parsed, _parse, parse
from core.mail.quotes import html_to_text, strip_quotes

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789áéíóúñÑü"
WORDS = st.lists(st.text(LETTERS, min_size=1, max_size=12), min_size=1, max_size=25)
# (how the bytes are encoded, what the part declares): some declarations are wrong or unknown on purpose
CHARSETS = [
    ("utf-8", "utf-8"), ("latin-1", "iso-8859-1"), ("cp1252", "windows-1252"), ("iso-8859-15", "iso-8859-15"),
    ("latin-1", "utf-8"), ("utf-8", "iso-8859-1"), ("latin-1", "us-ascii"), ("latin-1", "x-no-such-charset"),
    ("utf-8", None), ("latin-1", "rot13"), ("utf-8", "utf-8*es"),
]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "x-unknown"]
HEADER_NAMES = ["Subject", "From", "To", "Cc", "Message-ID", "In-Reply-To", "References", "Date", "Auto-Submitted",
                "Precedence", "Return-Path", "Delivered-To", "X-Random"]


def _assert_parsed(raw: bytes) -> Parsed:
    parsed = parse(raw)
    assert isinstance(parsed, Parsed)
    assert _parse(raw) == parsed
    assert parsed.date is None or parsed.date.tzinfo is not None
    assert bool(parsed.visible) == bool(parsed.text)  # never lose a message
    for value in (parsed.text, parsed.visible, parsed.subject, parsed.from_name):
        assert "\x00" not in value
        value.encode("utf-8")  # no lone surrogates: the text can be stored
    return parsed


@given(st.binary(max_size=4000))
@SETTINGS
def test_random_bytes_never_raise(raw: bytes):
    _assert_parsed(raw)


@given(st.lists(st.tuples(st.sampled_from(HEADER_NAMES), st.binary(max_size=200)), max_size=8),
       st.binary(max_size=2000))
@SETTINGS
def test_random_headers_and_body_bytes_never_raise(headers: list[tuple[str, bytes]], body: bytes):
    raw = b"".join(name.encode() + b": " + value + b"\r\n" for name, value in headers) + b"\r\n" + body
    _assert_parsed(raw)


@given(st.text(max_size=2000))
@SETTINGS
def test_html_conversion_never_raises(html: str):
    converted = html_to_text(html)
    assert converted.full.startswith(converted.reply.rstrip()) or not converted.reply.strip()


QUOTE_LINES = st.sampled_from([
    "> quoted", ">", "-- ", "--", "On Mon, 2 Mar 2026, Ana <a@b.example> wrote:", "El lun, 2 mar 2026, Ana escribió:",
    "-----Original Message-----", "From: Ana", "Sent: Monday", "Subject: hi", "Sent from my iPhone", "",
    "Begin forwarded message:", "________________________________",
])


@given(st.lists(QUOTE_LINES | st.text(LETTERS + " ->:", max_size=30), max_size=40))
@SETTINGS
def test_strip_quotes_keeps_lines_intact(lines: list[str]):
    text = "\n".join(lines)
    visible = strip_quotes(text)
    source = {line.rstrip() for line in lines}
    assert not visible or set(visible.split("\n")) <= source


# --- random MIME trees --------------------------------------------------------------------------

@dataclass(frozen=True)
class Plain:
    words: list[str]
    charset: tuple[str, str | None]
    encoding: str
    lines: bool  # words on separate lines


@dataclass(frozen=True)
class Html:
    words: list[str]
    charset: tuple[str, str | None]
    encoding: str


@dataclass(frozen=True)
class Binary:
    content: bytes
    content_type: str
    filename: str | None
    disposition: str | None


@dataclass(frozen=True)
class Multi:
    subtype: str
    children: list[object]


PLAIN = st.builds(Plain, WORDS, st.sampled_from(CHARSETS), st.sampled_from(ENCODINGS), st.booleans())
HTML = st.builds(Html, WORDS, st.sampled_from(CHARSETS), st.sampled_from(ENCODINGS))
BINARY = st.builds(
    Binary, st.binary(max_size=300),
    st.sampled_from(["image/png", "application/octet-stream", "application/pdf", "text/plain", "text/html",
                     "message/rfc822"]),
    st.none() | st.text(LETTERS + " ./\\\x00\t", max_size=40), st.sampled_from([None, "inline", "attachment"]),
)
TREES = st.recursive(
    PLAIN | HTML | BINARY,
    lambda children: st.builds(Multi, st.sampled_from(["mixed", "alternative", "related"]),
                               st.lists(children, min_size=1, max_size=4)),
    max_leaves=10,
)


def _encoded(data: bytes, encoding: str) -> str:
    if encoding == "base64":
        return base64.encodebytes(data).decode("ascii")
    if encoding == "quoted-printable":
        return quopri.encodestring(data).decode("ascii")
    return data.decode("ascii", "surrogateescape")  # raw bytes, written back as they are


def _text_part(subtype: str, text: str, charset: tuple[str, str | None], encoding: str) -> Message:
    part = MIMENonMultipart("text", subtype)
    if charset[1] is not None:
        part.set_param("charset", charset[1])
    part["Content-Transfer-Encoding"] = encoding
    part.set_payload(_encoded(text.encode(charset[0]), encoding))
    return part


def _build(node: object) -> Message:
    if isinstance(node, Multi):
        message = MIMEMultipart(node.subtype)
        for child in node.children:
            message.attach(_build(child))
        return message
    if isinstance(node, Plain):
        return _text_part("plain", ("\n" if node.lines else " ").join(node.words), node.charset, node.encoding)
    if isinstance(node, Html):
        return _text_part("html", "<p>" + " ".join(node.words) + "</p>", node.charset, node.encoding)
    assert isinstance(node, Binary)
    part = MIMENonMultipart(*node.content_type.split("/"))
    if node.filename is not None:
        part.add_header("Content-Disposition", node.disposition or "attachment", filename=node.filename)
    elif node.disposition:
        part["Content-Disposition"] = node.disposition
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(node.content).decode("ascii"))
    return part


def _plain_words(node: object) -> list[str]:
    if isinstance(node, Multi):
        return [word for child in node.children for word in _plain_words(child)]
    return list(node.words) if isinstance(node, Plain) else []


HEADER_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=120)
RAW_HEADER_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120)


def _raw(tree: object, headers: list[tuple[str, str]]) -> bytes:
    head = b"".join(f"{name}: {value}\r\n".encode("utf-8", "surrogateescape") for name, value in headers)
    return head + _build(tree).as_bytes()


@given(TREES, st.lists(st.tuples(st.sampled_from(HEADER_NAMES), HEADER_TEXT), max_size=6))
@SETTINGS
def test_random_mime_trees_keep_every_plain_text_word(tree: object, headers: list[tuple[str, str]]):
    parsed = _assert_parsed(_raw(tree, headers))
    missing = [word for word in _plain_words(tree) if word not in parsed.text]
    assert missing == []
    if _plain_words(tree):
        assert parsed.visible.strip()


@given(TREES, st.lists(st.tuples(st.sampled_from(HEADER_NAMES), RAW_HEADER_TEXT), max_size=6))
@SETTINGS
def test_random_mime_trees_with_broken_headers_never_raise(tree: object, headers: list[tuple[str, str]]):
    _assert_parsed(_raw(tree, headers))


# --- hand-picked nasty inputs ------------------------------------------------------------------

def _timed(raw: bytes) -> tuple[Parsed, float]:
    start = time.perf_counter()
    parsed = parse(raw)
    return parsed, time.perf_counter() - start


def test_huge_headers_are_parsed_quickly():
    raw = b"To: " + b'a@b.example, "x" <' * 60_000 + b"\nSubject: " + b"=?utf-8?q?x?= " * 60_000 + b"\n\nbody"
    parsed, seconds = _timed(raw)
    assert parsed.text == "body"
    assert seconds < 5


def _nested(levels: int) -> bytes:
    parts = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (n, n) for n in range(levels))
    return b"From: ana@example.org\n" + parts + b"Content-Type: text/plain\n\nthe words at the bottom\n"


def test_deep_nesting_is_walked_to_the_bottom():
    parsed, seconds = _timed(_nested(400))
    assert parsed.text == "the words at the bottom"
    assert seconds < 5


def test_nesting_too_deep_for_the_parser_keeps_the_headers_and_the_text():
    parsed, seconds = _timed(_nested(1500))  # the email package gives up with a RecursionError
    assert parsed.from_address == "ana@example.org"
    assert "the words at the bottom" in parsed.text
    assert seconds < 10


def test_nul_bytes_and_control_characters_are_dropped():
    parsed = _assert_parsed(b"From: a\x00na@example.org\nSubject: hi\x00\x07 there\n\nhel\x00lo\x1b wor\rld\n")
    assert parsed.subject == "hi there"
    assert parsed.text == "hello wor\nld"


def test_not_an_email_gives_empty_fields():
    parsed = _assert_parsed(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert (parsed.message_id, parsed.from_address, parsed.subject, parsed.attachments) == (None, None, "", [])


def test_unknown_charsets_fall_back_to_latin_1():
    raw = (b"Subject: =?x-klingon?q?caf=E9?=\nContent-Type: text/plain; charset=x-klingon\n"
           b"Content-Transfer-Encoding: 8bit\n\ncaf\xe9 cr\xe8me\n")
    parsed = _assert_parsed(raw)
    assert (parsed.subject, parsed.text) == ("café", "café crème")


def test_raw_utf8_headers_are_read():
    parsed = _assert_parsed("From: José <jose@example.org>\nSubject: ¿Qué tal?\n\nx".encode())
    assert (parsed.from_name, parsed.subject) == ("José", "¿Qué tal?")
