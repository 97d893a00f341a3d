"""One press on a ticket's row opens it at once (issue 19: ≤ 300 ms from the click to the ticket on screen).

Streamlit's data grid holds a click for 150 ms before it sends the selection (hard-coded in its JavaScript), and the
queue's fragment then has to rerun the page: together about half of what an agent should wait. This listener
(st.components.v2, inline JavaScript), mounted on the page and not in a fragment, takes the press on a row of the
tables named, reads that row's ticket number ("#123") from the grid's accessible copy of the cells it shows, and
sends it at once; the grid never sees that press.
The row boxes (bulk actions), the headers (sorting), the toolbar and the keyboard stay the grid's. Without
JavaScript's answer (AppTest), a click on a cell still opens its ticket through the grid's selection.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function({ data, setTriggerValue }) {
  const ROW = 35, HEADER = 35, BOXES = 40;  // the grid's row and header heights; the row boxes' column, in px
  let sent = 0;
  const press = (event) => {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || !event.target.closest) return;
    if (event.type === 'pointerdown' && event.pointerType !== 'mouse') return;  // a finger may be starting to scroll
    const table = data.tables.map((key) => event.target.closest('.st-key-' + key)).find(Boolean);
    const canvas = table && table.querySelector('[data-testid="stDataFrame"] canvas');
    if (!canvas || event.target.closest('[data-testid="stElementToolbar"]')) return;
    const box = canvas.getBoundingClientRect();
    const x = event.clientX - box.left, y = event.clientY - box.top;
    if (x < BOXES || y < HEADER || x > box.width || y > box.height) return;
    const scroller = table.querySelector('.dvn-scroller');
    if (scroller && x > scroller.clientWidth) return;  // its scroll bar
    const row = Math.floor((y - HEADER + (scroller ? scroller.scrollTop : 0)) / ROW);
    const cells = table.querySelectorAll('[id^="glide-cell-"][id$="-' + row + '"]');
    const number = [...cells].map((cell) => cell.textContent.trim()).find((text) => /^#[0-9]+$/.test(text));
    if (!number) return;
    event.preventDefault();
    event.stopPropagation();
    if (event.type === 'mousedown' && performance.now() - sent < 1000) return;  // the same press, sent already
    sent = performance.now();
    setTriggerValue('open', Number(number.slice(1)));
  };
  const kinds = ['pointerdown', 'mousedown'];  // a tap reaches here as the mousedown that follows it
  kinds.forEach((kind) => document.addEventListener(kind, press, true));
  return () => kinds.forEach((kind) => document.removeEventListener(kind, press, true));
}
"""
_listener = st.components.v2.component("mesa_row_click", js=_JS, isolate_styles=False)
KEY = "mesa_row_click"


def pressed(*tables: str) -> int | None:
    """The ticket whose row was just pressed in one of these tables (their widget keys), on the run the press
    causes; None on every other run."""
    with st.sidebar:  # out of the page's flow: it draws nothing
        number = _listener(key=KEY, data={"tables": list(tables)}, height=0, on_open_change=lambda: None).get("open")
    return number if isinstance(number, int) and number > 0 else None
