"""Two small browser pieces the help center needs and Streamlit lacks (st.components.v2, inline JavaScript):

- `typed`: what the visitor is typing in some fields, sent 150 ms after the last key. Streamlit's text inputs
  send only on Enter or when they lose focus; this listens to the same fields' `input` events instead, so the
  fields stay ordinary Streamlit widgets (their value, their errors, AppTest) and only the suggestions follow the
  keys.
- `article_links`: clicks on links to other articles (`?article=slug`) open them in this tab and this session
  instead of a new tab (Streamlit opens Markdown links in a new one); it also gives the browser a visitor id
  (a random cookie) so that an anonymous reader votes once per article.
"""

from __future__ import annotations

import streamlit as st

_TYPING = """
export default function({ data, setStateValue }) {
  let timer;
  const boxes = data.selectors.join(',');
  const fieldIn = (s) => document.querySelector(s + ' input, ' + s + ' textarea');
  const listener = (event) => {
    if (!event.target.closest || !event.target.closest(boxes)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      setStateValue('text', data.selectors.map((s) => (fieldIn(s) || {}).value || '').join('\\n'));
    }, data.wait);
  };
  document.addEventListener('input', listener, true);
  return () => { clearTimeout(timer); document.removeEventListener('input', listener, true); };
}
"""

_LINKS = """
export default function({ data, setTriggerValue, setStateValue }) {
  const listener = (event) => {
    const link = event.target.closest && event.target.closest('a[href*="?article="]');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    event.preventDefault();
    event.stopPropagation();
    setTriggerValue('open', url.searchParams.get('article'));
  };
  document.addEventListener('click', listener, true);
  let visitor = (document.cookie.match(/(?:^|; )mesa_visitor=([A-Za-z0-9]+)/) || [])[1];
  if (!visitor) {
    visitor = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
    document.cookie = 'mesa_visitor=' + visitor + '; path=/; max-age=31536000; SameSite=Lax';
  }
  if (visitor !== data.known) setStateValue('visitor', visitor);
  return () => document.removeEventListener('click', listener, true);
}
"""

_typing = st.components.v2.component("mesa_typing", js=_TYPING, isolate_styles=False)
_links = st.components.v2.component("mesa_article_links", js=_LINKS, isolate_styles=False)
WAIT_MS = 150


def typed(widget_keys: list[str], key: str) -> str:
    """The text of the widgets with these keys (one per line) as typed so far; '' until the first key."""
    result = _typing(data={"selectors": [f".st-key-{k}" for k in widget_keys], "wait": WAIT_MS}, key=key,
                     default={"text": ""}, height=0, on_text_change=lambda: None)
    return result.get("text") or ""


def article_links(key: str) -> tuple[str | None, str]:
    """(the article a link click asked for, or None; the browser's visitor id, or '' before the browser said)."""
    known = st.context.cookies.get("mesa_visitor")
    known = known if isinstance(known, str) else ""  # AppTest's cookies are no mapping of strings
    result = _links(data={"known": known}, key=key, default={"visitor": known}, height=0,
                    on_open_change=lambda: None, on_visitor_change=lambda: None)
    return result.get("open"), result.get("visitor") or known
