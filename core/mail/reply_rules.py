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
    """An alternation of phrases; those in alphabets with spaces between words match whole words only.

    One look-behind for the whole alternation (not one per phrase) keeps a search linear and quick.
    """
    def body(phrase: str) -> str:
        return re.escape(phrase).replace(r"\ ", r"\s+")

    spaced = [phrase for phrase in phrases if ord(phrase[0]) < 0x3000]
    cjk = [phrase for phrase in phrases if ord(phrase[0]) >= 0x3000]
    parts = []
    if spaced:  # the look-ahead of first letters lets the search skip most positions at once
        first = "".join(sorted({re.escape(char) for phrase in spaced
                                for char in (phrase[0].lower(), phrase[0].upper())}))
        parts.append(rf"(?=[{first}])(?<![^\W_])(?:" + "|".join(body(phrase) for phrase in spaced) + r")(?![^\W_])")
    if cjk:
        first = "".join(sorted({re.escape(phrase[0]) for phrase in cjk}))
        parts.append(rf"(?=[{first}])(?:" + "|".join(body(phrase) for phrase in cjk) + ")")
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
def _footer(phrase: str) -> str:
    parts = [re.escape(part.strip()).replace(r"\ ", r"[ \t]+") for part in phrase.split("…")]
    return r"[^\n:]{0,60}".join(parts)


_LINK = r"(?:[ \t]*<[^<>\s]{1,300}>)?"
_MOBILE = _all("mobile")
_MOBILE_ENDS = tuple(phrase.lstrip("…").strip().lower() for phrase in _MOBILE if phrase.startswith("…"))
MOBILE_START = re.compile(rf"^[ \t]*(?:{'|'.join(_footer(p) for p in _MOBILE if not p.startswith('…'))})"
                          rf"[ \t]*\.?{_LINK}[ \t]*$", FLAGS)
MOBILE_END = re.compile(rf"^[ \t]*(?:{'|'.join(_footer(p) for p in _MOBILE if p.startswith('…'))})[ \t]*\.?[ \t]*$",
                        FLAGS)


def is_mobile(stripped: str) -> bool:
    """A mobile footer line (`stripped` of spaces); the verb-last forms are tried only if the end fits."""
    if len(stripped) > 120:
        return False
    if stripped.rstrip(".").lower().endswith(_MOBILE_ENDS):
        return MOBILE_END.match(stripped) is not None
    return MOBILE_START.match(stripped) is not None


SIGNOFF = re.compile(rf"^[ \t]*{_words(_all('signoffs'))}[ \t]*[,.!]?[ \t]*$", FLAGS)
LIST_FOOTER = re.compile("|".join(re.escape(phrase) for phrase in LIST_FOOTERS), FLAGS)


_FIELD_FIRST = frozenset("*" + "".join(name[0].lower() + name[0].upper() for names in _FIELDS.values()
                                       for name in names.split("|")))


_FIRST_WORD = re.compile(r"[ \t*_=-]*([^\s:：*]{1,40})")


def _first_words(phrases: list[str]) -> frozenset[str]:
    return frozenset(re.split(r"[\s:：*…]+", phrase.strip("…").strip())[0].lower() for phrase in phrases)


# the first word of every phrase a marker line can start with: most lines are ruled out by one look-up
MARKER_WORDS = (_first_words(_all("separators") + _all("forwards") + [p for p in _MOBILE if not p.startswith("…")])
                | _first_words([name for names in _FIELDS.values() for name in names.split("|")]))


_CJK_STARTS = tuple(word for word in MARKER_WORDS if word and ord(word[0]) >= 0x3000)


def may_be_marker(stripped: str) -> bool:
    """False when the line (`stripped` of spaces) cannot start a rule, footer or header block."""
    if stripped[:1] in "-_=*" or stripped.startswith(_CJK_STARTS):
        return True
    if stripped.rstrip(".").lower().endswith(_MOBILE_ENDS):
        return True
    word = _FIRST_WORD.match(stripped)
    return word is not None and word.group(1).lower() in MARKER_WORDS


def field_kind(line: str) -> str | None:
    """The kind of Outlook header field a line starts with ("from", "sent", "to", "cc", "subject")."""
    stripped = line.lstrip(" \t")
    match = FIELD.match(line) if stripped[:1] in _FIELD_FIRST else None
    return match.lastgroup if match else None
