"""Mesa's command line: python -m core <command> (see --help)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import BinaryIO

from core import i18n, logs
from core.config import ConfigError, get_settings


def _migrate(args: argparse.Namespace) -> int:
    from core.db import migrate

    url = get_settings().database
    done = migrate(url)
    if done.before is None:
        print(f"Created the schema at revision {done.after} ({_safe(url)}).")
    elif done.before != done.after:
        print(f"Upgraded from {done.before} to {done.after} ({_safe(url)}).")
    else:
        print(f"Already at {done.after} ({_safe(url)}).")
    if done.help_added:
        print(f"Help center: {done.help_added} starter translations added from data/help.")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    from core.db import make_engine, migrate, session_factory
    from demo import seed as demo

    settings = get_settings()
    migrate(settings.database)
    engine = make_engine(settings.database)
    factory = session_factory(engine)
    if args.if_empty and not demo.is_empty(factory):
        print("The database already has tickets; demo data not added.")
    else:
        count = demo.seed(factory, tickets=args.tickets, days=args.days, seed=args.seed, settings=settings)
        print(f"Added {count} demo tickets over the last {args.days} days.")
    demo.print_accounts()
    engine.dispose()
    return 0


def _create_user(args: argparse.Namespace) -> int:
    from core.accounts import service as accounts
    from core.db import make_engine, session_factory, unit_of_work
    from core.errors import DomainError

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat the password: "):
            print("The passwords differ; nothing was created.", file=sys.stderr)
            return 1
    else:
        print("No terminal to ask for the password: use --password-stdin.", file=sys.stderr)
        return 2
    engine = make_engine(get_settings().database)
    try:
        with unit_of_work(session_factory(engine)) as session:
            user = accounts.create_user(session, email=args.email, name=args.name, role=args.role,
                                        password=password, locale=args.locale)
            print(f"Created {user.role} {user.email} (id {user.id}).")
    except DomainError as exc:
        print(exc.message("en"), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def _ingest_email(args: argparse.Namespace) -> int:
    from core.db import make_engine, session_factory
    from core.mail import ingest

    settings = get_settings()
    raw = sys.stdin.buffer.read(settings.inbound_max_bytes + 1)  # one byte more tells an oversized email
    if not raw:
        print("No message on standard input.", file=sys.stderr)
        return 2
    engine = make_engine(settings.database)
    if len(raw) > settings.inbound_max_bytes:
        size = len(raw) + _drain(sys.stdin.buffer)
        result = ingest.ingest_oversized(session_factory(engine), raw[: ingest.START_BYTES], size, settings)
    else:
        result = ingest.ingest(session_factory(engine), raw, settings)
    engine.dispose()
    print(f"{result.status}: ticket {result.ticket_id or '-'} (inbound #{result.inbound_id or '-'})")
    return 1 if result.status == ingest.FAILED else 0


def _reprocess_inbound(args: argparse.Namespace) -> int:
    from core.db import make_engine, session_factory
    from core.mail import ingest

    settings = get_settings()
    engine = make_engine(settings.database)
    factory, code = session_factory(engine), 0
    for inbound_id in args.ids:
        try:
            result = ingest.reprocess(factory, inbound_id, settings)
        except ingest.NotReprocessable as exc:
            print(f"Not reprocessed: {exc}.", file=sys.stderr)
            code = 1
            continue
        ticket = f", ticket #{result.ticket_id}" if result.ticket_id else ""
        print(f"Inbound email #{inbound_id}: {result.status}{ticket}.")
        code = code or int(result.status == ingest.FAILED)
    engine.dispose()
    return code


def _drain(stream: BinaryIO, chunk: int = 1024 * 1024) -> int:
    """Read the rest of an oversized email without keeping it (the MTA expects it all read); its size."""
    size = 0
    while block := stream.read(chunk):
        size += len(block)
    return size


def _fetch_mail(args: argparse.Namespace) -> int:
    from core.db import make_engine, session_factory
    from core.mail import imap

    settings = get_settings()
    if not settings.imap_host:
        print("MESA_IMAP_HOST is not set: there is no mailbox to read.", file=sys.stderr)
        return 2
    engine = make_engine(settings.database)
    report = imap.fetch(session_factory(engine), settings)
    engine.dispose()
    print(f"Stored {report.stored}, duplicates {report.duplicates}, failed {report.failed}.")
    for error in report.errors:  # a refused sign-in (password or OAuth2 token)
        print(error, file=sys.stderr)
    return 1 if report.errors else 0


def _worker(args: argparse.Namespace) -> int:
    from core import worker
    from core.db import make_engine

    settings = get_settings()
    engine = make_engine(settings.database)
    if args.once:
        from core.db import session_factory

        for step, result in worker.run_once(session_factory(engine), settings).items():
            print(f"{step}: {result}")
    else:
        worker.run_forever(engine, settings)
    engine.dispose()
    return 0


def _rebuild_metrics(args: argparse.Namespace) -> int:
    from core.db import make_engine, session_factory
    from core.tickets import metrics

    engine = make_engine(get_settings().database)
    try:
        count = metrics.rebuild(session_factory(engine), batch=args.batch,
                                progress=lambda done: print(f"{done} tickets...", flush=True))
    finally:
        engine.dispose()
    print(f"Rebuilt the metrics of {count} tickets.")
    return 0


def _import(args: argparse.Namespace) -> int:
    from core.imports import cli

    return cli.run(args.source, Path(args.path), get_settings())


def _backup(args: argparse.Namespace) -> int:
    from core.backup import BackupError, backup

    try:
        written = backup(get_settings().database, Path(args.destination))
    except BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Backup written to {written}.")
    return 0


def _api(args: argparse.Namespace) -> int:
    import uvicorn

    from core.api.app import create_app

    settings = get_settings()
    uvicorn.run(create_app(settings=settings), host=args.host, port=args.port or settings.api_port,
                log_level="warning", access_log=False)
    return 0


def _create_api_token(args: argparse.Namespace) -> int:
    from core.accounts import service as accounts
    from core.api import tokens
    from core.db import make_engine, session_factory, unit_of_work
    from core.errors import DomainError

    engine = make_engine(get_settings().database)
    try:
        with unit_of_work(session_factory(engine)) as session:
            owner = accounts.find_by_email(session, args.email)
            if owner is None:
                print(f"No account for {args.email}.", file=sys.stderr)
                return 1
            scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
            token, secret = tokens.create(session, owner_id=owner.id, name=args.name, scopes=scopes,
                                          days=args.days, kind="service" if args.service else "personal")
            print(secret)
            print(f"Token {token.id} for {owner.email}: {', '.join(token.scopes)}, until "
                  f"{token.expires_at:%Y-%m-%d}. It is shown only now.", file=sys.stderr)
    except DomainError as exc:
        print(exc.message("en"), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core", description="Mesa help desk: administration commands.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="<command>")

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(run=_migrate)

    seed = commands.add_parser("seed-demo", help="add demo accounts and tickets")
    seed.add_argument("--tickets", type=int, default=300, help="how many tickets (default 300)")
    seed.add_argument("--days", type=int, default=90, help="spread over the last D days (default 90)")
    seed.add_argument("--seed", type=int, default=7, help="random seed, for the same data every time")
    seed.add_argument("--if-empty", action="store_true", help="only when the database has no tickets")
    seed.set_defaults(run=_seed_demo)

    create = commands.add_parser("create-user", help="create an account (asks for the password)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", required=True, choices=("customer", "agent", "manager", "admin"))
    create.add_argument("--locale", default="en", choices=i18n.LOCALES)
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    create.set_defaults(run=_create_user)

    ingest = commands.add_parser("ingest-email", help="take one raw email on standard input (for an MTA pipe)")
    ingest.set_defaults(run=_ingest_email)
    again = commands.add_parser("reprocess-inbound", help="apply stored inbound emails again (held, oversized "
                                "or failed ones; never one already applied)")
    again.add_argument("ids", type=int, nargs="+", metavar="ID", help="inbound email number, as the email log shows")
    again.set_defaults(run=_reprocess_inbound)
    fetch = commands.add_parser("fetch-mail", help="read the unseen messages of the IMAP mailbox once")
    fetch.set_defaults(run=_fetch_mail)
    work = commands.add_parser("worker", help="send mail, poll IMAP and run automations until stopped")
    work.add_argument("--once", action="store_true", help="one pass, then exit")
    work.set_defaults(run=_worker)
    rebuild = commands.add_parser("rebuild-metrics", help="recompute every ticket's metrics from its events")
    rebuild.add_argument("--batch", type=int, default=1000, help="tickets per transaction (default 1000)")
    rebuild.set_defaults(run=_rebuild_metrics)
    bring = commands.add_parser("import", help="import tickets from another help desk (docs/import.md); "
                                "importing again adds nothing")
    bring.add_argument("source", choices=("zendesk", "csv"), help="zendesk: an export folder; csv: Mesa's CSV layout")
    bring.add_argument("path", help="the Zendesk export folder, or the CSV file")
    bring.set_defaults(run=_import)
    save = commands.add_parser("backup", help="copy the database while Mesa runs (SQLite file or pg_dump archive)")
    save.add_argument("destination", help="the file to write, e.g. backups/mesa-2026-11-26.db")
    save.set_defaults(run=_backup)
    api = commands.add_parser("api", help="serve the REST API (uvicorn; docs at /api/docs)")
    api.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    api.add_argument("--port", type=int, default=0, help="port (default MESA_API_PORT, 8502)")
    api.set_defaults(run=_api)
    token = commands.add_parser("create-api-token", help="create an API token for a staff account; prints it once")
    token.add_argument("--email", required=True, help="the staff account the token acts as")
    token.add_argument("--scopes", required=True, help="comma-separated: tickets:read,tickets:write,reports:read,admin")
    token.add_argument("--days", type=int, default=90, help="valid for D days (default 90, at most 365)")
    token.add_argument("--name", default="command line", help="what the token is for")
    token.add_argument("--service", action="store_true", help="a service token (admins only)")
    token.set_defaults(run=_create_api_token)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        logs.configure(get_settings())
        return args.run(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
