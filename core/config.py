"""Settings from environment variables (prefix MESA_) and an optional .env file.

A bad value stops start-up with a ConfigError that names the variable.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core import i18n

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
ENV_PREFIX = "MESA_"


class ConfigError(Exception):
    """A setting has a value Mesa cannot use; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = DATA_DIR
    database_url: str = ""
    base_url: str = "http://localhost:8501"
    secret_key: str = ""
    locale: str = "en"  # one of core/locales/*.toml: en, es, pt-BR
    timezone: str = "Europe/Madrid"
    product_name: str = "Mesa"

    mail_from: str = "support@mesa.localhost"
    mail_from_name: str = "Mesa Support"
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_security: Literal["ssl", "starttls", "none"] = "none"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout_seconds: float = Field(default=30, gt=0, le=600)
    imap_host: str = ""
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_security: Literal["ssl", "starttls", "none"] = "ssl"
    imap_user: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    # OAuth2 (XOAUTH2) instead of a password, for IMAP and SMTP both (core/mail/oauth.py, docs/deploy.md)
    oauth_client_id: str = ""
    oauth_client_secret: str = ""
    oauth_tenant: str = ""  # Microsoft: the directory (tenant) ID or domain
    oauth_refresh_token: str = ""  # empty with Microsoft: the client-credentials flow (app-only access)
    oauth_token_url: str = ""  # Google: overrides Google's; generic oauth2: required
    oauth_authority: str = ""  # Microsoft: overrides https://login.microsoftonline.com/<tenant> (national clouds)
    oauth_scope: str = ""  # space-separated; empty: each provider's usual scope for mail
    mail_auth: Literal["password", "oauth2-microsoft", "oauth2-google", "oauth2"] = "password"  # after the oauth_*
    embedded_worker: bool = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"  # Mesa's own messages (core/logs.py)
    log_format: Literal["text", "json"] = "text"  # json: one JSON object per line
    worker_interval_seconds: float = Field(default=15, gt=0, le=3600)
    reply_plus_address: bool = False
    notify_agents_new_tickets: bool = False
    inbound_per_sender_hour: int = Field(default=20, ge=1)
    inbound_max_mb: float = Field(default=70, gt=0, le=4096)  # a full ticket's files (50 MB) in base64, and some

    captcha: Literal["image", "turnstile", "hcaptcha", "recaptcha", "off"] = "image"
    captcha_site_key: str = ""
    assign_on_reply: bool = True  # a public reply to an unassigned ticket assigns it to the replier
    captcha_secret_key: str = ""
    captcha_verify_url: str = ""

    max_attachments: int = Field(default=10, ge=0, le=100)
    max_file_mb: float = Field(default=20, gt=0, le=1024)
    max_ticket_mb: float = Field(default=50, gt=0, le=4096)
    max_subject_chars: int = Field(default=200, ge=10, le=1000)
    max_body_chars: int = Field(default=50_000, ge=100, le=1_000_000)
    tickets_per_email_hour: int = Field(default=5, ge=1)
    tickets_per_address_hour: int = Field(default=20, ge=1)
    trusted_proxies: int = Field(default=0, ge=0, le=10)  # reverse proxies in front: X-Forwarded-For depth
    ticket_link_days: int = Field(default=90, ge=1)
    close_after_days: int = Field(default=4, ge=1)
    reminder_after_days: int = Field(default=3, ge=1)
    auto_solve_after_days: int = Field(default=7, ge=0)
    survey_delay_minutes: int = Field(default=0, ge=0)
    # the REST API (python -m core api, core/api): its port, and requests per minute per token
    api_port: int = Field(default=8502, ge=1, le=65535)
    api_requests_per_minute: int = Field(default=120, ge=1, le=100_000)

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if (code := i18n.match(value)) is None:
            raise ValueError(f"unknown language {value!r} (use one of: {', '.join(i18n.LOCALES)})")
        return code

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Europe/Madrid)") from exc
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("mail_auth")
    @classmethod
    def _oauth_complete(cls, value: str, info: ValidationInfo) -> str:
        data, missing = info.data, []
        if value == "password":
            return value
        if not data.get("oauth_client_id"):
            missing.append("MESA_OAUTH_CLIENT_ID")
        if value == "oauth2" and not data.get("oauth_token_url"):
            missing.append("MESA_OAUTH_TOKEN_URL")
        if value in ("oauth2", "oauth2-google") and not data.get("oauth_refresh_token"):
            missing.append("MESA_OAUTH_REFRESH_TOKEN")
        if value == "oauth2-microsoft" and not data.get("oauth_refresh_token") and not (
                data.get("oauth_client_secret") and data.get("oauth_tenant")):
            missing.append("MESA_OAUTH_REFRESH_TOKEN, or MESA_OAUTH_CLIENT_SECRET and MESA_OAUTH_TENANT")
        if missing:
            raise ValueError(f"{value} needs " + "; ".join(missing))
        return value

    @field_validator("captcha_verify_url", "oauth_token_url", "oauth_authority")
    @classmethod
    def _empty_or_http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be empty or start with http:// or https://")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def max_ticket_bytes(self) -> int:
        return int(self.max_ticket_mb * 1024 * 1024)

    @property
    def inbound_max_bytes(self) -> int:
        return int(self.inbound_max_mb * 1024 * 1024)

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'mesa.db'}"

    @property
    def smtp_configured(self) -> bool:
        return bool(self.smtp_host)


def _secret_from_file(data_dir: Path) -> str:
    """The secret key generated once into data/ and reused by every later start."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise ConfigError naming the variable on a bad value."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            problems.append(f"{ENV_PREFIX}{field.upper()}: {error['msg']}")
        raise ConfigError("Invalid setting: " + "; ".join(problems)) from None
    if not settings.secret_key:
        settings.secret_key = _secret_from_file(settings.data_dir)
    if len(settings.secret_key) < 32:
        raise ConfigError(f"Invalid setting: {ENV_PREFIX}SECRET_KEY: use at least 32 characters")
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return load_settings()
