"""Email: templates rendered per locale, the outbox written in the caller's transaction.

Sending (SMTP through yagmail), inbound parsing and IMAP come later; nothing here talks
to a mail server.
"""
