"""The agents' queues (core.tickets.queues) and full-text search (core.tickets.search), on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import event, func, inspect, select, text

from core.db import alembic_config, migrate, session_factory, unit_of_work
from core.models import Product, SlaPolicy, Ticket
from core.tickets import queues, search
from core.tickets import service as tickets
from core.tickets.queues import Filters
from tests.core.conftest import T0

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
NOW = T0 + 2 * DAY


# ---------------------------------------------------------------- helpers

def _do(desk, action, ticket_id, at, **kwargs):
    """One change at `at`. The boards here are drawn by hand: a reply leaves the assignee alone
    (MESA_ASSIGN_ON_REPLY off), so a ticket is someone's only where an "assign" says so."""
    with unit_of_work(desk.factory) as session:
        if action == "reply":
            tickets.add_agent_reply(session, ticket_id, agent_id=kwargs.pop("agent", desk.ana),
                                    body=kwargs.pop("body", "On it."), now=at,
                                    settings=desk.settings.model_copy(update={"assign_on_reply": False}), **kwargs)
        elif action == "note":
            tickets.add_internal_note(session, ticket_id, agent_id=desk.liam, now=at, **kwargs)
        elif action == "status":
            tickets.change_status(session, ticket_id, actor_id=desk.ana, now=at, **kwargs)
        elif action == "assign":
            tickets.assign(session, ticket_id, actor_id=desk.ana, now=at, **kwargs)
        elif action == "customer":
            tickets.add_customer_message(session, ticket_id, settings=desk.settings, now=at, **kwargs)


def _page(desk, view, *, user=None, now=NOW, **kwargs):
    with desk.reader() as session:
        return queues.page(session, view, user_id=user or desk.ana, now=now, **kwargs)


def _ids(desk, view, **kwargs):
    return [row.id for row in _page(desk, view, limit=100, **kwargs)]


def _counts(desk, *, user=None, now=NOW):
    with desk.reader() as session:
        return queues.counts(session, user_id=user or desk.ana, now=now)


def _search(desk, value, **kwargs):
    with desk.reader() as session:
        return search.search_ids(session, value, **kwargs)


def _policies(desk):
    with unit_of_work(desk.factory) as session:
        session.add_all([SlaPolicy(priority=priority, first_reply_minutes=first, resolution_minutes=resolution,
                                   business_hours=False)  # calendar minutes: business hours in test_schedule.py
                         for priority, first, resolution in (("urgent", 60, 8 * 60), ("normal", 8 * 60, 72 * 60),
                                                             ("low", 24 * 60, 7 * 24 * 60))])


@pytest.fixture
def board(desk):
    """A hand-built desk at NOW = T0 + 2 days, one ticket per situation (no SLA policies)."""
    with unit_of_work(desk.factory) as session:
        other = Product(name="Mesa On-Premise")
        session.add(other)
        session.flush()
        other_product = other.id
    t = {}
    t["new"] = desk.new_ticket(subject="Printer jam", now=T0, kind="question", priority="normal").id
    t["open_ana"] = desk.new_ticket(subject="Export fails", now=T0 + HOUR, priority="high",
                                    email="zoe@example.org", name="Zoe Park").id
    _do(desk, "reply", t["open_ana"], T0 + 2 * HOUR)
    _do(desk, "assign", t["open_ana"], T0 + 2 * HOUR, assignee_id=desk.ana)
    t["pending_liam"] = desk.new_ticket(subject="Need invoice", now=T0 + 3 * HOUR, priority="low",
                                        kind="improvement", channel="email", product_id=other_product).id
    _do(desk, "assign", t["pending_liam"], T0 + 3 * HOUR, assignee_id=desk.liam)
    _do(desk, "reply", t["pending_liam"], T0 + 4 * HOUR, agent=desk.liam, status="pending")
    t["hold"] = desk.new_ticket(subject="Waiting on vendor", now=T0 + 5 * HOUR, priority="urgent").id
    _do(desk, "status", t["hold"], T0 + 6 * HOUR, status="on_hold")
    t["open"] = desk.new_ticket(subject="Slow dashboard", now=T0 + 7 * HOUR).id
    _do(desk, "status", t["open"], T0 + 8 * HOUR, status="open")
    t["solved"] = desk.new_ticket(subject="Reset done", now=T0 - DAY).id
    _do(desk, "assign", t["solved"], T0 - DAY, assignee_id=desk.ana)
    _do(desk, "reply", t["solved"], T0 + DAY, status="solved")
    t["closed_recent"] = desk.new_ticket(subject="Closed this week", now=T0 - 2 * DAY).id
    _do(desk, "reply", t["closed_recent"], T0 - DAY, status="solved")
    _do(desk, "status", t["closed_recent"], T0 + DAY, status="closed")
    t["solved_old"] = desk.new_ticket(subject="Long ago", now=T0 - 30 * DAY).id
    _do(desk, "reply", t["solved_old"], T0 - 20 * DAY, status="solved")
    t["other_product"] = other_product
    return t


# ---------------------------------------------------------------- views and counts

def test_each_view_holds_its_tickets(desk, board):
    b = board
    assert set(_ids(desk, "unassigned")) == {b["new"], b["hold"], b["open"]}
    assert set(_ids(desk, "mine")) == {b["open_ana"]}
    assert set(_ids(desk, "mine", user=desk.liam)) == {b["pending_liam"]}
    assert set(_ids(desk, "open")) == {b["new"], b["open_ana"], b["open"]}
    assert set(_ids(desk, "pending")) == {b["pending_liam"]}
    assert set(_ids(desk, "on_hold")) == {b["hold"]}
    assert set(_ids(desk, "solved")) == {b["solved"], b["closed_recent"]}
    assert _ids(desk, "due") == []  # no SLA policies, so nothing is ever due


def test_counts_match_the_views(desk, board):
    assert _counts(desk) == {"unassigned": 3, "mine": 1, "open": 3, "pending": 1, "on_hold": 1, "due": 0,
                             "solved": 2}
    assert _counts(desk, user=desk.liam)["mine"] == 1
    assert _counts(desk, user=desk.manager)["mine"] == 0
    for view, count in _counts(desk).items():
        assert len(_ids(desk, view)) == count, view


def test_solved_view_keeps_seven_days(desk, board):
    later = T0 + DAY + 7 * DAY + HOUR  # "solved" was solved at T0 + 1 day
    assert set(_ids(desk, "solved", now=later)) == set()
    assert _counts(desk, now=later)["solved"] == 0
    assert set(_ids(desk, "solved", now=T0 + 5 * DAY)) == {board["solved"], board["closed_recent"]}
    assert set(_ids(desk, "solved", now=T0 + 7 * DAY)) == {board["solved"]}  # closed_recent: solved T0 - 1 day


def test_counts_on_an_empty_desk_are_zero(desk):
    assert _counts(desk) == dict.fromkeys(queues.VIEWS, 0)


def test_rows_carry_names_and_fields(desk, board):
    (row,) = [r for r in _page(desk, "mine") if r.id == board["open_ana"]]
    assert row.subject == "Export fails" and row.requester_name == "Zoe Park"
    assert row.requester_email == "zoe@example.org"
    assert (row.status, row.priority, row.kind, row.channel) == ("open", "high", "incident", "web")
    assert row.assignee_id == desk.ana and row.assignee_name == "Ana Ruiz"
    assert row.created_at == T0 + HOUR and row.updated_at == T0 + 2 * HOUR
    assert row.first_reply_due_at is None and row.resolution_due_at is None and row.breached is False
    (unassigned,) = [r for r in _page(desk, "unassigned") if r.id == board["new"]]
    assert unassigned.assignee_id is None and unassigned.assignee_name is None


def test_unknown_view_sort_or_paging_is_refused(desk):
    with desk.reader() as session:
        with pytest.raises(ValueError, match="view"):
            queues.page(session, "everything", user_id=desk.ana)
        with pytest.raises(ValueError, match="sort"):
            queues.page(session, "open", user_id=desk.ana, sort="random")
        with pytest.raises(ValueError):
            queues.page(session, "open", user_id=desk.ana, limit=0)
        with pytest.raises(ValueError):
            queues.page(session, "open", user_id=desk.ana, offset=-1)


# ---------------------------------------------------------------- filters

def _filtered(desk, view, **filters):
    return set(_ids(desk, view, filters=Filters(**filters)))


def test_every_filter_narrows_the_view(desk, board):
    b = board
    assert _filtered(desk, "open", statuses=("new",)) == {b["new"]}
    assert _filtered(desk, "open", statuses=("new", "open")) == {b["new"], b["open_ana"], b["open"]}
    assert _filtered(desk, "open", statuses=("pending",)) == set()  # a filter never widens the view
    assert _filtered(desk, "unassigned", priorities=("urgent", "normal")) == {b["new"], b["hold"], b["open"]}
    assert _filtered(desk, "open", priorities=("high",)) == {b["open_ana"]}
    assert _filtered(desk, "open", kinds=("question",)) == {b["new"]}
    assert _filtered(desk, "pending", kinds=("improvement",)) == {b["pending_liam"]}
    assert _filtered(desk, "pending", product_ids=(b["other_product"],)) == {b["pending_liam"]}
    assert _filtered(desk, "open", product_ids=(b["other_product"],)) == set()
    assert _filtered(desk, "open", product_ids=(desk.product,)) == {b["new"], b["open_ana"], b["open"]}
    assert _filtered(desk, "solved", assignee_ids=(desk.ana,)) == {b["solved"]}
    assert _filtered(desk, "open", assignee_ids=(desk.ana, desk.liam)) == {b["open_ana"]}
    assert _filtered(desk, "pending", channels=("email",)) == {b["pending_liam"]}
    assert _filtered(desk, "pending", channels=("web",)) == set()
    assert _filtered(desk, "open", created_from=T0 + HOUR) == {b["open_ana"], b["open"]}
    assert _filtered(desk, "open", created_to=T0 + HOUR) == {b["new"]}  # the upper bound is exclusive
    assert _filtered(desk, "open", created_from=T0, created_to=T0 + 2 * HOUR) == {b["new"], b["open_ana"]}
    assert _filtered(desk, "open", text="export") == {b["open_ana"]}
    assert _filtered(desk, "open", text="zoe@example.org") == {b["open_ana"]}
    assert _filtered(desk, "unassigned", text="export") == set()
    assert _filtered(desk, "open", text="   ") == {b["new"], b["open_ana"], b["open"]}


def test_filters_combine(desk, board):
    assert _filtered(desk, "open", priorities=("normal",), created_from=T0 + HOUR) == {board["open"]}
    assert _filtered(desk, "open", priorities=("normal",), kinds=("question",), text="printer") == {board["new"]}


# ---------------------------------------------------------------- sorting and paging

@pytest.fixture
def lineup(desk):
    """Four unassigned live tickets with distinct priorities, creation, update and due times."""
    _policies(desk)
    ids = {}
    ids["low_old"] = desk.new_ticket(subject="A", priority="low", now=T0).id               # first due T0+24h
    ids["urgent"] = desk.new_ticket(subject="B", priority="urgent", now=T0 + HOUR).id      # first due T0+2h
    ids["normal"] = desk.new_ticket(subject="C", priority="normal", now=T0 + 2 * HOUR).id  # first due T0+10h
    ids["high"] = desk.new_ticket(subject="D", priority="high", now=T0 + 3 * HOUR).id      # no policy: no due
    _do(desk, "note", ids["low_old"], T0 + 5 * HOUR, body="bump")   # updated last
    _do(desk, "note", ids["urgent"], T0 + 4 * HOUR, body="bump")
    return ids


def test_each_sort_order(desk, lineup):
    i = lineup
    now = T0 + 6 * HOUR
    assert _ids(desk, "unassigned", sort="due", now=now) == [i["urgent"], i["normal"], i["low_old"], i["high"]]
    assert _ids(desk, "unassigned", sort="priority", now=now) == [i["urgent"], i["high"], i["normal"], i["low_old"]]
    assert _ids(desk, "unassigned", sort="updated", now=now) == [i["low_old"], i["urgent"], i["high"], i["normal"]]
    assert _ids(desk, "unassigned", sort="created", now=now) == [i["high"], i["normal"], i["urgent"], i["low_old"]]


def test_priority_sort_puts_the_oldest_update_first_within_a_priority(desk):
    first = desk.new_ticket(subject="one", now=T0).id
    second = desk.new_ticket(subject="two", now=T0 + HOUR).id
    _do(desk, "note", first, T0 + 2 * HOUR, body="bump")
    assert _ids(desk, "unassigned", sort="priority") == [second, first]


def test_due_sort_uses_resolution_once_the_first_reply_is_given(desk):
    _policies(desk)
    answered = desk.new_ticket(subject="answered", priority="urgent", now=T0).id   # resolution due T0+8h
    waiting = desk.new_ticket(subject="waiting", priority="normal", now=T0).id     # first reply due T0+8h+
    _do(desk, "reply", answered, T0 + 10 * timedelta(minutes=1))
    _do(desk, "status", waiting, T0 + timedelta(minutes=1), status="open")
    with unit_of_work(desk.factory) as session:
        tickets.update_fields(session, waiting, actor_id=desk.ana, priority="normal", now=T0)
    assert _ids(desk, "open", sort="due", now=T0 + HOUR) == [answered, waiting]


def test_paging_is_stable_and_complete(desk):
    made = [desk.new_ticket(subject=f"Ticket {n}", now=T0).id for n in range(7)]  # same times: id breaks ties
    for sort in queues.SORTS:
        whole = _ids(desk, "unassigned", sort=sort)
        pages = [[row.id for row in _page(desk, "unassigned", sort=sort, limit=3, offset=offset)]
                 for offset in (0, 3, 6, 9)]
        assert [len(p) for p in pages] == [3, 3, 1, 0]
        assert [ticket for p in pages for ticket in p] == whole and sorted(whole) == sorted(made), sort
        assert _ids(desk, "unassigned", sort=sort) == whole  # the same order every time


def test_paging_happens_in_sql(desk):
    for n in range(5):
        desk.new_ticket(subject=f"Ticket {n}", now=T0 + n * HOUR)
    statements = []
    engine = desk.factory.kw["bind"]

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        rows = _page(desk, "unassigned", sort="created", limit=2, offset=1)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert [r.subject for r in rows] == ["Ticket 3", "Ticket 2"]
    (query,) = [s for s in statements if "FROM tickets" in s]
    assert "LIMIT" in query and "OFFSET" in query and "JOIN users" in query and "ticket_metrics" in query


# ---------------------------------------------------------------- due and breached

def test_due_view_and_breached_flags_with_a_frozen_now(desk):
    _policies(desk)
    now = T0 + 10 * HOUR  # the due view reaches T0 + 14h
    late_reply = desk.new_ticket(subject="urgent, no reply", priority="urgent", now=T0).id      # due T0+1h
    soon = desk.new_ticket(subject="normal, due soon", priority="normal", now=T0 + 5 * HOUR).id  # due T0+13h
    answered = desk.new_ticket(subject="normal, answered", priority="normal", now=T0 + 5 * HOUR).id
    _do(desk, "reply", answered, T0 + 6 * HOUR)                                                 # res T0+77h
    later = desk.new_ticket(subject="low, not yet", priority="low", now=T0).id                  # due T0+24h
    overdue = desk.new_ticket(subject="urgent, replied late", priority="urgent", now=T0).id
    _do(desk, "reply", overdue, T0 + 2 * HOUR)                                                  # res T0+8h
    solved_late = desk.new_ticket(subject="urgent, solved late", priority="urgent", now=T0).id
    _do(desk, "reply", solved_late, T0 + 9 * HOUR, status="solved")
    no_policy = desk.new_ticket(subject="high, no policy", priority="high", now=T0).id

    assert _ids(desk, "due", sort="due", now=now) == [late_reply, overdue, soon]
    assert _counts(desk, now=now)["due"] == 3
    rows = {r.id: r for r in _page(desk, "unassigned", now=now, limit=50)}
    assert {i for i, r in rows.items() if r.breached} == {late_reply, overdue}
    assert rows[late_reply].first_reply_due_at == T0 + HOUR
    assert rows[overdue].resolution_due_at == T0 + 8 * HOUR
    assert not rows[soon].breached and not rows[answered].breached and not rows[later].breached
    # a row shows the due times still to meet: none for the first reply once it is given
    assert rows[answered].first_reply_due_at is None and rows[answered].resolution_due_at == T0 + 77 * HOUR
    assert rows[overdue].first_reply_due_at is None
    assert rows[no_policy].first_reply_due_at is None and not rows[no_policy].breached
    (solved_row,) = _page(desk, "solved", now=now)
    assert solved_row.id == solved_late and solved_row.breached is False  # met (late): no longer breaching
    assert solved_row.first_reply_due_at is None and solved_row.resolution_due_at is None

    # the tickets as they are now, looked at from another moment
    assert set(_ids(desk, "due", now=T0)) == {late_reply}  # overdue's resolution is 8h after T0
    assert set(_ids(desk, "due", now=now + DAY)) == {late_reply, overdue, soon, later}  # answered: T0+77h


def test_due_view_respects_the_assignee(desk):
    _policies(desk)
    mine = desk.new_ticket(priority="urgent", now=T0).id
    _do(desk, "assign", mine, T0, assignee_id=desk.ana)
    assert _ids(desk, "due", now=T0 + HOUR, filters=Filters(assignee_ids=(desk.ana,))) == [mine]
    assert _ids(desk, "due", now=T0 + HOUR, filters=Filters(assignee_ids=(desk.liam,))) == []
    (row,) = _page(desk, "mine", now=T0 + 2 * HOUR)
    assert row.breached


# ---------------------------------------------------------------- requester's other tickets

def test_requester_tickets_newest_first_without_the_one_on_screen(desk):
    first = desk.new_ticket(subject="first", now=T0).id
    second = desk.new_ticket(subject="second", now=T0 + HOUR).id
    third = desk.new_ticket(subject="third", now=T0 + 2 * HOUR).id
    desk.new_ticket(subject="someone else", email="other@example.com", now=T0 + 3 * HOUR)
    requester = desk.ticket(first).requester_id
    with desk.reader() as session:
        assert [r.id for r in queues.requester_tickets(session, requester)] == [third, second, first]
        assert [r.id for r in queues.requester_tickets(session, requester, exclude=second)] == [third, first]
        assert [r.id for r in queues.requester_tickets(session, requester, limit=1)] == [third]
        assert queues.requester_tickets(session, 999_999) == []


# ---------------------------------------------------------------- full-text search

@pytest.fixture
def corpus(desk):
    ids = {}
    ids["body"] = desk.new_ticket(subject="Problem", description="The export to spreadsheet breaks.", now=T0).id
    ids["note"] = desk.new_ticket(subject="Weird bug", description="Nothing works.", now=T0).id
    _do(desk, "note", ids["note"], T0 + HOUR, body="Escalated to Zebracorp support.")
    ids["reply"] = desk.new_ticket(subject="Question", description="How do I start?", now=T0).id
    _do(desk, "reply", ids["reply"], T0 + HOUR, body="Open the onboarding wizard.")
    ids["email"] = desk.new_ticket(subject="Billing", description="Charged twice.", now=T0,
                                   email="quentin.blake@illustrators.example", name="Quentin Blake").id
    ids["accent"] = desk.new_ticket(subject="Acceso", description="No recuerdo mi contraseña.", now=T0,
                                    email="lucia@example.es", name="Lucía Núñez", locale="es").id
    return ids


def test_search_finds_words_in_bodies_notes_and_requesters(desk, corpus):
    c = corpus
    assert _search(desk, "spreadsheet") == [c["body"]]
    assert _search(desk, "zebracorp") == [c["note"]]
    assert _search(desk, "onboarding wizard") == [c["reply"]]
    assert _search(desk, "quentin.blake@illustrators.example") == [c["email"]]
    assert _search(desk, "illustrators") == [c["email"]]
    assert _search(desk, "Blake") == [c["email"]]
    assert _search(desk, "WEIRD") == [c["note"]]
    assert _search(desk, "nothing-in-any-ticket") == []


def test_search_by_prefix_and_all_words(desk, corpus):
    assert _search(desk, "expor") == [corpus["body"]]
    assert _search(desk, "expor spread") == [corpus["body"]]
    assert _search(desk, "export wizard") == []  # every word must match
    assert _search(desk, "e") == []  # one letter is a whole word, not the prefix of everything


def test_search_ignores_accents_both_ways(desk, corpus):
    for query in ("contraseña", "CONTRASEÑA", "contrasena", "contras", "Núñez", "nunez", "lucia"):
        assert _search(desk, query) == [corpus["accent"]], query


def test_search_follows_changes(desk, corpus):
    assert _search(desk, "kangaroo") == []
    _do(desk, "customer", corpus["body"], T0 + DAY, body="Also the kangaroo export.")
    assert _search(desk, "kangaroo") == [corpus["body"]]


def test_blank_text_is_no_search(desk, corpus):
    assert _search(desk, "") is None and _search(desk, "  \t ") is None
    with desk.reader() as session:
        assert queues.search_ids(session, "") is None
        assert queues.search_ids(session, "spreadsheet") == [corpus["body"]]


def test_search_ranks_the_better_match_first(desk):
    once = desk.new_ticket(subject="Invoice", description="Please check this thing for me.", now=T0).id
    often = desk.new_ticket(subject="Invoice", description="Invoice wrong; the invoice total, invoice date.",
                            now=T0).id
    assert _search(desk, "invoice") == [often, once]
    assert _search(desk, "invoice", limit=1) == [often]


NASTY = ['"', '""', '"export', 'export"', "*", "export*", "-export", "export -spreadsheet", "OR", "export OR",
         "OR export", "AND", "NOT export", "NEAR(", "NEAR(export spreadsheet)", "export NEAR/2 spreadsheet",
         "'; DROP TABLE tickets; --", "1' OR '1'='1", "%", "_", "\\", ":*", "&|!()", "export:*", "^export",
         "body:export", "{body}: export", "(export)", "ticket_id:1", "export & spreadsheet", "'export'",
         "exp%ort", "\x00", "export\x00", "😀 export"]


# Operators mean nothing: every word is a literal prefix that must be present ("-export" is "export").
FINDS_EXPORT = {'"export', 'export"', "export*", "-export", "export -spreadsheet", "export:*", "^export",
                "(export)", "'export'", "export & spreadsheet", "😀 export", "export\x00"}


@pytest.mark.parametrize("query", NASTY)
def test_search_is_safe_with_operators_and_sql_in_the_text(desk, corpus, query):
    found = _search(desk, query)
    assert found is None if query == "\x00" else isinstance(found, list)  # a NUL alone is no text
    if query in FINDS_EXPORT:
        assert found == [corpus["body"]], query
    with desk.reader() as session:
        assert session.scalar(select(func.count()).select_from(Ticket)) == 5
        rows = queues.page(session, "open", user_id=desk.ana, filters=Filters(text=query))
        assert all(isinstance(r, queues.Row) for r in rows)


def test_page_text_filter_uses_the_full_text_index(desk, corpus):
    assert _filtered(desk, "open", text="zebracorp") == {corpus["note"]}
    assert _filtered(desk, "open", text="contrasena") == {corpus["accent"]}
    assert _filtered(desk, "open", text="expor") == {corpus["body"]}


def _without_index(desk, check):
    """Run `check(session)` with ticket_search dropped, then roll the drop back."""
    session = desk.factory()
    try:
        session.execute(text("DROP TABLE ticket_search"))
        check(session)
    finally:
        session.rollback()
        session.close()


def test_fallback_without_the_index_searches_subject_and_requester(desk, corpus):
    c = corpus

    def check(session):
        assert not search.has_index(session)
        assert search.search_ids(session, "billing") == [c["email"]]
        assert search.search_ids(session, "quentin.blake@") == [c["email"]]
        assert search.search_ids(session, "blake") == [c["email"]]
        assert search.search_ids(session, "spreadsheet") == []  # bodies need the index
        assert search.search_ids(session, "100%") == [] and search.search_ids(session, "_") == []
        rows = queues.page(session, "open", user_id=desk.ana, filters=Filters(text="weird"))
        assert [r.id for r in rows] == [c["note"]]
        for query in NASTY:
            search.search_ids(session, query)
        # changing a ticket still works: only its search row is skipped
        tickets.add_internal_note(session, c["body"], agent_id=desk.ana, body="still fine", now=T0 + DAY)

    _without_index(desk, check)
    with desk.reader() as session:
        assert search.has_index(session)
        assert search.search_ids(session, "spreadsheet") == [c["body"]]


def test_fallback_when_the_full_text_query_fails(desk, corpus, monkeypatch):
    monkeypatch.setattr(search, "fts5_query", lambda terms: '"unbalanced')
    monkeypatch.setattr(search, "tsquery", lambda terms: "'unbalanced & (")
    with desk.reader() as session:
        assert search.search_ids(session, "billing") == [corpus["email"]]
        assert search.search_ids(session, "spreadsheet") == []
        rows = queues.page(session, "open", user_id=desk.ana, filters=Filters(text="problem"))
        assert [r.id for r in rows] == [corpus["body"]]
        assert session.scalar(select(func.count()).select_from(Ticket)) == 5  # the transaction is still usable


def test_normalize_and_query_builders():
    assert search.normalize("Contraseña ÉXITO straße e-mail a_b x@y.com") == (
        "contrasena exito strasse e mail a b x y com")
    assert search.words('"export" OR export NEAR( -x') == ["export", "or", "near", "x"]
    assert search.fts5_query(["export", 'a"b', "x"]) == '"export"* "a""b"* "x"'  # one letter: whole word
    assert search.tsquery(["export", "it's", "x"]) == "'export':* & 'it''s':* & 'x'"
    assert search.include_object(None, "ticket_search", "table", True, None) is False
    assert search.include_object(None, "ticket_search_data", "table", True, None) is False
    assert search.include_object(None, "tickets", "table", True, None) is True


def test_migration_indexes_existing_tickets(engine, settings):
    """Tickets written before 0003 (their index writes are skipped) are found once it is applied."""
    url = engine.url.render_as_string(hide_password=False)
    command.downgrade(alembic_config(url), "0002")
    try:
        assert "ticket_search" not in inspect(engine).get_table_names()
        with engine.begin() as connection:  # plain SQL: the models may have columns 0002 does not know yet
            at = T0.replace(tzinfo=None)
            user_id = connection.execute(text(
                "INSERT INTO users (email, name, role, locale, active, created_at) "
                "VALUES ('old@example.com', 'Old Timer', 'customer', 'en', true, :at) RETURNING id"),
                {"at": at}).scalar()
            ticket_id = connection.execute(text(
                "INSERT INTO tickets (requester_id, subject, kind, priority, status, channel, locale, created_at, "
                "updated_at, version) VALUES (:user, 'Legacy', 'question', 'normal', 'new', 'web', 'en', :at, :at, 1) "
                "RETURNING id"), {"user": user_id, "at": at}).scalar()
            connection.execute(text("INSERT INTO messages (ticket_id, author_id, kind, body, via, created_at) "
                                    "VALUES (:ticket, :user, 'customer', 'The fax gateway is down.', 'web', :at)"),
                               {"ticket": ticket_id, "user": user_id, "at": at})
    finally:
        migrate(url)
    with session_factory(engine)() as session:
        assert search.search_ids(session, "fax gateway") == [ticket_id]
        assert search.search_ids(session, "old@example.com") == [ticket_id]
