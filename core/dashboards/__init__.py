"""The managers' dashboards, aggregated in SQL over tickets, ticket_metrics, surveys and ticket_events.

`satisfaction` and `times` take a Session, a Period (UTC, end excluded) and Filters; `overview`
gives the staff home's five numbers with their previous values. Results are small DataFrames or
dataclasses; nothing loads whole tables.
"""

from core.dashboards.common import ANY, DIMENSIONS, Filters, Period
from core.dashboards.overview import Change, Overview, overview

__all__ = ["ANY", "DIMENSIONS", "Change", "Filters", "Overview", "Period", "overview"]
