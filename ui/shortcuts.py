"""The workbench's keyboard: each daily move is a button with Streamlit's own shortcut, and "?" (or the
"Keyboard shortcuts" button) lists them. Single letters do nothing while the cursor is in a text box."""

from __future__ import annotations

import json

import streamlit as st

from ui.app import t

NEXT, BACK, TAKE = "J", "U", "A"  # as in Gmail: j the next one, u back up to the list
SEND, SEND_PENDING, SEND_SOLVED = "Ctrl+Enter", "Alt+P", "Alt+S"
HELP_BUTTON = "wb_shortcuts"
SHEET = ((NEXT, "wb.keys_next"), (BACK, "wb.keys_back"), (TAKE, "wb.keys_take"), (SEND, "wb.keys_send"),
         (SEND_PENDING, "wb.keys_pending"), (SEND_SOLVED, "wb.keys_solved"), ("?", "wb.keys_help"))

def _chord(shortcut: str) -> dict:
    """"Alt+P" as the listener below compares it with a key press: by the key's place, not the character typed."""
    *modifiers, key = shortcut.split("+")
    return {"alt": "Alt" in modifiers, "mod": "Ctrl" in modifiers, "code": key if len(key) > 1 else f"Key{key}"}


# Two things Streamlit's shortcuts do not do, in one listener (installed once per page): "?" is punctuation, which
# they do not take, so it clicks the help button; and one of our chords pressed while typing (Ctrl+Enter, Alt+P)
# must not send the message box before it has kept what was typed: leaving the box keeps it, as a mouse click
# would. Only our chords: Option (Alt) with a key is how a Mac types "@" or "€" on many keyboards.
KEYBOARD = """<script>
if (!window.mesaKeyboard) {
  window.mesaKeyboard = true;
  const chords = CHORDS;
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    const ours = chords.some((c) => c.code === event.code && c.alt === event.altKey
      && c.mod === (event.ctrlKey || event.metaKey));
    if (typing && ours && target.blur) { target.blur(); return; }
    if (event.key !== "?" || typing || event.ctrlKey || event.metaKey || event.altKey) return;
    const button = document.querySelector(".st-key-HELP_BUTTON button");
    if (button) { event.preventDefault(); button.click(); }
  }, true);
}
</script>""".replace("HELP_BUTTON", HELP_BUTTON).replace(
    "CHORDS", json.dumps([_chord(s) for s in (SEND, SEND_PENDING, SEND_SOLVED)]))


@st.dialog(" ", width="medium")
def _sheet() -> None:
    st.subheader(t("wb.keys_title"))
    rows = "\n".join(f"| `{key}` | {t(label)} |" for key, label in SHEET)
    st.markdown(f"| {t('wb.keys_key')} | {t('wb.keys_does')} |\n|---|---|\n{rows}")
    st.caption(t("wb.keys_note"))


def help_button() -> None:
    """The "Keyboard shortcuts" button, which "?" presses too."""
    st.html(KEYBOARD, unsafe_allow_javascript=True)
    if st.button(t("wb.keys"), key=HELP_BUTTON, type="tertiary", icon=":material/keyboard:"):
        _sheet()
