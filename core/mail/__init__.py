"""Email, both ways.

templates (rendered per locale) -> outbox (rows written in the caller's transaction) ->
sender (the dispatcher, SMTP through yagmail). inbound (parsing, quotes) -> ingest (store the
raw message, then thread it onto a ticket) <- imap (polling a mailbox) or the ingest-email command.
"""
