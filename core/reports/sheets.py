"""The columns of every dashboard table as a spreadsheet (core.reports.export.Column): which query column
becomes which header, and as what kind of cell. One list per table, shared by its download buttons, its
"as a table" view and the dashboard's workbook."""

from __future__ import annotations

from core.reports.export import Column

# the milestone numbers of core.reports.times.COLUMNS, as cells
TIMES = [Column("first_reply_count", "dash.first_reply_count", "count"),
         Column("first_reply_median", "dash.first_reply_median", "hours"),
         Column("first_reply_p90", "dash.first_reply_p90", "hours"),
         Column("first_reply_sla", "dash.first_reply_sla", "percent"),
         Column("resolution_count", "dash.resolution_count", "count"),
         Column("resolution_median", "dash.resolution_median", "hours"),
         Column("resolution_p90", "dash.resolution_p90", "hours"),
         Column("resolution_sla", "dash.resolution_sla", "percent")]

SATISFACTION_TREND = [Column("week", "dash.week", "date"), Column("responses", "dash.responses", "count"),
                      Column("csat", "dash.csat", "percent"), Column("average", "dash.average", "number")]
DISTRIBUTION = [Column("score", "dash.score", "count"), Column("responses", "dash.responses", "count")]
SURVEYS = [Column("ticket_id", "dash.ticket", "ticket"), Column("subject", "dash.subject"),
           Column("score", "dash.score", "count"), Column("comment", "dash.comment"),
           Column("responded_at", "dash.when", "moment"), Column("assignee", "dash.agent")]

TIMES_TREND = [Column("week", "dash.week", "date"), *TIMES]
CREATED_VS_SOLVED = [Column("day", "dash.day", "date"), Column("created", "dash.created", "count"),
                     Column("solved", "dash.solved", "count")]
BACKLOG = [Column("status", "dash.status", "code", "status.agent."), Column("age", "dash.age", "code", "dash.age_"),
           Column("tickets", "dash.tickets", "count")]
HEATMAP = [Column("weekday", "report.weekday"), Column("hour", "dash.hour", "count"),
           Column("tickets", "dash.tickets", "count")]
BREACHED = [Column("ticket_id", "dash.ticket", "ticket"), Column("subject", "dash.subject"),
            Column("priority", "dash.priority", "code", "priority."),
            Column("target", "dash.target", "code", "dash.target_"), Column("due_at", "dash.due", "moment")]
PERIOD_TICKETS = [Column("ticket_id", "dash.ticket", "ticket"), Column("subject", "dash.subject"),
                  Column("status", "dash.status", "code", "status.agent."),
                  Column("priority", "dash.priority", "code", "priority."),
                  Column("first_reply", "dash.col_first_reply", "hours"),
                  Column("first_reply_breached", "report.first_reply_breached", "flag"),
                  Column("full_resolution", "dash.col_resolution", "hours"),
                  Column("resolution_breached", "report.resolution_breached", "flag")]


def satisfaction_breakdown(by: str) -> list[Column]:
    """A satisfaction breakdown's columns; `name` is the row's label as shown (a name or a translated code)."""
    return [Column("name", f"dash.{by}"), Column("responses", "dash.responses", "count"),
            Column("csat", "dash.csat", "percent"), Column("average", "dash.average", "number")]


def times_breakdown(by: str) -> list[Column]:
    return [Column("name", f"dash.{by}"), *TIMES]


def present(columns: list[Column], table_columns) -> list[Column]:
    """The columns a table has (the comments have no assignee)."""
    return [c for c in columns if c.source in set(table_columns)]


KNOWLEDGE_ARTICLES = [Column("article", "kdash.col_article"), Column("views", "kdash.col_views", "count"),
                      Column("votes", "kdash.col_votes", "count"),
                      Column("helpful_pct", "kdash.col_helpful", "percent"),
                      Column("answered", "kdash.col_answered", "count"),
                      Column("tickets", "kdash.col_tickets", "count")]
KNOWLEDGE_MISSING = [Column("query", "kdash.col_query"), Column("locale", "kdash.col_locale"),
                     Column("searches", "kdash.col_searches", "count")]
