"""The account page's API tokens (staff only): create one (shown once), see one's own, revoke them."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from core import formats
from core.accounts.service import STAFF_ROLES
from core.api import tokens
from core.models import ApiToken, User, utcnow
from ui import actions, app, forms, keys
from ui.app import t
from ui.text import plain

FORM = keys.API_TOKEN


def _create(user_id: int) -> None:
    """Button callback: the token is created whole or not at all; a refusal stays next to its field."""
    done = actions.submit(FORM, tokens.create, owner_id=user_id, name=forms.value(FORM, "name"),
                          scopes=list(forms.value(FORM, "scopes", [])), days=int(forms.value(FORM, "days", 90)),
                          kind="service" if forms.value(FORM, "service", False) else "personal")
    if done.ok:
        st.session_state[keys.API_TOKEN_SECRET] = done.value[1]
        st.session_state[keys.field(FORM, "name")] = ""


def _state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return t("api.revoked")
    return t("api.expired") if token.expires_at <= now else t("api.active")


def _day(moment: datetime | None) -> str:
    return formats.date(moment, app.locale(), app.zone()) if moment else "—"


def _list(user: User) -> None:
    with app.read() as session:
        mine = tokens.of(session, user.id)
    if not mine:
        st.caption(t("api.none"))
        return
    now = utcnow()
    for token in mine:
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(f"**{plain(token.name)}** · `{token.prefix}…` · {', '.join(map(scope_name, token.scopes))} · "
                      f"{_state(token, now)}  \n{t('api.created_at')} {_day(token.created_at)} · "
                      f"{t('api.expires_at')} {_day(token.expires_at)} · {t('api.last_used_at')} "
                      f"{_day(token.last_used_at)}")
        if token.revoked_at is None and token.expires_at > now and right.button(
                t("api.revoke"), key=f"api_revoke_{token.id}"):
            done = actions.run(tokens.revoke, token.id, actor_id=user.id)
            st.error(done.message) if not done.ok else st.rerun()


def scope_name(scope: str) -> str:
    """A scope in words, with its code (what the API's documentation and errors name)."""
    return t("api.scope_named", label=t("api.scope_" + scope.replace(":", "_")), scope=scope)


def section(user: User) -> None:
    if user.role not in STAFF_ROLES:
        return
    st.subheader(t("api.section"))
    st.caption(t("api.help"))
    if secret := st.session_state.pop(keys.API_TOKEN_SECRET, None):
        st.success(t("api.created"))
        st.code(secret, language=None)
    errors = actions.errors(FORM)
    with st.form(FORM):
        st.text_input(t("api.name"), key=keys.field(FORM, "name"), max_chars=80)
        forms.field_error(errors, "name")
        allowed = [scope for scope in tokens.SCOPES if tokens.allowed(user.role, scope)]
        st.multiselect(t("api.scopes"), allowed, default=["tickets:read"], key=keys.field(FORM, "scopes"),
                       format_func=scope_name)
        forms.field_error(errors, "scopes")
        st.number_input(t("api.days"), min_value=1, max_value=tokens.MAX_DAYS, value=tokens.DEFAULT_DAYS, step=1,
                        key=keys.field(FORM, "days"))
        forms.field_error(errors, "days")
        if user.role == "admin":
            st.checkbox(t("api.service"), key=keys.field(FORM, "service"))
            forms.field_error(errors, "kind")
        forms.field_error(errors, "form")
        st.form_submit_button(t("api.create"), on_click=_create, args=(user.id,))
    _list(user)
