"""API tokens as a service: shown once, kept hashed, scoped by the owner's role, expiring, revocable."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from core.api import tokens
from core.db import unit_of_work
from core.errors import NotFound, ValidationError
from core.models import ApiToken, User, utcnow
from tests.api.conftest import make_staff


@pytest.fixture
def staff(factory):
    return make_staff(factory)


def _create(factory, owner, scopes, **kwargs):
    with unit_of_work(factory) as session:
        token, secret = tokens.create(session, owner_id=owner, name="CRM", scopes=scopes, **kwargs)
        return token.id, secret


def test_only_the_hash_is_kept_and_the_secret_finds_the_token(factory, staff):
    agent = staff[0]
    token_id, secret = _create(factory, agent, ["tickets:write", "tickets:read", "tickets:read"])
    assert secret.startswith("mesa_") and len(secret) > 40
    with factory() as session:
        row = session.get(ApiToken, token_id)
        assert row.token_hash == tokens.digest(secret) and secret not in (row.token_hash, row.prefix)
        assert row.scopes == ["tickets:read", "tickets:write"] and row.kind == "personal"
        assert (row.expires_at - row.created_at).days == tokens.DEFAULT_DAYS
        assert tokens.authenticate(session, secret).id == token_id
        assert tokens.authenticate(session, secret + "x") is None
        assert tokens.authenticate(session, "Bearer " + secret) is None


def test_a_scope_needs_a_role_that_allows_it(factory, staff):
    agent, manager, admin, _ = staff
    with unit_of_work(factory) as session, pytest.raises(ValidationError) as refused:
        tokens.create(session, owner_id=agent, name="x", scopes=["reports:read", "admin"])
    assert "reports:read" in refused.value.messages()["scopes"]
    assert _create(factory, manager, ["reports:read"])[1]
    assert _create(factory, admin, ["admin", "reports:read", "tickets:read"], kind="service")[1]


@pytest.mark.parametrize("fields, field", [
    ({"scopes": []}, "scopes"), ({"scopes": ["tickets:delete"]}, "scopes"), ({"days": 0}, "days"),
    ({"days": 366}, "days"), ({"name": "  "}, "name"), ({"kind": "service"}, "kind"),
])
def test_bad_input_is_refused_per_field_and_nothing_is_saved(factory, staff, fields, field):
    values = {"owner_id": staff[0], "name": "CRM", "scopes": ["tickets:read"], **fields}
    with unit_of_work(factory) as session, pytest.raises(ValidationError) as refused:
        tokens.create(session, **values)
    assert list(refused.value.errors) == [field]
    with factory() as session:
        assert session.scalars(select(ApiToken)).all() == []


def test_a_customer_gets_no_token(factory, staff):
    with unit_of_work(factory) as session:
        customer = User(email="olivia@example.com", name="Olivia", role="customer")
        session.add(customer)
        session.flush()
        with pytest.raises(NotFound):
            tokens.create(session, owner_id=customer.id, name="x", scopes=["tickets:read"])


def test_revoked_expired_and_deactivated_tokens_stop_working(factory, staff):
    agent, manager, _, _ = staff
    revoked, expired, deactivated = (_create(factory, owner, ["tickets:read"]) for owner in (agent, agent, manager))
    with unit_of_work(factory) as session:
        tokens.revoke(session, revoked[0], actor_id=agent)
        session.execute(update(ApiToken).where(ApiToken.id == expired[0])
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
        session.get(User, manager).active = False
    with factory() as session:
        assert [tokens.authenticate(session, s) for _, s in (revoked, expired, deactivated)] == [None] * 3
        assert len(tokens.of(session, agent)) == 2


def test_only_the_owner_or_an_admin_revokes(factory, staff):
    agent, manager, admin, _ = staff
    token_id, secret = _create(factory, agent, ["tickets:read"])
    with unit_of_work(factory) as session, pytest.raises(NotFound):
        tokens.revoke(session, token_id, actor_id=manager)
    with unit_of_work(factory) as session:
        tokens.revoke(session, token_id, actor_id=admin)
    with factory() as session:
        assert tokens.authenticate(session, secret) is None
