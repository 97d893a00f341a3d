"""HTML mail bodies as text: paragraphs, line breaks, lists and link text, blockquotes as `> ` lines.

`HtmlText.reply` is the text before the first quote marker of a mail client (Gmail's quote with
its "On ... wrote:" line, Outlook's reply block, an `<hr>` followed by a header block).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import NamedTuple

from core.mail.reply_rules import field_kind

# --- HTML -----------------------------------------------------------------------------------

class HtmlText(NamedTuple):
    full: str  # the whole document as text
    reply: str  # the text before the first quote marker (Gmail's gmail_quote, Outlook's reply block)


_SKIP = {"style", "script", "head", "title", "template"}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl"}
_BLOCK = {"address", "article", "aside", "center", "dd", "div", "dt", "fieldset", "figcaption", "figure", "footer",
          "form", "header", "li", "main", "nav", "section", "tr", "tbody", "thead", "tfoot", "caption"}
_CUT_IDS = {"divrplyfwdmsg", "appendonsend"}
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_MAX_BLANK = 1


class _TextWriter(HTMLParser):
    """Lines of text with their blockquote depth, and where the quoted history starts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self.hr_lines: list[int] = []
        self.cut_line: int | None = None
        self._gmail_quote: int | None = None  # where a gmail_quote starts: history only if its header follows
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
        if self.cut_line is None:
            self._mark_quote(tag, attributes)
        self._open(tag, attributes)

    def _mark_quote(self, tag: str, attributes: dict[str, str]) -> None:
        """Outlook's reply block; Gmail's quote once its "On ... wrote:" (gmail_attr) shows it is history.

        A gmail_quote without that line is text the customer quoted themselves, and stays.
        """
        classes = attributes.get("class", "").lower().split()
        if attributes.get("id", "").lower() in _CUT_IDS:
            self.line_break()
            self.cut_line = len(self.lines)
        elif "gmail_attr" in classes:
            self.line_break()
            self.cut_line = len(self.lines) if self._gmail_quote is None else self._gmail_quote
        elif tag == "div" and any(name.startswith("gmail_quote") for name in classes):
            self.line_break()
            self._gmail_quote = len(self.lines)

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
            if tag == "blockquote":  # the blank line after a quote is outside it
                self.line_break()
                self._depth = max(0, self._depth - 1)
            self._paragraph_break()
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
        """The line where quoted history starts: a marker element, or an <hr> followed by a header field
        (From:, Date:, Von:, De: ... in any language `core.mail.reply_phrases` knows)."""
        ends = [len(self.lines)] if self.cut_line is None else [self.cut_line]
        for start in self.hr_lines:
            following = next((text for _, text in self.lines[start:] if text.strip()), "")
            if field_kind(following) in ("from", "sent", "to"):
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
