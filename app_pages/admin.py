"""Administration (admin role): staff, products, SLA targets, business hours, automations, canned responses,
webhooks."""

from datetime import time

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from core import formats, i18n
from core.accounts import twofactor
from core.desk import admin, schedule
from core.tickets import workflow
from ui import access, actions, app, forms, sign_in, webhooks_tab
from ui.app import t
from ui.duration_input import duration_input
from ui.text import plain

me = access.require("admin")
st.title(t("admin.title"))


def _said(done: actions.Outcome, success: str) -> None:
    """The success, or what refused the change (a line per refused field)."""
    st.success(success) if done.ok else st.error(done.message)


def _said_by_field(done: actions.Outcome, slots: dict) -> None:
    """The success, or each refused field's message in its own slot, right under the field."""
    if done.ok:
        st.success(t("admin.saved"))
    for field in done.errors:
        with slots.get(field) or st.container():
            forms.field_error(done.errors, field)


def _clock(minutes: int) -> time:
    return time((minutes // 60) % 24, minutes % 60)


def _toggle_product(product_id: int, name: str, active: bool) -> None:
    _said(actions.run(admin.save_product, name=name, product_id=product_id, active=active), t("admin.saved"))


def _change_person(staff: list) -> None:
    """One person at a time: the role they have now is shown; a new role and (de)activation are separate,
    confirmed actions, and the table above is drawn again after either."""
    with st.container(border=True):
        st.subheader(t("admin.change"))
        people = {u.id: u for u in staff}
        who = st.selectbox(t("admin.who"), list(people), format_func=lambda i: f"{people[i].name} <{people[i].email}>",
                           key="admin_who")
        if who is None:
            return
        person = people[who]
        st.caption(t("admin.now", role=roles[person.role],
                     state=t("admin.active_now") if person.active else t("admin.inactive_now")))
        choices = list(roles)
        new_role = st.selectbox(t("admin.role"), choices, index=choices.index(person.role),
                                format_func=roles.__getitem__, key=f"admin_role_{who}")
        sure = st.checkbox(t("admin.confirm", name=plain(person.name)), key=f"admin_sure_{who}")
        left, right = st.columns(2)
        unchanged = new_role == person.role
        if left.button(t("admin.change_role"), disabled=unchanged or not sure, key=f"admin_role_go_{who}"):
            _done(actions.run(admin.set_role, who, new_role, actor_id=me.id))
        if person.role in access.STAFF and person.role != "admin":
            writes = st.toggle(t("admin.writes_help"), value=person.writes_help, help=t("admin.writes_help_help"),
                               key=f"admin_help_{who}")
            if writes != person.writes_help:
                _done(actions.run(admin.set_writes_help, who, writes, actor_id=me.id))
        label = t("admin.deactivate") if person.active else t("admin.reactivate")
        if right.button(label, disabled=not sure, help=t("admin.active_help"), key=f"admin_active_go_{who}"):
            _done(actions.run(admin.set_active, who, not person.active, actor_id=me.id))


def _done(outcome: actions.Outcome) -> None:
    if outcome.ok:
        st.toast(t("admin.saved"))
        st.rerun()  # the table and the person's role and state as they are now
    st.error(outcome.message)


def _save_sla(session: Session, targets: dict[str, tuple[int, int, bool]]) -> None:
    for priority, (first, resolution, business) in targets.items():
        admin.save_sla(session, priority, first_reply_minutes=first, resolution_minutes=resolution,
                       business_hours=business)


people, sign_ins, products, sla, hours, timings, canned, webhooks = st.tabs(
    [t("admin.users"), t("admin_sign_in.tab"), t("admin.products"), t("admin.sla"), t("admin.hours"),
     t("admin.timings"), t("admin.canned"), t("hooks.tab")])
roles = {r: t(f"admin.role_{r}") for r in (*access.STAFF, "customer")}

with people:
    with app.read() as session:
        staff = admin.staff(session)
    st.dataframe(pd.DataFrame([{t("admin.name"): u.name, t("admin.email"): u.email, t("admin.role"): roles[u.role],
                                t("admin.active"): u.active, t("admin.has_password"): bool(u.password_hash),
                                t("admin_sign_in.two_step"): u.totp_enabled_at is not None,
                                t("admin_sign_in.sso_column"): u.sso_email or ""}
                               for u in staff]), hide_index=True, width="stretch")
    with st.form("invite", clear_on_submit=True):
        st.subheader(t("admin.invite"))
        name = st.text_input(t("admin.name"))
        email = st.text_input(t("admin.email"))
        role = st.selectbox(t("admin.role"), access.STAFF, format_func=roles.__getitem__)
        if st.form_submit_button(t("admin.invite_send"), type="primary"):
            _said(actions.run(admin.invite, email=email, name=name, role=role, locale=app.locale(),
                              settings=app.settings()), t("admin.invited", email=email))
    _change_person(staff)

with sign_ins:
    st.caption(t("admin_sign_in.help"))
    with app.read() as session:
        desk = schedule.row(session)
    sso_ready = sign_in.sso_available()
    with st.form("sign_in_rules"):
        st.subheader(t("admin_sign_in.rules"))
        two_factor = st.toggle(t("admin_sign_in.two_factor"), value=bool(desk and desk.staff_two_factor),
                               help=t("admin_sign_in.two_factor_help"))
        sso_only = sso_ready and st.toggle(t("admin_sign_in.sso_only"), value=bool(desk and desk.staff_sso_only),
                                           help=t("admin_sign_in.sso_only_help"))
        slots = {"sso_only": st.container()}
        if not sso_ready:
            st.info(t("admin_sign_in.sso_missing"), icon=":material/badge:")
        if st.form_submit_button(t("admin_sign_in.save"), key="rules_save"):
            _said_by_field(actions.run(admin.staff_sign_in_rules, settings=app.settings(), two_factor=two_factor,
                                       sso_only=sso_only, sso_available=sso_ready), slots)
    linkable = {u.id: f"{u.name} <{u.email}>" for u in staff if u.active}
    with st.form("sso_link"):
        st.subheader(t("admin_sign_in.link_title"))
        st.caption(t("admin_sign_in.link_help"))
        person = st.selectbox(t("admin_sign_in.member"), list(linkable), format_func=linkable.__getitem__,
                              key="sso_who")
        address = st.text_input(t("admin_sign_in.sso_email"), key="sso_email", autocomplete="off")
        slots = {"sso_email": st.container()}
        link, unlink = st.columns(2)
        linking = link.form_submit_button(t("admin_sign_in.link"), type="primary", key="sso_link_send")
        unlinking = unlink.form_submit_button(t("admin_sign_in.unlink"), key="sso_unlink_send")
        if (linking or unlinking) and person:
            done = actions.run(admin.map_sso, person, address if linking else "", actor_id=me.id)
            if not done.ok:
                _said_by_field(done, slots)
            elif linking:
                st.success(t("admin_sign_in.linked", name=plain(done.value.name), email=plain(done.value.sso_email)))
            else:
                st.success(t("admin_sign_in.unlinked", name=plain(done.value.name)))
    enrolled = {u.id: f"{u.name} <{u.email}>" for u in staff if u.active and u.totp_enabled_at}
    with st.form("two_step_off"):
        st.subheader(t("admin_sign_in.off_title"))
        st.caption(t("admin_sign_in.off_help"))
        if not enrolled:
            st.caption(t("admin_sign_in.off_none"))
        lost = st.selectbox(t("admin_sign_in.off_who"), list(enrolled), format_func=enrolled.__getitem__,
                            key="off_who")
        checked = st.checkbox(t("admin_sign_in.off_confirm"), key="off_confirm")
        confirm_slot = st.container()
        if st.form_submit_button(t("admin_sign_in.off_send"), key="off_send", disabled=not enrolled) and lost:
            if not checked:
                with confirm_slot:
                    forms.field_error({"confirm": t("admin_sign_in.off_confirm_needed")}, "confirm")
            else:
                done = actions.run(twofactor.turn_off, lost)
                _said(done, t("admin_sign_in.off_done", name=plain(done.value.name if done.ok else "")))

with products:
    with app.read() as session:
        items = admin.all_products(session)
    for product in items:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.text(product.name)
        right.toggle(t("admin.active"), value=product.active, key=f"product-{product.id}", on_change=_toggle_product,
                     args=(product.id, product.name, not product.active))
    with st.form("new_product", clear_on_submit=True):
        new_name = st.text_input(t("admin.product_name"))
        if st.form_submit_button(t("admin.add")):
            _said(actions.run(admin.save_product, name=new_name), t("admin.saved"))

with sla:
    st.caption(t("admin.sla_help"))
    with app.read() as session:
        policies = admin.sla_policies(session)
        working_day = schedule.load(session).day_minutes
    with st.form("sla"):
        values = {}
        for priority in workflow.PRIORITIES:
            policy = policies.get(priority)
            business = policy.business_hours if policy else True
            day = working_day if business else formats.MINUTES_PER_DAY
            a, b, c = st.columns([2, 2, 1], vertical_alignment="bottom")
            first = duration_input(t("admin.first_reply", priority=i18n.t(f"priority.{priority}", app.locale())),
                                   policy.first_reply_minutes if policy else 480, key=f"first-{priority}",
                                   day_minutes=day, container=a)
            resolution = duration_input(t("admin.resolution"), policy.resolution_minutes if policy else 4320,
                                        key=f"resolution-{priority}", day_minutes=day, container=b)
            business = c.checkbox(t("admin.business_hours"), value=business, key=f"business-{priority}")
            values[priority] = (first, resolution, business)
        if st.form_submit_button(t("admin.save")):
            _said(actions.run(_save_sla, values), t("admin.saved"))

with hours:
    st.caption(t("admin.hours_help"))
    with app.read() as session:
        plan = schedule.load(session)
    with st.form("hours"):
        slots = {}
        weekdays = {n: t(f"admin.weekday_{n}") for n in range(7)}
        days = st.multiselect(t("admin.days"), list(weekdays), default=sorted(plan.days),
                              format_func=weekdays.__getitem__)
        slots["days"] = st.container()
        left, right = st.columns(2)
        start = left.time_input(t("admin.day_start"), value=_clock(plan.start), step=900)
        end = right.time_input(t("admin.day_end"), value=_clock(plan.end), step=900, help=t("admin.day_end_help"))
        slots["end"] = st.container()
        zones = list(formats.time_zones())
        zone = st.selectbox(t("admin.timezone"), zones, index=zones.index(plan.timezone) if plan.timezone in zones
                            else None)
        slots["timezone"] = st.container()
        holidays = st.text_area(t("admin.holidays"), value="\n".join(d.isoformat() for d in sorted(plan.holidays)),
                                help=t("admin.holidays_help"))
        slots["holidays"] = st.container()
        if st.form_submit_button(t("admin.save"), key="hours_save"):
            _said_by_field(actions.run(admin.save_schedule, days=days, start=start, end=end, timezone=zone or "",
                                       holidays=holidays.splitlines(), settings=app.settings()), slots)

with timings:
    st.caption(t("admin.timings_help"))
    with app.read() as session:
        current = schedule.with_timings(session, app.settings())
    with st.form("timings"):
        values, slots = {}, {}
        for name, (low, high) in admin.TIMING_LIMITS.items():
            values[name] = st.number_input(t(f"admin.{name}"), min_value=low, max_value=high, step=1,
                                           value=getattr(current, name), key=f"timing-{name}")
            slots[name] = st.container()
        if st.form_submit_button(t("admin.save"), key="timings_save"):
            _said_by_field(actions.run(admin.save_timings, settings=app.settings(),
                                       **{k: int(v) for k, v in values.items()}), slots)

with canned:
    with app.read() as session:
        responses = admin.all_canned(session)
    for response in responses:
        with st.expander(f"{response.locale.upper()} · {plain(response.title)}" + ("" if response.active else " ·  ✕")):
            st.text(response.body)
    with st.form("new_canned", clear_on_submit=True):
        st.subheader(t("admin.canned_new"))
        title = st.text_input(t("admin.canned_title"))
        language = st.selectbox(t("app.language"), i18n.LOCALES, format_func=app.LANGUAGE_NAMES.__getitem__)
        body = st.text_area(t("admin.canned_body"), help=t("admin.canned_help"))
        if st.form_submit_button(t("admin.add")):
            _said(actions.run(admin.save_canned, title=title, body=body, locale=language), t("admin.saved"))

with webhooks:
    webhooks_tab.draw(me)
