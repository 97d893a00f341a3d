"""Translations from core/locales/<code>.toml, looked up by dotted key.

A language is its files: core/locales/<code>.toml, core/mail/templates/<code>/ and data/help/<code>/. The codes are
the TOML files' names ("en", "es", "pt-BR"); English is the fallback for a key a catalog lacks. Plural forms follow
the language's CLDR rule (Babel): a count passed as `n` picks `key_one`, `key_few`, `key_many`... when the catalog
has it, else `key` (the plural)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale

DEFAULT_LOCALE = "en"
LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LOCALES = (DEFAULT_LOCALE, *sorted(p.stem for p in LOCALES_DIR.glob("*.toml") if p.stem != DEFAULT_LOCALE))


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


def match(tag: str | None) -> str | None:
    """The locale of ours that a language tag means: "pt-br", "pt_BR" or "pt" -> "pt-BR", "es-MX" -> "es"; None
    when we have no such language."""
    tag = (tag or "").strip().replace("_", "-").lower()
    if not tag:
        return None
    by_tag = {code.lower(): code for code in LOCALES}
    if tag in by_tag:
        return by_tag[tag]
    language = tag.split("-")[0]
    return next((code for code in LOCALES if code.lower().split("-")[0] == language), None)


def normalize(locale: str | None) -> str:
    return match(locale) or DEFAULT_LOCALE


def from_accept_language(header: str | None) -> str | None:
    """The first of the browser's languages (Accept-Language, by its q-values) that we have, or None."""
    wanted = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            wanted.append((-quality, position, tag))
    return next((code for *_, tag in sorted(wanted) if (code := match(tag))), None)


@cache
def babel_locale(locale: str | None) -> Locale:
    """Babel's Locale for one of ours ("pt-BR" -> pt_BR)."""
    return Locale.parse(normalize(locale).replace("-", "_"))


def language_name(locale: str) -> str:
    """The language's name in itself: "English", "Español", "Português (Brasil)"."""
    name = babel_locale(locale).get_display_name() or locale
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Phrase:
    """A parameter that is itself a text to translate: said in the same language as the message it goes in."""

    key: str


def _counted(key: str, locale: str, n: object) -> str:
    if not isinstance(n, int | float) or isinstance(n, bool):
        return key
    if key not in catalog(locale):  # said in English: counted by English's rule
        locale = DEFAULT_LOCALE
    form = f"{key}_{babel_locale(locale).plural_form(abs(n))}"
    return form if form in catalog(locale) else key


def _said(value: object, locale: str) -> object:
    """A parameter as the message's language says it: a Phrase translated, a quantity (anything with a
    `said(locale)`, such as core.formats.Size) formatted; anything else as it is."""
    if isinstance(value, Phrase):
        return t(value.key, locale)
    said = getattr(value, "said", None)
    return said(locale) if callable(said) else value


def t(key: str, locale: str | None = DEFAULT_LOCALE, **params: object) -> str:
    """The text for `key` in `locale`, falling back to English, then to the key itself.

    A count passed as `n` picks the plural form of the language's rule: "1 ticket", "2 tickets"; in Portuguese
    0 is singular too ("0 ticket selecionado")."""
    code = normalize(locale)
    if "n" in params:
        key = _counted(key, code, params["n"])
    text = catalog(code).get(key) or catalog(DEFAULT_LOCALE).get(key) or key
    params = {name: _said(value, code) for name, value in params.items()}
    return text.format(**params) if params else text
