"""Signed webhooks: admins register URLs for events; deliveries go out through an outbox like email's.

`endpoints` (the URLs, their events and secrets), `payloads` (domain events into delivery rows, called by
the one notifier, core.notify, in the change's transaction), `deliveries` (the rows: test, redeliver, the
log), `dispatcher` (the worker's step: signed POSTs, retries with backoff, dead after a day), `breaches`
(the worker's scan that records SLA breaches as events). docs/webhooks.md is the receiver's side.
"""
