"""The house rules that code review alone would miss: core/ never imports streamlit (the worker, CLI
and tests use it without a UI), core/ has no import cycle, only the notifier writes emails, and pages
never query the database themselves."""

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import core

CORE = Path(core.__file__).parent


def test_no_core_module_mentions_streamlit_in_an_import():
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []


def test_importing_every_core_module_loads_no_streamlit():
    modules = [m.name for m in pkgutil.walk_packages([str(CORE)], "core.") if not m.name.endswith("__main__")]
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + "print('streamlit' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=CORE.parent)
    assert result.stdout.strip() == "False"
    assert len(modules) >= 40


def _imports(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file (inside functions too), with `from a import b`
    also counted as importing `a.b`."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _core_modules() -> dict[str, Path]:
    found = {}
    for path in CORE.rglob("*.py"):
        name = ".".join(path.relative_to(CORE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle as [a, b, ..., a], or [] when the graph has none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if not state.get(nxt) and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        stack.pop()
        return []

    for node in sorted(edges):
        if not state.get(node) and (cycle := visit(node)):
            return cycle
    return []


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_core_has_no_import_cycle():
    modules = _core_modules()
    edges = {name: {m for m in _imports(path) if m in modules and m != name} for name, path in modules.items()}
    assert find_cycle(edges) == []


def _calls(path: Path) -> set[str]:
    """The called names of a file: `f(...)` as "f", `a.f(...)` as "a.f", `x.y.f(...)` as "y.f"."""
    called = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                called.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                owner = node.func.value
                prefix = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "?")
                called.add(f"{prefix}.{node.func.attr}")
    return called


def _sources(*folders: str) -> list[Path]:
    root = CORE.parent
    return [path for folder in folders for path in (root / folder).rglob("*.py")] + [root / "Home.py"]


def test_only_the_notifier_writes_emails():
    """Services record domain events; core.notify alone turns them into outbox rows (the outbox and its
    dispatcher manage the rows they hold: sending, retrying, sending a copy again)."""
    allowed = {"core/notify.py", "core/mail/outbox.py", "core/mail/sender.py"}
    writers = [str(path.relative_to(CORE.parent)) for path in _sources("core", "demo", "app_pages", "ui")
               if str(path.relative_to(CORE.parent)) not in allowed and {"outbox.enqueue", "Outbox"} & _calls(path)]
    assert writers == []


def test_pages_never_query():
    """Screens read input, call core and draw: no SQL of their own (an Engine type is no query)."""
    sql = {"select", "text", "insert", "update", "delete", "func"}
    offenders = []
    for path in _sources("app_pages", "ui"):
        offenders += [f"{path.name}: {n}" for n in sorted(_imports(path)) if n.startswith("sqlalchemy.")
                      and n.rpartition(".")[2] in sql]
        offenders += [f"{path.name}: {c}" for c in sorted(_calls(path)) if c in
                      {"session.execute", "session.scalar", "session.scalars", "session.query"}]
    assert offenders == []


def test_only_the_notifier_queues_webhook_deliveries():
    """Domain events become webhook deliveries in core.notify alone (through core.hooks.payloads); the
    deliveries module manages its rows (a test, a redelivery)."""
    root = CORE.parent
    queuing = [str(path.relative_to(root)) for path in _sources("core", "demo", "app_pages", "ui")
               if str(path.relative_to(root)) not in {"core/hooks/payloads.py", "core/hooks/deliveries.py"}
               and {"deliveries.enqueue", "WebhookDelivery"} & _calls(path)]
    announcing = [str(path.relative_to(root)) for path in _sources("core", "demo", "app_pages", "ui")
                  if {"webhooks.announce", "payloads.announce"} & _calls(path)]
    assert queuing == [] and announcing == ["core/notify.py"]


def test_core_imports_nothing_outside_core():
    """core/ is the domain: the demo, the pages, the UI helpers and the benches build on it, never the reverse (but
    the command line, core/__main__.py, which also seeds the demo)."""
    outside = {"demo", "app_pages", "ui", "bench", "tests", "Home"}
    offenders = sorted(f"{name}: {imported}" for name, path in _core_modules().items() if name != "core.__main__"
                       for imported in _imports(path) if imported.split(".")[0] in outside)
    assert offenders == []
