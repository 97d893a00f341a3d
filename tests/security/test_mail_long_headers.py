"""M10: a customer's email with a long subject or sender name is a ticket, never a failed row.

Long "Fwd: Re: Fwd:" chains and names with titles and departments are ordinary mail. The ticket's
subject is cut at a word to the form's limit (with "…"), the name to an account name's limit; the
raw email keeps every character, and the sender gets the usual confirmation.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select

from core.accounts.service import MAX_NAME
from core.mail import ingest
from core.models import InboundMail, Outbox, Ticket
from tests.core.conftest import T0

SENDER = "lucia@example.es"
SUBJECT = ("Fwd: Re: " * 30 + "the invoice of March is wrong again, please look at the attached file ") * 2
NAME = "Lucía García Fernández de la Torre, Head of Customer Operations and Billing, ACME Iberia " * 4


def _mail(subject: str = SUBJECT, name: str = NAME, size: int = 0) -> bytes:
    message = EmailMessage()
    message["From"] = f'"{name}" <{SENDER}>'
    message["To"] = "support@mesa.localhost"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.es")
    message.set_content("Hola, la factura de marzo está mal." + " x" * size)
    return message.as_bytes()


def _ticket_and_confirmation(desk, ticket_id: int) -> tuple[Ticket, list[Outbox]]:
    with desk.reader() as session:
        ticket = session.get(Ticket, ticket_id)
        ticket.requester  # noqa: B018 - loaded while the session is open
        emails = list(session.scalars(select(Outbox).where(Outbox.ticket_id == ticket_id)))
    return ticket, emails


def _cut_at_a_word(short: str, full: str, limit: int) -> None:
    assert len(short) <= limit and short.endswith("…")
    kept = short[:-1]
    assert full.startswith(kept) and full[len(kept)].isspace(), "cut between two words, not inside one"


def test_a_long_subject_and_sender_name_open_a_ticket_with_its_confirmation(desk):
    assert len(SUBJECT) > 600 and len(" ".join(NAME.split())) > 300
    result = ingest.ingest(desk.factory, _mail(), desk.settings, now=T0)
    assert result.status == "processed" and result.ticket_id
    ticket, emails = _ticket_and_confirmation(desk, result.ticket_id)
    _cut_at_a_word(ticket.subject, " ".join(SUBJECT.split()), desk.settings.max_subject_chars)
    _cut_at_a_word(ticket.requester.name, " ".join(NAME.split()), MAX_NAME)
    assert [(e.template, e.to_address) for e in emails] == [("ticket_received", SENDER)]
    with desk.reader() as session:
        assert session.get(InboundMail, result.inbound_id).subject == " ".join(SUBJECT.split())  # all of it kept


def test_a_failed_long_email_is_applied_when_reprocessed(desk):
    """Mail that failed before this fix (still listed for an admin) goes through `reprocess` now."""
    raw = _mail()
    with desk.factory() as session, session.begin():
        row = InboundMail(message_id="<old@example.es>", from_address=SENDER, subject="Fwd: Re: …", raw=raw,
                          status=ingest.FAILED, error="ValidationError: subject too long", received_at=T0)
        session.add(row)
        session.flush()
        row_id = row.id
    result = ingest.reprocess(desk.factory, row_id, desk.settings, now=T0)
    assert result.status == "processed" and result.ticket_id
    _, emails = _ticket_and_confirmation(desk, result.ticket_id)
    assert [e.template for e in emails] == ["ticket_received"]


def test_an_oversized_email_with_a_long_subject_still_opens_its_ticket(desk):
    settings = desk.settings.model_copy(update={"inbound_max_mb": 0.01})
    result = ingest.ingest(desk.factory, _mail(size=10_000), settings, now=T0)
    assert result.status == "oversized" and result.ticket_id
    ticket, emails = _ticket_and_confirmation(desk, result.ticket_id)
    assert len(ticket.subject) <= settings.max_subject_chars and ticket.subject.endswith("…")
    assert [e.template for e in emails] == ["mail_too_large"]
