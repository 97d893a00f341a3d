"""A page's change: one unit of work, and when a rule refuses it, the reason kept for the form that asked.

    done = actions.run(tickets.merge, ticket.id, target, user.id, settings)  # inline: show done.errors
    actions.submit(keys.NEW_TICKET, portal.send_ticket, visitor=visitor, ...)  # in a widget callback

`run` calls `action(session, *args, **kwargs)` inside core.db.unit_of_work: committed when it returns,
rolled back whole when it raises. A DomainError (a ValidationError, a conflict, errors.Busy when the
database stayed locked or the connection was lost) comes back as the outcome's refusal instead of a
traceback; any other exception is a bug and propagates.

`submit` also keeps the refusal in st.session_state under keys.errors(form) until the form's next try, so
the page's next run draws each message next to its field: forms.field_error(actions.errors(form), field).
That is what a widget callback needs, since it runs before the page is drawn again. The widgets keep what
was typed; after a success the page empties the fields it wants empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import streamlit as st

from core.db import unit_of_work
from core.errors import DomainError, ValidationError
from ui import app, keys

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What an action came to: the service's return value, or the rule that refused it (nothing saved)."""

    value: T | None = None
    refusal: DomainError | None = None
    errors: dict[str, str] = field(default_factory=dict)  # each refused field's message; "form": the whole form's

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def message(self) -> str:
        """The refusal as one text, a line per field, for a page that shows it in one place."""
        return "\n".join(self.errors.values())


def run(action: Callable[..., T], *args: object, **kwargs: object) -> Outcome[T]:
    """`action(session, *args, **kwargs)` in one unit of work; a refusal comes back and nothing is saved."""
    try:
        with unit_of_work(app.writer()) as session:
            value = action(session, *args, **kwargs)
    except DomainError as refusal:
        return Outcome(refusal=refusal, errors=_messages(refusal))
    return Outcome(value)


def submit(form: str, action: Callable[..., T], *args: object, **kwargs: object) -> Outcome[T]:
    """`run`, keeping its refusal for the form's next draw; a success forgets the form's last refusal."""
    done = run(action, *args, **kwargs)
    st.session_state[keys.errors(form)] = dict(done.errors)
    return done


def errors(form: str) -> dict[str, str]:
    """What `submit` kept for the form: {field: message}, empty until a try is refused."""
    return st.session_state.get(keys.errors(form), {})


def _messages(refusal: DomainError) -> dict[str, str]:
    """A refusal in the visitor's language: each refused field's message, or the whole form's under "form"."""
    if isinstance(refusal, ValidationError):
        return refusal.messages(app.locale())
    return {"form": refusal.message(app.locale())}
