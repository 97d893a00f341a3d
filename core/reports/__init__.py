"""The managers' dashboards, aggregated in SQL over tickets, ticket_metrics, surveys and ticket_events.

`satisfaction` and `times` take a Session, a Period (UTC, end excluded) and Filters; `overview`
gives the staff home's five numbers with their previous values. Results are small DataFrames or
dataclasses; nothing loads whole tables. `digest` mails the week's numbers to managers.
"""
