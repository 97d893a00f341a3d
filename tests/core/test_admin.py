import re

import pytest
from sqlalchemy import select

from core.accounts import service as accounts
from core.accounts import twofactor
from core.db import unit_of_work
from core.desk import admin, schedule
from core.errors import ValidationError
from core.models import Outbox, Product, User
from core.tickets import service as tickets


def test_an_invited_agent_chooses_a_password_through_the_emailed_link(desk):
    with unit_of_work(desk.factory) as session:
        user = admin.invite(session, email="new@mesa.example", name="Nora", role="agent", locale="es",
                            settings=desk.settings)
        assert user.password_hash is None
    with desk.reader() as session:
        email = session.scalars(select(Outbox).where(Outbox.template == "set_password")).one()
    assert email.to_address == "new@mesa.example" and email.locale == "es"
    raw = re.search(r"\?set=([\w-]+)", email.body_text).group(1)
    with pytest.raises(ValidationError), unit_of_work(desk.factory) as session:
        admin.choose_password(session, raw, "short")
    with unit_of_work(desk.factory) as session:
        chosen = admin.choose_password(session, raw, "a long enough passphrase")
        assert chosen.email_verified_at is not None
    with unit_of_work(desk.factory) as session:
        assert admin.choose_password(session, raw, "another long passphrase") is None  # spent
    with desk.reader() as session:
        assert accounts.verify_password("a long enough passphrase",
                                        accounts.find_by_email(session, "new@mesa.example").password_hash)


def test_deactivating_an_agent_returns_their_open_tickets_to_unassigned(desk):
    open_one, solved_one = desk.new_ticket(), desk.new_ticket(email="j@example.com")
    with unit_of_work(desk.factory) as session:
        for ticket in (open_one, solved_one):
            tickets.assign(session, ticket.id, actor_id=desk.manager, assignee_id=desk.liam)
        tickets.change_status(session, solved_one.id, status="solved", actor_id=desk.liam)
    with unit_of_work(desk.factory) as session:
        admin.set_active(session, desk.liam, False, actor_id=desk.manager)
    assert desk.ticket(open_one.id).assignee_id is None
    assert desk.ticket(solved_one.id).assignee_id == desk.liam  # history of solved work is kept


def test_an_admin_cannot_lock_themselves_out(desk):
    with unit_of_work(desk.factory) as session:
        admin.set_role(session, desk.manager, "admin", actor_id=desk.ana)
    for change in (lambda s: admin.set_active(s, desk.manager, False, actor_id=desk.manager),
                   lambda s: admin.set_role(s, desk.manager, "agent", actor_id=desk.manager)):
        with pytest.raises(ValidationError), unit_of_work(desk.factory) as session:
            change(session)


def test_products_sla_and_canned_responses(desk):
    with unit_of_work(desk.factory) as session:
        admin.save_product(session, name="  Mesa   Mobile ")
        admin.save_sla(session, "urgent", first_reply_minutes=30, resolution_minutes=240, business_hours=False)
        admin.save_canned(session, title="Hi", body="Hello {first_name}", locale="en")
    with pytest.raises(ValidationError), unit_of_work(desk.factory) as session:
        admin.save_product(session, name="Mesa Mobile")
    with pytest.raises(ValidationError), unit_of_work(desk.factory) as session:
        admin.save_sla(session, "urgent", first_reply_minutes=0, resolution_minutes=10, business_hours=True)
    with desk.reader() as session:
        assert "Mesa Mobile" in session.scalars(select(Product.name)).all()
        assert admin.sla_policies(session)["urgent"].first_reply_minutes == 30
        assert [c.title for c in admin.all_canned(session)] == ["Hi"]


def test_an_admin_maps_an_identity_provider_address_to_a_staff_account(desk):
    with unit_of_work(desk.factory) as session:
        olivia = accounts.create_user(session, email="olivia@example.com", name="Olivia Brown")  # a customer
        mapped = admin.map_sso(session, desk.ana, "  Ana.Ruiz@Corp.Example ", actor_id=desk.manager)
        assert mapped.sso_email == "ana.ruiz@corp.example"
    refusals = {"the same address for another account": (desk.liam, "ana.ruiz@corp.example"),
                "not an address": (desk.liam, "liam at corp"),
                "a customer": (olivia.id, "olivia@corp.example")}
    for reason, (user_id, address) in refusals.items():
        with pytest.raises(ValidationError) as refused, unit_of_work(desk.factory) as session:
            admin.map_sso(session, user_id, address, actor_id=desk.manager)
        assert set(refused.value.messages("en")) == {"sso_email"}, reason
    with desk.reader() as session:
        assert accounts.find_by_sso_email(session, "ANA.RUIZ@corp.example").id == desk.ana
        assert accounts.find_by_sso_email(session, "olivia@corp.example") is None
        assert session.get(User, desk.liam).sso_email is None
    with unit_of_work(desk.factory) as session:
        assert admin.map_sso(session, desk.ana, "", actor_id=desk.manager).sso_email is None  # unmapped
        admin.map_sso(session, desk.liam, "ana.ruiz@corp.example", actor_id=desk.manager)  # free again
    with desk.reader() as session:
        assert accounts.find_by_sso_email(session, "ana.ruiz@corp.example").id == desk.liam


def test_staff_sign_in_rules_refuse_sso_only_without_a_provider_and_save_nothing(desk):
    with pytest.raises(ValidationError) as refused, unit_of_work(desk.factory) as session:
        admin.staff_sign_in_rules(session, settings=desk.settings, two_factor=True, sso_only=True,
                                  sso_available=False)
    assert set(refused.value.messages("en")) == {"sso_only"}
    with desk.reader() as session:
        assert not twofactor.staff_must_enrol(session)  # the two-step rule of the refused change is not kept
    with unit_of_work(desk.factory) as session:
        admin.staff_sign_in_rules(session, settings=desk.settings, two_factor=True, sso_only=True,
                                  sso_available=True)
    with desk.reader() as session:
        rules = schedule.row(session)
        assert (rules.staff_two_factor, rules.staff_sso_only) == (True, True)
        assert twofactor.staff_must_enrol(session)
        assert twofactor.required(session, session.get(User, desk.ana))
        assert not twofactor.required(session, User(role="customer", email="c@example.com", name="C"))
    with unit_of_work(desk.factory) as session:
        admin.staff_sign_in_rules(session, settings=desk.settings, two_factor=False, sso_only=False,
                                  sso_available=False)
    with desk.reader() as session:
        assert not twofactor.staff_must_enrol(session) and not schedule.row(session).staff_sso_only
