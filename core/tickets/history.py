"""A ticket's history in words: who did what, with names and labels in the reader's language and time zone.

"Ana changed the status from New to Pending · 2026-12-01 10:00 (Europe/Madrid)", never "status: new →
pending" or "assignee: — → 3". The rows are core.tickets.service's ticket_events, unchanged.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import formats, i18n
from core.models import Product, TicketEvent, User
from core.tickets import service as tickets

PEOPLE = ("assignee", "requester")
LABELLED = {"status": "status.agent.", "priority": "priority.", "kind": "kind.", "channel": "wb.channel_"}
TICKETS = ("follow_up_of", "merged_into", "merged_from")
CREATED = (*PEOPLE, *LABELLED, "product", "subject", "follow_up_of")  # the fields a new ticket is given


def lines(session: Session, ticket_id: int, locale: str, zone: ZoneInfo) -> list[str]:
    """Every event of the ticket, oldest first, as a sentence."""
    events = tickets.events_of(session, ticket_id)
    user_ids = {e.actor_id for e in events} | {int(v) for e in events if e.field in PEOPLE
                                                for v in (e.old, e.new) if v and v.isdigit()}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    product_ids = {int(v) for e in events if e.field == "product" for v in (e.old, e.new) if v and v.isdigit()}
    products = dict(session.execute(select(Product.id, Product.name).where(Product.id.in_(product_ids))).all()) \
        if product_ids else {}
    created = [e for e in events if e.version == 1 and e.old is None and e.field in CREATED]
    said = [_created(created, names, products, locale, zone)] if created else []
    return said + [_line(e, names, products, locale, zone) for e in events if e not in created]


def _created(events: list[TicketEvent], names: dict, products: dict, locale: str, zone: ZoneInfo) -> str:
    """The fields a ticket was created with, as one line ("Rosa created the ticket with status New, priority
    Normal, …"), not one "changed from none to New" per field; the subject is the ticket's title."""
    first = events[0]
    fields = ", ".join(i18n.t(f"history.field_{e.field}", locale) + " " + _value(e, e.new, names, products, locale)
                       for e in events if e.field != "subject" and e.new and not (  # "Rosa … requester Rosa"
                           e.field == "requester" and e.new == str(first.actor_id)))
    who = names.get(first.actor_id) if first.actor_id else i18n.t("history.system", locale)
    return f"{i18n.t('history.created', locale, who=who, fields=fields)} · {_when(first, locale, zone)}"


def _when(event: TicketEvent, locale: str, zone: ZoneInfo) -> str:
    return formats.datetime(event.at, locale, zone) + f" ({zone.key})"


def _value(event: TicketEvent, value: str | None, names: dict, products: dict, locale: str) -> str:
    if value is None or value == "":
        return i18n.t("history.nothing", locale)
    if event.field in PEOPLE:
        return names.get(int(value), f"#{value}") if value.isdigit() else value
    if event.field == "product":
        return products.get(int(value), f"#{value}") if value.isdigit() else value
    if event.field in LABELLED:
        return i18n.t(LABELLED[event.field] + value, locale)
    if event.field in TICKETS:
        return f"#{value}"
    return value


def _line(event: TicketEvent, names: dict, products: dict, locale: str, zone: ZoneInfo) -> str:
    who = names.get(event.actor_id) if event.actor_id else i18n.t("history.system", locale)
    when = _when(event, locale, zone)
    if event.field == "message":
        text = i18n.t(f"history.message_{event.new}", locale, who=who)
    elif event.field in ("reminder", "merged_into", "merged_from", "close_reason"):
        text = i18n.t(f"history.{event.field}", locale, who=who, new=_value(event, event.new, names, products, locale))
    else:
        field = i18n.t(f"history.field_{event.field}", locale)
        old, new = (_value(event, v, names, products, locale) for v in (event.old, event.new))
        text = i18n.t("history.changed", locale, who=who, field=field, old=old, new=new)
    return f"{text} · {when}"
