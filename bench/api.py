"""python -m bench.api [--tickets N] [--database URL] [--repeat R] [--seconds S]: the REST API's numbers.

Over a database of N demo tickets (bench.harness.prepare: bulk-seeded when short), each request goes through
the whole ASGI app in this process (routing, the bearer token's check, the service, JSON), and its server time
is the app's own Server-Timing (core.api.app), median and p95 of R runs after a cold one. Issue 21's targets:
create ≤ 40 ms, get ≤ 15 ms, a page of a view ≤ 30 ms. With --seconds, it also starts a real uvicorn (one worker)
and sends mixed reads from 8 threads for S seconds: requests per second (target 200 on 2 cores; the client
shares the machine). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import threading
import time

import httpx
from fastapi.testclient import TestClient

from bench.harness import prepare
from bench.stats import percentile
from core.api import tokens
from core.api.app import create_app
from core.config import get_settings
from core.db import session_factory, unit_of_work
from core.models import User
from tests.api.server import ROOT, free_port

TARGETS = {"create a ticket": 40.0, "get a ticket": 15.0, "list a page of a view": 30.0}


def _token(engine) -> str:
    with unit_of_work(session_factory(engine)) as session:
        agent = session.query(User).filter(User.role == "agent", User.active).order_by(User.id).first()
        return tokens.create(session, owner_id=agent.id, name="bench", scopes=["tickets:read", "tickets:write"],
                             days=1)[1]


def _server_ms(response) -> float:
    assert response.status_code < 300, response.text
    return float(response.headers["server-timing"].split("dur=")[1])


def measure(client: TestClient, headers: dict, count: int, repeat: int) -> dict[str, dict[str, float]]:
    rng = random.Random(7)
    calls = {
        "create a ticket": lambda n: client.post("/api/v1/tickets", headers=headers, json={
            "name": "Bench Person", "email": f"bench{n}@example.com", "subject": f"Bench ticket {n}",
            "description": "Timed by bench.api."}),
        "get a ticket": lambda n: client.get(f"/api/v1/tickets/{rng.randint(1, count)}", headers=headers),
        "list a page of a view": lambda n: client.get("/api/v1/tickets?view=open&sort=updated&limit=25",
                                                      headers=headers),
    }
    results = {}
    for name, call in calls.items():
        samples = [_server_ms(call(n)) for n in range(repeat + 1)]
        results[name] = {"cold": samples[0], "median": statistics.median(samples[1:]),
                         "p95": percentile(samples[1:], 0.95)}
    return results


def throughput(url: str, secret: str, count: int, seconds: float, threads: int = 8) -> float:
    """Mixed reads (get, a page of a view, messages) against one uvicorn worker; requests per second."""
    port = free_port()
    env = {**__import__("os").environ, "MESA_DATABASE_URL": url, "MESA_API_REQUESTS_PER_MINUTE": "100000"}
    server = subprocess.Popen([sys.executable, "-m", "core", "api", "--port", str(port)], cwd=ROOT, env=env)
    base, done, stop = f"http://127.0.0.1:{port}/api/v1", [], threading.Event()
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/tags", headers={"Authorization": f"Bearer {secret}"}, timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)

        def work(seed: int) -> None:
            rng, n = random.Random(seed), 0
            with httpx.Client(headers={"Authorization": f"Bearer {secret}"}, timeout=10) as client:
                while not stop.is_set():
                    ticket = rng.randint(1, count)
                    path = rng.choice((f"/tickets/{ticket}", "/tickets?view=open&limit=25",
                                       f"/tickets/{ticket}/messages"))
                    assert client.get(base + path).status_code == 200
                    n += 1
            done.append(n)

        workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
        for w in workers:
            w.start()
        time.sleep(seconds)
        stop.set()
        for w in workers:
            w.join()
        return sum(done) / seconds
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--database", help="database URL (default sqlite:///data/bench/mesa-N.db)")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seconds", type=float, default=0, help="also measure mixed reads for S seconds")
    args = parser.parse_args(argv)
    url = args.database or f"sqlite:///data/bench/mesa-{args.tickets}.db"
    engine, _seeded = prepare(url, args.tickets, args.days)
    secret = _token(engine)
    settings = get_settings().model_copy(update={"database_url": url, "api_requests_per_minute": 100_000,
                                                 "tickets_per_email_hour": 10**9})
    with TestClient(create_app(engine, settings)) as client:
        results = measure(client, {"Authorization": f"Bearer {secret}"}, args.tickets, args.repeat)
    print(f"REST API at {args.tickets:,} tickets ({engine.dialect.name}), server time in ms, {args.repeat} runs:\n")
    print("| operation | cold ms | median ms | p95 ms | target (issue 21) | |\n|---|---|---|---|---|---|")
    for name, r in results.items():
        met = "met" if r["median"] <= TARGETS[name] else "**not met**"
        print(f"| {name} | {r['cold']:.1f} | {r['median']:.1f} | {r['p95']:.1f} | ≤ {TARGETS[name]:.0f} ms median "
              f"| {met} |")
    if args.seconds:
        rate = throughput(url, secret, args.tickets, args.seconds)
        print(f"\nMixed reads, one uvicorn worker, 8 client threads on the same machine: {rate:.0f} requests/s "
              f"(target 200).")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
