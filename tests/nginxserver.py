"""nginx (Debian's) in front of several Streamlit replicas, with sticky sessions from stock modules.

A Streamlit session lives in one server process: the page, its websocket and its uploads must all
reach the same replica. Open-source nginx has no `sticky cookie`, so the route is a cookie nginx sets
itself: a first request without one is hashed on its own random `$request_id`, and the answer sets
`mesa_replica` to that value; every later request (the websocket included) carries it and hashes to
the same replica. `ip_hash` would not do: behind another proxy, or on one machine, every visitor has
the same address. docs/deploy.md shows the same configuration for a real host (with TLS and headers);
bench.workspace and tests/e2e/test_proxy.py start this one.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

CONFIG = """\
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    map $cookie_mesa_replica $mesa_route {{ "" $request_id; default $cookie_mesa_replica; }}
    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    upstream mesa {{
        hash $mesa_route consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 25m;
        location / {{
            proxy_pass http://mesa;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1d;
            add_header Set-Cookie "mesa_replica=$mesa_route; Path=/; HttpOnly; SameSite=Lax" always;
        }}
    }}
}}
"""


def config(folder: Path, port: int, upstreams: list[int]) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in upstreams)
    return CONFIG.format(folder=folder, port=port, servers=servers)


def start(folder: Path, port: int, upstreams: list[int]) -> subprocess.Popen:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    path = folder / "nginx.conf"
    path.write_text(config(folder, port, upstreams))
    process = subprocess.Popen([binary, "-c", str(path), "-p", str(folder)])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return process
        except OSError:
            assert process.poll() is None, (folder / "nginx-error.log").read_text(errors="replace")
            time.sleep(0.2)
    raise RuntimeError(f"nginx did not answer on {port}")
