"""How each mail client lays out a reply to a Mesa notification: body builders for make_corpus.

Each builder takes the language, the customer (name, address), the reply, Mesa's message and a time,
and returns (plain text or None, HTML or None). What the agent must see is always the reply.
"""

from __future__ import annotations

import textwrap
from html import escape

from tests.mail.corpus.langs_west import Lang

MESA = ("Mesa Support", "support@mesa.example")


def quote(text: str, prefix: str = ">") -> str:
    return "\n".join(f"{prefix} {line}" if line else prefix for line in text.split("\n"))


def header(template: str, t: str, name: str = MESA[0], email: str = MESA[1]) -> str:
    return template.format(name=name, email=email, t=t)


def gmail_wrap(line: str) -> str:
    """Gmail's plain text breaks a long header line after the "<" of the address."""
    if len(line) > 76 and " <" in line:
        head, tail = line.split(" <", 1)
        return f"{head} <\n{tail}"
    return line


def flowed(text: str, width: int = 72) -> str:
    """format=flowed: long lines broken with a trailing space (joined again by the reader)."""
    out = []
    for line in text.split("\n"):
        prefix = "> " if line.startswith("> ") else ""
        parts = textwrap.wrap(line[len(prefix):], width, break_long_words=False, break_on_hyphens=False) or [""]
        out.extend(prefix + part + " " for part in parts[:-1])
        out.append(prefix + parts[-1] if parts[-1] else line)
    return "\n".join(out)


def divs(text: str) -> str:
    return "".join(f"<div>{escape(line)}</div>" if line else "<div><br></div>" for line in text.split("\n"))


def mso(text: str) -> str:
    return "".join(f'<p class="MsoNormal">{escape(line)}<o:p></o:p></p>' if line else
                   '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>' for line in text.split("\n"))


def _fields(lang: Lang, t: str, customer: tuple[str, str], subject: str, order: str = "fsts") -> list[tuple[str, str]]:
    values = {"f": (lang.fields[0], f"{MESA[0]} <{MESA[1]}>"), "s": (lang.fields[1], lang.sent.format(t=t)),
              "t": (lang.fields[2], f"{customer[0]} <{customer[1]}>"), "j": (lang.fields[3], subject)}
    return [values[key] for key in order.replace("fsts", "fstj")]


def gmail(lang, customer, reply, agent, t, subject):
    head = header(lang.gmail, t)
    plain = f"{reply}\n\n{gmail_wrap(head)}\n\n{quote(agent)}\n"
    html = (f'<div dir="ltr">{divs(reply)}</div><br><div class="gmail_quote gmail_quote_container">'
            f'<div dir="ltr" class="gmail_attr">{escape(head)}<br></div><blockquote class="gmail_quote" '
            f'style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
            f'{divs(agent)}</blockquote></div>')
    return plain, html


def outlook2003(lang, customer, reply, agent, t, subject):
    block = "\n".join(f"{name}: {value}" for name, value in _fields(lang, t, customer, subject))
    return f"{reply}\n\n-----{lang.original}-----\n{block}\n\n{agent}\n", None


def outlook2016(lang, customer, reply, agent, t, subject):
    block = "<br>".join(f"<b>{name}:</b> {escape(value)}" for name, value in _fields(lang, t, customer, subject))
    html = (f'<html><head><style>p.MsoNormal{{margin:0cm;font-family:"Calibri"}}</style></head><body lang="EN-US">'
            f'<div class="WordSection1">{mso(reply)}<p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
            f'<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
            f'<p class="MsoNormal">{block}</p></div><p class="MsoNormal"><o:p>&nbsp;</o:p></p>{mso(agent)}'
            f'</div></body></html>')
    return None, html


def outlook_web(lang, customer, reply, agent, t, subject):
    block = "<br>".join(f"<b>{name}:</b> {escape(value)}" for name, value in _fields(lang, t, customer, subject))
    html = (f'<html><body dir="ltr"><div style="font-family:Aptos,sans-serif;font-size:12pt">{divs(reply)}</div>'
            f'<div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1">'
            f'<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri" style="font-size:11pt">{block}</font>'
            f'<div>&nbsp;</div></div><div>{divs(agent)}</div></body></html>')
    return None, html


def hotmail(lang, customer, reply, agent, t, subject):
    date = "Date" if lang.code == "en" else lang.fields[1]
    fields = [(date, lang.sent.format(t=t)), (lang.fields[0], f"{MESA[0]} <{MESA[1]}>"),
              (lang.fields[2], customer[1]), (lang.fields[3], subject)]
    block = "<br>".join(f"{name}: {escape(value)}" for name, value in fields)
    html = (f'<html><head><style><!--.hmmessage P{{margin:0px;padding:0px}}--></style></head>'
            f'<body class="hmmessage"><div dir="ltr">{divs(reply)}<br><br><div><hr id="stopSpelling">{block}'
            f'<br><br>{escape(agent).replace(chr(10), "<br>")}</div></div></body></html>')
    return None, html


def apple_mail(lang, customer, reply, agent, t, subject):
    head = header(lang.apple, t)
    plain = f"{reply}\n\n> {head}\n> \n{quote(agent)}\n\n"
    html = (f'<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
            f'<body style="overflow-wrap: break-word;">{divs(reply)}<div><br><blockquote type="cite">'
            f'<div>{escape(head)}</div><br><div>{divs(agent)}</div></blockquote></div><br></body></html>')
    return plain, html


def ios_mail(lang, customer, reply, agent, t, subject):
    return f"{reply}\n\n{lang.mobile}\n\n> {header(lang.apple, t)}\n> \n{quote(agent)}\n", None


def thunderbird(lang, customer, reply, agent, t, subject, bottom: bool = False):
    head = header(lang.thunderbird, t)
    if bottom:
        return flowed(f"{head}\n{quote(agent)}\n\n{reply}\n"), None
    return flowed(f"{reply}\n\n{head}\n{quote(agent)}\n"), None


def samsung(lang, customer, reply, agent, t, subject):
    fields = [(lang.fields[0], f"{MESA[0]} <{MESA[1]}> "), (lang.fields[1] if lang.code != "en" else "Date",
              f"02/03/2026 {t} (GMT+01:00) "), (lang.fields[2], f"{customer[1]} "), (lang.fields[3], f"{subject} ")]
    block = "\n".join(f"{name}: {value}" for name, value in fields)
    return f"{reply}\n\n\n\n{lang.android}\n\n-------- {lang.original} --------\n{block}\n\n{agent}\n", None


def yahoo(lang, customer, reply, agent, t, subject):
    indented = "\n".join(f" {line}" for line in agent.split("\n"))
    return f"{reply}\n\n\n    {header(lang.gmail, t)}  \n\n{indented}\n", None


def aol(lang, customer, reply, agent, t, subject):
    block = "\n".join(f"{name}: {value}" for name, value in _fields(lang, t, customer, subject, "ftsj"))
    return f"{reply}\n\n\n-----{lang.original}-----\n{block}\n\n{agent}\n", None


def mailru(lang, customer, reply, agent, t, subject):
    head = f"Понедельник, 2 марта 2026, {t} +03:00 от {MESA[0]} &lt;{MESA[1]}&gt;:"
    html = (f'<HTML><BODY>{divs(reply)}<br><br><br>{head}<br><blockquote style="border-left:1px solid #0857A6; '
            f'margin:10px; padding:0 0 0 10px;"><div id="">{divs(agent)}</div></blockquote></BODY></HTML>')
    return None, html


def yandex(lang, customer, reply, agent, t, subject):
    return f"{reply}\n\n02.03.2026, {t}, \"{MESA[0]}\" <{MESA[1]}>:\n{quote(agent)}\n", None


CLIENTS = {"gmail": gmail, "outlook2003_plain": outlook2003, "outlook2016_html": outlook2016,
           "outlook_web_html": outlook_web, "hotmail_html": hotmail, "apple_mail": apple_mail, "ios_mail": ios_mail,
           "thunderbird_plain": thunderbird, "samsung_android": samsung, "yahoo_plain": yahoo, "aol_plain": aol}
EXTRA = {"ru": {"mailru_html": mailru, "yandex_plain": yandex}, "uk": {"mailru_html": mailru, "yandex_plain": yandex}}
