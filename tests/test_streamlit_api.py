"""Streamlit arguments and functions it deprecated, looked for in the source.

Most deprecations are logged when the call runs, which tests/conftest.py turns into a failure; but st.button,
st.download_button, st.form_submit_button, st.link_button and st.page_link take the container-width flag and map it to
width= without a word, so only the source tells."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTAINER_WIDTH = "use_" + "container_width"  # spelled in two parts so that a grep for the old call finds none here
DEPRECATED_ARGUMENTS = {CONTAINER_WIDTH: 'width="stretch" or width="content"', "use_column_width": "width="}
DEPRECATED_MODULES = {"streamlit.components.v1": "st.iframe (declare_component may stay)"}


def _sources() -> list[Path]:
    return [ROOT / "Home.py", *ROOT.glob("app_pages/*.py"), *ROOT.glob("ui/**/*.py"), *ROOT.glob("bench/*.py"),
            *ROOT.glob("tests/**/*.py")]


def _deprecated(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg in DEPRECATED_ARGUMENTS:
            found.append((node.value.lineno, f"{node.arg}= (use {DEPRECATED_ARGUMENTS[node.arg]})"))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name} (use {DEPRECATED_MODULES[a.name]})")
                      for a in node.names if a.name in DEPRECATED_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module in DEPRECATED_MODULES:
            found += [(node.lineno, f"{node.module}.{a.name} (use {DEPRECATED_MODULES[node.module]})")
                      for a in node.names if a.name != "declare_component"]
    return found


def test_no_deprecated_streamlit_call_in_the_source():
    found = [f"{path.relative_to(ROOT)}:{line}: {what}" for path in _sources()
             for line, what in _deprecated(ast.parse(path.read_text(), str(path)))]
    assert found == []


def test_the_check_finds_each_kind():
    code = ("import streamlit.components.v1 as components\n"
            "from streamlit.components.v1 import html, declare_component\n"
            f"st.page_link(page, {CONTAINER_WIDTH}=True)\n"
            "st.image(data, use_column_width=False)\n")
    assert sorted(line for line, _ in _deprecated(ast.parse(code))) == [1, 2, 3, 4]
