"""Translations from core/locales/{en,es}.toml, looked up by dotted key."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LOCALES = ("en", "es")
DEFAULT_LOCALE = "en"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalog(locale: str) -> dict[str, str]:
    with (LOCALES_DIR / f"{locale}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def normalize(locale: str | None) -> str:
    code = (locale or "").split("-")[0].split("_")[0].lower()
    return code if code in LOCALES else DEFAULT_LOCALE


def t(key: str, locale: str | None = DEFAULT_LOCALE, **params: object) -> str:
    """The text for `key` in `locale`, falling back to English, then to the key itself."""
    text = catalog(normalize(locale)).get(key) or catalog(DEFAULT_LOCALE).get(key) or key
    return text.format(**params) if params else text
