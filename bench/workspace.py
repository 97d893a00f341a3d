"""python -m bench.workspace: the agents' workspace as they feel it, in Chromium, alone and in a crowd.

It starts what it measures: `--replicas` servers (`streamlit run Home.py`) on the bench database
(bulk-seeded to `--tickets` when short), and with two or more an nginx in front with sticky sessions
(tests/nginxserver.py, the configuration docs/deploy.md shows). Then, for each crowd size in `--agents`
(1 first: the quiet numbers), that many agents (browser contexts, spread over `--processes` processes
with one Chromium each) sign in and work for `--seconds`: open the workspace, open a ticket from the
queue with one click, go back, switch queue, search every ticket, send a reply as "Pending".

Each action is timed from the click (or the address typed) until the server's run has finished
(its `script_finished` message on the websocket, a rerun's first half not counting), what the action
promises is on the page (its heading, its table, the reply in the conversation: a run that finished
may be an earlier one) and the browser has drawn it (nothing stale, two animation frames). An action
whose result never appears is counted as failed, not timed. Printed:
p50 and p95 per action, and the servers' memory per session (resident memory with the crowd signed
in, less before, over the crowd's size). Mail is not sent (no worker): the outbox fills, as it would
with the SMTP server down. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import select

from bench.harness import machine, prepare
from bench.stats import percentile
from core.models import Ticket
from core.tickets import workflow
from tests import nginxserver as nginx
from tests.servers import start_streamlit, visit, wait_healthy

CHROMIUM = "/usr/bin/chromium"
AGENT = ("ana@mesa.example", "mesa-agent-demo")
SEARCHES = ("export", "invoice", "password", "factura", "login", "report")
ACTIONS = ("sign-in", "workspace", "open ticket", "back to queue", "switch queue", "search", "reply as pending",
           "round (untimed steps)")
NOT_STALE = ("!document.querySelector('[data-testid=\"stStatusWidget\"]')"
             " && !document.querySelector('[data-stale=\"true\"]')")
FRAMES = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
ROW, HEADER = 35, 35
THINK_MS = 500
STAGGER_S = 0.3
CHECK_MS = 60_000
UNASSIGNED_ROWS = 8  # the bench database has about 10 unassigned tickets; replies go to assigned ones


class Agent:
    """One browser context and its page; `finished` is set by each full run the server finishes (websocket)."""

    def __init__(self, page, base: str, number: int, tickets: list[int]):
        self.page, self.base, self.number, self.tickets = page, base, number, tickets
        self.finished = asyncio.Event()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)
        page.on("websocket", self._watch)

    def _watch(self, socket) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def frame(payload) -> None:
            if isinstance(payload, str):
                return
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "script_finished" \
                    and message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.finished.set()

        socket.on("framereceived", frame)

    async def timed(self, name: str, act, check) -> bool:
        """`act` (a click) until the run it caused is drawn; then `check` that it did what it says."""
        self.finished.clear()
        start = time.perf_counter()
        try:
            await act()
            await asyncio.wait_for(self.finished.wait(), 60)
            await check()  # a run that finished may be an earlier one: the result itself must be there too
            await self.page.wait_for_function(NOT_STALE, timeout=60_000)
            await self.page.evaluate(FRAMES)
            elapsed = time.perf_counter() - start
        except Exception as exc:  # a failed action is counted, never timed
            self.failures[name] += 1
            said = (str(exc).splitlines() or [""])[0][:120]
            print(f"agent {self.number}: {name} failed: {type(exc).__name__} {said}", file=sys.stderr, flush=True)
            if os.environ.get("BENCH_FAILURE_SHOTS"):
                await self.page.screenshot(path=f"{os.environ['BENCH_FAILURE_SHOTS']}/{name}-{self.number}.png")
            return False
        self.times[name].append(elapsed)
        return True

    def heading(self, pattern: str):
        return self.page.get_by_role("heading", name=re.compile(pattern)).first

    async def sign_in(self) -> bool:
        page = self.page
        try:
            await page.goto(self.base + "/workbench", timeout=120_000)
            await page.get_by_role("button", name="Sign in").first.wait_for(timeout=120_000)
            await page.wait_for_function(NOT_STALE, timeout=120_000)
        except Exception as exc:  # the page never came: a failed sign-in, not a crashed run
            self.failures["sign-in"] += 1
            print(f"agent {self.number}: the sign-in page did not open: {type(exc).__name__}", file=sys.stderr)
            return False
        await page.get_by_role("textbox", name="Email").first.fill(AGENT[0])
        await page.get_by_label("Password", exact=True).first.fill(AGENT[1])
        await page.get_by_label("Password", exact=True).first.blur()  # its own run, before the click's
        await page.wait_for_timeout(THINK_MS)
        await page.wait_for_function(NOT_STALE, timeout=60_000)
        return await self.timed("sign-in", page.get_by_role("button", name="Sign in").first.click,
                                lambda: self.heading("^Workbench$").wait_for(timeout=CHECK_MS))

    async def round(self, turn: int) -> None:
        page = self.page
        if not await self.timed("workspace", lambda: page.goto(self.base + "/workbench"),
                                lambda: self.heading("^Workbench$").wait_for(timeout=CHECK_MS)):
            return
        row = (self.number + turn) % UNASSIGNED_ROWS

        grid = page.locator("[data-testid='stDataFrame']").first
        await grid.scroll_into_view_if_needed()  # rows under the fold take no click

        async def click_row() -> None:
            box = await grid.bounding_box()
            await page.mouse.click(box["x"] + 160, box["y"] + HEADER + ROW * row + ROW / 2)

        await page.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=10_000)
        await page.wait_for_timeout(THINK_MS)  # the grid draws its rows after it appears; a person reads them first
        if not await self.timed("open ticket", click_row, lambda: self.heading(r"^#\d+ · ").wait_for(timeout=CHECK_MS)):
            return
        await self.timed("back to queue", page.get_by_role("button", name="← Queues").click,
                         lambda: self.heading("^Workbench$").wait_for(timeout=CHECK_MS))
        views = page.locator("[data-testid='stButtonGroup']").last
        await self.timed("switch queue", views.get_by_text(re.compile("^All open")).click,
                         lambda: page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=CHECK_MS))
        box = page.get_by_role("textbox", name="Search all tickets")
        await box.fill(random.choice(SEARCHES) + (" PDF" if turn % 2 else ""))
        await self.timed("search", lambda: box.press("Enter"), lambda: page.locator(
            "[data-testid='stDataFrame'], [data-testid='stAlert']").first.wait_for(timeout=CHECK_MS))
        await box.fill("")
        await box.press("Enter")
        await page.wait_for_function(NOT_STALE, timeout=60_000)
        await self.reply(self.tickets[turn % len(self.tickets)])

    async def reply(self, ticket_id: int) -> None:
        """On the agent's own ticket (by its address: two agents on one ticket would be a conflict, not a reply)."""
        page = self.page
        await page.goto(f"{self.base}/workbench?ticket={ticket_id}")
        await self.heading(rf"^#{ticket_id} · ").wait_for(timeout=60_000)
        await page.wait_for_function(NOT_STALE, timeout=60_000)
        body = f"Bench reply {self.number}-{time.time_ns()}: we are looking into it."
        await page.get_by_role("textbox", name="Message").fill(body)
        await page.get_by_role("textbox", name="Message").blur()
        await page.wait_for_function(NOT_STALE, timeout=60_000)
        await self.timed("reply as pending", page.get_by_role("button", name="Send as Pending").click,
                         lambda: page.get_by_text(body).first.wait_for(timeout=CHECK_MS))


async def _crowd(base: str, numbers: list[int], tickets: dict[int, list[int]], seconds: float,
                 start_at: float) -> dict:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        agents = []
        for number in numbers:
            context = await browser.new_context(viewport={"width": 1366, "height": 900})
            agents.append(Agent(await context.new_page(), base, number, tickets[number]))
        await asyncio.sleep(max(0.0, start_at - time.time()))
        await play(agents, seconds)
        await browser.close()
    return together({"times": agent.times, "failures": agent.failures} for agent in agents)


async def play(agents: list, seconds: float) -> None:
    """Each agent signs in (a few seconds apart: a team does not press "Sign in" in the same second); once all are
    in, each starts as far apart again and plays rounds for `seconds`. An agent is anything with number, failures,
    sign_in() and round(turn)."""
    async def arrive(agent) -> bool:
        await asyncio.sleep(agent.number * STAGGER_S)
        try:
            return await agent.sign_in()
        except Exception as exc:  # typing the address or the password gave up
            agent.failures["sign-in"] += 1
            print(f"agent {agent.number}: sign-in stopped: {type(exc).__name__} {str(exc)[:120]}", file=sys.stderr,
                  flush=True)
            return False

    signed_in = await asyncio.gather(*(arrive(agent) for agent in agents))
    agents_in = [agent for agent, ok in zip(agents, signed_in, strict=True) if ok]
    Path(os.environ["BENCH_SIGNED_IN"] + f".{agents[0].number}").touch()  # the parent measures memory now

    async def work(agent) -> None:
        # as they arrived: thirty agents let go in the same instant click in step, every think time, for the
        # whole run (the slowest of each burst was the p95), where a team's clicks are spread out
        await asyncio.sleep(agent.number * STAGGER_S)
        turn, stop = 0, time.monotonic() + seconds
        while time.monotonic() < stop:
            try:
                await agent.round(turn)
            except Exception as exc:  # a step between the timed ones (typing, a wait) gave up: a failed round
                agent.failures["round (untimed steps)"] += 1
                print(f"agent {agent.number}: round stopped: {type(exc).__name__} {str(exc)[:120]}",
                      file=sys.stderr, flush=True)
            turn += 1

    await asyncio.gather(*(work(agent) for agent in agents_in))


def together(parts) -> dict:
    """Several agents' (or processes') {"times": {action: [seconds]}, "failures": {action: count}} as one."""
    times: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)
    for part in parts:
        for name, values in part["times"].items():
            times[name] += values
        for name, count in part["failures"].items():
            failures[name] += count
    return {"times": dict(times), "failures": dict(failures)}


def _crowd_process(base: str, numbers: list[int], tickets: dict[int, list[int]], seconds: float, start_at: float,
                   marker: str) -> dict:
    os.environ["BENCH_SIGNED_IN"] = marker
    return asyncio.run(_crowd(base, numbers, tickets, seconds, start_at))


def resident_mb(pids: list[int]) -> float:
    """Resident memory of these processes, in MB (VmRSS)."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) these processes have used so far, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the whole line)
    return total / ticks


def run_crowd(base: str, pids: list[int], size: int, processes: int, seconds: float, live: list[int],
              worker=None) -> dict:
    """`size` agents over `processes` processes; each replies only on its own share of the `live` tickets.
    `worker(base, numbers, tickets, seconds, start_at, marker)` drives one process's agents (Chromium here)."""
    groups = [list(range(i, size, processes)) for i in range(min(processes, size))]
    tickets = {n: live[n::size] or live[n % len(live):][:1] for n in range(size)}
    marker = tempfile.mktemp(prefix="bench-signed-in-")
    before, cpu_before, wall_before = resident_mb(pids), cpu_seconds(pids), time.monotonic()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    start_at = time.time() + 8 + size * 0.3  # every browser is up before anyone signs in
    with ProcessPoolExecutor(len(groups), mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(worker or _crowd_process, base, group, tickets, seconds, start_at, marker)
                   for group in groups]
        while sum(Path(f"{marker}.{group[0]}").exists() for group in groups) < len(groups):
            if any(f.done() for f in futures):
                break
            time.sleep(0.5)
        during = resident_mb(pids)
        results = [f.result() for f in futures]
    wall = time.monotonic() - wall_before
    busy = (cpu_seconds(pids) - cpu_before) / wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the agents' processes, ended with the pool
    drivers = (after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime) / wall
    for group in groups:
        Path(f"{marker}.{group[0]}").unlink(missing_ok=True)
    return {"size": size, **together(results), "mb_per_session": (during - before) / size, "server_cores": busy,
            "driver_cores": drivers}


def start_servers(database: str, replicas: int, folder: Path, extra_env: dict | None = None
                  ) -> tuple[str, list, list[int]]:
    """The replicas on ports 8611..., and nginx on 8610 in front when there are two or more."""
    ports = [8611 + i for i in range(replicas)]
    env = {**os.environ, "MESA_DATABASE_URL": database, "MESA_EMBEDDED_WORKER": "0", "MESA_CAPTCHA": "off",
           "MESA_LOCALE": "en", "MESA_DATA_DIR": str(folder), "MESA_TRUSTED_PROXIES": "1" if replicas > 1 else "0",
           "MESA_SECRET_KEY": "bench-workspace-secret-key-0123456789abcdef", **(extra_env or {})}
    processes = []
    for port in ports:
        base = f"http://127.0.0.1:{port}"
        env["MESA_BASE_URL"] = base
        log = folder / f"streamlit-{port}.log"
        server = start_streamlit(port, env, log.open("wb"))
        wait_healthy(base, server, log)
        visit(base)  # the first run imports the app's modules
        processes.append(server)
    pids = [p.pid for p in processes]
    if replicas == 1:
        return f"http://127.0.0.1:{ports[0]}", processes, pids
    processes.append(nginx.start(folder, 8610, ports))
    return "http://127.0.0.1:8610", processes, pids


def report(result: dict, replicas: int, actions: tuple[str, ...] = ACTIONS) -> str:
    lines = []
    for name in actions:
        values = result["times"].get(name, [])
        failed = result["failures"].get(name, 0)
        if not values and not failed:
            continue
        p50 = f"{percentile(values, 0.5) * 1000:.0f} ms" if values else "—"
        p95 = f"{percentile(values, 0.95) * 1000:.0f} ms" if values else "—"
        lines.append(f"| {result['size']} | {replicas} | {name} | {p50} | {p95} | {len(values)} | {failed} |")
    lines.append(f"| {result['size']} | {replicas} | memory per session | {result['mb_per_session']:.1f} MB | | | |")
    lines.append(f"| {result['size']} | {replicas} | server CPU, cores busy | {result['server_cores']:.2f} | | | |")
    if "driver_cores" in result:
        lines.append(f"| {result['size']} | {replicas} | agents' processes' CPU, cores busy "
                     f"| {result['driver_cores']:.2f} | | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workspace", description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="sqlite:///data/bench/mesa-100000.db")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--agents", default="1,10,30,60", help="crowd sizes, one run each (default 1,10,30,60)")
    parser.add_argument("--processes", type=int, default=2, help="browser processes driving the crowd")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60, help="each crowd works this long after signing in")
    return bench(parser.parse_args(argv), _crowd_process, ACTIONS)


def bench(args, worker, actions: tuple[str, ...], extra_env: dict | None = None) -> int:
    """Each crowd size in `args.agents` against fresh servers; `worker` drives one process's agents."""
    engine, _seconds = prepare(args.database, args.tickets, 730)
    with engine.connect() as connection:  # assigned and not solved: they stay in "All open" after a reply
        live = list(connection.scalars(select(Ticket.id).where(Ticket.status.in_(workflow.LIVE_STATUSES),
                                                               Ticket.assignee_id.is_not(None)).order_by(Ticket.id)))
    engine.dispose()
    print(f"machine: {machine()}", flush=True)
    print("| agents | replicas | action | p50 | p95 | timed | failed |\n|---:|---:|---|---:|---:|---:|---:|",
          flush=True)
    for size in (int(n) for n in args.agents.split(",")):  # fresh servers for each crowd: its memory is its own
        with tempfile.TemporaryDirectory(prefix="bench-workspace-") as folder:
            base, processes, pids = start_servers(args.database, args.replicas, Path(folder), extra_env)
            try:
                result = run_crowd(base, pids, size, args.processes, args.seconds, live, worker)
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    process.wait(30)
        print(report(result, args.replicas, actions), f"\nload average after: {os.getloadavg()}", flush=True)
    return 0

if __name__ == "__main__":
    sys.exit(main())
