"""python -m bench.api_client BASE TOKEN TICKETS SECONDS [CONNECTIONS]: bench.api's load generator when wrk is not
installed. A separate process (asyncio, httpx): CONNECTIONS requests in flight, each path of bench.api.MIX in turn,
for SECONDS; prints one JSON line: requests, failures (non-2xx or errors), seconds, the latencies' p50 and p99 ms."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time

import httpx

from bench.api import mix
from bench.stats import percentile


async def _run(base: str, token: str, tickets: int, seconds: float, connections: int) -> dict:
    paths = mix(tickets, random.Random(7))
    latencies: list[float] = []
    failures = 0
    stop = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient, offset: int) -> None:
        nonlocal failures
        n = offset
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                answer = await client.get(base + paths[n % len(paths)])
                failures += answer.status_code >= 300
            except httpx.HTTPError:
                failures += 1
            latencies.append((time.perf_counter() - started) * 1000)
            n += connections

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=10, limits=limits) as client:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client, i) for i in range(connections)))
        took = time.perf_counter() - began
    return {"requests": len(latencies), "failures": failures, "seconds": took,
            "p50": percentile(latencies, 0.5) if latencies else None,
            "p99": percentile(latencies, 0.99) if latencies else None}


def main(argv: list[str]) -> int:
    base, token, tickets, seconds = argv[0], argv[1], int(argv[2]), float(argv[3])
    connections = int(argv[4]) if len(argv) > 4 else 8
    print(json.dumps(asyncio.run(_run(base, token, tickets, seconds, connections))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
