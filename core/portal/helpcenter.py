"""Help-center articles: Markdown files under data/help/{locale}/, listed by index.toml."""

from __future__ import annotations

import re
import tomllib
import unicodedata
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


_WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset((
    "the", "and", "for", "with", "my", "our", "your", "you", "can", "how", "what", "why", "does",
    "not", "are", "was", "from", "this", "that", "have", "has", "los", "las", "del", "con", "por",
    "para", "una", "uno", "mis", "tus", "que", "como", "qué", "sus", "este", "esta", "pero", "sin",
    "mas", "muy", "voce", "seu", "sua", "seus", "suas", "nao", "uma", "isso", "mais", "muito", "meu", "minha",
))


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return [w for w in _WORD.findall(plain) if len(w) > 2 and w not in STOPWORDS]


@cache
def _index(locale: str) -> tuple[tuple[Article, frozenset[str], tuple[str, ...]], ...]:
    return tuple((a, frozenset(_words(a.title + " " + a.summary)), tuple(_words(body(a))))
                 for a in articles(locale))


def search(locale: str, query: str, limit: int = 3) -> list[Article]:
    """Articles that match the words of `query`, best first (title words count most).

    Words match on their first five letters, so "tickets" finds "ticket" and
    "registrarme" finds "registrarte".
    """
    wanted = {w[:5] for w in _words(query)}
    if not wanted:
        return []
    scored = []
    for article, title_words, body_words in _index(normalize(locale)):
        title_hits = sum(1 for w in {t[:5] for t in title_words} if w in wanted)
        body_hits = sum(1 for w in body_words if w[:5] in wanted)
        score = 5 * title_hits + min(body_hits, 10)
        if score:
            scored.append((score, article.slug, article))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [article for _score, _slug, article in scored[:limit]]
