"""python -m bench.crowd: many agents in the workspace at once, each speaking Streamlit's own protocol (no browser).

bench.workspace drives Chromium, and on a 2-core machine the browsers take the cores from the server they
measure. Here an agent is a "protocol agent": what the browser sends and receives on the session's websocket
(`/_stcore/stream`), without drawing anything. A page load is the page's HTML (GET, which also brings nginx's
sticky cookie) and a new websocket carrying the browser's cookies, then the first run (the page has no
component that would ask for a second one: ui.auth.PageCookies). A click is a `rerun_script` BackMsg with the page's
widget states (the values the agent typed, the button's trigger, the fragment of the widget clicked), as the
browser's widget manager sends it. Each action is timed from sending its BackMsg (or the page's GET) until the
server has finished the run it caused (`script_finished`, a run cut short for a rerun not counting) and
what the action promises is among the elements sent (the ticket's heading, the table, the reply).

Actions, the same as bench.workspace's: sign in (the form's fields and its submit button), open the
workspace (a page load), open a ticket from the queue (a click on a cell), back to the queue, switch queue,
search every ticket, send a reply as Pending on a ticket of the agent's own. Between actions an agent thinks
`--think` seconds. Not measured: the browser's own work (parsing, layout, drawing the grid), the 30-second
refresh of the queue's counts (the browser's timer; no agent here asks for it), static files.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sys
import time
from collections import defaultdict
from functools import partial
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench import workspace
from bench.workspace import AGENT, SEARCHES, UNASSIGNED_ROWS

ACTIONS = ("sign-in", "workspace", "open ticket", "back to queue", "switch queue", "search", "reply as pending",
           "round (untimed steps)")
TIMEOUT = 60.0
SAMPLER = Path(__file__).parent / "sampler"
COOKIE = "mesa_session"
WRITE_COOKIE = re.compile(rb'document\.cookie = \\?"(mesa_session=[^;]+);')


class Failed(Exception):
    """An action whose result never came: counted, not timed."""


class Agent:
    """One browser's session, without the browser: its websocket, its cookies, the page the server drew."""

    def __init__(self, base: str, number: int = 0, tickets: list[int] | None = None, think: float = 0.5,
                 account: tuple[str, str] = AGENT):
        self.base, self.number, self.tickets, self.think, self.account = base, number, tickets or [], think, account
        self.cookies: dict[str, str] = {}
        self.socket = None
        self.reader: asyncio.Task | None = None
        self.finished: asyncio.Queue[int] = asyncio.Queue()
        self.elements: dict[tuple, tuple[str, object, str]] = {}  # delta path -> (kind, element, fragment)
        self.states: dict[str, WidgetState] = {}  # the values the browser keeps sending (typed text, choices)
        self.page_hash, self.query = "", ""
        self.times: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)

    # ------------------------------------------------------------------ the protocol

    async def load(self, path: str, query: str = "") -> None:
        """A page load: the HTML, a new session on a new websocket with the cookies, and its first run."""
        import httpx
        from websockets.asyncio.client import connect

        await self.close()
        async with httpx.AsyncClient(cookies=self.cookies) as client:
            answer = await client.get(f"{self.base}/{path}" + (f"?{query}" if query else ""), timeout=TIMEOUT)
        self.cookies.update(dict(answer.cookies))
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.socket = await connect(self.base.replace("http", "ws", 1) + "/_stcore/stream", max_size=None,
                                    subprotocols=["streamlit"], open_timeout=TIMEOUT,
                                    additional_headers={"Cookie": header} if header else None)
        self.finished = asyncio.Queue()
        self.reader = asyncio.create_task(self._read())
        self.elements, self.states, self.page_hash, self.query = {}, {}, "", query
        await self.send(page_name=path)
        await self.wait()

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()
            self.reader = None
        if self.socket is not None:
            await self.socket.close()
            self.socket = None

    async def send(self, *extra: WidgetState, fragment: str = "", page_name: str = "") -> None:
        message = BackMsg()
        run = message.rerun_script
        run.query_string, run.page_script_hash, run.fragment_id = self.query, self.page_hash, fragment
        if page_name and not self.page_hash:
            run.page_name = page_name
        shown = {element.id for _kind, element, _fragment in self.elements.values() if getattr(element, "id", "")}
        run.widget_states.widgets.extend(s for i, s in self.states.items() if i in shown or not self.elements)
        run.widget_states.widgets.extend(extra)
        await self.socket.send(message.SerializeToString())

    async def _read(self) -> None:
        try:
            async for frame in self.socket:
                message = ForwardMsg()
                message.ParseFromString(frame)
                self._take(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            print(f"agent {self.number}: websocket: {type(exc).__name__} {exc}", file=sys.stderr, flush=True)
        await self.finished.put(-1)  # the session closed under us: whoever waits hears it

    def _take(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session" and not message.metadata.run.fragment_ids:
            self.elements = {}  # a whole run draws the page anew
        elif kind == "navigation":
            self.page_hash = message.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        elif kind == "delta":
            delta, path = message.delta, tuple(message.metadata.delta_path)
            if delta.WhichOneof("type") == "new_element":
                element = delta.new_element
                inner = element.WhichOneof("type")
                self.elements[path] = (inner, getattr(element, inner), delta.fragment_id)
            elif delta.WhichOneof("type") == "add_block":
                for key in [k for k in self.elements if k[:len(path)] == path and len(k) > len(path)]:
                    del self.elements[key]  # a block drawn anew starts empty
        elif kind == "script_finished":
            self.finished.put_nowait(message.script_finished)

    async def wait(self, check=lambda: True, timeout: float = TIMEOUT) -> None:
        """Until a run finishes (not one cut short for a rerun) with `check()` true of what was drawn."""
        deadline = time.monotonic() + timeout
        while True:
            status = await asyncio.wait_for(self.finished.get(), max(0.01, deadline - time.monotonic()))
            if status < 0:
                raise Failed("the session closed")
            if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN and check():
                return

    # ------------------------------------------------------------------ what the page shows

    def widget(self, kind: str, suffix: str) -> tuple[str, object, str] | None:
        """The element of this kind whose id ends with `suffix` (a widget's key ends its id)."""
        return next((e for e in self.elements.values() if e[0] == kind and e[1].id.endswith(suffix)), None)

    def needed(self, kind: str, suffix: str) -> tuple[str, object, str]:
        found = self.widget(kind, suffix)
        if found is None:
            raise Failed(f"no {kind} ending {suffix!r} on the page")
        return found

    def heading(self, pattern: str) -> bool:
        return any(kind == "heading" and re.search(pattern, element.body)
                   for kind, element, _f in self.elements.values())

    def has(self, *kinds: str) -> bool:
        return any(kind in kinds for kind, _e, _f in self.elements.values())

    def says(self, text: str) -> bool:
        wanted = text.encode()
        return any(wanted in element.SerializeToString() for _k, element, _f in self.elements.values())

    # ------------------------------------------------------------------ timing

    async def timed(self, name: str, act, check) -> bool:
        """`act` (sends a BackMsg or loads a page) until the run it caused has finished with `check()` true."""
        await asyncio.sleep(self.think)
        start = time.perf_counter()
        try:
            await act()
            if check is not None:
                await self.wait(check)
        except Exception as exc:  # a failed action is counted, never timed
            self.failures[name] += 1
            print(f"agent {self.number}: {name} failed: {type(exc).__name__} {str(exc)[:120]}", file=sys.stderr,
                  flush=True)
            return False
        self.times[name].append(time.perf_counter() - start)
        return True

    # ------------------------------------------------------------------ the agent's work

    async def sign_in(self) -> bool:
        try:
            await self.load("workbench")
            email = WidgetState(id=self.needed("text_input", "-login_email")[1].id, string_value=self.account[0])
            password = WidgetState(id=self.needed("text_input", "-login_password")[1].id, string_value=self.account[1])
            submit = WidgetState(id=self.needed("button", "FormSubmitter:login-Sign in")[1].id, trigger_value=True)
        except Exception as exc:  # the page never came
            self.failures["sign-in"] += 1
            print(f"agent {self.number}: the sign-in page did not open: {type(exc).__name__}", file=sys.stderr)
            return False
        ok = await self.timed("sign-in", lambda: self.send(email, password, submit),  # signed in, or refused
                              lambda: self.heading("^Workbench$") or self.has("alert"))
        written = [WRITE_COOKIE.search(e.SerializeToString()) for _k, e, _f in self.elements.values()]
        token = next((found.group(1).decode() for found in written if found), None)
        if ok and (token is None or not self.heading("^Workbench$")):  # a refusal is a failure, not a time
            self.failures["sign-in"] += 1
            self.times["sign-in"].pop()
            print(f"agent {self.number}: the sign-in was refused or wrote no cookie", file=sys.stderr, flush=True)
            return False
        if ok:  # the page's script writes the cookie in the browser; the next page load sends it
            self.cookies[COOKIE] = token.split("=", 1)[1]
        return ok

    async def open_workspace(self) -> bool:
        async def load() -> None:
            await self.load("workbench")
            if not self.heading("^Workbench$"):
                raise Failed("the workbench did not open")

        return await self.timed("workspace", load, None)

    async def open_ticket(self, row: int) -> bool:
        _kind, table, fragment = self.needed("dataframe", "-wb_table")
        click = WidgetState(id=table.id, string_value=json.dumps(
            {"selection": {"rows": [], "columns": [], "cells": [[row, "subject"]]}}))
        return await self.timed("open ticket", lambda: self.send(click, fragment=fragment),
                                lambda: self.heading(r"^#\d+ · "))

    async def back(self) -> bool:
        button = next((e for k, e, _f in self.elements.values() if k == "button" and e.label.startswith("← ")), None)
        if button is None:
            raise Failed("no back button")
        return await self.timed("back to queue", lambda: self.send(WidgetState(id=button.id, trigger_value=True)),
                                lambda: self.heading("^Workbench$") and self.has("dataframe"))

    async def switch_queue(self) -> bool:
        _kind, views, fragment = self.needed("button_group", "-wb_view")
        label = next(option.content for option in views.options if option.content.startswith("All open"))
        state = WidgetState(id=views.id)
        state.string_array_value.data.append(label)
        self.states[views.id] = state
        before = self.widget("dataframe", "-wb_table")
        return await self.timed("switch queue", lambda: self.send(fragment=fragment),
                                lambda: (table := self.widget("dataframe", "-wb_table")) is not None
                                and table is not before)

    async def search(self, text: str) -> bool:
        box = self.needed("text_input", "-wb_search_all")[1]
        self.states[box.id] = WidgetState(id=box.id, string_value=text)
        ok = await self.timed("search", self.send,
                              lambda: self.widget("dataframe", "-wb_search_table") is not None
                              or self.has("alert"))
        self.states[box.id] = WidgetState(id=box.id, string_value="")  # emptied again, untimed
        await self.send()
        await self.wait()
        return ok

    async def reply(self, ticket_id: int) -> bool:
        """On the agent's own ticket, opened by its address (two agents on one ticket would be a conflict)."""
        await self.load("workbench", f"ticket={ticket_id}")
        if not self.heading(rf"^#{ticket_id} · "):
            raise Failed(f"ticket {ticket_id} did not open")
        body = f"Bench reply {self.number}-{time.time_ns()}: we are looking into it."
        draft = self.needed("text_area", f"-wb_draft_{ticket_id}")[1]
        self.states[draft.id] = WidgetState(id=draft.id, string_value=body)
        await self.send()  # the text box's own run, when it loses the focus
        await self.wait()
        send = self.needed("button", f"-wb_send_pending_{ticket_id}")[1]
        return await self.timed("reply as pending", lambda: self.send(WidgetState(id=send.id, trigger_value=True)),
                                lambda: self.says(body))

    async def round(self, turn: int) -> None:
        if not await self.open_workspace():
            return
        if not await self.open_ticket((self.number + turn) % UNASSIGNED_ROWS):
            return
        await self.back()
        await self.switch_queue()
        await self.search(random.choice(SEARCHES) + (" PDF" if turn % 2 else ""))
        await self.reply(self.tickets[turn % len(self.tickets)])


async def _crowd(base: str, numbers: list[int], tickets: dict[int, list[int]], seconds: float, start_at: float,
                 think: float = 0.5) -> dict:
    agents = [Agent(base, number, tickets[number], think) for number in numbers]
    await asyncio.sleep(max(0.0, start_at - time.time()))
    await workspace.play(agents, seconds)
    for agent in agents:
        await agent.close()
    return workspace.together({"times": agent.times, "failures": agent.failures} for agent in agents)


def _crowd_process(base: str, numbers: list[int], tickets: dict[int, list[int]], seconds: float, start_at: float,
                   marker: str, think: float = 0.5) -> dict:
    os.environ["BENCH_SIGNED_IN"] = marker
    return asyncio.run(_crowd(base, numbers, tickets, seconds, start_at, think))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crowd", description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/mesa_bench_100k")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--agents", default="10,30,60", help="crowd sizes, one run each (default 10,30,60)")
    parser.add_argument("--processes", type=int, default=2, help="processes driving the crowd (asyncio in each)")
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=60, help="each crowd works this long after signing in")
    parser.add_argument("--think", type=float, default=0.5, help="seconds an agent waits before each action")
    parser.add_argument("--profile", type=Path, help="sample the servers' stacks, written to PROFILE.<pid>")
    args = parser.parse_args(argv)
    sampler = {"MESA_BENCH_PROFILE": str(args.profile.resolve()),  # bench/sampler/sitecustomize.py
               "PYTHONPATH": os.pathsep.join(filter(None, [str(SAMPLER), os.environ.get("PYTHONPATH")]))
               } if args.profile else None
    return workspace.bench(args, partial(_crowd_process, think=args.think), ACTIONS, extra_env=sampler)


if __name__ == "__main__":
    sys.exit(main())
