"""Translations from core/locales/{en,es}.toml, looked up by dotted key."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Phrase:
    """A parameter that is itself a text to translate: said in the same language as the message it goes in."""

    key: str


def t(key: str, locale: str | None = DEFAULT_LOCALE, **params: object) -> str:
    """The text for `key` in `locale`, falling back to English, then to the key itself.

    A count passed as `n` picks the singular form `key_one` when n is 1 and the catalog has one (English and
    Spanish: "1 ticket", "2 tickets"; a language with more forms adds its own rule here)."""
    if params.get("n") == 1 and f"{key}_one" in catalog(DEFAULT_LOCALE):
        key = f"{key}_one"
    text = catalog(normalize(locale)).get(key) or catalog(DEFAULT_LOCALE).get(key) or key
    params = {name: t(value.key, locale) if isinstance(value, Phrase) else value for name, value in params.items()}
    return text.format(**params) if params else text
