"""Help-center articles: Markdown files under data/help/{locale}/, listed by index.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.config import DATA_DIR
from core.i18n import normalize

HELP_DIR = DATA_DIR / "help"
_ARTICLE_LINK = re.compile(r"\]\(([a-z0-9-]+)\.md(#[a-z0-9-]+)?\)")


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    summary: str
    locale: str

    @property
    def path(self) -> Path:
        return HELP_DIR / self.locale / f"{self.slug}.md"


@cache
def articles(locale: str) -> tuple[Article, ...]:
    """The articles of one language, in reading order."""
    locale = normalize(locale)
    with (HELP_DIR / locale / "index.toml").open("rb") as handle:
        index = tomllib.load(handle)
    return tuple(Article(a["slug"], a["title"], a["summary"], locale) for a in index["article"])


def find(locale: str, slug: str) -> Article | None:
    return next((a for a in articles(locale) if a.slug == slug), None)


def body(article: Article) -> str:
    """The article's Markdown, with links to other articles turned into help-center links."""
    text = article.path.read_text(encoding="utf-8")
    return _ARTICLE_LINK.sub(
        lambda m: f"](?article={m.group(1)}&lang={article.locale}{m.group(2) or ''})", text)
