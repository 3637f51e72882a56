"""One typed settings object, read from ``RARECARE_*`` environment variables.

Settings are built by the entry points (CLI, tests) and passed into ``create_app(settings)``;
nothing here runs at import time. Every field is documented in the README's settings table
(``tests/test_docs.py`` checks that).
"""

from __future__ import annotations

import base64
import json
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rarecare.errors import ConfigurationError

DEFAULT_SECRET = "change-me"  # noqa: S105 - the sentinel that production refuses
DEFAULT_VAR_DIR = Path("var")


class Settings(BaseSettings):
    """RareCare's configuration. Field descriptions are the documentation."""

    model_config = SettingsConfigDict(env_prefix="RARECARE_", extra="ignore", frozen=True)

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_VAR_DIR / 'rarecare.sqlite3'}",
        description="SQLAlchemy URL of the database: the embedded SQLite file by default, "
        "`postgresql+psycopg://user@host:5432/rarecare` in production.",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEFAULT_SECRET),
        description="Secret for session and CSRF tokens. Required outside demo mode.",
    )
    data_key: SecretStr | None = Field(
        default=None,
        description="Base64 of a 32-byte key encrypting the identity store (AES-GCM) and keying "
        "pseudonyms. Required outside demo mode.",
    )
    data_key_file: Path | None = Field(
        default=None,
        description="A file holding the data key (base64), instead of RARECARE_DATA_KEY: for "
        "service managers' credential files. Keys never go on a command line.",
    )
    previous_data_key: SecretStr | None = Field(
        default=None,
        description="The data key before the last rotation (base64), while `rarecare registry "
        "rotate-key` has not finished: identities not yet moved stay readable.",
    )
    demo: bool = Field(
        default=False,
        description="Demo mode: allows generated keys (kept under the var directory) and "
        "demo logins. Never in production.",
    )
    var_dir: Path = Field(
        default=DEFAULT_VAR_DIR,
        description="Directory for the SQLite file, caches, uploads and demo keys.",
    )
    secure_cookies: bool | None = Field(
        default=None,
        description="Send cookies with the Secure flag (HTTPS only). Default: on outside demo "
        "mode, off in demo mode so http://127.0.0.1 works.",
    )
    session_hours: int = Field(default=12, ge=1, le=168, description="Login session lifetime.")
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed logins allowed per user name and client address in the window "
        "before further attempts are refused (HTTP 429).",
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="Window for counting failed logins."
    )
    db_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description="PostgreSQL connections each server process keeps (plus 5 in bursts).",
    )
    db_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        le=120,
        description="How long a request waits to connect or for a free connection (PostgreSQL), "
        "or for SQLite's write lock (at least 15 s), before it answers 503.",
    )
    db_statement_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Longest a single SQL statement of a request may run on PostgreSQL "
        "(imports and other background work are not limited).",
    )
    warm_up: bool = Field(
        default=True,
        description="Load the knowledge base and the diagnosis engine in the background when "
        "the app starts, so that the first search or patient page does not wait for them.",
    )
    beacon_public_granularity: Literal["none", "boolean", "count"] = Field(
        default="boolean",
        description="What the GA4GH Beacon v2 endpoint answers a caller who is not logged in: "
        "`boolean` (exists or not), `count`, or `none` (logging in required).",
    )
    beacon_registered_granularity: Literal["boolean", "count"] = Field(
        default="count",
        description="What the Beacon answers a logged-in user. Counts of 1 to 4 are always "
        "answered as a boolean only.",
    )
    indicator_refresh_hours: float = Field(
        default=24.0,
        ge=0,
        le=24 * 31,
        description="Recompute the current quarter's indicators when its figures are older "
        "than this (a background job, checked every 15 minutes from a minute after start); "
        "0: only on demand.",
    )
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (the client address counts failed logins). Empty: "
        "none, the connecting address is the client.",
    )
    default_locale: Literal["vi", "en"] = Field(
        default="vi", description="Language of the interface when the user has not chosen one."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Server log level."
    )

    @model_validator(mode="after")
    def _refuse_default_secrets(self) -> Settings:
        if self.demo:
            return self
        if self.secret_key.get_secret_value() in ("", DEFAULT_SECRET):
            raise ConfigurationError(
                "RARECARE_SECRET_KEY is missing or the default; set a long random value "
                "(or RARECARE_DEMO=true for a demonstration)."
            )
        if self.data_key is None and self.data_key_file is None:
            raise ConfigurationError(
                "RARECARE_DATA_KEY is missing; set base64 of 32 random bytes "
                "(or RARECARE_DEMO=true for a demonstration)."
            )
        _ = self.identity_key  # a malformed key is refused now, not at the first patient
        return self

    @property
    def cookies_secure(self) -> bool:
        return (not self.demo) if self.secure_cookies is None else self.secure_cookies

    @property
    def cache_dir(self) -> Path:
        """The knowledge-base binary cache and other derived files."""
        return self.var_dir / "cache"

    @property
    def uploads_dir(self) -> Path:
        return self.var_dir / "uploads"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @cached_property
    def secret(self) -> bytes:
        """The session/CSRF secret; in demo mode a generated one is kept in the var dir."""
        value = self.secret_key.get_secret_value()
        if value in ("", DEFAULT_SECRET):
            return base64.b64decode(self._demo_keys()["secret_key"])
        return value.encode()

    @cached_property
    def identity_key(self) -> bytes:
        """The 32-byte identity-store key; in demo mode a generated one from the var dir."""
        if self.data_key is not None:
            return decode_key(self.data_key.get_secret_value())
        if self.data_key_file is not None:
            return read_key_file(self.data_key_file, "RARECARE_DATA_KEY_FILE")
        return base64.b64decode(self._demo_keys()["data_key"])

    @cached_property
    def previous_identity_key(self) -> bytes | None:
        if self.previous_data_key is None:
            return None
        return decode_key(self.previous_data_key.get_secret_value(), "RARECARE_PREVIOUS_DATA_KEY")

    def _demo_keys(self) -> dict[str, str]:
        path = self.var_dir / "demo-keys.json"
        if path.exists():
            keys: dict[str, str] = json.loads(path.read_text())
            return keys
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = {
            "secret_key": base64.b64encode(secrets.token_bytes(32)).decode(),
            "data_key": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        path.write_text(json.dumps(keys))
        path.chmod(0o600)
        return keys


def decode_key(value: str, name: str = "RARECARE_DATA_KEY") -> bytes:
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be base64 of 32 bytes.") from exc
    if len(key) != 32:
        raise ConfigurationError(f"{name} must be base64 of exactly 32 bytes.")
    return key


def read_key_file(path: Path, name: str) -> bytes:
    """A data key from a file (base64 text, as `python -c "import secrets,base64; ..."` prints)."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{name}: cannot read {path}: {exc}") from exc
    return decode_key(text, name)
