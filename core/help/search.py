"""Searching the help center: ranked, in the reader's language, accents folded, typo-tolerant, with snippets.

One row per translation in `help_search`, written by the application whenever a translation or its article
changes (`index`), like `ticket_search`:

- SQLite: an FTS5 virtual table (rowid = the translation's id; title, tags and body indexed, locale not), ranked
  by bm25 with the title weighing most, then the tags.
- PostgreSQL: a table with a generated tsvector in the locale's text-search configuration (the `spanish`,
  `english`, `portuguese` stemmers without their stop words, `simple` for the rest), weights A/B/D for
  title/tags/body, a GIN index, ranked by ts_rank.

Both hold the text folded (lower case, no accents), so "contrasena" finds "Contraseña". A query's words are
matched as prefixes of their first letters ("facturas" looks for "factur*", which finds "factura") and any one of
them may match (bm25 / ts_rank put the pages holding most of them first). In a short query, a word that starts no
word of the help center is swapped for the words one typo away from it ("fatcura" finds "factura").
The user's text never reaches the search syntax: it is cut into words, each quoted.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from sqlalchemy import Float, Integer, and_, func, select, text
from sqlalchemy.orm import Session

from core.models import HelpArticle, HelpTranslation
from core.tickets.search import normalize

TABLE = "help_search"
# by language, the stemmers without stop words (migration 0017); `simple` for the rest
CONFIGS = {"es": "mesa_spanish", "en": "mesa_english", "pt": "mesa_portuguese"}
MAX_WORDS = 8
TYPO_QUERY_WORDS = 4  # queries of at most this many words are typo-tolerant
STOPWORDS = frozenset((  # English, Spanish and Portuguese words that carry no meaning in a search
    "a", "al", "and", "ao", "are", "as", "at", "be", "by", "can", "com", "como", "con", "da", "das", "de", "del",
    "do", "does", "dos", "e", "el", "ela", "ele", "em", "en", "es", "esta", "este", "eu", "for", "from", "has",
    "have", "how", "i", "if", "in", "is", "isso", "it", "la", "las", "lo", "los", "mais", "me", "meu", "mi",
    "minha", "mis", "muito", "my", "na", "nao", "nas", "no", "nos", "not", "o", "of", "on", "or", "os", "para",
    "pela", "pelo", "pero", "por", "que", "se", "seu", "seus", "sin", "su", "sua", "suas", "sus", "the", "this",
    "to", "tu", "tus", "um", "uma", "un", "una", "uno", "voce", "what", "why", "with", "y", "you", "your",
))
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def config_for(locale: str) -> str:
    return CONFIGS.get(locale.split("-")[0].lower(), "simple")


def terms(query: str) -> list[str]:
    """The query's distinct words that carry meaning, folded."""
    seen: dict[str, None] = {}
    for word in normalize(query).split():
        if word not in STOPWORDS and (len(word) > 1 or word.isdigit()):
            seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS]


def stem(word: str) -> str:
    """The first letters a word is matched on: 'facturas' -> 'factur', 'ticket' -> 'tick'."""
    return word if len(word) <= 5 else word[:max(5, len(word) - 2)]


# ---------------------------------------------------------------- writing

def index(session: Session, translation: HelpTranslation, tags: list[str]) -> None:
    """(Re)write the translation's search row in the caller's transaction."""
    row = {"id": translation.id, "locale": translation.locale, "title": normalize(translation.title),
           "tags": normalize(" ".join(tags)), "body": normalize(translation.summary + "\n" + translation.body)}
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text(f"DELETE FROM {TABLE} WHERE rowid = :id"), row)
        session.execute(text(f"INSERT INTO {TABLE} (rowid, locale, title, tags, body) "
                             "VALUES (:id, :locale, :title, :tags, :body)"), row)
    else:
        session.execute(text(f"INSERT INTO {TABLE} (translation_id, locale, config, title, tags, body) "
                             "VALUES (:id, :locale, CAST(:config AS regconfig), :title, :tags, :body) "
                             "ON CONFLICT (translation_id) DO UPDATE SET locale = excluded.locale, "
                             "title = excluded.title, tags = excluded.tags, body = excluded.body"),
                        {**row, "config": config_for(translation.locale)})
    _words_cache.clear()


# ---------------------------------------------------------------- typos

_words_cache: dict[str, tuple[tuple, tuple[str, ...]]] = {}  # locale: (stamp, words)


def vocabulary(session: Session, locale: str) -> tuple[str, ...]:
    """Every word of the published articles in `locale`, sorted; cached until an article changes."""
    published = and_(HelpArticle.id == HelpTranslation.article_id, HelpArticle.status == "published",
                      HelpTranslation.locale == locale)
    stamp = tuple(session.execute(select(func.count(), func.max(HelpTranslation.updated_at),
                                         func.max(HelpArticle.updated_at)).where(published)).one())
    cached = _words_cache.get(locale)
    if cached is None or cached[0] != stamp:
        found: set[str] = set()
        for title, summary, body in session.execute(
                select(HelpTranslation.title, HelpTranslation.summary, HelpTranslation.body).where(published)):
            found.update(w for w in normalize(f"{title} {summary} {body}").split() if len(w) > 2)
        _words_cache[locale] = (stamp, tuple(sorted(found)))
    return _words_cache[locale][1]


def _starts_a_word(words: tuple[str, ...], prefix: str) -> bool:
    at = bisect.bisect_left(words, prefix)
    return at < len(words) and words[at].startswith(prefix)


def _one_typo_away(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
            | {a + c + b for a, b in splits for c in _ALPHABET})


def expand(session: Session, locale: str, words: list[str]) -> list[str]:
    """The prefixes to look for: each word's stem, and for a short query the words one typo away from a word
    that starts nothing in the help center."""
    prefixes: dict[str, None] = {}
    vocabulary_ = vocabulary(session, locale) if len(words) <= TYPO_QUERY_WORDS else ()
    known = frozenset(vocabulary_)
    for word in words:
        prefixes.setdefault(stem(word), None)
        if vocabulary_ and len(word) >= 4 and not _starts_a_word(vocabulary_, stem(word)):
            for near in sorted(_one_typo_away(word) & known)[:5]:
                prefixes.setdefault(stem(near), None)
    return list(prefixes)


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class Hit:
    slug: str
    title: str
    summary: str
    snippet: str  # Markdown: the matching words in bold


def _matches(session: Session, locale: str, prefixes: list[str], limit: int):
    if session.get_bind().dialect.name == "sqlite":
        match = " OR ".join('"' + p.replace('"', '""') + '"*' for p in prefixes)
        query = text(f"SELECT rowid AS translation_id, bm25({TABLE}, 0, 10.0, 4.0, 1.0) AS score FROM {TABLE} "
                     f"WHERE {TABLE} MATCH :match AND locale = :locale ORDER BY score LIMIT :limit")
        params = {"match": match, "locale": locale, "limit": limit}
    else:
        tsquery = " | ".join("'" + p.replace("'", "''").replace("\\", "\\\\") + "':*" for p in prefixes)
        query = text(f"SELECT translation_id, -ts_rank(document, to_tsquery(config, :q)) AS score FROM {TABLE} "
                     f"WHERE locale = :locale AND document @@ to_tsquery(CAST(:config AS regconfig), :q) "
                     "ORDER BY score LIMIT :limit")
        params = {"q": tsquery, "locale": locale, "config": config_for(locale), "limit": limit}
    return query.bindparams(**params).columns(translation_id=Integer(), score=Float()).subquery("help_matches")


def search(session: Session, locale: str, query: str, limit: int = 10, published_only: bool = True,
           near_best: float = 0.0) -> list[Hit]:
    """The articles in `locale` matching `query`, best first, each with a snippet. With `near_best` (0-1), only
    those scoring at least that share of the best one (suggestions: a weak match is noise)."""
    words = terms(query)
    if not words:
        return []
    prefixes = expand(session, locale, words)
    found = _matches(session, locale, prefixes, limit * 3)
    statement = (select(HelpArticle.slug, HelpTranslation.title, HelpTranslation.summary, HelpTranslation.body,
                        found.c.score)
                 .join(found, found.c.translation_id == HelpTranslation.id)
                 .join(HelpArticle, HelpArticle.id == HelpTranslation.article_id)
                 .order_by(found.c.score, HelpArticle.slug).limit(limit))
    if published_only:
        statement = statement.where(HelpArticle.status == "published")
    rows = session.execute(statement).all()
    best = rows[0].score if rows else 0.0  # negative: lower is better, on both backends
    return [Hit(slug, title, summary, snippet(body or summary, prefixes))
            for slug, title, summary, body, score in rows if score <= near_best * best]


_TOKEN = re.compile(r"[^\W_]+|[\W_]+")
_MARKUP = re.compile(r"<[^>]*>|!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|^\s*(?:[-+>]|\d+\.)\s|[#>\[\]|]", re.MULTILINE)
_EMPHASIS = re.compile(r"[*_`]+")
SNIPPET_WORDS = 30


def snippet(markdown: str, prefixes: list[str]) -> str:
    """About SNIPPET_WORDS words of the text around its first match, the matching words in bold."""
    plain = " ".join(_MARKUP.sub(" ", _EMPHASIS.sub("", markdown)).split())
    tokens = _TOKEN.findall(plain)
    hits = [i for i, token in enumerate(tokens) if token[:1].isalnum() and normalize(token).startswith(tuple(prefixes))]
    start = max(0, (hits[0] if hits else 0) - 10)
    window = tokens[start:start + SNIPPET_WORDS * 2]
    marked = set(hits)
    shown = "".join(f"**{token}**" if start + i in marked else token.replace("$", "\\$")
                    for i, token in enumerate(window)).strip()
    return ("… " if start else "") + shown + (" …" if start + len(window) < len(tokens) else "")
