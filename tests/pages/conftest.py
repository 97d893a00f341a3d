from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from core import config
from core.db import migrate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """An empty migrated SQLite database and fresh caches for AppTest runs."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("MESA_DATABASE_URL", url)
    monkeypatch.setenv("MESA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MESA_SECRET_KEY", "p" * 40)
    monkeypatch.setenv("MESA_EMBEDDED_WORKER", "0")
    monkeypatch.delenv("MESA_LOCALE", raising=False)
    monkeypatch.chdir(ROOT)
    migrate(url)
    config.get_settings.cache_clear()
    st.cache_resource.clear()
    yield url
    config.get_settings.cache_clear()
    st.cache_resource.clear()


def run_home(**query: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=30)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()
