"""The "I'm not a robot" box: the image from core.portal.captcha (or write by email), or a hosted provider's widget.

A provider (turnstile, hcaptcha, recaptcha) is used only when both its keys are set; otherwise the
image captcha stands in, never no captcha at all.
"""

from __future__ import annotations

import streamlit as st

from core.portal import captcha
from ui import captcha_widget, forms, keys
from ui.app import locale, settings, t
from ui.text import plain


def _provider() -> str | None:
    """The hosted provider to use, or None for the image captcha (or when the captcha is off)."""
    config = settings()
    if config.captcha in captcha.PROVIDER_SCRIPTS and config.captcha_site_key and config.captcha_secret_key:
        return config.captcha
    return None


def _fresh(key: str) -> None:
    st.session_state[keys.field(key, "challenge")] = captcha.new_challenge(settings().secret_key)
    st.session_state[keys.field(key, "answer")] = ""


def _render_provider(provider: str, key: str, error: str | None) -> None:
    with st.container(border=True):
        st.markdown(f"**{t('captcha.title')}**")
        round_ = st.session_state.get(keys.field(key, "provider_round"), 0)
        token = captcha_widget.widget(provider, settings().captcha_site_key, locale(), key=f"{key}_widget_{round_}")
        st.session_state[keys.field(key, "provider_token")] = token
        if error:
            st.error(t("captcha.provider_error"), icon="⚠️")


def render(key: str, error: str | None = None) -> None:
    """Draw the challenge and its answer field (nothing when the captcha is off)."""
    if settings().captcha == "off":
        return
    if provider := _provider():
        _render_provider(provider, key, error)
        return
    if keys.field(key, "challenge") not in st.session_state:
        _fresh(key)
    challenge: captcha.Challenge = st.session_state[keys.field(key, "challenge")]
    with st.container(border=True):
        st.markdown(f"**{t('captcha.title')}**")
        st.image(challenge.image_png, width=280)
        st.caption(t("captcha.by_email", address=plain(settings().mail_from)))
        st.text_input(t("captcha.label"), key=keys.field(key, "answer"), max_chars=12, autocomplete="off")
        if error:
            st.error(error, icon="⚠️")
        st.button(t("captcha.new"), key=f"{key}_new", on_click=_fresh, args=(key,), type="tertiary")


def _passed_provider(provider: str, key: str) -> bool:
    """Ask the provider once; the token is single-use, so forget it and give the widget a new key."""
    state = st.session_state
    token = state.pop(keys.field(key, "provider_token"), None) or ""
    rounds = keys.field(key, "provider_round")
    state[rounds] = state.get(rounds, 0) + 1
    address = forms.client_address()
    config = settings()
    return captcha.verify_provider(provider, config.captcha_secret_key, token,
                                   None if address == "unknown" else address, url=config.captcha_verify_url or None)


def passed(key: str) -> bool:
    """Check the answer once; any attempt spends the challenge and draws a new one.

    Call it from a widget callback (before the box is drawn again).
    """
    if settings().captcha == "off":
        return True
    if provider := _provider():
        return _passed_provider(provider, key)
    challenge: captcha.Challenge | None = st.session_state.get(keys.field(key, "challenge"))
    answer = st.session_state.get(keys.field(key, "answer"), "")
    used: set[str] = st.session_state.setdefault(keys.CAPTCHA_USED, set())
    ok = challenge is not None and captcha.verify(challenge.token, answer, settings().secret_key)
    nonce = captcha.nonce_of(challenge.token) if challenge else None
    if ok and nonce in used:
        ok = False
    if nonce:
        used.add(nonce)
    _fresh(key)
    return ok


def off_warning() -> None:
    """Tell staff the public form has no captcha (call it where staff look; it shows nothing otherwise)."""
    if settings().captcha == "off":
        st.warning(t("captcha.off_warning"), icon="⚠️")
