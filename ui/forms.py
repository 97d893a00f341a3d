"""Form helpers: a field's error right under it, what a field holds, a form's file picker as core Uploads."""

from __future__ import annotations

import math

import streamlit as st

from core.portal import clients
from core.tickets.attachments import Upload
from ui import keys
from ui.app import settings, t


def field_error(errors: dict[str, str], field: str) -> None:
    """Show the problems of one field (one line each) right where the field is."""
    if field in errors:
        for line in errors[field].splitlines():
            st.error(line, icon="⚠️")


def value(form: str, field: str, default: object = "") -> object:
    """What a field of the form holds (its widget's key is keys.field(form, field)), for the form's callback."""
    return st.session_state.get(keys.field(form, field), default)


def file_picker(form: str, help_text: str | None = None) -> None:
    """The form's attachments field, capped in the browser at our per-file limit."""
    limits = settings()
    st.file_uploader(t("new.attachments"), accept_multiple_files=True, key=_files_key(form), help=help_text,
                     max_upload_size=math.ceil(limits.max_file_mb))


def picked_files(form: str) -> list[Upload]:
    """The files in the form's picker, as core Uploads."""
    return uploads(st.session_state.get(_files_key(form)))


def empty_file_picker(form: str) -> None:
    """After a send: the form's next picker is a new, empty one (a file uploader cannot be emptied in place)."""
    sent = keys.files_round(form)
    st.session_state[sent] = st.session_state.get(sent, 0) + 1


def _files_key(form: str) -> str:
    return keys.files(form, st.session_state.get(keys.files_round(form), 0))


def uploads(files: list | None) -> list[Upload]:
    return [Upload(f.name, f.getvalue()) for f in (files or [])]


def client_address() -> str:
    """The visitor's address: the socket's, or X-Forwarded-For's only through MESA_TRUSTED_PROXIES proxies."""
    return clients.client_address(st.context.ip_address, st.context.headers.get("X-Forwarded-For"),
                                  settings().trusted_proxies)


def whole_number(raw: str | None) -> int | None:
    """A ticket number typed or in a link: ASCII digits only ("²" is a digit to Python, not to int)."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


def hide(key: str) -> None:
    """Hide a widget from people (a honeypot stays in the page for bots)."""
    st.html(f"<style>.st-key-{key} {{position:absolute; left:-9999px; height:0; overflow:hidden}}</style>")
