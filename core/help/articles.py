"""Writing and reading help-center articles: drafts, publishing, translations, versions, tags.

Who may write: admins, and staff an admin lets write help (`users.writes_help`). Every save of a translation
keeps a version (who, when, the words), and any version can be restored (which is a new save, so nothing is
lost). Readers only see published articles; a reader whose language an article lacks gets it in English, else
in the first language it has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import Collector, DomainError, NotFound
from core.help import search
from core.models import HelpArticle, HelpSection, HelpTranslation, HelpVersion, Message, Ticket, User

STATUSES = ("draft", "published", "archived")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_TITLE, MAX_SUMMARY, MAX_BODY, MAX_TAGS = 200, 400, 100_000, 12
_ARTICLE_LINK = re.compile(r"\]\(([a-z0-9-]+)\.md(#[a-z0-9-]+)?\)")


def may_write(user: User | None) -> bool:
    return user is not None and user.active and (user.role == "admin" or (user.role != "customer"
                                                                         and user.writes_help))


def _writer(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if not may_write(user):
        raise DomainError("help.may_not_write")
    return user


def slugify(title: str) -> str:
    return "-".join(search.normalize(title).split())[:80].strip("-") or "article"


def clean_tags(tags: list[str] | str) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    seen: dict[str, None] = {}
    for tag in tags:
        if folded := " ".join(tag.strip().lower().split())[:40]:
            seen.setdefault(folded, None)
    return list(seen)[:MAX_TAGS]


_PLACEHOLDER = re.compile(r"\{article:([a-z0-9-]+)\}")


def address(base_url: str, slug: str, locale: str) -> str:
    """An article's address, for emails and replies: it opens before sign-in, in the reader's language."""
    return f"{base_url.rstrip('/')}/help?article={slug}&lang={locale}"


def fill_links(session: Session, text: str, base_url: str, locale: str) -> str:
    """`{article:slug}` in a canned response as the published article's title and address (unknown: left as is)."""
    def one(match: re.Match) -> str:
        found = page(session, match.group(1), locale)
        return f"{found.title}: {address(base_url, found.slug, locale)}" if found else match.group(0)
    return _PLACEHOLDER.sub(one, text)


def link_article_links(markdown: str) -> str:
    """`[x](other-article.md)` (how the starter files link) as a help-center link: `[x](?article=other-article)`."""
    return _ARTICLE_LINK.sub(lambda m: f"](?article={m.group(1)})", markdown)


@dataclass(frozen=True)
class Draft:
    """What the editor sends: the article's fields and one translation."""

    locale: str
    title: str
    summary: str
    body: str
    slug: str = ""
    tags: tuple[str, ...] = ()
    section_id: int | None = None


def _check(session: Session, draft: Draft, article: HelpArticle | None) -> str:
    errors = Collector()
    if not draft.title.strip():
        errors.add("title", "help.title_required")
    elif len(draft.title) > MAX_TITLE:
        errors.add("title", "help.too_long", limit=MAX_TITLE)
    if len(draft.summary) > MAX_SUMMARY:
        errors.add("summary", "help.too_long", limit=MAX_SUMMARY)
    if len(draft.body) > MAX_BODY:
        errors.add("body", "help.too_long", limit=MAX_BODY)
    slug = draft.slug.strip() or (article.slug if article else slugify(draft.title))
    if not SLUG.match(slug) or len(slug) > 80:
        errors.add("slug", "help.bad_slug")
    elif session.scalar(select(HelpArticle.id).where(HelpArticle.slug == slug,
                                                     HelpArticle.id != (article.id if article else -1))):
        errors.add("slug", "help.slug_taken")
    errors.raise_if_any()
    return slug


def save(session: Session, draft: Draft, by: int | None, now: datetime, article_id: int | None = None,
         status: str | None = None) -> HelpArticle:
    """Create an article (a draft unless `status` says otherwise) or change one; `by` None is the system."""
    if by is not None:
        _writer(session, by)
    article = session.get(HelpArticle, article_id) if article_id else None
    if article_id and article is None:
        raise NotFound()
    slug = _check(session, draft, article)
    if article is None:
        article = HelpArticle(slug=slug, status=status or "draft", author_id=by, created_at=now, tags=[])
        session.add(article)
    article.slug, article.section_id = slug, draft.section_id
    article.tags = clean_tags(list(draft.tags))
    article.updated_at = now
    if status:
        set_status(session, article, status)
    session.flush()
    translation = session.scalar(select(HelpTranslation).where(HelpTranslation.article_id == article.id,
                                                              HelpTranslation.locale == draft.locale))
    if translation is None:
        translation = HelpTranslation(article_id=article.id, locale=draft.locale)
        session.add(translation)
    words = (draft.title.strip(), draft.summary.strip(), draft.body)
    if (translation.title, translation.summary, translation.body) != words:
        translation.title, translation.summary, translation.body = words
        translation.updated_by, translation.updated_at = by, now
        session.add(HelpVersion(article_id=article.id, locale=draft.locale, title=words[0], summary=words[1],
                                body=words[2], author_id=by, created_at=now))
    session.flush()
    reindex(session, article)
    return article


def set_status(session: Session, article: HelpArticle, status: str) -> None:
    if status not in STATUSES:
        raise DomainError("help.bad_status")
    article.status = status


def change_status(session: Session, article_id: int, status: str, by: int, now: datetime) -> None:
    _writer(session, by)
    article = session.get(HelpArticle, article_id)
    if article is None:
        raise NotFound()
    set_status(session, article, status)
    article.updated_at = now


def restore(session: Session, version_id: int, by: int, now: datetime) -> HelpArticle:
    """Make an old version the current words again (itself a new version)."""
    version = session.get(HelpVersion, version_id)
    if version is None:
        raise NotFound()
    article = session.get(HelpArticle, version.article_id)
    draft = Draft(version.locale, version.title, version.summary, version.body, article.slug, tuple(article.tags),
                  article.section_id)
    return save(session, draft, by, now, article_id=article.id)


def reindex(session: Session, article: HelpArticle) -> None:
    for translation in session.scalars(select(HelpTranslation).where(HelpTranslation.article_id == article.id)):
        search.index(session, translation, article.tags)


def draft_from_reply(session: Session, message_id: int, by: int, now: datetime, locale: str) -> Page:
    """A draft article from a good public reply: the ticket's subject as its title, the reply as its body."""
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound()
    if message.kind != "agent":
        raise DomainError("help.not_a_reply")
    ticket = session.get(Ticket, message.ticket_id)
    slug, n = slugify(ticket.subject), 1
    while session.scalar(select(HelpArticle.id).where(HelpArticle.slug == slug)):
        n += 1
        slug = f"{slugify(ticket.subject)[:70]}-{n}"
    article = save(session, Draft(locale, ticket.subject[:MAX_TITLE], "", message.body, slug), by, now)
    article.from_ticket_id = ticket.id
    return page(session, article.slug, locale, drafts=True)


# ---------------------------------------------------------------- reading

@dataclass(frozen=True)
class Page:
    id: int
    slug: str
    status: str
    locale: str  # the language shown (the reader's, or the fallback)
    title: str
    summary: str
    body: str
    tags: tuple[str, ...]
    section: str | None
    updated_at: datetime
    locales: tuple[str, ...]
    section_id: int | None = None


def shown_translation(translations: list[HelpTranslation], locale: str) -> HelpTranslation | None:
    """The translation a reader of `locale` sees: theirs, else English, else the first there is."""
    by_locale = {t.locale: t for t in translations}
    return by_locale.get(locale) or by_locale.get("en") or (translations[0] if translations else None)


def page(session: Session, slug: str, locale: str, drafts: bool = False) -> Page | None:
    article = session.scalar(select(HelpArticle).where(HelpArticle.slug == slug))
    if article is None or (article.status != "published" and not drafts):
        return None
    translations = list(session.scalars(select(HelpTranslation).where(HelpTranslation.article_id == article.id)
                                        .order_by(HelpTranslation.locale)))
    shown = shown_translation(translations, locale)
    if shown is None:
        return None
    section = session.get(HelpSection, article.section_id) if article.section_id else None
    return Page(article.id, article.slug, article.status, shown.locale, shown.title, shown.summary, shown.body,
                tuple(article.tags), section_name(section, locale) if section else None,
                max(shown.updated_at, article.updated_at), tuple(t.locale for t in translations), article.section_id)


def section_name(section: HelpSection, locale: str) -> str:
    return section.names.get(locale) or section.names.get("en") or section.slug


def sections_named(session: Session, locale: str) -> dict[int, str]:
    """Every section by id, named in `locale` ("Category › Section" under a category), in reading order."""
    found = {s.id: s for s in session.scalars(select(HelpSection).order_by(HelpSection.position, HelpSection.id))}

    def named(section: HelpSection) -> str:
        parent = found.get(section.parent_id)
        return f"{section_name(parent, locale)} › {section_name(section, locale)}" if parent else section_name(
            section, locale)
    return {i: named(section) for i, section in found.items()}


def add_section(session: Session, name: str, locale: str, by: int, parent_id: int | None = None) -> HelpSection:
    """A new section (or, without a parent, a category), named in one language to start with."""
    _writer(session, by)
    errors = Collector()
    if not name.strip():
        errors.add("section", "help.title_required")
    slug = slugify(name)
    if session.scalar(select(HelpSection.id).where(HelpSection.slug == slug)):
        errors.add("section", "help.slug_taken")
    errors.raise_if_any()
    position = (session.scalar(select(func.max(HelpSection.position))) or 0) + 1
    section = HelpSection(slug=slug, parent_id=parent_id, position=position, names={locale: name.strip()})
    session.add(section)
    session.flush()
    return section


@dataclass(frozen=True)
class Listed:
    id: int
    slug: str
    title: str
    summary: str
    status: str
    section: str | None
    updated_at: datetime


def listing(session: Session, locale: str, statuses: tuple[str, ...] = ("published",)) -> list[Listed]:
    """Articles in reading order (section, then position), each in the reader's language or its fallback."""
    all_sections = {s.id: s for s in session.scalars(select(HelpSection))}
    rows = session.execute(select(HelpArticle, HelpTranslation)
                           .join(HelpTranslation, HelpTranslation.article_id == HelpArticle.id)
                           .where(HelpArticle.status.in_(statuses))
                           .order_by(HelpArticle.position, HelpArticle.id)).all()
    grouped: dict[int, tuple[HelpArticle, list[HelpTranslation]]] = {}
    for article, translation in rows:
        grouped.setdefault(article.id, (article, []))[1].append(translation)
    order = {s.id: (s.position, s.id) for s in all_sections.values()}
    grouped_in_order = sorted(grouped.values(), key=lambda pair: (order.get(pair[0].section_id, (99, 0)),
                                                                  pair[0].position, pair[0].id))
    named = sections_named(session, locale)
    listed = []
    for article, translations in grouped_in_order:
        shown = shown_translation(translations, locale)
        listed.append(Listed(article.id, article.slug, shown.title, shown.summary, article.status,
                             named.get(article.section_id), max(shown.updated_at, article.updated_at)))
    return listed


def versions(session: Session, article_id: int, locale: str) -> list[tuple[HelpVersion, str | None]]:
    """The saved versions of one translation, newest first, with their author's name."""
    return list(session.execute(select(HelpVersion, User.name).outerjoin(User, User.id == HelpVersion.author_id)
                                .where(HelpVersion.article_id == article_id, HelpVersion.locale == locale)
                                .order_by(HelpVersion.id.desc())).all())


def translation(session: Session, article_id: int, locale: str) -> HelpTranslation | None:
    return session.scalar(select(HelpTranslation).where(HelpTranslation.article_id == article_id,
                                                       HelpTranslation.locale == locale))
