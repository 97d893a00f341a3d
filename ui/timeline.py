"""A ticket's conversation as a timeline: who, when, the text as text, attachments inline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import streamlit as st

from core import formats
from core.mail import eml
from core.mail.original import Original
from core.models import Attachment, Message
from core.tickets import attachments
from ui import app
from ui.app import locale, t, zone
from ui.text import plain, unreordered

AVATARS = {"customer": ":material/person:", "agent": ":material/support_agent:", "note": ":material/sticky_note_2:"}


def local_time(moment: datetime) -> str:
    """The moment in the reader's zone (ui.app.zone), saying which (CET, -03, UTC...); naive moments are UTC."""
    here = zone()
    named = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(here).strftime("%Z")
    return f"{formats.datetime(moment, locale(), here)} {named}"


NOTE_STYLE = ("<style>[class*='st-key-note-'] {background:#fff8e1; border-left:4px solid #f2b705;"
              " padding:.4rem .6rem;}</style>")


def show(messages: Sequence[Message], *, author_name: Callable[[Message], str],
         shown: Callable[[Attachment], bytes | None], originals: dict[int, Original] | None = None,
         below: Callable[[Message], None] | None = None) -> None:
    """The conversation, oldest first. Internal notes (staff pages only) stand out in yellow. `below(message)`
    draws a page's own actions under each message."""
    st.html(NOTE_STYLE)
    for message in messages:
        role = "user" if message.kind == "customer" else "assistant"
        with st.chat_message(role, avatar=AVATARS[message.kind]), st.container(key=f"{message.kind}-{message.id}"):
            label = author_name(message)
            if message.kind == "note":
                label += " · " + t("ticket.internal_note")
            if message.via == "email":
                label += " · ✉"
            if message.sender_unverified:  # an account's address, not proven (form without sign-in, failed mail checks)
                label += " · ⚠ " + t("ticket.sender_unverified")
            st.caption(f"{plain(label)} · {local_time(message.created_at)}")  # names are user text too
            st.text(message.body)  # user text stays text: no Markdown, no HTML
            for attachment in message.attachments:
                _attachment(attachment, shown)
            if originals and message.id in originals:
                _email(message, originals[message.id])
            if below is not None:
                below(message)


def _email(message: Message, email: Original) -> None:
    """What the reply parser cut (collapsed, as Gmail does), and the email itself, decoded, as text only. Each is
    drawn only while open (a rerun on opening), as a ticket can hold many emails."""
    if email.quoted.strip():
        with st.expander(t("wb.quoted_text"), key=f"quoted-{message.id}", on_change="rerun") as quoted:
            if quoted.open:
                st.text(unreordered(email.quoted))
    with st.expander(t("wb.show_original"), key=f"original-{message.id}", on_change="rerun") as shown:
        if shown.open:
            _email_source(message, email)


def _email_source(message: Message, email: Original) -> None:
    st.text(unreordered("\n".join(f"{name}: {value}" for name, value in email.headers)))
    if email.text.strip():
        st.caption(t("wb.original_text"))
        st.text(unreordered(email.text))
    if email.html_text.strip():
        st.caption(t("wb.original_html"))
        st.text(unreordered(email.html_text))
    if email.files:
        st.caption(t("wb.original_files"))
        st.text(unreordered("\n".join(f"{name} · {kind} · {formats.size(size, locale())}"
                                       for name, kind, size in email.files)))
    st.download_button(t("wb.original_download"), email.raw, file_name=f"message-{message.id}.eml",
                       mime="message/rfc822", key=f"eml-{message.id}", on_click="ignore")


def _attachment(attachment: Attachment, shown: Callable[[Attachment], bytes | None]) -> None:
    """Images as their bounded preview (never the original), videos inline; every file downloads as sent,
    read only when the button is pressed."""
    data = shown(attachment)
    if data is not None and attachment.content_type.startswith("image/"):
        st.image(data, width=480)
    elif data is not None and attachment.content_type.startswith("video/"):
        st.video(data, format=attachment.content_type)
    elif attachment.content_type == "message/rfc822":
        _attached_email(attachment)
    st.caption(plain(attachment.filename))  # a name is user text: no Markdown
    st.download_button(f"⬇ {plain(attachment.filename)}", lambda: _original(attachment),
                       file_name=attachment.filename, mime=attachment.content_type, key=f"download-{attachment.id}",
                       on_click="ignore")


def _attached_email(attachment: Attachment) -> None:
    """An email attached to a message (a forward as attachment), shown as a message: decoded, as text."""
    with app.read() as session:
        attached = eml.of_attachment(session, attachment)
    if attached is None:
        return
    with st.expander(f"✉ {plain(attached.subject or attachment.filename)}"):
        lines = [f"{t('wb.eml_from')}: {attached.sender}", f"{t('wb.eml_to')}: {', '.join(attached.to)}"]
        lines += [f"Cc: {', '.join(attached.cc)}"] if attached.cc else []
        lines += [f"{t('wb.eml_date')}: {local_time(attached.date)}"] if attached.date else []
        st.text(unreordered("\n".join(lines)))
        st.text(unreordered(attached.text))
        if attached.files:
            st.caption(t("wb.original_files") + ": " + plain(", ".join(attached.files)))


def _original(attachment: Attachment) -> bytes:
    with app.read() as session:
        return attachments.content_of(session, attachment)
