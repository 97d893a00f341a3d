"""Email rendering: a subject, a plain-text part and an HTML part per template and locale.

Templates are files: templates/{en,es}/NAME.subject.txt, NAME.txt and NAME.html. The HTML
part is autoescaped, so user text (subjects, message bodies) is shown as text; the plain
text part and the subject are not escaped. StrictUndefined turns a forgotten context
variable into an error instead of a silent blank in a customer's inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from core.i18n import DEFAULT_LOCALE, normalize

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATES = (
    "ticket_received", "lost_link", "verify_email", "password_reset", "agent_replied", "ticket_solved",
    "info_needed", "pending_reminder", "ticket_closed", "follow_up_opened", "set_password",
    "agent_new_ticket", "agent_assigned", "agent_customer_replied", "agent_low_score", "manager_digest",
    "ticket_merged", "mail_too_large", "follower_update",
)
SUMMARY_CHARS = 300


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def one_line(value: str) -> str:
    """Collapse every run of whitespace (CR, LF, tabs, Unicode separators) to one space."""
    return " ".join(value.split())


def summarize(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The start of `text`, cut at a word boundary near `limit` characters, with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if not text[limit].isspace():  # drop the word cut in half, unless it is the only one
        words = cut.rsplit(maxsplit=1)
        cut = words[0] if len(words) == 2 else cut
    return cut.rstrip() + "…"


def nl2br(value: str) -> Markup:
    """Escape `value` and turn its line breaks into <br>: user text keeps its lines, never its tags."""
    return Markup("<br>\n").join(escape(value).splitlines())


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["nl2br"] = nl2br
    return env


def template_locale(locale: str | None) -> str:
    """The locale whose templates we use: a known one, else English."""
    code = normalize(locale)
    return code if (TEMPLATE_DIR / code).is_dir() else DEFAULT_LOCALE


def render(name: str, locale: str, /, **context: Any) -> Rendered:
    """Render template `name` in `locale` (unknown locales fall back to English).

    `name` and `locale` are positional-only so that a template may use `name` (a person's name).
    """
    if name not in TEMPLATES:
        raise ValueError(f"unknown email template {name!r}; use one of: {', '.join(TEMPLATES)}")
    lang = template_locale(locale)
    values = {**context, "locale": lang}
    env = environment()
    subject = one_line(env.get_template(f"{lang}/{name}.subject.txt").render(values))
    text = env.get_template(f"{lang}/{name}.txt").render(values).strip() + "\n"
    html = env.get_template(f"{lang}/{name}.html").render(values)
    return Rendered(subject=subject, text=text, html=html)
