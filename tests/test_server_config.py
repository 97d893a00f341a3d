"""The Streamlit server's own limits match Mesa's (security review M8, L2)."""

import math
import tomllib
from pathlib import Path

from core.config import Settings

CONFIG = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())


def test_the_server_refuses_an_upload_over_mesas_per_file_limit():
    """M8: the upload endpoint took 200 MB (held in memory) while the form said 20 MB."""
    assert CONFIG["server"]["maxUploadSize"] == math.ceil(Settings().max_file_mb)


def test_visitors_never_see_error_details():
    """L2: tracebacks with server paths were shown to anyone (`client.showErrorDetails` defaults to full)."""
    assert CONFIG["client"]["showErrorDetails"] == "none"


def test_a_run_ends_without_a_full_garbage_collection(monkeypatch):
    """Streamlit's default gc.collect(2) after every run took over half the server's CPU with ten agents at work
    (bench.crowd under py-spy): read through Streamlit's own parser, so a misspelt option fails too."""
    from streamlit import config

    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    try:
        config.get_config_options(force_reparse=True)
        assert config.get_option("runner.postScriptGC") is False
    finally:
        config.get_config_options(force_reparse=True)
