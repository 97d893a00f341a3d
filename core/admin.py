"""Administration: staff accounts (invite, role, deactivate), products, SLA targets, canned responses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import accounts, tickets, tokens, workflow
from core.config import Settings
from core.errors import Collector, NotFound, ValidationError
from core.mail import outbox
from core.models import CannedResponse, Product, SlaPolicy, Ticket, User, utcnow


def invite(session: Session, *, email: str, name: str, role: str, locale: str, settings: Settings,
           now: datetime | None = None) -> User:
    """A staff account without a password; the invitation email carries a link to choose one."""
    if role not in accounts.STAFF_ROLES:
        raise ValidationError({"role": [("errors.role", {"choices": ", ".join(accounts.STAFF_ROLES)})]})
    user = accounts.create_user(session, email=email, name=name, role=role, locale=locale)
    raw = tokens.issue(session, tokens.SET_PASSWORD, user_id=user.id, now=now)
    outbox.enqueue(session, template="set_password", to=user.email, locale=locale, settings=settings, now=now,
                   context={"name": user.name, "role": role, "days": tokens.LIFETIME[tokens.SET_PASSWORD].days,
                            "link": f"{settings.base_url}/account?set={raw}&lang={locale}"})
    return user


def choose_password(session: Session, raw_token: str, password: str, now: datetime | None = None) -> User | None:
    """Spend an invitation link: the password is set and the address counts as verified."""
    problem = accounts.password_problem(password)
    if problem:
        raise ValidationError({"password": [(problem, {"min": accounts.MIN_PASSWORD})]})
    token = tokens.spend(session, raw_token, tokens.SET_PASSWORD, now)
    if token is None:
        return None
    user = accounts.set_password(session, token.user_id, password)
    return accounts.mark_verified(session, user.id, now or utcnow())


def set_role(session: Session, user_id: int, role: str, *, actor_id: int) -> User:
    user = _user(session, user_id)
    if role not in accounts.ROLES:
        raise ValidationError({"role": [("errors.role", {"choices": ", ".join(accounts.ROLES)})]})
    if user.id == actor_id and role != "admin":
        raise ValidationError({"role": [("errors.own_admin", {})]})
    if user.role in accounts.STAFF_ROLES and role == "customer":
        _unassign_all(session, user.id, actor_id)
    user.role = role
    session.flush()
    return user


def set_active(session: Session, user_id: int, active: bool, *, actor_id: int) -> User:
    """Deactivating a staff member returns their open tickets to the unassigned queue."""
    user = _user(session, user_id)
    if user.id == actor_id and not active:
        raise ValidationError({"active": [("errors.own_admin", {})]})
    if not active:
        _unassign_all(session, user.id, actor_id)
    user.active = active
    session.flush()
    return user


def _unassign_all(session: Session, user_id: int, actor_id: int) -> int:
    ids = list(session.scalars(select(Ticket.id).where(Ticket.assignee_id == user_id,
                                                       Ticket.status.in_(workflow.LIVE_STATUSES))))
    for ticket_id in ids:
        tickets.assign(session, ticket_id, actor_id=actor_id, assignee_id=None)
    return len(ids)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(what="User", id=user_id)
    return user


def staff(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.role.in_(accounts.STAFF_ROLES)).order_by(User.name)))


def save_product(session: Session, *, name: str, product_id: int | None = None, active: bool = True) -> Product:
    errors = Collector()
    clean = " ".join((name or "").split())
    if not clean:
        errors.add("name", "errors.required")
    clash = session.scalar(select(Product).where(Product.name == clean, Product.id != (product_id or 0)))
    if clash:
        errors.add("name", "errors.duplicate_name", name=clean)
    errors.raise_if_any()
    product = session.get(Product, product_id) if product_id else Product()
    product.name, product.active = clean, active
    session.add(product)
    session.flush()
    return product


def sla_policies(session: Session) -> dict[str, SlaPolicy]:
    return {p.priority: p for p in session.scalars(select(SlaPolicy))}


def save_sla(session: Session, priority: str, *, first_reply_minutes: int, resolution_minutes: int,
             business_hours: bool) -> SlaPolicy:
    errors = Collector()
    if priority not in workflow.PRIORITIES:
        errors.add("priority", "errors.choice", choices=", ".join(workflow.PRIORITIES))
    for field, value in (("first_reply", first_reply_minutes), ("resolution", resolution_minutes)):
        if not 1 <= value <= 60 * 24 * 365:
            errors.add(field, "errors.minutes")
    errors.raise_if_any()
    policy = sla_policies(session).get(priority) or SlaPolicy(priority=priority)
    policy.first_reply_minutes, policy.resolution_minutes = first_reply_minutes, resolution_minutes
    policy.business_hours = business_hours
    session.add(policy)
    session.flush()
    return policy


def save_canned(session: Session, *, title: str, body: str, locale: str, canned_id: int | None = None,
                active: bool = True) -> CannedResponse:
    errors = Collector()
    if not title.strip():
        errors.add("title", "errors.required")
    if not body.strip():
        errors.add("body", "errors.required")
    errors.raise_if_any()
    canned = session.get(CannedResponse, canned_id) if canned_id else CannedResponse()
    canned.title, canned.body, canned.locale, canned.active = title.strip(), body.strip(), locale, active
    session.add(canned)
    session.flush()
    return canned


def all_canned(session: Session) -> list[CannedResponse]:
    return list(session.scalars(select(CannedResponse).order_by(CannedResponse.locale, CannedResponse.title)))


def all_products(session: Session) -> list[Product]:
    return list(session.scalars(select(Product).order_by(Product.name)))
