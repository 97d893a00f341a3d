"""Session-state keys: every key that more than one place reads or writes is built here, and only here.

A form is named once (NEW_TICKET, ADD_INFORMATION, composer(ticket_id)); its fields, the refusal kept for
it (ui.actions.submit) and its file picker are keyed from that name. A key that only names a widget, and is
never read back through st.session_state, stays next to its widget.
"""

from __future__ import annotations

# Forms
NEW_TICKET = "new"  # the public form: new_name, new_email, ..., new_captcha
HELP = "help"  # the help center: help_q (the search box), help_comment, help_voted, help_seen
KNOWLEDGE = "kb"  # the article editor: kb_title, kb_body, ...
ADD_INFORMATION = "add"  # the customer's message on their ticket: add_body, ...

# The desk as a whole
LOCALE = "locale"  # the visitor's language this session
LOCALE_CHOSEN = "locale_chosen"  # the language came from ?lang= or the switcher: the account setting yields
LANGUAGE_CHOICE = "language_choice"  # the sidebar's language picker (ui.app.language_switcher)
LOCALE_ACCOUNT = "locale_account"  # the signed-in account's language was applied to this session (once)
CAPTCHA_USED = "captcha_used"  # the captcha challenges answered this session (each counts once)
QUEUE_PAGE = "wb_page"  # the page of the workbench queue shown
QUEUE_TABLE = "wb_table"  # the queue's table: the ticked rows (bulk actions) and the clicked cell (open)
QUEUE_ORDER = "wb_queue_order"  # the ticket numbers of the queue page last drawn, in its order ("Next ticket")
SEARCH_TABLE = "wb_search_table"  # search everywhere's results: the clicked cell (open)
SEARCH_ORDER = "wb_search_order"  # the ticket numbers of those results as last drawn
OPEN_TICKETS = "wb_open_tickets"  # the tickets open as tabs in the workbench, {id: subject}, newest last

# Sign-in: this run's Authenticate and the credentials it edits (ui.auth), and the library's own two keys
AUTHENTICATOR = "_authenticator"
CREDENTIALS = "_credentials"
SIGNED_IN = "authentication_status"  # streamlit-authenticator's: True, False after a failed try, None
USERNAME = "username"  # streamlit-authenticator's: the signed-in email
SIGNED_IN_AT = "mesa_signed_in_at"  # when this browser's session began (cookie issue time or sign-in)
SIGN_IN_COOKIE = "mesa_sign_in_cookie"  # signed in here: {"email", "script"}, the cookie drawn on each run
COOKIE_DELETED = "mesa_cookie_deleted"  # signed out here: the cookie's name, its deletion drawn on each run
SECOND_FACTOR = "mesa_second_factor"  # the password was right: {"user_id", "email", "until"} awaiting a code
RECOVERY_CODES = "mesa_recovery_codes"  # the codes just issued at enrolment, shown once on the account page
SSO_REFUSED = "mesa_sso_refused"  # the identity provider's address that has no staff account here
LAND = "mesa_land"  # signed in through the identity provider: the page to open (Home.py)
ACCOUNT_NOTICE = "mesa_account_notice"  # (kind, message key) of an emailed link's result, kept on screen
TIME_ZONE = "mesa_time_zone"  # a staff member's own time zone on the account page (ui.app.zone)
API_TOKEN = "api_token"  # the account page's form for a new API token: api_token_name, api_token_scopes, ...
API_TOKEN_SECRET = "mesa_api_token_secret"  # the token just created, shown once on the account page


def field(form: str, name: str) -> str:
    """A field of a form, read back by its callback: field(NEW_TICKET, "email") is "new_email"."""
    return f"{form}_{name}"


def errors(form: str) -> str:
    """The refusal kept for a form until its next try: {field: message}, "form" for the whole form's."""
    return field(form, "errors")


def files_round(form: str) -> str:
    """How many times the form was sent: its file picker is a new, empty one after each (see ui.forms)."""
    return field(form, "files_round")


def files(form: str, round_: int) -> str:
    """The form's file picker in a round."""
    return field(form, f"files_{round_}")


# The agent's ticket on the workbench: one set per ticket, so tickets opened in turn keep their own


def version(ticket_id: int) -> str:
    """The version of the ticket the agent saw: a change since then, by anyone, is a conflict."""
    return f"wb_version_{ticket_id}"


def draft(ticket_id: int) -> str:
    """The composer's text: the widget's key, kept when a send is refused."""
    return f"wb_draft_{ticket_id}"


def properties(ticket_id: int) -> str:
    """The "Edit properties" popover of a ticket (open or not)."""
    return f"wb_properties_{ticket_id}"


def composer(ticket_id: int) -> str:
    """The reply and note form of a ticket (a form name: errors(composer(n)), files(composer(n), round))."""
    return f"wb_composer_{ticket_id}"

