"""A ticket's conversation as a timeline: who, when, the text as text, attachments inline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import streamlit as st

from core.models import Attachment, Message
from ui.app import settings, t

AVATARS = {"customer": ":material/person:", "agent": ":material/support_agent:", "note": ":material/sticky_note_2:"}


def local_time(moment: datetime) -> str:
    zone = ZoneInfo(st.context.timezone or settings().timezone)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def show(messages: Sequence[Message], *, author_name: Callable[[Message], str],
         content: Callable[[Attachment], bytes]) -> None:
    for message in messages:
        role = "user" if message.kind == "customer" else "assistant"
        with st.chat_message(role, avatar=AVATARS[message.kind]):
            label = author_name(message)
            if message.kind == "note":
                label += " · " + t("ticket.internal_note")
            st.caption(f"{label} · {local_time(message.created_at)}")
            st.text(message.body)  # user text stays text: no Markdown, no HTML
            for attachment in message.attachments:
                _attachment(attachment, content)


def _attachment(attachment: Attachment, content: Callable[[Attachment], bytes]) -> None:
    data = content(attachment)
    if attachment.content_type.startswith("image/"):
        st.image(data, caption=attachment.filename, width=480)
    elif attachment.content_type.startswith("video/"):
        st.video(data, format=attachment.content_type)
        st.caption(attachment.filename)
    st.download_button(f"⬇ {attachment.filename}", data, file_name=attachment.filename,
                       mime=attachment.content_type, key=f"download-{attachment.id}")
