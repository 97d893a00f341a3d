"""Ticket states, the transitions the rules allow, and what a customer message does."""

from __future__ import annotations

NEW, OPEN, PENDING, ON_HOLD, SOLVED, CLOSED = "new", "open", "pending", "on_hold", "solved", "closed"
STATUSES = (NEW, OPEN, PENDING, ON_HOLD, SOLVED, CLOSED)
LIVE_STATUSES = (NEW, OPEN, PENDING, ON_HOLD)
KINDS = ("question", "incident", "improvement")
PRIORITIES = ("low", "normal", "high", "urgent")
CHANNELS = ("web", "email")
MESSAGE_KINDS = ("customer", "agent", "note")
CLOSE_REASONS = ("spam", "merged")  # closed without a survey (tickets.close_as)

# What staff (or an automation) may set by hand. A ticket never returns to new;
# closed is final and is reached only from solved.
ALLOWED = {
    NEW: {OPEN, PENDING, ON_HOLD, SOLVED},
    OPEN: {PENDING, ON_HOLD, SOLVED},
    PENDING: {OPEN, ON_HOLD, SOLVED},
    ON_HOLD: {OPEN, PENDING, SOLVED},
    SOLVED: {OPEN, PENDING, ON_HOLD, CLOSED},
    CLOSED: set(),
}

# What the customer sees: several agent states share one customer label.
CUSTOMER_STATUS = {
    NEW: "open",
    OPEN: "open",
    PENDING: "awaiting_you",
    ON_HOLD: "open",
    SOLVED: "solved",
    CLOSED: "closed",
}


def can_transition(old: str, new: str) -> bool:
    return new in ALLOWED.get(old, set())


def status_after_customer_message(status: str) -> str:
    """A customer message on pending, on-hold or solved sets open; new and open stay.

    On closed there is no next status: the message opens a follow-up ticket.
    """
    if status == CLOSED:
        raise ValueError("a closed ticket takes no messages; open a follow-up")
    return OPEN if status in (PENDING, ON_HOLD, SOLVED) else status


def status_after_agent_reply(status: str, chosen: str | None) -> str:
    """The status an agent's public reply leaves: the chosen one, else new becomes open."""
    if chosen:
        return chosen
    return OPEN if status == NEW else status


def is_reopen(old: str, new: str) -> bool:
    return old == SOLVED and new == OPEN
