"""Passphrases: any length and any Unicode, hashed one way at creation, sign-in, registration and reset."""

from __future__ import annotations

import unicodedata

import bcrypt
import pytest

from core.accounts import customers
from core.accounts import service as accounts
from core.db import unit_of_work
from core.errors import ValidationError
from core.models import User
from core.portal import tokens

# 93 characters, 101 bytes in UTF-8: bcrypt alone would read only the first 72 bytes
LONG = "La contraseña de mi cuenta es una frase larga: «el búho canta en la montaña cuando llueve»"
SAME_START = LONG[:-3] + "sol"  # differs only past byte 72


def test_a_long_spanish_passphrase_counts_to_its_last_character():
    assert len(LONG.encode()) > 72
    stored = accounts.hash_password(LONG)
    assert accounts.verify_password(LONG, stored)
    assert not accounts.verify_password(SAME_START, stored)


def test_a_passphrase_typed_with_combining_accents_is_the_same_passphrase():
    composed = unicodedata.normalize("NFC", LONG)
    decomposed = unicodedata.normalize("NFD", LONG)
    assert composed != decomposed
    assert accounts.verify_password(decomposed, accounts.hash_password(composed))
    assert accounts.password_problem(unicodedata.normalize("NFD", "ñandú ñandú")) is None  # 11 letters, not 13


def test_a_megabyte_of_text_is_refused_as_a_password_with_a_reason():
    assert accounts.password_problem("x" * 1000 + "y") == "errors.password_long"
    assert accounts.password_problem("una frase de paso " * 50) is None  # 900 characters are fine


def test_an_older_hash_still_signs_in_and_is_upgraded(desk):
    with unit_of_work(desk.factory) as session:
        user = accounts.create_user(session, email="old@example.com", name="Old Timer", password=None)
        user.password_hash = bcrypt.hashpw(b"an old passphrase", bcrypt.gensalt()).decode()
    with unit_of_work(desk.factory) as session:
        assert accounts.check_sign_in(session, "old@example.com", "another passphrase") is None
        assert accounts.check_sign_in(session, "OLD@example.com", "an old passphrase") is not None
    with desk.reader() as session:
        stored = session.get(User, user.id).password_hash
    assert stored.startswith(accounts.SCHEME) and accounts.verify_password("an old passphrase", stored)


@pytest.mark.parametrize("entry", ["create", "register", "reset"])
def test_every_way_in_hashes_the_long_passphrase_the_same_way(desk, entry):
    email = f"{entry}@example.com"
    with unit_of_work(desk.factory) as session:
        if entry == "create":
            accounts.create_user(session, email=email, name="Lucía", password=LONG)
        elif entry == "register":
            customers.register(session, name="Lucía", email=email, password=LONG, repeat=LONG, captcha_ok=True,
                               address="10.0.0.9", locale="es", settings=desk.settings)
        else:
            user = accounts.create_user(session, email=email, name="Lucía", password="first passphrase")
            raw = tokens.issue(session, tokens.PASSWORD_RESET, user_id=user.id)
    if entry == "reset":
        with unit_of_work(desk.factory) as session:
            assert customers.reset_password(session, raw, LONG) is not None
    with unit_of_work(desk.factory) as session:
        assert accounts.check_sign_in(session, email, LONG) is not None
        assert accounts.check_sign_in(session, email, SAME_START) is None


def test_registration_refuses_each_field_at_once_and_saves_nothing(desk):
    with pytest.raises(ValidationError) as refused, unit_of_work(desk.factory) as session:
        customers.register(session, name="", email="not an address", password=LONG, repeat=LONG + "!",
                           captcha_ok=False, address="10.0.0.9", locale="en", settings=desk.settings)
    assert set(refused.value.errors) == {"name", "email", "repeat", "captcha"}
    with desk.reader() as session:
        assert session.query(User).filter(User.email.like("%not an address%")).count() == 0


def test_only_the_accounts_a_run_asks_for_reach_the_sign_in_library(desk):
    with unit_of_work(desk.factory) as session:
        for n in range(30):
            accounts.create_user(session, email=f"c{n}@example.com", name=f"C {n}", password="a passphrase here")
    with desk.reader() as session:
        assert accounts.credentials(session, set()) == {"usernames": {}}
        assert list(accounts.credentials(session, {"C7@Example.com", "nobody@example.com"})["usernames"]) \
            == ["c7@example.com"]
