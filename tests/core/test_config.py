import pytest

from core.config import ConfigError, load_settings


def test_defaults_use_sqlite_in_the_data_folder_and_generate_a_secret_once(tmp_path, monkeypatch):
    monkeypatch.delenv("MESA_DATABASE_URL", raising=False)
    monkeypatch.delenv("MESA_SECRET_KEY", raising=False)
    first = load_settings(data_dir=tmp_path, _env_file=None)
    second = load_settings(data_dir=tmp_path, _env_file=None)
    assert first.database == f"sqlite:///{tmp_path / 'mesa.db'}"
    assert len(first.secret_key) >= 32 and first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(("variable", "value", "says"), [
    ("MESA_SMTP_PORT", "twenty-five", "MESA_SMTP_PORT"),
    ("MESA_SMTP_PORT", "70000", "MESA_SMTP_PORT"),
    ("MESA_LOCALE", "fr", "MESA_LOCALE"),
    ("MESA_TIMEZONE", "Mars/Olympus", "unknown time zone"),
    ("MESA_BASE_URL", "localhost:8501", "MESA_BASE_URL"),
    ("MESA_DATABASE_URL", "mysql://x", "MESA_DATABASE_URL"),
    ("MESA_MAX_FILE_MB", "-1", "MESA_MAX_FILE_MB"),
    ("MESA_CAPTCHA", "maybe", "MESA_CAPTCHA"),
    ("MESA_SECRET_KEY", "short", "MESA_SECRET_KEY"),
])
def test_a_bad_value_names_the_variable(tmp_path, monkeypatch, variable, value, says):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=says) as caught:
        load_settings(data_dir=tmp_path, _env_file=None)
    assert variable in str(caught.value)


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("MESA_LOCALE", raising=False)
    (tmp_path / ".env").write_text("MESA_LOCALE=es\nMESA_BASE_URL=https://help.example.com/\n")
    settings = load_settings(data_dir=tmp_path, secret_key="k" * 40, _env_file=tmp_path / ".env")
    assert (settings.locale, settings.base_url) == ("es", "https://help.example.com")


def test_postgres_url_gets_the_psycopg_driver(tmp_path):
    settings = load_settings(data_dir=tmp_path, secret_key="k" * 40, database_url="postgresql://u@h/db",
                             _env_file=None)
    assert settings.database == "postgresql+psycopg://u@h/db"
