"""Demo readers of the help center: views, searches (some finding nothing), suggestions on the new-ticket form,
questions they answered and votes, spread over the demo's days, so the knowledge dashboard has something to say."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from core.models import HelpActivity, HelpArticle, HelpVote, Ticket

SEARCHES = {"en": ("password", "invoice twice", "export csv", "change language", "delete my account",
                   "ticket status"),
            "es": ("contraseña", "factura duplicada", "exportar csv", "cambiar idioma", "borrar mi cuenta",
                   "estado del ticket")}
NOT_FOUND = {"export csv", "exportar csv", "change language", "cambiar idioma", "delete my account",
             "borrar mi cuenta"}
COMMENTS = ("Clear and short, thanks.", "It does not say how long an answer takes.", "Muy claro.",
            "Faltan capturas de pantalla.")


def add(session: Session, rng: random.Random, now: datetime, days: int, readers: int = 400) -> None:
    """Once: nothing is added when the help center already has readers' activity."""
    if session.scalar(select(func.count()).select_from(HelpActivity)):
        return
    slugs = dict(session.execute(select(HelpArticle.slug, HelpArticle.id).where(HelpArticle.status == "published"))
                 .all())
    if not slugs:
        return
    ids, rows, votes = list(slugs.values()), [], {}
    tickets = session.scalars(select(Ticket.id).order_by(Ticket.id.desc()).limit(readers)).all()
    for reader in range(readers):
        at = now - timedelta(seconds=rng.randrange(days * 86400))
        locale = rng.choice(("en", "es"))
        query = rng.choice(SEARCHES[locale])
        rows.append({"kind": "search", "at": at, "locale": locale, "query": query,
                     "results": 0 if query in NOT_FOUND else rng.randint(1, 4)})
        for _ in range(rng.randint(1, 3)):
            rows.append({"kind": "view", "at": at, "locale": locale, "article_id": rng.choice(ids)})
        if rng.random() < 0.35:  # on the new-ticket form
            shown = rng.sample(ids, 2)
            rows += [{"kind": "suggest", "at": at, "locale": locale, "article_id": i} for i in shown]
            if rng.random() < 0.4:
                rows.append({"kind": "deflect", "at": at, "locale": locale, "article_id": shown[0]})
            elif tickets:  # sent anyway: the ticket is linked to what it was shown
                ticket = rng.choice(tickets)
                rows += [{"kind": "ticket", "at": at, "locale": locale, "article_id": i, "ticket_id": ticket}
                         for i in shown]
        if rng.random() < 0.2:
            votes[(rng.choice(ids), f"demo-reader-{reader}")] = (rng.random() < 0.75, at, locale)
    session.execute(insert(HelpActivity), [{"article_id": None, "ticket_id": None, "query": None, "results": None,
                                            **row} for row in rows])
    session.execute(insert(HelpVote), [
        {"article_id": article, "voter": voter, "helpful": helpful, "at": at, "locale": locale,
         "comment": rng.choice(COMMENTS) if rng.random() < 0.3 else None}
        for (article, voter), (helpful, at, locale) in votes.items()])
