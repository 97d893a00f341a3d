import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.db import unit_of_work
from core.errors import ValidationError
from core.models import AccessToken, Outbox
from core.portal import ratelimit, tokens
from core.portal import service as portal
from core.tickets import service as tickets
from core.tickets.attachments import Upload
from tests.conftest import row_counts
from tests.core.conftest import T0
from tests.links import query_value

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _send(desk, visitor=None, **fields):
    values = dict(name="Lucía", email="lucia@example.es", subject="No puedo entrar", description="Falla",
                  kind="incident", product_id=desk.product, locale="es", uploads=[], settings=desk.settings, now=T0)
    values.update(fields)
    with unit_of_work(desk.factory) as session:
        return portal.send_ticket(session, visitor=visitor or portal.Visitor("10.0.0.1"), **values)


def test_send_ticket_issues_a_hashed_link_and_queues_the_confirmation(desk):
    sent = _send(desk, uploads=[Upload("captura.png", PNG)])
    raw = query_value(sent.link, "token")
    assert len(raw) >= 43  # 256 bits, url-safe base64
    assert query_value(sent.link, "lang") == "es", "the link opens the page in the ticket's language"
    with desk.reader() as session:
        token = session.scalars(select(AccessToken)).one()
        assert token.token_hash == tokens.digest(raw) and raw not in token.token_hash
        email = session.scalars(select(Outbox)).one()
        assert email.template == "ticket_received" and email.ticket_id == sent.ticket_id
        assert sent.link in email.body_text and f"[#{sent.ticket_id}]" in email.subject
        assert tokens.ticket_access(session, sent.ticket_id, raw, now=T0)


@pytest.mark.parametrize(("visitor", "field", "says"), [
    (portal.Visitor("10.0.0.1", captcha_ok=False), "captcha", "do not match"),
    (portal.Visitor("10.0.0.1", honeypot="http://spam"), "form", "could not accept"),
])
def test_robots_are_refused_and_nothing_is_saved(desk, visitor, field, says):
    before = row_counts(desk.factory)
    with pytest.raises(ValidationError) as caught:
        _send(desk, visitor=visitor)
    assert says in caught.value.messages("en")[field]
    assert row_counts(desk.factory) == before


def test_a_renamed_executable_refuses_the_whole_ticket(desk):
    before = row_counts(desk.factory)
    with pytest.raises(ValidationError) as caught:
        _send(desk, uploads=[Upload("ok.png", PNG), Upload("screenshot.png", b"MZ\x90\x00" + b"\x00" * 60)])
    assert caught.value.messages("en")["attachments"].startswith("screenshot.png: the content is not a png file")
    assert row_counts(desk.factory) == before


def test_rate_limit_per_client_address(desk):
    settings = desk.settings.model_copy(update={"tickets_per_address_hour": 2})
    for n in range(2):
        _send(desk, email=f"user{n}@example.com", settings=settings)
    with pytest.raises(ValidationError) as caught:
        _send(desk, email="user9@example.com", settings=settings)
    assert "Too many tickets" in caught.value.messages("en")["form"]
    _send(desk, email="user9@example.com", settings=settings, now=T0 + timedelta(hours=1, minutes=1))


def test_bad_tokens_from_one_address_are_slowed_down(desk):
    sent = _send(desk)
    waits = []
    for _ in range(8):
        assert portal.open_by_link(desk.reader, desk.factory, sent.ticket_id, "guess", address="6.6.6.6",
                                   settings=desk.settings, now=T0, sleep=waits.append) is None
    opened = portal.open_by_link(desk.reader, desk.factory, sent.ticket_id, query_value(sent.link, "token"),
                                 address="7.7.7.7", settings=desk.settings, now=T0, sleep=waits.append)
    assert waits == [0.25, 0.5, 1.0]
    assert opened == sent.ticket_id


@pytest.mark.slow  # a real process, server or wait: over 2 s
def test_a_visitor_slowed_down_for_bad_links_holds_no_lock_while_waiting(desk):
    """The anti-guessing wait is real time (no patched sleep) and another writer works meanwhile: on SQLite a
    wait inside a write transaction made every other writer queue behind it."""
    sent = _send(desk)
    with unit_of_work(desk.factory) as session:  # misses in the last minutes, enough for a 4 s wait
        for _ in range(portal.BAD_TOKENS_BEFORE_DELAY + 4):
            ratelimit.hit(session, "bad_token", "6.6.6.6")
    guesser = threading.Thread(target=portal.open_by_link, args=(desk.reader, desk.factory, sent.ticket_id, "guess"),
                               kwargs=dict(address="6.6.6.6", settings=desk.settings))
    started = time.monotonic()
    guesser.start()
    time.sleep(0.5)  # the guesser is waiting by now
    writing = time.monotonic()
    with unit_of_work(desk.factory) as session:
        tickets.add_internal_note(session, sent.ticket_id, agent_id=desk.ana, body="Meanwhile, at the desk")
    write_took = time.monotonic() - writing
    guesser.join()
    assert time.monotonic() - started >= 4, "the guesser was slowed down"
    assert write_took < 2, f"the other writer waited {write_took:.1f} s behind the guesser"
    with desk.reader() as session:
        assert ratelimit.count(session, "bad_token", "6.6.6.6", portal.BAD_TOKEN_WINDOW) == \
            portal.BAD_TOKENS_BEFORE_DELAY + 5, "the miss itself is still counted"


def test_a_survey_token_does_not_open_the_ticket_view(desk):
    sent = _send(desk)
    with unit_of_work(desk.factory) as session:
        survey = tokens.issue(session, tokens.SURVEY, ticket_id=sent.ticket_id, now=T0)
    assert portal.open_by_link(desk.reader, desk.factory, sent.ticket_id, survey, address="1.1.1.1",
                               settings=desk.settings, now=T0) is None
    with desk.reader() as session:
        assert tokens.ticket_access(session, sent.ticket_id, survey, purpose=tokens.SURVEY, now=T0)


def test_internal_notes_and_their_files_never_reach_the_customer(desk):
    sent = _send(desk)
    with unit_of_work(desk.factory) as session:
        note = tickets.add_internal_note(session, sent.ticket_id, agent_id=desk.ana, body="VIP",
                                         uploads=[Upload("internal.png", PNG)])
        note_file = note.attachments[0].id
    with desk.reader() as session:
        assert [m.kind for m in portal.public_messages(session, sent.ticket_id)] == ["customer"]
        assert portal.public_attachment(session, sent.ticket_id, note_file) is None


def test_lost_link_emails_only_the_requester(desk):
    sent = _send(desk)
    with unit_of_work(desk.factory) as session:
        portal.lost_link(session, email="someone@else.com", ticket_id=sent.ticket_id, address="1.2.3.4",
                         settings=desk.settings)
        portal.lost_link(session, email="LUCIA@example.es", ticket_id=sent.ticket_id, address="1.2.3.4",
                         settings=desk.settings)
    with desk.reader() as session:
        rows = session.scalars(select(Outbox).where(Outbox.template == "lost_link")).all()
    assert [r.to_address for r in rows] == ["lucia@example.es"]
