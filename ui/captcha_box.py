"""The "I'm not a robot" box: image (with audio) from core.captcha, one use per challenge."""

from __future__ import annotations

import streamlit as st

from core import captcha
from ui.app import settings, t


def _fresh(key: str) -> None:
    st.session_state[f"{key}_challenge"] = captcha.new_challenge(settings().secret_key)
    st.session_state[f"{key}_answer"] = ""


def render(key: str, error: str | None = None) -> None:
    """Draw the challenge and its answer field (nothing when the captcha is off)."""
    if settings().captcha == "off":
        return
    if f"{key}_challenge" not in st.session_state:
        _fresh(key)
    challenge: captcha.Challenge = st.session_state[f"{key}_challenge"]
    with st.container(border=True):
        st.markdown(f"**{t('captcha.title')}**")
        image, audio = st.columns([3, 2], vertical_alignment="center")
        image.image(challenge.image_png, width=280)
        if challenge.audio_wav:
            audio.caption(t("captcha.audio"))
            audio.audio(challenge.audio_wav, format="audio/wav")
        st.text_input(t("captcha.label"), key=f"{key}_answer", max_chars=12, autocomplete="off")
        if error:
            st.error(error, icon="⚠️")
        st.button(t("captcha.new"), key=f"{key}_new", on_click=_fresh, args=(key,), type="tertiary")


def passed(key: str) -> bool:
    """Check the answer once; any attempt spends the challenge and draws a new one.

    Call it from a widget callback (before the box is drawn again).
    """
    if settings().captcha == "off":
        return True
    challenge: captcha.Challenge | None = st.session_state.get(f"{key}_challenge")
    answer = st.session_state.get(f"{key}_answer", "")
    used: set[str] = st.session_state.setdefault("captcha_used", set())
    ok = challenge is not None and captcha.verify(challenge.token, answer, settings().secret_key)
    nonce = captcha.nonce_of(challenge.token) if challenge else None
    if ok and nonce in used:
        ok = False
    if nonce:
        used.add(nonce)
    _fresh(key)
    return ok
