"""python -m bench.knowledge [--articles N] [--activity M] [--database URL] [--repeat R] [--browser]

Issue 20's targets at N articles in two languages (es, en) and M rows of reader activity (views, searches, a tenth
of them without result, suggestions, questions answered, tickets linked) over a year:

- search: core.help.search.search, server side, over a mix of queries (one word, several, accents left out, a
  typo, words that find nothing), median ≤ 50 ms;
- the knowledge dashboard for 30 days: the page's three queries (headline now and before, searches without
  result, per article), median ≤ 300 ms;
- with --browser: a suggestion while typing on the new-ticket form, in Chromium, from the last key to the
  suggestion on screen (the debounce included), median ≤ 300 ms.

The database is built once (data/bench/knowledge-N-M.db by default) and reused. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.harness import machine
from bench.stats import percentile
from core.db import make_engine, migrate, read_factory, session_factory, unit_of_work
from core.help import articles, search, stats
from core.models import HelpActivity, HelpArticle, HelpVote, utcnow
from core.reports.common import Period

WORDS = {
    "es": (
        "factura", "exportar", "contraseña", "cuenta", "pago", "tarjeta", "pedido", "envío", "devolución", "usuario",
        "informe", "error", "acceso", "correo", "móvil", "aplicación", "sincronizar", "calendario", "permiso",
        "equipo", "plantilla", "importar", "archivo", "firma", "idioma", "notificación", "suscripción", "descuento",
        "almacén", "inventario", "proveedor", "cliente", "presupuesto", "impuesto",
    ),
    "en": (
        "invoice", "export", "password", "account", "payment", "card", "order", "shipping", "refund", "user",
        "report", "error", "access", "email", "mobile", "application", "sync", "calendar", "permission", "team",
        "template", "import", "file", "signature", "language", "notification", "subscription", "discount",
        "warehouse", "inventory", "supplier", "customer", "quote", "tax",
    ),
}
QUERIES = {"es": ["factura", "exportar facturas en pdf", "contrasena", "contarseña", "devolucion del pedido",
                  "error al sincronizar el calendario", "zzyzx"],
           "en": ["invoice", "export invoices as pdf", "pasword", "refund my order", "sync calendar error", "zzyzx"]}
BATCH = 20_000
KINDS = (("view", 40), ("search", 30), ("suggest", 18), ("deflect", 6), ("ticket", 6))


def build(url: str, count: int, activity: int) -> None:
    migrate(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    rng = random.Random(20)
    with factory() as session:
        have = session.scalar(select(func.count()).select_from(HelpArticle))
    now = utcnow()
    for n in range(have, count):
        with unit_of_work(factory) as session:
            article = None
            for locale, words in WORDS.items():
                title = " ".join(rng.sample(words, 4)).capitalize() + f" {n}"
                body = "\n\n".join(" ".join(rng.choices(words, k=40)) + "." for _ in range(6))
                draft = articles.Draft(locale, title, " ".join(rng.sample(words, 12)), body, f"article-{n}",
                                       tuple(rng.sample(words, 3)))
                article = articles.save(session, draft, None, now, article_id=article.id if article else None,
                                        status="published")
    with factory() as session:
        ids = session.scalars(select(HelpArticle.id)).all()
        rows = session.scalar(select(func.count()).select_from(HelpActivity))
    kinds = [kind for kind, weight in KINDS for _ in range(weight)]
    with engine.begin() as connection:
        for first in range(rows, activity, BATCH):
            batch = []
            for _ in range(first, min(first + BATCH, activity)):
                kind, locale = rng.choice(kinds), rng.choice(("es", "en"))
                row = {"kind": kind, "locale": locale, "at": now - timedelta(seconds=rng.randrange(365 * 86400)),
                       "article_id": None, "ticket_id": None, "query": None, "results": None}
                if kind == "search":
                    row["query"] = " ".join(rng.sample(WORDS[locale], rng.randint(1, 3)))
                    row["results"] = 0 if rng.random() < 0.1 else rng.randint(1, 10)
                else:
                    row["article_id"] = rng.choice(ids)
                batch.append(row)
            connection.execute(insert(HelpActivity), batch)
        votes = connection.scalar(select(func.count()).select_from(HelpVote))
        if not votes:
            connection.execute(insert(HelpVote), [
                {"article_id": rng.choice(ids), "voter": f"v{n}", "helpful": rng.random() < 0.7, "comment": None,
                 "locale": "es", "at": now - timedelta(seconds=rng.randrange(365 * 86400))}
                for n in range(min(activity // 20, 50_000))])
    engine.dispose()


def timed(run, repeat: int) -> dict[str, float]:
    seconds = []
    for n in range(repeat):
        started = time.perf_counter()
        run(n)
        seconds.append(time.perf_counter() - started)
    return {"cold_ms": 1000 * seconds[0], "median_ms": 1000 * statistics.median(seconds),
            "p95_ms": 1000 * percentile(seconds, 0.95)}


def server_side(url: str, repeat: int) -> dict[str, dict[str, float]]:
    engine = make_engine(url)
    reader = read_factory(engine)
    queries = [(locale, q) for locale, qs in QUERIES.items() for q in qs]

    def one_search(n: int) -> None:
        locale, query = queries[n % len(queries)]
        with reader() as session:
            search.search(session, locale, query)

    def dashboard(_n: int) -> None:
        period = Period.last(30, utcnow())
        with reader() as session:
            stats.headline(session, period)
            stats.headline(session, period.previous())
            stats.searches_without_result(session, period)
            stats.by_article(session, period, "es")

    results = {"search (mixed queries)": timed(one_search, repeat * len(queries)),
               "knowledge dashboard, 30 days": timed(dashboard, repeat)}
    engine.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.knowledge", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--activity", type=int, default=1_000_000)
    parser.add_argument("--database")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--browser", action="store_true", help="also time suggestions while typing in Chromium")
    args = parser.parse_args(argv)
    url = args.database or f"sqlite:///data/bench/knowledge-{args.articles}-{args.activity}.db"
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    build(url, args.articles, args.activity)
    print(f"database ready in {time.perf_counter() - started:.0f} s: {url}")
    print(f"machine: {machine()}")
    results = server_side(url, args.repeat)
    if args.browser:
        from bench.knowledge_browser import typing_to_suggestion
        results["suggestion while typing (browser)"] = typing_to_suggestion(url, args.repeat)
    print("| operation | cold | median | p95 |\n|---|---|---|---|")
    for name, result in results.items():
        print(f"| {name} | {result['cold_ms']:.1f} ms | {result['median_ms']:.1f} ms | {result['p95_ms']:.1f} ms |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
