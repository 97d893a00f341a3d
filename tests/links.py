"""Reading the links we email, as a browser would."""

from urllib.parse import parse_qs, urlsplit


def query_value(link: str, name: str) -> str:
    """One parameter of a link's query string (`token`, `ticket`, `lang`...)."""
    return parse_qs(urlsplit(link).query)[name][0]
