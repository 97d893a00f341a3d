"""The help center's first content: the Markdown files under data/help/{locale}/ (index.toml names their section and
lists them in reading order), taken into the store once. Run by `core.db.migrate` once the schema is at its head, so
a language added later as files gets its translations then; an article or translation already in the store is never
overwritten. (Not by a migration: a migration must not run application code, which changes after it.)"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import DATA_DIR
from core.help import articles
from core.models import HelpArticle, HelpSection, HelpTranslation

HELP_DIR = DATA_DIR / "help"
SECTION = "using-the-help-desk"
_ANCHOR = re.compile(r'^<a id="[^"]*"></a>\n', re.MULTILINE)
# the table of contents under the title: Streamlit names its own heading anchors
_CONTENTS = re.compile(r"^\*\*(Contenido|Contents|Conteúdo|Sumário)\*\*\n\n(- .*\n)+\n?", re.MULTILINE)
_TOP_LINK = re.compile(r"^.*\]\(#top\).*\n?", re.MULTILINE)
_TITLE = re.compile(r"^# .*\n+")


def _index(locale: str, folder: Path) -> dict:
    with (folder / locale / "index.toml").open("rb") as handle:
        return tomllib.load(handle)


def listed(locale: str, folder: Path = HELP_DIR) -> list[dict]:
    """The starter files of one language, in reading order: slug, title, summary and the file's path."""
    return [{**item, "path": folder / locale / f"{item['slug']}.md"} for item in _index(locale, folder)["article"]]


def section_name(locale: str, folder: Path = HELP_DIR) -> str | None:
    """The starter section's name in one language, as its index.toml gives it."""
    return _index(locale, folder).get("section")


def markdown_of(path: Path) -> str:
    """A starter file as stored: no HTML anchors, no table of contents, no title (the page draws it), article links
    as help-center links."""
    text = path.read_text(encoding="utf-8")
    for pattern in (_ANCHOR, _CONTENTS, _TOP_LINK):
        text = pattern.sub("", text)
    return articles.link_article_links(_TITLE.sub("", text.lstrip(), count=1)).strip() + "\n"


def install(session: Session, now: datetime | None = None, folder: Path = HELP_DIR) -> int:
    """Add the starter articles and translations the store lacks; how many translations were added."""
    now = now or datetime.now(UTC)
    locales = sorted(p.name for p in folder.iterdir() if (p / "index.toml").exists())
    named = {locale: name for locale in locales if (name := section_name(locale, folder))}
    section = session.scalar(select(HelpSection).where(HelpSection.slug == SECTION))
    if section is None:
        section = HelpSection(slug=SECTION, position=0, names=named)
        session.add(section)
    else:  # a new language's name; a name an editor changed stays
        section.names = {**named, **section.names}
    session.flush()
    added = 0
    for locale_dir in (folder / locale for locale in locales):
        for position, item in enumerate(listed(locale_dir.name, folder)):
            article = session.scalar(select(HelpArticle).where(HelpArticle.slug == item["slug"]))
            if article is not None and session.scalar(select(HelpTranslation.id).where(
                    HelpTranslation.article_id == article.id, HelpTranslation.locale == locale_dir.name)):
                continue
            draft = articles.Draft(locale_dir.name, item["title"], item["summary"],
                                   markdown_of(item["path"]), item["slug"],
                                   tuple(item.get("tags", ())), section.id)
            saved = articles.save(session, draft, None, now, article_id=article.id if article else None,
                                  status=None if article else "published")
            saved.position = position
            added += 1
    return added
