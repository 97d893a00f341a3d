"""M4, M10 and L6 through the real mail servers: the crafted emails are delivered into Dovecot, Mesa's
IMAP fetch takes them, and what Mesa answers goes out through a loopback SMTP server (aiosmtpd).

Named test_imap_* so .ci/check_skips.py fails CI when Dovecot is missing and these were skipped.
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from email.message import EmailMessage
from email.policy import SMTPUTF8
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import select

from core.mail import imap, sender
from core.models import Message, Ticket
from tests.imapserver import PASSWORD, USER, ImapServer, available
from tests.mailserver import MailServer, smtp_settings

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not available(), reason="Debian's dovecot-imapd is not installed")]


@pytest.fixture
def servers():
    root = Path(tempfile.mkdtemp(prefix="mesa-dovecot-"))  # not under pytest's 0700 folder: Dovecot drops root
    dovecot, smtp = ImapServer(root).start(), MailServer().start()
    yield dovecot, smtp
    smtp.stop()
    dovecot.stop()
    shutil.rmtree(root, ignore_errors=True)


def _settings(desk, dovecot, smtp, **more):
    return smtp_settings(desk.settings, smtp.port, imap_host="127.0.0.1", imap_port=dovecot.port,
                         imap_security="none", imap_user=USER, imap_password=PASSWORD, **more)


def _mail(sender_: str, subject: str, body: str = "Hola.", utf8: bool = False, **headers: str) -> bytes:
    """An email as a client sends it: non-ASCII names as encoded words; with `utf8`, UTF-8 headers as an
    SMTPUTF8 client sends an address with non-ASCII letters before the @."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender_, "support@mesa.localhost", subject
    message["Message-ID"] = make_msgid(domain="example.es")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes(policy=SMTPUTF8) if utf8 else message.as_bytes()


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _round(desk, settings, dovecot, smtp) -> None:
    """What the worker does: fetch the mailbox, then send the outbox; everything was taken and sent."""
    report = imap.fetch(desk.factory, settings)
    assert report.failed == 0 and report.errors == [], report
    assert dovecot.unseen() == 0
    assert sender.dispatch(desk.factory, settings).retry == []


def test_imap_mail_from_tagged_and_nfd_spellings_of_one_mailbox_is_answered_as_one_sender(desk, servers):
    """M4: six spellings of one mailbox get the per-sender limit's three confirmations, and none repeats the
    subject an attacker chose for a stranger's inbox."""
    dovecot, smtp = servers
    settings = _settings(desk, dovecot, smtp, inbound_per_sender_hour=3)
    nfd = unicodedata.normalize("NFD", "lucía@example.es")
    spellings = [nfd, "lucía+1@example.es", "Lucía+2@EXAMPLE.ES", nfd, "lucía+x@example.es", "LUCÍA@example.es"]
    for n, address in enumerate(spellings):
        dovecot.append(_mail(address, f"Account locked, call +1 555 0100 ({n})", utf8=True))
    dovecot.append(_mail("otra@example.es", "Another person"))
    _round(desk, settings, dovecot, smtp)
    with desk.reader() as session:
        assert len(session.scalars(select(Ticket.id)).all()) == 7, "every email is kept as a ticket"
    to_lucia = [m for m in smtp.inbox.messages if "example.es" in str(m["To"]) and "otra" not in str(m["To"])]
    assert len(to_lucia) == 3, [str(m["To"]) for m in to_lucia]
    assert [m for m in smtp.inbox.messages if "otra@example.es" in str(m["To"])], "another mailbox is answered"
    assert not [m for m in to_lucia if "555" in str(m["Subject"]) + _text(m)], "no chosen words relayed"


LONG_SUBJECT = ("Fwd: Re: " * 30 + "the invoice of March is wrong again, please look at the attached file ") * 2
LONG_NAME = "Lucía García Fernández de la Torre, Head of Customer Operations and Billing, ACME Iberia " * 4


def test_imap_a_long_subject_and_sender_name_open_a_ticket_and_its_confirmation_goes_out(desk, servers):
    """M10: such an email was marked failed with no reply, and failed again on every fetch."""
    dovecot, smtp = servers
    settings = _settings(desk, dovecot, smtp)
    dovecot.append(_mail(f'"{LONG_NAME}" <lucia@example.es>', LONG_SUBJECT))
    _round(desk, settings, dovecot, smtp)
    with desk.reader() as session:
        [ticket] = session.scalars(select(Ticket)).all()
        assert ticket.subject.endswith("…") and len(ticket.subject) <= settings.max_subject_chars
        assert ticket.requester.name.startswith("Lucía García") and ticket.requester.name.endswith("…")
    assert [str(m["To"]) for m in smtp.inbox.messages] == ["lucia@example.es"]
    assert f"[#{ticket.id}]" in str(smtp.inbox.messages[0]["Subject"])


def test_imap_a_forged_reply_that_failed_dmarc_is_kept_and_marked_unverified(desk, servers):
    """L6: the From and [#N] of the requester, but our receiving server's Authentication-Results say DMARC
    failed: the message is kept on the ticket and marked for staff; an honest reply is not."""
    dovecot, smtp = servers
    settings = _settings(desk, dovecot, smtp)
    ticket = desk.new_ticket()
    subject = f"Re: [#{ticket.id}] Cannot log in"
    dovecot.append(_mail("Olivia Brown <olivia@example.com>", subject, "Send the refund to IBAN XX00 1111.",
                         Authentication_Results="mx.mesa.example; spf=fail; dkim=none; dmarc=fail"))
    dovecot.append(_mail("Olivia Brown <olivia@example.com>", subject, "Thanks, it works now.",
                         Authentication_Results="mx.mesa.example; spf=pass; dkim=pass; dmarc=pass"))
    _round(desk, settings, dovecot, smtp)
    with desk.reader() as session:
        marks = dict(session.execute(select(Message.body, Message.sender_unverified)
                                     .where(Message.ticket_id == ticket.id, Message.via == "email")).all())
    assert {body.strip(): flag for body, flag in marks.items()} == {"Send the refund to IBAN XX00 1111.": True,
                                                                    "Thanks, it works now.": False}
