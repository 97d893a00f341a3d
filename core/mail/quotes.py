"""Finding the reply in an email body: HTML turned into text, quoted history and signatures cut off.

Pure text functions, English and Spanish. They never raise on odd input and never lose the
reply: `strip_quotes` returns "" only when nothing but history is left, and the caller then
shows the whole text instead.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import NamedTuple

# --- plain text -----------------------------------------------------------------------------

_QUOTED = re.compile(r"^[ \t]*>")
_REPLY_HEADER_START = re.compile(r"^[ \t]*(On|El)\s")
_REPLY_HEADER = re.compile(r"^\s*(On\s.*\swrote|El\s.*\sescribi[óo])\s*:\s*$", re.DOTALL)
_REPLY_HEADER_MAX = 400  # characters, over at most three lines (mail clients wrap long names)
_SEPARATOR = re.compile(
    r"^\s*-{2,}\s*(Original Message|Mensaje original|Forwarded message|Mensaje reenviado)\s*-{2,}\s*$", re.IGNORECASE
)
_FORWARD = re.compile(r"^\s*(Begin forwarded message|Inicio del mensaje reenviado)\s*:\s*$", re.IGNORECASE)
_FOOTER = re.compile(
    r"^\s*(Sent from my \S.{0,30}|Enviado desde mi \S.{0,30}|Get Outlook for (iOS|Android)|"
    r"Obtener Outlook para (iOS|Android))\s*(<[^<>\s]*>)?\s*$",  # Outlook mobile appends <link>
    re.IGNORECASE,
)
_BLOCK_FROM = re.compile(r"^\s*\*?(From|De)\s*:")
_BLOCK_SENT = re.compile(r"^\s*\*?(Sent|Date|Enviado(\s+el)?|Fecha)\s*:", re.IGNORECASE)
_BLOCK_SUBJECT = re.compile(r"^\s*\*?(Subject|Asunto)\s*:", re.IGNORECASE)
_BLOCK_LINES = 8  # From ... Subject of an Outlook header block fit in this many lines
_RULE = re.compile(r"^\s*[_\-=]{5,}\s*$")


def _is_sig_dash(line: str) -> bool:
    """The "-- " signature separator; many clients trim its space, so "--" counts too."""
    return line.rstrip() == "--"


def _reply_header_end(lines: list[str], start: int) -> int | None:
    """Last line of an "On ... wrote:" / "El ... escribió:" header starting at `start`, if one does."""
    if not _REPLY_HEADER_START.match(lines[start]):
        return None
    for end in range(start, min(start + 3, len(lines))):
        if end > start and not lines[end].strip():
            return None
        joined = " ".join(line.strip() for line in lines[start:end + 1])
        if len(joined) > _REPLY_HEADER_MAX:
            return None
        if _REPLY_HEADER.match(joined) and any(char.isdigit() for char in joined):  # a date: not prose
            return end
    return None


def _is_header_block(lines: list[str], start: int) -> bool:
    """Outlook's "From: / Sent: / To: / Subject:" (or "De: / Enviado: / Para: / Asunto:") block."""
    if not _BLOCK_FROM.match(lines[start]):
        return False
    block = []
    for line in lines[start + 1:start + _BLOCK_LINES]:
        if not line.strip():
            break
        block.append(line)
    return any(_BLOCK_SENT.match(line) for line in block) and any(_BLOCK_SUBJECT.match(line) for line in block)


def _history_start(lines: list[str]) -> int:
    """Index of the first line that begins quoted history or a signature (len(lines) if none)."""
    for index, line in enumerate(lines):
        if _QUOTED.match(line):
            continue
        if _is_sig_dash(line) or _SEPARATOR.match(line) or _FORWARD.match(line) or _FOOTER.match(line):
            return index
        if _is_header_block(lines, index):
            above = index - 1
            while above >= 0 and not lines[above].strip():
                above -= 1
            return above if above >= 0 and _RULE.match(lines[above]) else index
    return len(lines)


def _next_text_line(lines: list[str], start: int, end: int) -> int | None:
    for index in range(start, end):
        if lines[index].strip():
            return index
    return None


def strip_quotes(text: str) -> str:
    """The reply alone: quoted lines, reply headers, forwarded or original messages and signatures removed.

    An "On ... wrote:" header followed by `>` lines only introduces a quote: the header and the
    quote go, and text after the quote stays (bottom-posting and inline answers). A header
    followed by unquoted text, and every other marker, cuts everything after it.
    Returns "" when nothing is left.
    """
    lines = text.split("\n")
    end = _history_start(lines)
    kept: list[str] = []
    removed_since_text = False
    index = 0
    while index < end:
        header_end = _reply_header_end(lines, index)
        if header_end is not None:
            following = _next_text_line(lines, header_end + 1, end)
            if following is None or not _QUOTED.match(lines[following]):
                break
            index, removed_since_text = header_end + 1, True
            continue
        line = lines[index]
        index += 1
        if _QUOTED.match(line):
            removed_since_text = True
        elif line.strip():
            kept.append(line.rstrip())
            removed_since_text = False
        elif not (removed_since_text and kept and not kept[-1]):
            kept.append("")
    return "\n".join(kept).strip("\n")


def unflow(text: str, delsp: bool = False) -> str:
    """Join the soft line breaks of format=flowed text (RFC 3676), keeping quote depth."""
    out: list[str] = []
    pending: tuple[int, str] | None = None
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffing
        flowed = body.endswith(" ") and body.rstrip() != "--"
        if flowed and delsp:
            body = body[:-1]
        if pending is not None and pending[0] == depth:
            body = pending[1] + body
        elif pending is not None:
            out.append(_quote(*pending))
        pending = (depth, body) if flowed else None
        if not flowed:
            out.append(_quote(depth, body))
    if pending is not None:
        out.append(_quote(*pending))
    return "\n".join(out)


def _quote(depth: int, body: str) -> str:
    return (">" * depth + " " + body) if depth and body else (">" * depth + body)


# --- HTML -----------------------------------------------------------------------------------

class HtmlText(NamedTuple):
    full: str  # the whole document as text
    reply: str  # the text before the first quote marker (Gmail's gmail_quote, Outlook's reply block)


_SKIP = {"style", "script", "head", "title", "template"}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl"}
_BLOCK = {"address", "article", "aside", "center", "dd", "div", "dt", "fieldset", "figcaption", "figure", "footer",
          "form", "header", "li", "main", "nav", "section", "tr", "tbody", "thead", "tfoot", "caption"}
_CUT_IDS = {"divrplyfwdmsg", "appendonsend"}
_FROM_LINE = re.compile(r"^\s*(From|De)\s*:")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_MAX_BLANK = 1


class _TextWriter(HTMLParser):
    """Lines of text with their blockquote depth, and where the quoted history starts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self.hr_lines: list[int] = []
        self.cut_line: int | None = None
        self._line: list[str] = []
        self._line_depth = 0
        self._has_content = False
        self._depth = 0
        self._skip = 0
        self._pre = 0
        self._p_kinds: list[bool] = []  # True: a paragraph; False: Outlook's MsoNormal, a single line
        self._lists: list[list[int]] = []  # per open list: [next number] or [] for bullets

    # output
    def _write(self, text: str) -> None:
        if not self._has_content:
            self._line_depth = self._depth
            self._has_content = True
        self._line.append(text)

    def line_break(self) -> None:
        if self._has_content:
            self.lines.append((self._line_depth, "".join(self._line).strip(" ")))
        self._line, self._has_content = [], False

    def _paragraph_break(self) -> None:
        self.line_break()
        if self.lines and self.lines[-1][1]:
            self.lines.append((self._depth, ""))

    def _block_break(self, paragraph: bool) -> None:
        if paragraph:
            self._paragraph_break()
        else:
            self.line_break()

    def _hard_break(self) -> None:
        if not self._has_content:
            self._write("")
        self.line_break()

    # parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "body":
            self._skip = 0
        if tag in _SKIP:
            self._skip += 1
            return
        if self._skip:
            return
        if self.cut_line is None and self._is_quote_marker(attributes):
            self.line_break()
            self.cut_line = len(self.lines)
        self._open(tag, attributes)

    def _is_quote_marker(self, attributes: dict[str, str]) -> bool:
        classes = attributes.get("class", "").lower().split()
        return any(name.startswith("gmail_quote") for name in classes) or attributes.get("id", "").lower() in _CUT_IDS

    def _open(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "br":
            self._hard_break()
        elif tag == "hr":
            self._paragraph_break()
            self.hr_lines.append(len(self.lines))
        elif tag == "p":
            paragraph = "msonormal" not in attributes.get("class", "").lower()
            self._p_kinds.append(paragraph)
            self._block_break(paragraph)
        elif tag in ("ul", "ol"):
            self._paragraph_break()
            self._lists.append([1] if tag == "ol" else [])
        elif tag == "li":
            self.line_break()
            numbering = self._lists[-1] if self._lists else []
            self._write(f"{numbering[0]}. " if numbering else "- ")
            if numbering:
                numbering[0] += 1
        elif tag in ("td", "th"):
            if self._has_content:
                self._write(" ")
        elif tag in _PARAGRAPH:
            self._paragraph_break()
            self._depth += tag == "blockquote"
            self._pre += tag == "pre"
        elif tag in _BLOCK:
            self.line_break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if self._skip:
            return
        if tag == "p":
            self._block_break(self._p_kinds.pop() if self._p_kinds else True)
        elif tag in ("ul", "ol"):
            if self._lists:
                self._lists.pop()
            self._paragraph_break()
        elif tag in _PARAGRAPH:
            self._paragraph_break()
            if tag == "blockquote":
                self._depth = max(0, self._depth - 1)
            if tag == "pre":
                self._pre = max(0, self._pre - 1)
        elif tag in _BLOCK:
            self.line_break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr") and tag not in _SKIP:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre:
            for number, piece in enumerate(data.split("\n")):
                if number:
                    self._hard_break()
                if piece:
                    self._write(piece.replace("\xa0", " "))
            return
        has_nbsp = "\xa0" in data
        text = _SPACES.sub(" ", data.replace("\xa0", " "))
        if text.startswith(" ") and (not self._line or self._line[-1].endswith(" ")):
            text = text[1:]
        if text or has_nbsp:
            self._write(text)

    # result
    def reply_end(self) -> int:
        """The line where quoted history starts: a marker element, or an <hr> followed by From:/De:."""
        ends = [len(self.lines)] if self.cut_line is None else [self.cut_line]
        for start in self.hr_lines:
            following = next((text for _, text in self.lines[start:] if text.strip()), "")
            if _FROM_LINE.match(following):
                ends.append(start)
        return min(ends)


def _render(lines: list[tuple[int, str]]) -> str:
    out: list[str] = []
    blanks = 0
    for depth, text in lines:
        blanks = blanks + 1 if not text else 0
        if blanks > _MAX_BLANK:
            continue
        out.append(((">" * depth + " ") if depth and text else ">" * depth) + text)
    return "\n".join(line.rstrip() for line in out).strip("\n")


def html_to_text(html: str) -> HtmlText:
    """Readable text from HTML: paragraphs, line breaks, lists and link text; blockquotes as `> ` lines.

    `<style>`, `<script>` and `<head>` are dropped. Falls back to stripping tags if the parser fails.
    """
    writer = _TextWriter()
    try:
        writer.feed(html)
        writer.close()
    except Exception:  # html.parser is lenient, but a parser bug must not lose the message
        text = unescape(re.sub(r"<[^>]*>", " ", html))
        return HtmlText(text, text)
    writer.line_break()
    return HtmlText(_render(writer.lines), _render(writer.lines[:writer.reply_end()]))
