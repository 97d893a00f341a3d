"""Finding the reply in an email body: quoted history, reply headers and mobile footers cut off.

The engine is small and reads its phrases from `core.mail.reply_phrases` (19 languages) through
`core.mail.reply_rules`. It walks the lines once, top to bottom:

- a reply header ("On ... wrote:", "Am ... schrieb ...:", "2022年1月1日(金) 9:00 田中 <t@x>:", also
  wrapped over a few lines or after the reply on the same line) followed by `>` lines only
  introduces a quote: header and quote go, text after them stays (inline answers, bottom-posting);
  followed by anything else, it starts the history and everything after it goes
- `>` lines are history only after such a header; before one they are the customer's own
- an original-message rule, an Outlook header block (From/Sent/To/Subject in any known language,
  also starting with Date: or To:), a "-- " signature, a mobile footer ("Sent from my iPhone") or a
  mailing-list footer start the history
- a message that starts with history (a forward: "---------- Forwarded message ----------" at the
  top) is kept whole: there the forward is the content

Pure text functions that never raise. When in doubt, a line is kept. `split_reply` also returns
what was cut, for a collapsed "quoted text" view.
"""

from __future__ import annotations

from core.mail import reply_rules as rules
from core.mail.html_text import HtmlText, html_to_text

__all__ = ["HtmlText", "html_to_text", "split_reply", "strip_quotes", "unflow"]

_SENTENCE_END = (".", "!", "?", "。", "！", "？")
# lines tried as a reply header, at most, per message: hostile text (every line "On ... 10:00 ...:")
# then costs a bounded time, and what follows is kept, never lost
HEADER_TRIES = 300


def _quoted(line: str) -> bool:
    return line.lstrip(" \t").startswith(">")


def _qualifies(joined: str) -> bool:
    """Whether the text of one to five joined lines is a reply header."""
    if len(joined) > rules.HEADER_MAX:
        return False
    if rules.DASHED.match(joined):
        return rules.WROTE.search(joined) is not None
    if not rules.HEADER_END.search(joined):
        return False
    if rules.ADDRESS_END.search(joined) or rules.ADDRESS_VERB_END.search(joined):
        return rules.DATE.search(joined) is not None
    return rules.WROTE.search(joined) is not None and (
        rules.DATE.search(joined) is not None or rules.ADDRESS.search(joined) is not None)


def _ends_like_header(line: str) -> bool:
    return line.rstrip().endswith((":", "：", "--"))


def _header_at(lines: list[str], start: int, end: int) -> tuple[int, int] | None:
    """(offset in the first line, last line) of a reply header that starts on line `start`, if one does.

    A header over several lines starts with a lead word or a date, or its line ends with Gmail's
    wrapped "<"; it may have one blank line inside, and no line of it but the last ends a sentence.
    """
    first = lines[start]
    if len(first) > rules.HEADER_MAX or _quoted(first):
        return None
    offsets = [0]
    inside = rules.HEADER_INSIDE.search(first) if _ends_like_header(first) or len(first) > 40 else None
    if inside:
        offsets.insert(0, inside.end())  # the reply before it, on the same line, stays
    for offset in offsets:
        head = first[offset:].strip()
        wrapped = offset > 0 or rules.HEADER_START.match(first) is not None or head.endswith("<")
        parts, blanks = [head], 0
        for last in range(start, min(start + rules.HEADER_LINES, end)):
            if last > start:
                line = lines[last].strip()
                if _quoted(line) or len(line) > rules.HEADER_MAX:
                    break
                if not line:
                    blanks += 1
                    if blanks > 1:
                        break
                    continue
                parts.append(line)
            if _ends_like_header(parts[-1]):
                if _qualifies(" ".join(parts)):
                    return offset, last
                break  # a header ends at its first ":"
            if not wrapped or parts[-1].endswith(_SENTENCE_END):
                break
    return None


def _block_at(lines: list[str], start: int, end: int) -> bool:
    """An Outlook header block starting at `start`: From/Sent/To (or Date/To first) then 3+ kinds in all."""
    if rules.field_kind(lines[start]) not in ("from", "sent", "to"):
        return False
    kinds = set()
    for line in lines[start:min(start + rules.BLOCK_LINES, end)]:
        kind = rules.field_kind(line)
        if kind:
            kinds.add(kind)
    return len(kinds) >= 3 and bool(kinds & {"subject", "sent"})


class _Split:
    def __init__(self) -> None:
        self.kept: list[str] = []
        self.cut: list[str] = []
        self.removed_since_text = False
        self.signoff: int | None = None  # where the last sign-off line ("Kind regards,") was kept

    def keep(self, line: str) -> None:
        if line.strip():
            if len(line) <= 60 and rules.SIGNOFF.match(line):
                self.signoff = len(self.kept)
            self.kept.append(line.rstrip())
            self.removed_since_text = False
        elif not (self.removed_since_text and self.kept and not self.kept[-1]):
            self.kept.append("")

    def drop(self, lines: list[str]) -> None:
        self.cut.extend(lines)
        self.removed_since_text = True

    def has_text(self) -> bool:
        return any(line.strip() for line in self.kept)


def _unknown_block_after_signoff(lines: list[str], start: int, end: int, split: _Split) -> bool:
    """Three "Word: value" lines in a row in a language Mesa does not know, right after a sign-off."""
    if split.signoff is None or len(split.kept) - split.signoff > 8:
        return False
    block = [line for line in lines[start:min(start + 4, end)] if line.strip()][:3]
    return len(block) == 3 and all(rules.ANY_FIELD.match(line) for line in block)


def _history_marker(lines: list[str], index: int, end: int, split: _Split) -> bool:
    """A line that starts the history: everything from it on is cut."""
    line = lines[index]
    stripped = line.strip()
    if not rules.may_be_marker(stripped) and split.signoff is None:
        return False
    if stripped == "--" or rules.is_mobile(stripped):
        return True
    if len(stripped) <= 120 and stripped[-1] in ":-_=*" and rules.SEPARATOR.match(line):
        return True
    if rules.RULE.match(line):
        following = [text for text in lines[index + 1:min(index + 4, end)] if text.strip()]
        return any(rules.LIST_FOOTER.search(text) for text in following)
    return _block_at(lines, index, end) or _unknown_block_after_signoff(lines, index, end, split)


def _wrapped_link(lines: list[str], index: int, end: int) -> bool:
    """An unquoted line that is the rest of a long link wrapped out of the `>` line above it."""
    if index == 0 or index + 1 >= end or not _quoted(lines[index - 1]) or not _quoted(lines[index + 1]):
        return False
    above, line = lines[index - 1].rstrip(), lines[index].strip()
    tail = above.rsplit(None, 1)[-1] if above.strip(" >") else ""
    return bool(line) and " " not in line and tail.lower().startswith(("http://", "https://", "www.", "<http"))


def _rule_above(lines: list[str], index: int) -> int:
    """`index`, or the rule line just above it ("________", "-----Original Message-----")."""
    above = index - 1
    while above >= 0 and not lines[above].strip():
        above -= 1
    if above >= 0 and (rules.RULE.match(lines[above]) or rules.SEPARATOR.match(lines[above])):
        return above
    return index


def split_reply(text: str) -> tuple[str, str]:
    """(the reply alone, what was cut from it): quoted history, reply headers, forwarded or original
    messages, signatures and mobile footers go to the second. The reply is "" only when there was
    nothing but quoted lines after a header; a message that starts with history is kept whole."""
    lines = text.split("\n")
    end, split, index, header_seen, tries = len(lines), _Split(), 0, False, 0
    while index < end:
        line = lines[index]
        if _quoted(line) or (header_seen and _wrapped_link(lines, index, end)):
            header_seen = header_seen or _qualifies(line.lstrip(" \t>").strip())  # Apple Mail quotes its header
            if header_seen:
                split.drop([line])
            else:
                split.keep(line)
            index += 1
            continue
        if not line.strip():
            split.keep(line)
            index += 1
            continue
        header = None
        if tries < HEADER_TRIES and _could_start_header(line):
            tries += 1
            header = _header_at(lines, index, end)
        if header is not None:
            offset, last = header
            following = next((i for i in range(last + 1, end) if lines[i].strip()), None)
            if offset:
                split.keep(line[:offset])
            if following is not None and _quoted(lines[following]):
                split.drop([line[offset:].strip(), *lines[index + 1:last + 1]])
                index, header_seen = last + 1, True
                continue
            if not split.has_text():
                return _whole(text), ""
            split.drop([line[offset:].strip(), *lines[index + 1:]])
            break
        if _history_marker(lines, index, end, split):
            if not split.has_text():
                return _whole(text), ""
            start = _rule_above(lines, index)
            while start < index and split.kept and not split.kept[-1].strip():
                split.kept.pop()
            if start < index and split.kept:
                split.kept.pop()
            split.drop(lines[start:])
            break
        split.keep(line)
        index += 1
    return "\n".join(split.kept).strip("\n"), "\n".join(line.rstrip() for line in split.cut).strip("\n")


def _whole(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _could_start_header(line: str) -> bool:
    """A cheap test before `_header_at`: the line ends like a header or may begin a wrapped one."""
    stripped = line.rstrip()
    return _ends_like_header(stripped) or stripped.endswith("<") or (
        len(stripped) <= rules.HEADER_MAX and rules.HEADER_START.match(stripped) is not None)


def strip_quotes(text: str) -> str:
    """The reply alone (see `split_reply`); "" when nothing but history is left."""
    return split_reply(text)[0]


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
