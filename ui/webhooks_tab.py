"""The admin page's Webhooks tab: endpoints (add, change, test, secret, delete) and the delivery log."""

from __future__ import annotations

import json

import streamlit as st

from core.hooks import deliveries, endpoints
from core.models import User, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from ui import actions, app, forms
from ui.app import t
from ui.text import plain
from ui.timeline import local_time

LOG_PAGE = 50


def _labels() -> dict[str, str]:
    return {e: t(f"hooks.event.{e.replace('.', '_')}") for e in (*endpoints.EVENTS, endpoints.PING)}


def _fields(prefix: str, hook: WebhookEndpoint | None) -> tuple[str, str, list[str], dict]:
    """URL, description and events of an endpoint's form, with a slot under each for its refusal."""
    labels = _labels()
    url = st.text_input(t("hooks.url"), value=hook.url if hook else "", help=t("hooks.url_help"),
                        key=f"{prefix}_url", max_chars=endpoints.URL_MAX)
    slots = {"url": st.container()}
    description = st.text_input(t("hooks.description"), value=hook.description if hook else "",
                                key=f"{prefix}_description", max_chars=endpoints.DESCRIPTION_MAX)
    slots["description"] = st.container()
    chosen = st.multiselect(t("hooks.events"), endpoints.EVENTS, default=hook.events if hook else None,
                            format_func=labels.__getitem__, key=f"{prefix}_events")
    slots["events"] = st.container()
    return url, description, chosen, slots


def _refused(done: actions.Outcome, slots: dict) -> None:
    for field in done.errors:
        with slots.get(field) or st.container():
            forms.field_error(done.errors, field)


def _secret(caption: str, secret: str) -> None:
    st.success(caption)
    st.code(secret, language=None)


def _add(me: User) -> None:
    with st.form("hook_new"):
        st.subheader(t("hooks.add"))
        url, description, chosen, slots = _fields("hook_new", None)
        if st.form_submit_button(t("hooks.add_send"), type="primary"):
            done = actions.run(endpoints.add, url=url, events=chosen, description=description, actor_id=me.id)
            _secret(t("hooks.added"), done.value.secret) if done.ok else _refused(done, slots)


def _endpoint(hook: WebhookEndpoint) -> None:
    state = t("hooks.on") if hook.active else t("hooks.off")
    with st.expander(plain(f"{hook.url} · {state}")):
        with st.form(f"hook_edit_{hook.id}"):
            url, description, chosen, slots = _fields(f"hook_{hook.id}", hook)
            active = st.toggle(t("hooks.active"), value=hook.active, key=f"hook_{hook.id}_active")
            if st.form_submit_button(t("hooks.save"), key=f"hook_{hook.id}_save"):
                done = actions.run(endpoints.update, hook.id, url=url, events=chosen, description=description,
                                   active=active)
                st.success(t("hooks.saved")) if done.ok else _refused(done, slots)
        sure = st.checkbox(t("hooks.confirm"), key=f"hook_{hook.id}_sure")
        confirm_slot = st.container()
        test, show, rotate, delete = st.columns(4)
        if test.button(t("hooks.send_test"), key=f"hook_{hook.id}_test"):
            done = actions.run(deliveries.send_test, hook.id)
            st.success(t("hooks.test_queued")) if done.ok else st.error(done.message)
        if show.button(t("hooks.show_secret"), key=f"hook_{hook.id}_show"):
            _secret(t("hooks.secret"), hook.secret)
        rotating = rotate.button(t("hooks.rotate"), key=f"hook_{hook.id}_rotate")
        deleting = delete.button(t("hooks.delete"), key=f"hook_{hook.id}_delete")
        if (rotating or deleting) and not sure:
            with confirm_slot:
                forms.field_error({"confirm": t("hooks.confirm_needed")}, "confirm")
        elif rotating:
            done = actions.run(endpoints.rotate_secret, hook.id)
            _secret(t("hooks.rotated"), done.value.secret) if done.ok else st.error(done.message)
        elif deleting:
            done = actions.run(endpoints.delete, hook.id)
            if done.ok:
                st.toast(t("hooks.deleted"))
                st.rerun()
            st.error(done.message)


def _redeliver(delivery_id: int) -> None:
    done = actions.run(deliveries.redeliver, delivery_id)
    st.toast(t("hooks.redelivered") if done.ok else done.message)


def _tries(tried: list[WebhookAttempt]) -> None:
    """Every try of a delivery, oldest first: when, the HTTP status, how long, the answer's start, the error."""
    st.markdown(f"**{t('hooks.tries')}**")
    if not tried:
        st.caption(t("hooks.tries_none"))
        return
    st.dataframe([{t("hooks.try_number"): number, t("hooks.try_time"): local_time(a.attempted_at),
                   t("hooks.try_status"): "—" if a.response_status is None else str(a.response_status),
                   t("hooks.try_ms"): a.duration_ms, t("hooks.try_answer"): a.response_excerpt or "",
                   t("hooks.try_error"): a.error or ""} for number, a in enumerate(tried, start=1)],
                 hide_index=True)


def _delivery(row: WebhookDelivery, urls: dict[int, str], tried: list[WebhookAttempt]) -> None:
    label = f"{t('hooks.status_' + row.status)} · {_labels().get(row.event, row.event)} · " \
            f"{local_time(row.created_at)} · {urls.get(row.endpoint_id, '')}"
    with st.expander(plain(label)):
        st.caption(t("hooks.details", delivery=row.key, attempts=row.attempts, created=local_time(row.created_at),
                     last=local_time(row.last_attempt_at) if row.last_attempt_at else "—",
                     delivered=local_time(row.delivered_at) if row.delivered_at else "—"))
        if row.response_status is not None:
            st.text(t("hooks.answer", status=row.response_status, ms=row.response_ms))
            if row.response_excerpt:
                st.text(row.response_excerpt)
        else:
            st.caption(t("hooks.no_answer"))
        if row.last_error:
            st.error(row.last_error)
        _tries(tried)
        st.code(json.dumps(json.loads(row.body), indent=2, ensure_ascii=False), language="json")
        st.button(t("hooks.redeliver"), key=f"hook_redeliver_{row.id}", on_click=_redeliver, args=(row.id,),
                  disabled=row.status == deliveries.SENDING)


def _log(hooks: list[WebhookEndpoint]) -> None:
    st.subheader(t("hooks.log"))
    with app.read() as session:
        counts = deliveries.counts(session)
    for column, status in zip(st.columns(len(deliveries.STATUSES)), deliveries.STATUSES, strict=True):
        column.metric(t(f"hooks.status_{status}"), counts.get(status, 0))
    urls = {hook.id: hook.url for hook in hooks}
    statuses = {None: t("hooks.any"), **{s: t(f"hooks.status_{s}") for s in deliveries.STATUSES}}
    which, status, page = st.columns([2, 1, 1])
    endpoint_id = which.selectbox(t("hooks.endpoint"), [None, *urls], key="hook_log_endpoint",
                                  format_func=lambda i: t("hooks.any") if i is None else urls[i])
    chosen = status.selectbox(t("hooks.status"), list(statuses), format_func=statuses.__getitem__,
                              key="hook_log_status")
    number = page.number_input(t("hooks.page"), min_value=1, value=1, step=1, key="hook_log_page")
    with app.read() as session:
        rows = deliveries.log_page(session, endpoint_id=endpoint_id, status=chosen, limit=LOG_PAGE,
                                   offset=(number - 1) * LOG_PAGE)
        tried = deliveries.attempts_of(session, [row.id for row in rows])
    if not rows:
        st.caption(t("hooks.log_none"))
    for row in rows:
        _delivery(row, urls, tried[row.id])


def draw(me: User) -> None:
    """Added first, so a new endpoint is in the list drawn below it in the same run."""
    st.caption(t("hooks.help"))
    _add(me)
    with app.read() as session:
        hooks = endpoints.all_endpoints(session)
    st.subheader(t("hooks.list"))
    if not hooks:
        st.caption(t("hooks.none"))
    for hook in hooks:
        _endpoint(hook)
    _log(hooks)
