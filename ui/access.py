"""Each page's own access rule: hidden navigation is not access control."""

from __future__ import annotations

import streamlit as st

from core.accounts.service import STAFF_ROLES
from core.models import User
from ui import auth, sign_in
from ui.app import t

STAFF = STAFF_ROLES  # agent, manager, admin: everyone who works the desk
MANAGERS = ("manager", "admin")  # who sees the dashboards


def require(*roles: str) -> User:
    """The signed-in user when their role is one of `roles`; otherwise a refusal, and the page stops."""
    user = auth.current_user()
    if user is None:
        st.info(t("access.sign_in"), icon=":material/lock:")
        sign_in.form()  # signed in, the page opens as the user, its address (and ?ticket=) unchanged
        st.stop()
    if user.role not in roles:
        st.title(t("access.title"))
        st.error(t("access.refused"), icon=":material/lock:")
        st.stop()
    return user
