"""The help center's first content: the Markdown files under data/help/{locale}/ (index.toml lists them in reading
order), taken into the store once. Run by migration 0017 and by `python -m core migrate` (a language added later
as files gets its translations then); an article or translation already in the store is never overwritten."""

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
SECTION_NAMES = {"en": "Using the help desk", "es": "Cómo usar el centro de ayuda",
                 "pt-BR": "Como usar a central de ajuda"}
_ANCHOR = re.compile(r'^<a id="[^"]*"></a>\n', re.MULTILINE)
# the table of contents under the title: Streamlit names its own heading anchors
_CONTENTS = re.compile(r"^\*\*(Contenido|Contents|Conteúdo|Sumário)\*\*\n\n(- .*\n)+\n?", re.MULTILINE)
_TOP_LINK = re.compile(r"^.*\]\(#top\).*\n?", re.MULTILINE)
_TITLE = re.compile(r"^# .*\n+")


def listed(locale: str, folder: Path = HELP_DIR) -> list[dict]:
    """The starter files of one language, in reading order: slug, title, summary and the file's path."""
    with (folder / locale / "index.toml").open("rb") as handle:
        return [{**item, "path": folder / locale / f"{item['slug']}.md"} for item in tomllib.load(handle)["article"]]


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
    section = session.scalar(select(HelpSection).where(HelpSection.slug == SECTION))
    if section is None:
        section = HelpSection(slug=SECTION, position=0, names=SECTION_NAMES)
        session.add(section)
        session.flush()
    added = 0
    for locale_dir in sorted(p for p in folder.iterdir() if (p / "index.toml").exists()):
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
