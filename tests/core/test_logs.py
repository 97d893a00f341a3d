import io
import json
import logging
import re
import sys

import pytest

from core import logs
from core.config import ConfigError, load_settings

ISO_TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


@pytest.fixture(autouse=True)
def logging_restored():
    """configure() changes the process's root logger: put it back as it was for the tests after these."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    own = {name: logging.getLogger(name).level for name in logs.OWN_LOGGERS}
    for handler in [h for h in handlers if h.get_name() == logs.HANDLER_NAME]:
        root.removeHandler(handler)  # a command run earlier in this process configured it: start without
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, own_level in own.items():
        logging.getLogger(name).setLevel(own_level)


def _mesa_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if h.get_name() == logs.HANDLER_NAME]


def _lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line]


def test_text_lines_start_with_an_iso_time_stamp(settings, capsys):
    logs.configure(settings)
    logging.getLogger("mesa.worker").info("worker started (every %ss)", 15)
    [line] = _lines(capsys)
    assert re.fullmatch(ISO_TIME + r" INFO mesa\.worker: worker started \(every 15s\)", line), line


@pytest.mark.parametrize(("level", "shown", "hidden"), [
    ("INFO", ["mesa.worker INFO", "core.mail.ingest INFO", "alembic WARNING"], ["mesa.worker DEBUG", "alembic INFO"]),
    ("DEBUG", ["mesa.worker DEBUG", "core.search DEBUG", "sqlalchemy WARNING"], ["alembic INFO"]),
    ("ERROR", ["mesa.worker ERROR", "alembic ERROR"], ["mesa.worker WARNING", "alembic WARNING"]),
])
def test_the_level_applies_to_mesa_and_libraries_speak_from_warning(settings, capsys, level, shown, hidden):
    logs.configure(settings.model_copy(update={"log_level": level}))
    for said in [*shown, *hidden]:
        name, level_name = said.split()
        logging.getLogger(name).log(logging.getLevelName(level_name), said)
    printed = "\n".join(_lines(capsys))
    assert [s for s in shown if s not in printed] == []
    assert [s for s in hidden if s in printed] == []


def test_json_format_writes_one_object_per_line(settings, capsys):
    logs.configure(settings.model_copy(update={"log_format": "json"}))
    log = logging.getLogger("mesa.automations")
    log.warning("closed %d tickets", 3)
    try:
        raise RuntimeError("SMTP down")
    except RuntimeError:
        log.exception("step failed")
    first, second = (json.loads(line) for line in _lines(capsys))
    assert set(first) == {"time", "level", "logger", "message"}
    assert re.fullmatch(ISO_TIME, first["time"]), first["time"]
    assert (first["level"], first["logger"], first["message"]) == ("WARNING", "mesa.automations", "closed 3 tickets")
    assert second["level"] == "ERROR" and "RuntimeError: SMTP down" in second["exception"]


def test_configuring_again_adds_no_second_handler(settings, capsys):
    logs.configure(settings)
    logs.configure(settings.model_copy(update={"log_format": "json"}))
    assert len(_mesa_handlers()) == 1
    logging.getLogger("mesa.digest").info("sent")
    [line] = _lines(capsys)
    assert json.loads(line)["message"] == "sent"  # the second call's format, on the one handler


def test_lines_go_to_the_stderr_of_the_moment(settings, monkeypatch):
    logs.configure(settings)
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)  # as a test runner does between tests: no write to a closed stream
    logging.getLogger("mesa.worker").warning("still heard")
    assert "still heard" in later.getvalue()


@pytest.mark.parametrize(("variable", "value"), [("MESA_LOG_LEVEL", "LOUD"), ("MESA_LOG_FORMAT", "xml")])
def test_a_bad_log_setting_names_the_variable(tmp_path, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=variable):
        load_settings(data_dir=tmp_path, _env_file=None, secret_key="s" * 40)
