"""The reply corpus in 19 languages (corpus/LANG/CLIENT_N.eml): exact replies, no customer line lost.

The samples are made by corpus/make_corpus.py and committed; docs/email.md has the table per
language and client (python -m bench.replies prints it).
"""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from bench.replies import big_reply, big_text, lines, lost_lines
from core.mail.inbound import clean_text, decode_bytes, parse
from core.mail.quotes import html_to_text, split_reply, strip_quotes

CORPUS = Path(__file__).parent / "corpus"
SAMPLES = sorted(CORPUS.glob("*/*.eml"))
LANGUAGES = {"es", "en", "pt", "fr", "de", "it", "nl", "pl", "sv", "da", "nb", "fi", "ru", "uk", "tr", "ja", "zh",
             "ko", "vi"}
# samples whose visible text is not exactly the expected reply, each with the reason (none lose a line)
KNOWN_MISSES: dict[str, str] = {}


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _expected(path: Path) -> str:
    return path.with_name(f"{path.stem}.expected.txt").read_text(encoding="utf-8")


def test_the_corpus_covers_19_languages_with_200_samples():
    assert len(SAMPLES) >= 200
    assert {path.parent.name for path in SAMPLES} == LANGUAGES
    assert all(path.with_name(f"{path.stem}.expected.txt").exists() for path in SAMPLES)
    assert set(KNOWN_MISSES) <= {_name(path) for path in SAMPLES}


@pytest.mark.parametrize("path", SAMPLES, ids=_name)
def test_the_visible_text_is_the_reply(path: Path):
    if _name(path) in KNOWN_MISSES:
        pytest.xfail(KNOWN_MISSES[_name(path)])
    assert lines(parse(path.read_bytes()).visible) == lines(_expected(path))


@pytest.mark.parametrize("path", SAMPLES, ids=_name)
def test_no_customer_line_is_lost(path: Path):
    assert lost_lines(parse(path.read_bytes()).visible, _expected(path)) == []


ALTERNATIVES = [path for path in SAMPLES if b"multipart/alternative" in path.read_bytes()]


@pytest.mark.parametrize("path", ALTERNATIVES, ids=_name)
def test_the_html_alternative_alone_gives_the_same_reply(path: Path):
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    html = message.get_body(("html",))
    converted = clean_text(decode_bytes(html.get_payload(decode=True), html.get_content_charset()))
    assert lines(strip_quotes(clean_text(html_to_text(converted).reply))) == lines(_expected(path))


@pytest.mark.parametrize("path", SAMPLES, ids=_name)
def test_what_is_cut_and_what_is_shown_make_up_the_whole_text(path: Path):
    text = parse(path.read_bytes()).text
    visible, cut = split_reply(text)
    if visible and cut:
        shown = set(lines(visible)) | set(lines(cut))
        words = {word for line in shown for word in line.split()}
        assert all(word in words for line in lines(text) for word in line.split() if not line.startswith(">"))


def test_the_cut_part_is_the_history():
    visible, cut = split_reply("Fixed, thanks.\n\nOn Mon, 2 Mar 2026 at 10:00, Mesa <s@m.example> wrote:\n"
                               "> Try again?\n")
    assert (visible, cut) == ("Fixed, thanks.", "On Mon, 2 Mar 2026 at 10:00, Mesa <s@m.example> wrote:\n"
                                                "> Try again?")
    assert split_reply("Just text.") == ("Just text.", "")


def test_a_forward_at_the_top_is_kept_whole():
    text = "---------- Forwarded message ---------\nFrom: Bank <b@bank.example>\nSubject: Paid\n\nPaid."
    assert split_reply(text) == (text, "")


# --- size and hostile input (correctness only: the timings are in python -m bench.replies) ----------

def test_a_1_mb_reply_keeps_the_reply_and_cuts_the_quote():
    visible, cut = split_reply(big_reply())
    assert visible == "Hello,\n\nthe export still fails with the same error.\n\nThanks,\nAna"
    assert len(cut) > 1_000_000


def test_a_1_mb_reply_without_history_is_kept_whole():
    text = big_text()
    assert strip_quotes(text) == text.strip("\n")


@pytest.mark.parametrize("text", [
    "On " + "1" * 200_000 + " wrote:",
    ("On 2 Mar 2026, " + "a " * 150 + "\n") * 2000 + "wrote:",
    "-" * 300_000 + " Original Message " + "-" * 3,
    "Sent from my " + "x" * 300_000,
    ("From: " + "a@b." * 50 + "\n") * 3000,
    "x@" * 200_000 + ":",
    ("> " * 5000 + "\n") * 50 + "reply",
    "On Mon, 2 Mar 2026 " + "<" * 100_000 + " wrote:\n> x",
    ("\u5199\u9053" * 100_000) + "：",
])
def test_hostile_input_is_handled_and_keeps_its_lines(text: str):
    visible, cut = split_reply(text)
    assert set(lines(visible)) | set(lines(cut)) >= {line for line in lines(text) if line.strip()} - {""}
