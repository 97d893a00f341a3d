"""python -m bench.api [--tickets N] [--database URL] [--repeat R] [--seconds S]: the REST API's numbers.

Over a database of N demo tickets (bench.harness.prepare: bulk-seeded when short), each request goes through
the whole ASGI app in this process (routing, the bearer token's check, the service, JSON), and its server time
is the app's own Server-Timing (core.api.app), median and p95 of R runs after a cold one. Issue 21's targets:
create ≤ 40 ms, get ≤ 15 ms, a page of a view ≤ 30 ms. With --seconds, it also starts a real uvicorn (one worker,
`python -m core api`) and a load generator in another process on loopback (wrk when installed, else
bench.api_client), which sends mixed reads (MIX) over 8 connections for S seconds: requests per second (target
200 on 2 cores; the client shares the machine). See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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
RATE_TARGET = 200
WORDS = ("password", "invoice", "export", "currency")
WARM_UP_SECONDS = 3


def mix(count: int, rng: random.Random, size: int = 600) -> list[str]:
    """The mixed reads, in equal shares, as paths under /api/v1: a ticket, its messages, a page of the open view,
    a page of the unassigned view by creation, a search, the tags."""
    paths = []
    for n in range(size):
        ticket = rng.randint(1, count)
        paths.append((f"/tickets/{ticket}", f"/tickets/{ticket}/messages", "/tickets?view=open&sort=updated&limit=25",
                      "/tickets?view=unassigned&sort=created&limit=25", f"/search?q={WORDS[n // 6 % len(WORDS)]}",
                      "/tags")[n % 6])
    return paths


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


# ---------------------------------------------------------------- throughput

def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wrk_script(paths: list[str], secret: str) -> str:
    quoted = ",".join(json.dumps("/api/v1" + p) for p in paths)
    return (f'wrk.headers["Authorization"] = "Bearer {secret}"\nlocal paths = {{{quoted}}}\nlocal n = 0\n'
            "request = function()\n  n = n + 1\n  return wrk.format(\"GET\", paths[(n % #paths) + 1])\nend\n")


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(base: str, secret: str, paths: list[str], seconds: float, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_wrk_script(paths, secret))
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency",
                              "--timeout", "10s", "-s", script.name, base], capture_output=True, text=True,
                             check=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(script.name)
    return parse_wrk(out)


def parse_wrk(out: str) -> dict:
    """wrk's report: requests, seconds, failures, and the p50/p99 latency in ms. The percentiles are read only from
    the latency distribution's own lines: the thread stats above end in a percentage too ("89.50%")."""
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    took = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": int(done.group(1)), "seconds": took,
            "failures": (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0),
            "p50": _ms(re.search(r"^\s*50%[ \t]+(\S+)", out, re.M).group(1)),
            "p99": _ms(re.search(r"^\s*99%[ \t]+(\S+)", out, re.M).group(1))}


def _python_client(base: str, secret: str, count: int, seconds: float, connections: int) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.api_client", base, secret, str(count), str(seconds),
                           str(connections)], capture_output=True, text=True, check=True, cwd=ROOT,
                          timeout=seconds + 60)
    return json.loads(done.stdout)


def throughput(url: str, secret: str, count: int, seconds: float, connections: int = 8,
               client: str = "wrk") -> dict:
    """Mixed reads (MIX) against one uvicorn worker from a load generator in another process: requests per second,
    failures, the client's p50/p99 latency, and the server's CPU time per request."""
    port = free_port()
    env = {**os.environ, "MESA_DATABASE_URL": url, "MESA_API_REQUESTS_PER_MINUTE": "100000"}
    server = subprocess.Popen([sys.executable, "-m", "core", "api", "--port", str(port)], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}/api/v1"
    paths = mix(count, random.Random(11))

    def load(span: float) -> dict:
        if client == "wrk":
            return _wrk(base, secret, paths, span, connections)
        return _python_client(base, secret, count, span, connections)

    try:
        for _ in range(300):
            try:
                httpx.get(f"{base}/tags", headers={"Authorization": f"Bearer {secret}"}, timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        load(WARM_UP_SECONDS)  # first calls compile statements and fill caches: not counted
        load_before, cpu_before = os.getloadavg()[0], _cpu_seconds(server.pid)
        found = load(seconds)
        cpu = _cpu_seconds(server.pid) - cpu_before
        return {**found, "per_second": found["requests"] / found["seconds"], "client": client,
                "connections": connections, "server_cpu_ms": 1000 * cpu / max(1, found["requests"]),
                "load_before": load_before, "load_after": os.getloadavg()[0]}
    finally:
        server.terminate()
        server.wait(timeout=10)


# ---------------------------------------------------------------- the run

def server_times(engine, url: str, count: int, repeat: int, secret: str | None = None) -> dict[str, dict[str, float]]:
    """TARGETS' operations through the whole app in this process (python -m bench prints them too): server ms."""
    secret = secret or _token(engine)
    settings = get_settings().model_copy(update={"database_url": url, "api_requests_per_minute": 100_000,
                                                 "tickets_per_email_hour": 10**9})
    with TestClient(create_app(engine, settings)) as test_client:
        return measure(test_client, {"Authorization": f"Bearer {secret}"}, count, repeat)


def run(url: str, tickets: int, repeat: int, days: int = 730, seconds: float = 0, client: str | None = None,
        connections: int = 8) -> dict:
    engine, _seeded = prepare(url, tickets, days)
    secret = _token(engine)
    results = server_times(engine, url, tickets, repeat, secret)
    dialect = engine.dialect.name
    engine.dispose()
    report = {"tickets": tickets, "dialect": dialect, "repeat": repeat, "rows": results, "load": None}
    if seconds:
        chosen = client or ("wrk" if shutil.which("wrk") else "python")
        report["load"] = throughput(url, secret, tickets, seconds, connections, chosen)
    return report


def markdown(report: dict) -> str:
    lines = [f"REST API at {report['tickets']:,} tickets ({report['dialect']}), server time in ms, "
             f"{report['repeat']} runs:", "",
             "| operation | cold ms | median ms | p95 ms | target (issue 21) | |", "|---|---|---|---|---|---|"]
    for name, r in report["rows"].items():
        met = "met" if r["median"] <= TARGETS[name] else "**not met**"
        lines.append(f"| {name} | {r['cold']:.1f} | {r['median']:.1f} | {r['p95']:.1f} "
                     f"| ≤ {TARGETS[name]:.0f} ms median | {met} |")
    found = report["load"]
    if found:
        met = "met" if found["per_second"] >= RATE_TARGET and not found["failures"] else "**not met**"
        lines += ["", f"Mixed reads, one uvicorn worker, {found['client']} with {found['connections']} connections in "
                  f"another process: {found['per_second']:.0f} requests/s (target {RATE_TARGET}: {met}); "
                  f"{found['requests']} requests in {found['seconds']:.1f} s, {found['failures']} failed; client "
                  f"latency p50 {found['p50']:.1f} ms, p99 {found['p99']:.1f} ms; server CPU "
                  f"{found['server_cpu_ms']:.1f} ms a request; load average {found['load_before']:.1f} → "
                  f"{found['load_after']:.1f}."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--database", help="database URL (default sqlite:///data/bench/mesa-N.db)")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seconds", type=float, default=0, help="also measure mixed reads for S seconds")
    parser.add_argument("--client", choices=("wrk", "python"), help="load generator (default: wrk when installed)")
    parser.add_argument("--connections", type=int, default=8, help="requests in flight (default 8)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    url = args.database or f"sqlite:///data/bench/mesa-{args.tickets}.db"
    report = run(url, args.tickets, args.repeat, args.days, args.seconds, args.client, args.connections)
    print(markdown(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
