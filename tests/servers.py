"""Start the real app server (`streamlit run Home.py`) from a test, and be its first visitor.

A plain HTTP GET of `/` only serves Streamlit's static page: Home.py runs (and with it the embedded
worker starts, `ui.app.background_worker`) when a browser opens the session's websocket and asks for
a run. `visit` does what the browser does, without a browser: it opens `/_stcore/stream`, sends the
`rerun_script` message and waits until the run has finished.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def start_streamlit(port: int, env: dict[str, str], log: IO[bytes]) -> subprocess.Popen:
    """`streamlit run Home.py` on 127.0.0.1:`port` with these settings; its output goes to `log`."""
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "Home.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_healthy(base: str, server: subprocess.Popen, log_path: Path, timeout: float = 90) -> None:
    """Until `/_stcore/health` answers 200; fails with the server's log if it died or never answered."""
    deadline = time.monotonic() + timeout
    while not healthy(base + "/_stcore/health"):
        assert server.poll() is None and time.monotonic() < deadline, log_path.read_text(errors="replace")
        time.sleep(0.3)


def visit(base: str, query: str = "", timeout: float = 60) -> int:
    """Open a session as a browser does and run the app once; the number of elements it drew.

    Fails when the run does not finish successfully within `timeout` seconds."""
    return asyncio.run(asyncio.wait_for(_visit(base, query), timeout))


async def _visit(base: str, query: str) -> int:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    request = BackMsg()
    request.rerun_script.query_string = query
    async with connect(base.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                       max_size=None) as socket:
        await socket.send(request.SerializeToString())
        drawn = 0
        async for frame in socket:
            message = ForwardMsg()
            message.ParseFromString(frame)
            kind = message.WhichOneof("type")
            drawn += kind == "delta"
            if kind == "script_finished":
                assert message.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                                   ForwardMsg.FINISHED_EARLY_FOR_RERUN), message
                if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return drawn
    raise AssertionError(f"{base}: the session closed before the run finished")
