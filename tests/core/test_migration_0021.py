"""Migration 0021 (webhook_attempts): a delivery tried before it keeps its latest try as the first of its log."""

from sqlalchemy import text

from core.db import make_engine, migrate


def test_the_latest_try_of_older_deliveries_becomes_their_first_attempt(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate(url, "0020")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO webhook_endpoints (id, url, description, events, secret, active, created_at) "
            "VALUES (1, 'https://crm.example.com/in', '', '[\"ticket.created\"]', 'whsec_x', 1, "
            "'2026-03-01 09:00:00')"))
        for number, tried in ((1, "'2026-03-02 09:00:00.000000'"), (2, "NULL")):
            connection.execute(text(
                "INSERT INTO webhook_deliveries (id, key, endpoint_id, event, body, status, attempts, next_attempt_at, "
                "response_status, response_excerpt, response_ms, last_error, last_attempt_at, created_at) VALUES "
                f"({number}, 'k{number}', 1, 'ping', '{{}}', 'queued', 1, '2026-03-02 09:01:00', 500, :excerpt, 120, "
                f"'HTTP 500', {tried}, '2026-03-02 09:00:00')"), {"excerpt": "x" * 1000})
    migrate(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT delivery_id, attempted_at, response_status, length(response_excerpt), "
                                       "duration_ms, error FROM webhook_attempts")).all()
    engine.dispose()
    assert rows == [(1, "2026-03-02 09:00:00.000000", 500, 300, 120, "HTTP 500")]  # the untried one has none
