"""The curl examples of docs/api.md, run in order with the real curl against a real server on a fresh
database: each answers the status and the JSON its `# expect:` line says."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.api.server import ROOT, api_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")]
BLOCK = re.compile(r"```bash\n# expect: (\d{3}) (.*?)\n(.*?)```", re.S)
ANY = "..."
# curl as the examples call it, but keeping the answer's body in a file and printing its status
WRAPPER = 'curl() { command curl -sS -o "$BODY" -w "%{http_code}" "$@"; }\n'


def examples() -> list[tuple[int, object, str]]:
    return [(int(status), json.loads(expected), script)
            for status, expected, script in BLOCK.findall((ROOT / "docs/api.md").read_text())]


def contains(actual: object, expected: object) -> bool:
    """`expected` is a part of `actual`: its keys with equal values, a list's first items, ANY for any."""
    if expected == ANY:
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) >= len(expected) and all(
            contains(a, e) for a, e in zip(actual, expected, strict=False))
    return actual == expected


def test_the_checker_can_fail():
    assert not contains({"a": 1}, {"a": 2}) and not contains([], [{"a": 1}]) and contains({"a": [1, 2]}, {"a": [1]})
    assert len(examples()) >= 15


def test_every_curl_example_answers_as_documented(tmp_path):
    with api_server(tmp_path) as server:
        env = {**server.env, "MESA_API": server.base, "MESA_TOKEN": server.tokens["ana"],
               "MESA_MANAGER_TOKEN": server.tokens["maria"], "BODY": str(tmp_path / "body.json")}
        for status, expected, script in examples():
            done = subprocess.run(["bash", "-c", WRAPPER + script], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, timeout=30)
            body = Path(env["BODY"]).read_text()
            assert done.returncode == 0, (script, done.stderr)
            assert int(done.stdout) == status, (script, body)
            assert contains(json.loads(body), expected), (script, body)
