"""Administration: staff accounts (invite, role, deactivate), products, SLA targets, canned responses,
the business-hours schedule and the automation timings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import events, formats
from core.accounts import service as accounts
from core.config import Settings
from core.desk import catalog, schedule
from core.errors import Collector, NotFound, ValidationError
from core.models import CannedResponse, DeskSettings, Product, SlaPolicy, Ticket, User, utcnow
from core.portal import tokens
from core.tickets import service as tickets
from core.tickets import workflow


def invite(session: Session, *, email: str, name: str, role: str, locale: str, settings: Settings,
           now: datetime | None = None) -> User:
    """A staff account without a password; the invitation email carries a link to choose one."""
    if role not in accounts.STAFF_ROLES:
        raise ValidationError({"role": [("errors.role", {"choices": ", ".join(accounts.STAFF_ROLES)})]})
    user = accounts.create_user(session, email=email, name=name, role=role, locale=locale)
    raw = tokens.issue(session, tokens.SET_PASSWORD, user_id=user.id, now=now)
    events.record(session, events.StaffInvited(user, raw), settings, now or utcnow())
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


def set_writes_help(session: Session, user_id: int, allowed: bool, *, actor_id: int) -> User:
    """Let a staff member write help-center articles (admins always may)."""
    user = _user(session, user_id)
    if allowed and user.role not in accounts.STAFF_ROLES:
        raise ValidationError({"writes_help": [("admin.help_staff_only", {})]})
    user.writes_help = allowed
    session.flush()
    return user


def set_active(session: Session, user_id: int, active: bool, *, actor_id: int) -> User:
    """Deactivating a staff member returns their open tickets to the unassigned queue."""
    user = _user(session, user_id)
    if user.id == actor_id and not active:
        raise ValidationError({"active": [("errors.own_admin", {})]})
    if not active:
        _unassign_all(session, user.id, actor_id)
        accounts.end_sessions(session, user.id)
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
    """Everyone on the staff page, the deactivated too."""
    return accounts.staff(session, active_only=False)


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
    return catalog.products(session, active_only=False)


# ---------------------------------------------------------------- schedule and timings

TIMING_LIMITS = {"close_after_days": (1, 365), "reminder_after_days": (1, 365), "auto_solve_after_days": (0, 365),
                 "survey_delay_minutes": (0, 60 * 24 * 30)}


def _desk_row(session: Session, settings: Settings) -> DeskSettings:
    """The settings row, created with the defaults when missing."""
    stored = schedule.row(session)
    if stored is None:
        default = schedule.default_schedule(settings)
        stored = DeskSettings(id=schedule.ROW_ID, work_days=sorted(default.days), day_start=default.start,
                              day_end=default.end, timezone=default.timezone, holidays=[])
        session.add(stored)
    return stored


def _minute_of_day(value: time, *, end: bool = False) -> int:
    minutes = value.hour * 60 + value.minute
    return 24 * 60 if end and minutes == 0 else minutes  # an end at 00:00 is midnight at the end of the day


def save_schedule(session: Session, *, days: Sequence[int], start: time, end: time, timezone: str,
                  holidays: Sequence[str], settings: Settings) -> schedule.Schedule:
    """Store the business-hours schedule; holidays are ISO dates (YYYY-MM-DD), blank lines ignored."""
    errors = Collector()
    if not days or not set(days) <= set(range(7)):
        errors.add("days", "errors.schedule_days")
    first, last = _minute_of_day(start), _minute_of_day(end, end=True)
    if last <= first:
        errors.add("end", "errors.schedule_hours")
    if timezone not in formats.time_zones():
        errors.add("timezone", "errors.timezone")
    dates, bad = set(), []
    for text in filter(None, (h.strip() for h in holidays)):
        try:
            dates.add(date.fromisoformat(text))
        except ValueError:
            bad.append(text)
    if bad:
        errors.add("holidays", "errors.dates", dates=", ".join(bad))
    errors.raise_if_any()
    stored = _desk_row(session, settings)
    stored.work_days, stored.day_start, stored.day_end = sorted(set(days)), first, last
    stored.timezone, stored.holidays = timezone, [d.isoformat() for d in sorted(dates)]
    stored.updated_at = utcnow()
    session.flush()
    return schedule.load(session)


def save_timings(session: Session, *, settings: Settings, **timings: int) -> DeskSettings:
    """Store the automation timings (see core.desk.automations); each within TIMING_LIMITS."""
    errors = Collector()
    for name, value in timings.items():
        low, high = TIMING_LIMITS[name]
        if not low <= value <= high:
            errors.add(name, "errors.number_range", min=low, max=high)
    errors.raise_if_any()
    stored = _desk_row(session, settings)
    for name, value in timings.items():
        setattr(stored, name, value)
    stored.updated_at = utcnow()
    session.flush()
    return stored


def staff_sign_in_rules(session: Session, *, settings: Settings, two_factor: bool, sso_only: bool,
                        sso_available: bool) -> DeskSettings:
    """The admin's rules for staff sign-in: a second factor for every staff account (each enrols at its
    next sign-in), and single sign-on only (no staff password sign-in; needs an identity provider set up)."""
    if sso_only and not sso_available:
        raise ValidationError({"sso_only": [("errors.sso_not_configured", {})]})
    stored = _desk_row(session, settings)
    stored.staff_two_factor, stored.staff_sso_only = two_factor, sso_only
    stored.updated_at = utcnow()
    session.flush()
    return stored


def map_sso(session: Session, user_id: int, sso_email: str, *, actor_id: int) -> User:
    """Let the identity provider's verified address `sso_email` sign in as this staff account ("" unmaps)."""
    user = _user(session, user_id)
    errors = Collector()
    if user.role not in accounts.STAFF_ROLES:
        errors.add("sso_email", "errors.not_staff", id=user_id)
    address = accounts.check_email(errors, sso_email, "sso_email") if sso_email.strip() else None
    taken = address and session.scalar(select(User).where(User.sso_email == address, User.id != user.id))
    if taken:
        errors.add("sso_email", "errors.email_taken", email=address)
    errors.raise_if_any()
    user.sso_email = address
    session.flush()
    return user
