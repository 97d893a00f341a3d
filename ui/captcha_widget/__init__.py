"""The hosted captcha widget (Turnstile, hCaptcha, reCAPTCHA v2) as a build-free Streamlit component.

frontend/index.html speaks the components v1 protocol with postMessage; its value is the provider's token (or None).
"""

from __future__ import annotations

from pathlib import Path

from streamlit.components.v1 import declare_component

from core import i18n
from core.portal import captcha

_component = declare_component("mesa_captcha", path=str(Path(__file__).resolve().parent / "frontend"))


def widget(provider: str, site_key: str, language: str, key: str) -> str | None:
    """Draw the provider's widget; the token once the visitor has solved it, None before or after it expires."""
    script = captcha.PROVIDER_SCRIPTS[provider]
    value = _component(
        provider=provider, site_key=site_key, script_src=script.src, widget_class=script.widget_class,
        language=language, load_error=i18n.t("captcha.load_error", language), key=key, default=None)
    return value if isinstance(value, str) and value else None
