import pytest
from sqlalchemy import select

from core.db import unit_of_work
from core.desk import admin
from core.models import HelpArticle, Message, Outbox, Ticket, User
from core.tickets import queues
from core.tickets import service as tickets
from tests.workbench_desk import open_box, open_workbench, workbench_desk
from ui import keys


@pytest.fixture
def desk(app_env):
    yield from workbench_desk(app_env, (("olivia@example.com", "Export stops at 10,000 rows", "details here"),
                                        ("james@example.com", "Invoice twice", "details here")))


def test_queues_show_live_counts_and_the_unassigned_tickets(desk):
    app = open_workbench("ana@mesa.example")
    assert not app.exception, app.exception
    assert app.title[0].value == "Workbench"
    table = app.dataframe[0].value
    # the default order is the next SLA deadline, earliest first: #1 came in first, so its first reply is due first
    assert list(table["number"]) == ["#1", "#2"] and "Export stops at 10,000 rows" in list(table["subject"])


def test_search_finds_a_word_of_a_message(desk):
    app = open_workbench("ana@mesa.example")
    app.text_input(key="wb_search").input("Invoice").run()
    assert list(app.dataframe[0].value["number"]) == ["#2"]


def test_a_ticket_reply_submitted_as_pending_with_a_note(desk):
    _factory, read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    assert not app.exception, app.exception
    assert app.title[0].value.startswith(f"#{ids[0]}")
    app.text_area(key=f"wb_draft_{ids[0]}").input("Could you send us the log file?").run()
    app.selectbox(key=f"wb_as_{ids[0]}").select("pending").run()
    app.button(key=f"wb_send_{ids[0]}").click().run()
    assert not app.exception, app.exception
    app.segmented_control(key=f"wb_kind_{ids[0]}").set_value("note").run()
    app.text_area(key=f"wb_draft_{ids[0]}").input("Customer is on the old version").run()
    app.button(key=f"wb_send_{ids[0]}").click().run()
    with read() as session:
        ticket = session.get(Ticket, ids[0])
        kinds = session.scalars(select(Message.kind).where(Message.ticket_id == ids[0]).order_by(Message.id)).all()
        email = session.scalars(select(Outbox).where(Outbox.template == "info_needed")).one()
    assert ticket.status == "pending" and kinds == ["customer", "agent", "note"]
    assert "old version" not in email.body_text and "old version" not in (email.body_html or "")


def test_a_conflict_keeps_the_draft_and_says_what_changed(desk):
    factory, _read, _ana, liam, ids = desk
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    with unit_of_work(factory) as session:  # Liam answers while Ana is typing
        tickets.add_agent_reply(session, ids[0], agent_id=liam, body="I am on it", status="open")
    app.text_area(key=f"wb_draft_{ids[0]}").input("My own answer").run()
    app.button(key=f"wb_send_{ids[0]}").click().run()
    errors = [e.value for e in app.error]
    assert any("changed by someone else" in e and "Liam" in e for e in errors), errors
    assert app.text_area(key=f"wb_draft_{ids[0]}").value == "My own answer"


def test_a_ticket_closed_meanwhile_refuses_the_reply_and_keeps_the_draft(desk):
    factory, _read, _ana, liam, ids = desk
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    app.text_area(key=f"wb_draft_{ids[0]}").input("My answer").run()
    with unit_of_work(factory) as session:  # Liam closes it as spam while Ana is typing
        tickets.close_as(session, ids[0], reason="spam", actor_id=liam)
    app.session_state[f"wb_version_{ids[0]}"] = None  # Ana saw the latest version: no conflict, a refusal
    app.button(key=f"wb_send_{ids[0]}").click().run()
    assert not app.exception, app.exception
    assert app.error, "the refusal is shown"
    assert any("My answer" in c.value for c in app.code), "the unsent words are still there to copy"


def test_a_message_from_an_unproven_sender_is_marked_for_the_agent(desk):
    """M5/L6: the agent saw the account's name with no sign that the address was not proven."""
    factory, _read, _ana, _liam, ids = desk
    with unit_of_work(factory) as session:
        session.scalars(select(Message).where(Message.ticket_id == ids[0])).first().sender_unverified = True
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    assert not app.exception, app.exception
    assert any("sender not verified" in c.value for c in app.caption)
    other = open_workbench("ana@mesa.example", ticket=str(ids[1]))
    assert not any("sender not verified" in c.value for c in other.caption)


def test_the_agent_reads_the_original_email_decoded_and_the_quote_that_was_cut(desk):
    """Issue 18: "Show the original email" showed quoted-printable source ("Luc=C3=ADa")."""
    from core.config import get_settings
    from core.mail import ingest
    from tests.core.test_original import RAW

    factory, _read, _ana, _liam, _ids = desk
    ticket_id = ingest.ingest(factory, RAW, get_settings()).ticket_id
    app = open_workbench("ana@mesa.example", ticket=str(ticket_id))
    assert not app.exception, app.exception
    labels = [e.label for e in app.expander]
    assert "Quoted text (left out of the message)" in labels and "Show the original email" in labels
    customer = next(m for m in _messages_of(factory, ticket_id) if m.kind == "customer")
    assert "=C3" not in "\n".join(t.value for t in app.text)  # both closed: drawn when opened
    app.session_state[f"quoted-{customer.id}"] = True  # what opening them in the browser sets
    app.session_state[f"original-{customer.id}"] = True
    app.run()
    shown = "\n".join(t.value for t in app.text)
    assert "From: Lucía García <lucia@example.es>" in shown and "Sigue duplicada, Lucía." in shown
    assert "=C3" not in shown and "factura.pdf · application/pdf" in shown
    assert "¿Nos mandas una captura?" in shown  # in the quoted-text toggle, not in the message itself
    assert "captura" not in customer.body


def _messages_of(factory, ticket_id):
    with factory() as session:
        return list(session.scalars(select(Message).where(Message.ticket_id == ticket_id)))


def test_the_agent_copies_a_person_on_the_ticket_and_the_requester_is_refused_next_to_the_field(desk):
    from core.tickets import followers

    factory, _read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    open_box(app, f"wb_followers_box_{ids[0]}")
    field = app.text_input(key=f"wb_followers_{ids[0]}_email")
    with factory() as session:
        requester = tickets.get_ticket(session, ids[0]).requester.email
    field.input(requester)
    app.button(key=f"wb_follow_{ids[0]}").click().run()
    assert any("the person who opened the ticket" in e.value for e in app.error)
    assert app.text_input(key=f"wb_followers_{ids[0]}_email").value == requester  # what was typed stays
    app.text_input(key=f"wb_followers_{ids[0]}_email").input("jefa@example.es")
    app.button(key=f"wb_follow_{ids[0]}").click().run()
    assert not app.exception and any("jefa <jefa@example.es>" in x.value for x in app.text)
    with factory() as session:
        assert [u.email for u in followers.of(session, ids[0])] == ["jefa@example.es"]


def test_an_email_attached_to_a_message_reads_as_a_message(desk):
    from email.message import EmailMessage

    from core.config import get_settings
    from core.mail import ingest

    inner = EmailMessage()
    inner["From"], inner["To"], inner["Subject"] = "Banco <avisos@banco.example>", "lucia@example.es", "Cargo duplicado"
    inner["Date"] = "Tue, 01 Dec 2026 10:00:00 +0100"
    inner.set_content("Se ha cargado dos veces la factura 3/4.")
    outer = EmailMessage()
    outer["From"], outer["To"], outer["Subject"] = "lucia@example.es", "support@mesa.localhost", "Mirad este aviso"
    outer.set_content("Os reenvío el aviso del banco.")
    outer.add_attachment(inner)
    factory, _read, _ana, _liam, _ids = desk
    ticket_id = ingest.ingest(factory, outer.as_bytes(), get_settings()).ticket_id
    app = open_workbench("ana@mesa.example", ticket=str(ticket_id))
    assert not app.exception, app.exception
    assert "✉ Cargo duplicado" in [e.label for e in app.expander]
    shown = "\n".join(t.value for t in app.text)
    assert "From: Banco <avisos@banco.example>" in shown and "Se ha cargado dos veces la factura 3/4." in shown


def test_one_click_on_a_ticket_opens_it_in_place_and_it_stays_as_a_tab(desk):
    _factory, _read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example")
    app.session_state["wb_table"] = {"selection": {"rows": [], "columns": [], "cells": [[1, "subject"]]}}
    app.run()
    assert not app.exception, app.exception
    assert app.query_params["ticket"] in (str(ids[1]), [str(ids[1])]) and app.title[0].value.startswith(f"#{ids[1]} · ")
    app.query_params.pop("ticket")  # "← Queues"
    app.run()
    assert app.title[0].value == "Workbench"  # back on the queues: the click does not open it again
    tabs = app.segmented_control(key="wb_tabs_None")
    assert ids[1] in tabs.options or f"#{ids[1]}" in " ".join(map(str, tabs.options))


def test_a_click_opens_the_ticket_before_the_queue_is_read_again(desk, monkeypatch):
    """One run of the page for a click, not a run of the queue (its counts, its page of tickets) before it."""
    _factory, _read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example")
    app.session_state["wb_table"] = {"selection": {"rows": [], "columns": [], "cells": [[1, "subject"]]}}

    def read_again(*_args, **_kwargs):
        raise AssertionError("the queue was read again to open a ticket")
    monkeypatch.setattr(queues, "counts", read_again)
    monkeypatch.setattr(queues, "page", read_again)
    app.run()
    assert not app.exception, app.exception
    assert app.title[0].value.startswith(f"#{ids[1]} · ")


def test_search_everywhere_finds_a_ticket_outside_the_queue_on_screen(desk):
    factory, _read, ana, _liam, ids = desk
    with unit_of_work(factory) as session:
        tickets.change_status(session, ids[0], status="solved", actor_id=ana)
    app = open_workbench("ana@mesa.example")
    app.text_input(key="wb_search").input("Export stops").run()
    assert any("No tickets" in i.value for i in app.info)  # the queue's own search: this queue only
    app.text_input(key="wb_search_all").input("Export stops").run()
    found = app.dataframe[0].value
    assert f"#{ids[0]}" in list(found["number"]) and "Solved" in list(found["status"])
    row = list(found["number"]).index(f"#{ids[0]}")
    app.session_state["wb_search_table"] = {"selection": {"rows": [], "columns": [], "cells": [[row, "subject"]]}}
    app.run()  # a click on the result opens its ticket in place
    assert not app.exception, app.exception
    assert app.title[0].value.startswith(f"#{ids[0]} · ")


def test_the_agent_sees_the_customers_score_and_comment_and_the_solved_view_a_score_column(desk):
    from core.models import Survey, utcnow

    factory, _read, ana, _liam, ids = desk
    with unit_of_work(factory) as session:
        tickets.change_status(session, ids[0], status="solved", actor_id=ana)
        session.add(Survey(ticket_id=ids[0], sent_at=utcnow(), score=2, comment="Nadie leyó mi mensaje.",
                           responded_at=utcnow()))
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    assert any("scored this ticket 2/5" in m.value for m in app.markdown)
    assert any("Nadie leyó mi mensaje" in c.value for c in app.caption)
    queue = open_workbench("ana@mesa.example")
    queue.segmented_control(key="wb_view").set_value("solved").run()
    assert list(queue.dataframe[0].value["csat"]) == ["★★"]


def test_the_sort_an_agent_picks_follows_them_to_their_next_session(desk):
    app = open_workbench("ana@mesa.example")
    assert app.selectbox(key="wb_sort").value == "due"
    app.selectbox(key="wb_sort").select("created").run()
    assert list(app.dataframe[0].value["number"]) == ["#2", "#1"]  # newest first
    again = open_workbench("ana@mesa.example")  # another browser, another day
    assert again.selectbox(key="wb_sort").value == "created"
    assert list(again.dataframe[0].value["number"]) == ["#2", "#1"]
    assert open_workbench("liam@mesa.example").selectbox(key="wb_sort").value == "due"  # each their own


def test_next_ticket_walks_the_queue_in_its_order(desk):
    _factory, _read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example")
    app.button(key="wb_first_ticket").click().run()
    assert app.title[0].value.startswith(f"#{ids[0]} · ")
    app.button(key="wb_next_ticket").click().run()
    assert app.title[0].value.startswith(f"#{ids[1]} · ") and app.query_params["ticket"] == str(ids[1])
    assert not [b for b in app.button if b.key == "wb_next_ticket"]  # the last of the queue has no next


def test_send_as_solved_is_one_move_whatever_submit_as_says(desk):
    _factory, read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example", ticket=str(ids[1]))
    assert app.selectbox(key=f"wb_as_{ids[1]}").value == "open"
    app.text_area(key=f"wb_draft_{ids[1]}").input("Refunded the second charge.").run()
    app.button(key=f"wb_send_solved_{ids[1]}").click().run()
    assert not app.exception, app.exception
    with read() as session:
        assert session.get(Ticket, ids[1]).status == "solved"
        assert session.scalars(select(Message.body).where(Message.ticket_id == ids[1])
                               .order_by(Message.id.desc())).first() == "Refunded the second charge."


def test_an_article_link_goes_into_the_reply_and_a_good_reply_becomes_a_draft_article(desk):
    factory, read, ana, _liam, ids = desk
    with unit_of_work(factory) as session:
        session.get(User, ana).writes_help = True
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    app.text_area(key=f"wb_draft_{ids[0]}").input("Here is how.").run()
    open_box(app, f"wb_insert_{ids[0]}")
    app.selectbox(key=f"wb_article_{ids[0]}").select("ticket-statuses").run()
    assert app.text_area(key=f"wb_draft_{ids[0]}").value == (
        "Here is how.\n\nWhat do ticket statuses mean?: http://localhost:8501/help?article=ticket-statuses&lang=en")
    app.button(key=f"wb_send_{ids[0]}").click().run()
    with read() as session:
        reply = session.scalars(select(Message).where(Message.kind == "agent")).one()
    app.button(key=f"wb_to_article_{reply.id}").click().run()
    assert not app.exception, app.exception
    assert "Export stops at 10,000 rows" in app.success[0].value  # the draft's title, not its address
    with read() as session:
        drafted = session.scalars(select(HelpArticle).where(HelpArticle.from_ticket_id == ids[0])).one()
    assert drafted.status == "draft" and drafted.slug == "export-stops-at-10-000-rows"


def test_the_ticket_says_its_properties_in_one_line_and_draws_their_boxes_only_when_asked(desk):
    _factory, _read, _ana, _liam, ids = desk
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    assert "Status: **New** · Priority: **Normal** · Assignee: **—** · Kind: **Incident** · Product: **—** · " \
           "Channel: **Web**" in [m.value for m in app.markdown]
    assert [box.key for box in app.selectbox] == [f"wb_as_{ids[0]}", "language_choice"] and not app.multiselect
    open_box(app, keys.properties(ids[0]))
    assert [box.label for box in app.selectbox][:5] == ["Status", "Assignee", "Priority", "Kind", "Product"]
    next(box for box in app.selectbox if box.label == "Priority").select("urgent")
    next(button for button in app.button if button.label == "Save").click().run()
    assert not app.exception, app.exception
    assert any(m.value.startswith("Status: **New** · Priority: **Urgent** · Assignee: **—**") for m in app.markdown)
    assert not app.multiselect, "saved, the popover closes: the line says what changed"


def test_a_canned_response_goes_after_what_was_typed_its_placeholders_filled(desk):
    factory, _read, _ana, _liam, ids = desk
    with unit_of_work(factory) as session:
        canned = admin.save_canned(session, title="Ask for the log", locale="en",
                                   body="Hello {first_name}, could you send us the log of ticket {ticket}?")
        canned_id = canned.id
    app = open_workbench("ana@mesa.example", ticket=str(ids[0]))
    app.text_area(key=f"wb_draft_{ids[0]}").input("Thanks for writing.").run()
    open_box(app, f"wb_insert_{ids[0]}")
    app.selectbox(key=f"wb_canned_{ids[0]}").select(canned_id).run()
    assert not app.exception, app.exception
    assert app.text_area(key=f"wb_draft_{ids[0]}").value == (
        f"Thanks for writing.\n\nHello olivia, could you send us the log of ticket {ids[0]}?")
    assert app.selectbox(key=f"wb_canned_{ids[0]}").value is None  # ready for the next pick
