"""ticket_metric_days: each day's response-time milestones counted per priority and value bucket, kept by triggers

One row per (milestone, UTC day of the milestone's moment, priority, bucket of the minutes) with how many tickets
reached the milestone with minutes in that bucket, how many of them had an SLA target and how many met it; the
priority '*' counts every priority (no priority: ''), so the numbers of all tickets read a quarter of the rows.
Database triggers on ticket_metrics keep it exactly in step with every write (the services' refresh, the bulk
seeding and imports, deletes), on SQLite and PostgreSQL. A long period's counts, SLA attainment and the bucket
holding each percentile come from it; the exact minutes inside that bucket from the value indexes
(core.reports.rollup). Buckets: minutes below 16 are their own bucket, above that 8 buckets per doubling
(the value with all but its 4 leading bits cleared).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 04:30:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = 'ticket_metric_days'
# milestone, its minutes, its moment (ticket_metrics' copy), due, breached, reached (not NULL once met)
MILESTONES = (
    ('first_reply', 'first_reply_minutes', 'ticket_created_at', 'first_reply_due_at', 'first_reply_breached',
     'first_reply_at'),
    ('first_reply_business', 'first_reply_business_minutes', 'ticket_created_at', 'first_reply_due_at',
     'first_reply_breached', 'first_reply_at'),
    ('resolution', 'full_resolution_minutes', 'ticket_solved_at', 'resolution_due_at', 'resolution_breached',
     'full_resolution_minutes'),
    ('resolution_business', 'full_resolution_business_minutes', 'ticket_solved_at', 'resolution_due_at',
     'resolution_breached', 'full_resolution_minutes'),
)
WATCHED = sorted({c for row in MILESTONES for c in row[1:]} | {'ticket_priority'})


def bucket_sql(value: str) -> str:
    """core.reports.rollup.bucket in SQL (integer division truncates on both databases)."""
    whens = [f'WHEN {value} < {1 << (k + 1)} THEN {value} / {1 << (k - 3)} * {1 << (k - 3)}' for k in range(4, 31)]
    return f'(CASE WHEN {value} < 16 THEN {value} {" ".join(whens)} ELSE {value} / {1 << 27} * {1 << 27} END)'


def _counts(row: str, sign: str, postgres: bool) -> list[str]:
    """One upsert per milestone adding (sign 1) or taking away (sign -1) the `row` (NEW or OLD) of ticket_metrics."""
    found = []
    for (name, value, moment, due, breached, reached), priority in (
            (milestone, priority) for milestone in MILESTONES for priority in (f"coalesce({row}.ticket_priority, '')",
                                                                               "'*'")):
        day = f'CAST({row}.{moment} AS date)' if postgres else f'substr({row}.{moment}, 1, 10)'
        target = f'{row}.{due} IS NOT NULL AND {row}.{reached} IS NOT NULL'
        found.append(
            f"INSERT INTO {TABLE} (milestone, day, priority, bucket, tickets, targets, met) "
            f"SELECT '{name}', {day}, {priority}, {bucket_sql(f'{row}.{value}')}, {sign}, "
            f"CASE WHEN {target} THEN {sign} ELSE 0 END, "
            f"CASE WHEN {target} AND NOT {row}.{breached} THEN {sign} ELSE 0 END "
            f"WHERE {row}.{moment} IS NOT NULL AND {row}.{value} IS NOT NULL "
            f"ON CONFLICT (milestone, day, priority, bucket) DO UPDATE SET "
            f"tickets = {TABLE}.tickets + excluded.tickets, targets = {TABLE}.targets + excluded.targets, "
            f"met = {TABLE}.met + excluded.met;")
    return found


def _changed(postgres: bool) -> str:
    if postgres:
        return ' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in WATCHED)
    return ' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in WATCHED)


def _sqlite() -> None:
    for event, rows, when in (('INSERT', ('NEW',), ''), ('DELETE', ('OLD',), ''),
                              (f'UPDATE OF {", ".join(WATCHED)}', ('OLD', 'NEW'), f' WHEN {_changed(False)}')):
        body = ' '.join(s for row in rows for s in _counts(row, '-1' if row == 'OLD' else '1', False))
        name = event.split()[0].lower()
        op.execute(f'CREATE TRIGGER {TABLE}_{name} AFTER {event} ON ticket_metrics FOR EACH ROW{when} '
                   f'BEGIN {body} END')


def _postgres() -> None:
    old, new = ' '.join(_counts('OLD', '-1', True)), ' '.join(_counts('NEW', '1', True))
    op.execute(f"""CREATE FUNCTION {TABLE}_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN {old} END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN {new} END IF;
    RETURN NULL;
END $$""")
    op.execute(f"""CREATE FUNCTION {TABLE}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {TABLE};
    RETURN NULL;
END $$""")
    op.execute(f'CREATE TRIGGER {TABLE}_write AFTER INSERT OR DELETE ON ticket_metrics '
               f'FOR EACH ROW EXECUTE FUNCTION {TABLE}_change()')
    op.execute(f'CREATE TRIGGER {TABLE}_update AFTER UPDATE OF {", ".join(WATCHED)} ON ticket_metrics '
               f'FOR EACH ROW WHEN ({_changed(True)}) EXECUTE FUNCTION {TABLE}_change()')
    op.execute(f'CREATE TRIGGER {TABLE}_truncate AFTER TRUNCATE ON ticket_metrics '
               f'FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_truncate()')


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column('milestone', sa.String(length=24), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('priority', sa.String(length=8), nullable=False),
        sa.Column('bucket', sa.Integer(), nullable=False),
        sa.Column('tickets', sa.Integer(), nullable=False),
        sa.Column('targets', sa.Integer(), nullable=False),
        sa.Column('met', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('milestone', 'day', 'priority', 'bucket', name=op.f(f'pk_{TABLE}')),
    )
    postgres = op.get_bind().dialect.name == 'postgresql'
    for (name, value, moment, due, breached, reached), priority in (
            (milestone, priority) for milestone in MILESTONES for priority in ("coalesce(ticket_priority, '')", "'*'")):
        day = f'CAST({moment} AS date)' if postgres else f'substr({moment}, 1, 10)'
        target = f'{due} IS NOT NULL AND {reached} IS NOT NULL'
        op.execute(
            f"INSERT INTO {TABLE} (milestone, day, priority, bucket, tickets, targets, met) "
            f"SELECT '{name}', {day}, {priority}, {bucket_sql(value)}, count(*), "
            f"sum(CASE WHEN {target} THEN 1 ELSE 0 END), sum(CASE WHEN {target} AND NOT {breached} THEN 1 ELSE 0 END) "
            f"FROM ticket_metrics WHERE {moment} IS NOT NULL AND {value} IS NOT NULL "
            "GROUP BY 2, 3, 4")
    if postgres:
        _postgres()
    else:
        _sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name in ('write', 'update', 'truncate'):
            op.execute(f'DROP TRIGGER {TABLE}_{name} ON ticket_metrics')
        op.execute(f'DROP FUNCTION {TABLE}_change()')
        op.execute(f'DROP FUNCTION {TABLE}_truncate()')
    else:
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER {TABLE}_{name}')
    op.drop_table(TABLE)
