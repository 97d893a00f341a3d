"""bench.crowd --profile: a stack sampler inside each server it starts (this folder goes first on its PYTHONPATH).

Only for the bench: nothing in the app imports it. Every 5 ms it takes the stack of each thread that is
running Python code (the script runs, the event loop), and every 10 s and at exit it writes, per thread
kind, the functions seen most (at the top of the stack, and anywhere on it) to MESA_BENCH_PROFILE.<pid>.
Sampling takes wall time: a thread waiting on the database shows up in the driver's wait, not as CPU.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from collections import Counter

TARGET = os.environ.get("MESA_BENCH_PROFILE")
IDLE = ("wait", "select", "poll", "_worker", "sleep", "accept", "get", "_sampler")


def _where(frame) -> str:
    code = frame.f_code
    return f"{code.co_name} ({code.co_filename.rsplit('site-packages/', 1)[-1]}:{code.co_firstlineno})"


def _kind(name: str) -> str:
    return "script runs" if name.startswith("ScriptRunner") else "event loop" if name == "MainThread" else "other"


def _start(target: str) -> None:
    top: dict[str, Counter] = {}
    anywhere: dict[str, Counter] = {}
    samples: Counter = Counter()
    names: dict[int, str] = {}

    def write() -> None:
        lines = []
        for kind in sorted(samples):
            lines.append(f"== {kind}: {samples[kind]} samples (5 ms each)")
            lines.append("-- on top of the stack")
            lines += [f"{n:7d} {100 * n / samples[kind]:5.1f}%  {w}" for w, n in top[kind].most_common(25)]
            lines.append("-- anywhere on the stack")
            lines += [f"{n:7d} {100 * n / samples[kind]:5.1f}%  {w}" for w, n in anywhere[kind].most_common(200)]
        with open(f"{target}.{os.getpid()}", "w") as out:
            out.write("\n".join(lines) + "\n")

    def sample() -> None:
        last, me = time.monotonic(), threading.get_ident()
        while True:
            time.sleep(0.005)
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                if ident not in names:
                    names.update({t.ident: t.name for t in threading.enumerate()})
                kind = _kind(names.get(ident, "other"))
                if frame.f_code.co_name in IDLE and kind != "script runs":
                    continue  # an idle event loop or pool thread
                samples[kind] += 1
                top.setdefault(kind, Counter())[_where(frame)] += 1
                seen = set()
                while frame is not None:
                    seen.add(_where(frame))
                    frame = frame.f_back
                anywhere.setdefault(kind, Counter()).update(seen)
            if time.monotonic() - last > 10:
                write()
                last = time.monotonic()

    threading.Thread(target=sample, name="_sampler", daemon=True).start()
    atexit.register(write)


if TARGET:
    _start(TARGET)
