"""Form helpers: a field's error right under it, uploads turned into core Uploads."""

from __future__ import annotations

import math

import streamlit as st

from core.tickets.attachments import Upload
from ui.app import settings, t


def field_error(errors: dict[str, str], field: str) -> None:
    """Show the problems of one field (one line each) right where the field is."""
    if field in errors:
        for line in errors[field].splitlines():
            st.error(line, icon="⚠️")


def file_picker(key: str, help_text: str | None = None) -> None:
    """The attachments field, capped in the browser at our per-file limit."""
    limits = settings()
    st.file_uploader(t("new.attachments"), accept_multiple_files=True, key=key, help=help_text,
                     max_upload_size=math.ceil(limits.max_file_mb))


def uploads(files: list | None) -> list[Upload]:
    return [Upload(f.name, f.getvalue()) for f in (files or [])]


def client_address() -> str:
    """The visitor's address as Streamlit sees it (behind a proxy: the proxy's, unless it forwards)."""
    forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")[0].strip()
    return forwarded or st.context.ip_address or "unknown"


def hide(key: str) -> None:
    """Hide a widget from people (a honeypot stays in the page for bots)."""
    st.html(f"<style>.st-key-{key} {{position:absolute; left:-9999px; height:0; overflow:hidden}}</style>")
