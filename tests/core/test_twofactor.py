"""Staff two-step verification: enrolment, one-time codes (each once), clock drift, recovery codes."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from core.accounts import service as accounts
from core.accounts import twofactor
from core.db import unit_of_work
from core.desk import admin
from core.errors import ValidationError
from core.models import User
from tests.core.conftest import T0


def _enrolled(desk, secret: str) -> list[str]:
    with unit_of_work(desk.factory) as session:
        return twofactor.enrol(session, desk.ana, secret, pyotp.TOTP(secret).at(T0), T0)


def _check(desk, code: str, when=T0) -> bool:
    with unit_of_work(desk.factory) as session:
        return twofactor.check(session, desk.ana, code, when)


def test_enrolment_needs_a_right_code_and_gives_ten_single_use_recovery_codes(desk):
    secret = twofactor.new_secret()
    with pytest.raises(ValidationError), unit_of_work(desk.factory) as session:
        twofactor.enrol(session, desk.ana, secret, "000000" if pyotp.TOTP(secret).at(T0) != "000000" else "111111", T0)
    codes = _enrolled(desk, secret)
    assert len(set(codes)) == twofactor.RECOVERY_CODES
    with desk.reader() as session:
        user = session.get(User, desk.ana)
        assert user.totp_enabled_at == T0 and not set(codes) & set(user.recovery_codes)  # stored hashed
    assert _check(desk, codes[3].upper()) and not _check(desk, codes[3])  # once, any case
    with desk.reader() as session:
        assert twofactor.recovery_codes_left(session.get(User, desk.ana)) == twofactor.RECOVERY_CODES - 1


def test_a_code_works_once_and_within_one_step_of_drift(desk):
    secret = twofactor.new_secret()
    _enrolled(desk, secret)  # the enrolment spent the code of T0's step
    totp = pyotp.TOTP(secret)
    assert not _check(desk, totp.at(T0))
    later = T0 + timedelta(seconds=60)
    assert _check(desk, totp.at(later + timedelta(seconds=30)), later)  # the phone's clock runs 30 s fast
    assert not _check(desk, totp.at(later + timedelta(seconds=30)), later)  # replayed
    far = T0 + timedelta(minutes=10)
    assert not _check(desk, totp.at(far - timedelta(minutes=2)), far)  # too old
    assert not _check(desk, "12 34 5", far) and not _check(desk, "", far)


def test_the_admins_rule_asks_every_staff_account_and_not_customers(desk):
    with unit_of_work(desk.factory) as session:
        customer = accounts.create_user(session, email="c@example.com", name="C", password="a passphrase here")
        agent = session.get(User, desk.ana)
        assert not twofactor.required(session, agent) and not twofactor.required(session, customer)
        admin.staff_sign_in_rules(session, settings=desk.settings, two_factor=True, sso_only=False,
                                  sso_available=False)
        assert twofactor.required(session, agent) and not twofactor.required(session, customer)


def test_turning_it_off_forgets_the_secret_and_ends_the_sessions(desk):
    _enrolled(desk, twofactor.new_secret())
    with unit_of_work(desk.factory) as session:
        twofactor.turn_off(session, desk.ana)
    with desk.reader() as session:
        user = session.get(User, desk.ana)
        assert user.totp_secret is None and user.recovery_codes is None and user.sessions_valid_after is not None
