"""Writes the per-language reply corpus: python -m tests.mail.corpus.make_corpus

Every sample is `corpus/LANG/CLIENT_N.eml` with `CLIENT_N.expected.txt`, the reply the agent must
see. The files are committed; this script is how they were made (rerun it after changing the
material in langs_west, langs_east, clients or edge, and review the diff). The 22 older samples at
the top of corpus/ are hand-written and not touched.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from tests.mail.corpus import edge
from tests.mail.corpus.clients import CLIENTS, EXTRA, MESA, thunderbird
from tests.mail.corpus.langs_east import EAST
from tests.mail.corpus.langs_west import WEST, Lang

CORPUS = Path(__file__).parent
PREFIX = {"de": "AW", "sv": "SV", "da": "SV", "nb": "SV", "fi": "VS", "pl": "Odp", "it": "R", "nl": "Antw",
          "tr": "YNT", "zh": "答复", "ko": "회신", "ja": "RE", "pt": "RE", "ru": "RE", "uk": "RE", "vi": "RE"}
LEGACY = {"fr": "windows-1252", "de": "windows-1252", "es": "iso-8859-1", "it": "windows-1252", "pt": "windows-1252",
          "nl": "windows-1252", "sv": "iso-8859-1", "da": "iso-8859-1", "nb": "iso-8859-1", "ru": "windows-1251",
          "uk": "windows-1251", "pl": "iso-8859-2", "ja": "iso-2022-jp", "zh": "gb2312", "ko": "euc-kr"}
BOTTOM_POSTERS = ("en", "de", "nl", "pl", "sv", "fi", "ru")  # their Thunderbird samples answer below the quote
ENCODINGS = ("quoted-printable", "base64", "8bit")


def _charset(client: str, lang: str, texts: list[str]) -> str:
    """Older desktop clients write in the language's legacy charset, when the text fits it."""
    if client.startswith(("outlook2003", "thunderbird", "mailru", "samsung")) and lang in LEGACY:
        try:
            for text in texts:
                text.encode(LEGACY[lang])
            return LEGACY[lang]
        except UnicodeEncodeError:
            pass
    return "utf-8"


def message(lang: str, client: str, number: int, customer: tuple[str, str], subject: str, ticket: int,
            plain: str | None, html: str | None) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr(customer)
    msg["To"] = formataddr(MESA)
    msg["Subject"] = f"{PREFIX.get(lang, 'Re')}: [#{ticket}] {subject}"
    msg["Date"] = f"Mon, 2 Mar 2026 {11 + number % 8:02d}:{(number * 13) % 60:02d}:00 +0100"
    digest = hashlib.sha1(f"{lang}/{client}/{number}".encode()).hexdigest()[:16]
    msg["Message-ID"] = f"<{digest}@{customer[1].split('@')[1]}>"
    msg["In-Reply-To"] = f"<mesa.{ticket}.1.{digest[:6]}@mesa.example>"
    cte = ENCODINGS[number % len(ENCODINGS)]
    charset = _charset(client, lang, [text for text in (plain, html) if text])
    if charset == "iso-2022-jp":
        cte = "7bit"
    params = {"format": "flowed"} if client.startswith("thunderbird") else None
    if plain is not None:
        msg.set_content(plain, charset=charset, cte=cte, params=params)
        if html is not None:
            msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
            msg.set_boundary(f"000000000000{digest}")  # fixed, so a rerun writes the same files
    else:
        msg.set_content(html or "", subtype="html", charset=charset, cte=cte)
    return bytes(msg)


def samples(lang: Lang) -> list[tuple[str, bytes, str]]:
    """(file stem, raw email, expected reply) for each client in this language."""
    out = []
    clients = dict(CLIENTS) | EXTRA.get(lang.code, {})
    for number, (client, build) in enumerate(clients.items()):
        customer = lang.names[number % len(lang.names)]
        first = customer[0].split()[0] if lang.code not in ("zh", "ko", "ja") else customer[0].replace(" ", "")[-2:]
        me = customer[0].split()[-1] if lang.code == "vi" else first
        reply = lang.replies[number % len(lang.replies)].format(me=me)
        ticket = 100 + 37 * number + len(lang.code) * ord(lang.code[0]) % 500
        agent = lang.agent.format(first=first, ticket=ticket)
        t = f"{9 + number % 8}:{(number * 7) % 60:02d}"
        subject = lang.subject
        if client == "thunderbird_plain" and lang.code in BOTTOM_POSTERS:
            plain, html = thunderbird(lang, customer, reply, agent, t, subject, bottom=True)
        else:
            plain, html = build(lang, customer, reply, agent, t, subject)
        raw = message(lang.code, client, number, customer, subject, ticket, plain, html)
        out.append((f"{lang.code}/{client}_{number + 1}", raw, reply))
    return out


def main() -> None:
    written = 0
    entries = [sample for lang in WEST + EAST for sample in samples(lang)]
    entries += [(stem, raw, expected) for stem, raw, expected in edge.samples()]
    for stem, raw, expected in entries:
        path = CORPUS / f"{stem}.eml"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(raw)
        path.with_name(f"{path.stem}.expected.txt").write_text(expected.strip("\n") + "\n", encoding="utf-8")
        written += 1
    print(f"{written} samples written under {CORPUS}")


if __name__ == "__main__":
    main()
