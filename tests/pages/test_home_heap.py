"""The server's heap after its first run: what was loaded then is out of the full collections' reach."""

import gc

from tests.pages.conftest import run_home
from ui import app


def test_the_first_run_moves_the_loaded_modules_out_of_the_collectors_reach(app_env):
    """A full collection walked Streamlit, pandas and SQLAlchemy with every session waiting: 150-290 ms each, 32 in a
    minute of 30 agents (bench.crowd); with the loaded heap frozen, 100-155 ms."""
    app.settle_heap.clear()
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    home = run_home()
    assert not home.exception, home.exception
    assert gc.get_freeze_count() > 10_000
