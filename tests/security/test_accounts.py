"""Accounts under attack: registration over someone's address (L1), verification mail bombing (M9)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.accounts import customers
from core.accounts import service as accounts
from core.db import unit_of_work
from core.models import Outbox, User
from tests.core.conftest import T0


def test_registering_an_address_that_wrote_to_us_keeps_that_customers_name_and_language(desk):
    """L1: registering over an address with tickets overwrote its name and language before verification."""
    desk.new_ticket(name="Olivia Brown", email="olivia@example.com", locale="es")
    with unit_of_work(desk.factory) as session:
        user = accounts.register_customer(session, email="olivia@example.com", name="Mallory",
                                          password_hash=accounts.hash_password("a long passphrase"), locale="en")
        user_id = user.id
    with desk.reader() as session:
        user = session.get(User, user_id)
        assert (user.name, user.locale, user.email_verified_at) == ("Olivia Brown", "es", None)
        assert accounts.verify_password("a long passphrase", user.password_hash)


def test_verification_links_to_one_address_are_limited(desk):
    """M9: "send the confirmation link again" sent 8 emails for 8 clicks."""
    with unit_of_work(desk.factory) as session:
        user = accounts.create_user(session, email="stranger@example.com", name="Stranger", password=None)
    sent = []
    for _ in range(8):
        with unit_of_work(desk.factory) as session:
            sent.append(customers.send_verification(session, session.merge(user), desk.settings, now=T0))
    assert sent == [True] * customers.VERIFICATIONS_PER_HOUR + [False] * (8 - customers.VERIFICATIONS_PER_HOUR)
    with desk.reader() as session:
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.template == "verify_email")) \
            == customers.VERIFICATIONS_PER_HOUR


def test_a_new_password_and_a_deactivation_end_every_earlier_session(desk):
    """M6: a copied cookie still worked after a password change and a deactivation."""
    from core.desk import admin

    with unit_of_work(desk.factory) as session:
        user = accounts.create_user(session, email="dora@example.com", name="Dora", password="first passphrase")
    before = T0
    with unit_of_work(desk.factory) as session:
        accounts.set_password(session, user.id, "second passphrase")
    with desk.reader() as session:
        assert accounts.session_is_over(session.get(User, user.id), before)
    with unit_of_work(desk.factory) as session:
        admin.set_active(session, desk.ana, False, actor_id=desk.manager)
    with desk.reader() as session:
        ana = session.get(User, desk.ana)
        assert ana.sessions_valid_after is not None and accounts.session_is_over(ana, before)
