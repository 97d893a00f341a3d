"""python -m bench.replies [--repeat R] [--misses]: reply extraction on the corpus, and its speed at 1 MB.

Prints the share of samples in tests/mail/corpus/LANG/ whose visible text is exactly the expected
reply, per language and per client (the table in docs/email.md), the samples that lost a customer
line, and the time `strip_quotes` and `parse` take on a 1 MB reply (median of R runs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from core.mail.inbound import parse
from core.mail.quotes import strip_quotes

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "mail" / "corpus"
MB = 1 << 20


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").split("\n")]


def lost_lines(visible: str, expected: str) -> list[str]:
    """Lines of the expected reply missing from what the agent sees."""
    shown = set(lines(visible))
    return [line for line in lines(expected) if line.strip() and line not in shown]


def client_of(stem: str) -> str:
    """The client a sample's name starts with: "outlook2003_plain_2" -> "outlook2003"."""
    for client in ("outlook_web", "ios_mail", "apple_mail"):
        if stem.startswith(client):
            return client
    return stem.split("_")[0]


def samples() -> list[Path]:
    return sorted(CORPUS.glob("*/*.eml"))


def results() -> list[tuple[str, str, bool, list[str]]]:
    """(language, client, exact, lost lines) per sample."""
    out = []
    for path in samples():
        expected = path.with_name(f"{path.stem}.expected.txt").read_text(encoding="utf-8")
        visible = parse(path.read_bytes()).visible
        out.append((path.parent.name, client_of(path.stem), lines(visible) == lines(expected),
                    lost_lines(visible, expected)))
    return out


def table(rows: list[tuple[str, str, bool, list[str]]], column: int, title: str) -> str:
    groups: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        groups[row[column]].append(row[2])
    out = [f"| {title} | samples | exact | % |", "|---|---:|---:|---:|"]
    for name in sorted(groups):
        exact = sum(groups[name])
        out.append(f"| {name} | {len(groups[name])} | {exact} | {100 * exact / len(groups[name]):.0f} |")
    total = sum(row[2] for row in rows)
    out.append(f"| **all** | {len(rows)} | {total} | {100 * total / len(rows):.1f} |")
    return "\n".join(out)


def big_reply(size: int = MB) -> str:
    """A reply of `size` characters: customer text, a Gmail header, then a long quote."""
    reply = "Hello,\n\nthe export still fails with the same error.\n\nThanks,\nAna\n\n"
    header = "On Mon, Mar 2, 2026 at 10:00 AM Mesa Support <support@mesa.example> wrote:\n"
    quoted = "> The export runs every night at 02:00 and writes one CSV per queue, line after line.\n"
    return reply + header + quoted * ((size - len(reply) - len(header)) // len(quoted) + 1)


def big_text(size: int = MB) -> str:
    """The worst case: a 1 MB reply with no history at all, every line read to the end."""
    line = "On the invoices page the totals row is empty since Monday, at 10:00 too:\n"
    return line * (size // len(line) + 1)


def timing(call, repeat: int) -> float:
    samples_ = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples_.append(time.perf_counter() - start)
    return statistics.median(samples_) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replies", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed runs at 1 MB (default 20)")
    parser.add_argument("--misses", action="store_true", help="list the samples that are not exact")
    args = parser.parse_args(argv)
    rows = results()
    print(table(rows, 0, "language"), end="\n\n")
    print(table(rows, 1, "client"), end="\n\n")
    lost = [(row, path) for row, path in zip(rows, samples(), strict=True) if row[3]]
    print(f"samples that lost a customer line: {len(lost)}")
    if args.misses:
        for row, path in zip(rows, samples(), strict=True):
            if not row[2]:
                print(f"  not exact: {path.relative_to(CORPUS)}")
    plain, worst = big_reply(), big_text()
    raw = ("From: a@b.example\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\n" + plain).encode()
    print(f"\n1 MB, median of {args.repeat} (load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs):")
    print(f"  strip_quotes, reply + quote : {timing(lambda: strip_quotes(plain), args.repeat):.1f} ms")
    print(f"  strip_quotes, no history    : {timing(lambda: strip_quotes(worst), args.repeat):.1f} ms")
    print(f"  parse, whole email          : {timing(lambda: parse(raw), args.repeat):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
