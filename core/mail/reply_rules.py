"""The phrases of `core.mail.reply_phrases`, all languages together, as a few line matchers.

Every pattern is anchored, matches one line (or a few joined, at most HEADER_MAX characters) and
has no nested repetition, so hostile input cannot make it backtrack for long.
"""

from __future__ import annotations

import re

from core.mail.reply_phrases import LANGUAGES, LIST_FOOTERS

HEADER_MAX = 400  # characters of a reply header, over at most HEADER_LINES lines
HEADER_LINES = 5


def _all(attribute: str) -> list[str]:
    phrases = {phrase for language in LANGUAGES.values() for phrase in getattr(language, attribute)}
    return sorted(phrases, key=len, reverse=True)  # longest first: "napisał(a)" before "napisał"


def _words(phrases: list[str]) -> str:
    """An alternation of phrases; those in alphabets with spaces between words match whole words only."""
    parts = []
    for phrase in phrases:
        body = re.escape(phrase).replace(r"\ ", r"\s+")
        if ord(phrase[0]) < 0x3000:  # not CJK: a whole word
            body = rf"(?<![^\W_]){body}" + (r"(?![^\W_])" if phrase[-1].isalnum() else "")
        parts.append(body)
    return "(?:" + "|".join(parts) + ")"


def _field_names() -> dict[str, str]:
    kinds: dict[str, set[str]] = {}
    for language in LANGUAGES.values():
        for kind, names in language.fields.items():
            kinds.setdefault(kind, set()).update(names)
    return {kind: "|".join(re.escape(name).replace(r"\ ", " ") for name in sorted(names, key=len, reverse=True))
            for kind, names in kinds.items()}


FLAGS = re.IGNORECASE
LEADS = _words(_all("leads"))
WROTE = re.compile(_words(_all("wrote")), FLAGS)

# a header starts with a lead word or a date ("2014-10-17 11:28", "2022年1月1日", "02.03.2026")
HEADER_START = re.compile(rf"^[ \t]*(?:{LEADS}[ \t]|\d)", FLAGS)
# where a header starts in the middle of a line: after a sentence ("Thanks! On Tue, ... wrote:")
HEADER_INSIDE = re.compile(rf"(?<=[.!?)])[ \t]+(?={LEADS}[ \t])", FLAGS)
HEADER_END = re.compile(r"[:：][ \t]*$|[ \t]-{2,}[ \t]*$")
# an address closing the header, "Ana <ana@x.example>:" (Gmail in ru, ja, ko, zh and ISO dates)
ADDRESS_END = re.compile(r"\S@[^\s@<>]{1,250}[>\]]?[ \t]*[:：][ \t]*$")
# an address, then one word: "Ana <ana@x.example> sent:", "<ana@x.example> пишет:" (with a date)
ADDRESS_VERB_END = re.compile(r"\S@[^\s@<>]{1,250}[>\]]?[ \t]+[^\W\d_]{2,14}[ \t]*[:：][ \t]*$")
DATE = re.compile(r"\d{4}|\d{1,2}[:.h]\d{2}|\d[年月日년월일]")
ADDRESS = re.compile(r"\w@\w")
DASHED = re.compile(r"^[ \t]*-{2,}[ \t]*\S.{0,200}[ \t]-{2,}[ \t]*$")  # "---- John Smith wrote ----"

_FIELDS = _field_names()
FIELD = re.compile(r"^[ \t]*\*{0,2}(?:" + "|".join(
    f"(?P<{kind}>{names})" for kind, names in _FIELDS.items()) + r")[ \t]*\*{0,2}[ \t]*[:：]", FLAGS)
ANY_FIELD = re.compile(r"^[ \t]*\*{0,2}[^\W\d_][\w .-]{0,24}\*{0,2}[ \t]*[:：][ \t]*\S")
BLOCK_LINES = 12  # an Outlook header block (From ... Subject) fits in this many lines, wrapped values included

_RULE_TITLES = _words(_all("separators") + _all("forwards"))
_FORWARD_TITLES = _words(_all("forwards"))
# "-----Original Message-----", "-------- Message transféré --------", "Begin forwarded message:"
SEPARATOR = re.compile(rf"^[ \t]*(?:[-_=*]{{2,}}[ \t]*{_RULE_TITLES}[ \t]*[-_=*]{{2,}}|{_RULE_TITLES}[ \t]*:)[ \t]*$",
                       FLAGS)
FORWARD = re.compile(rf"^[ \t]*(?:[-_=*]{{2,}}[ \t]*{_FORWARD_TITLES}[ \t]*[-_=*]{{2,}}|{_FORWARD_TITLES}[ \t]*:)"
                     rf"[ \t]*$", FLAGS)
RULE = re.compile(r"^[ \t]*(?:_{5,}|-{5,}|={5,})[ \t]*$")

# "Sent from my iPhone", "Enviado desde mi oficina móvil BlackBerry® de Telcel", "iPhoneから送信"
_LINK = r"(?:[ \t]*<[^<>\s]{1,300}>)?"
MOBILE = re.compile(rf"^[ \t]*(?:{_words(_all('mobile'))}[ \t][^\n:]{{0,70}}|[^\n:]{{0,40}}"
                    rf"(?:{'|'.join(re.escape(end) for end in _all('mobile_ends'))})){_LINK}[ \t]*$", FLAGS)
SIGNOFF = re.compile(rf"^[ \t]*{_words(_all('signoffs'))}[ \t]*[,.!]?[ \t]*$", FLAGS)
LIST_FOOTER = re.compile("|".join(re.escape(phrase) for phrase in LIST_FOOTERS), FLAGS)


def field_kind(line: str) -> str | None:
    """The kind of Outlook header field a line starts with ("from", "sent", "to", "cc", "subject")."""
    match = FIELD.match(line)
    return match.lastgroup if match else None
