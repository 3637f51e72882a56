import base64

import pytest

from rarecare.config import Settings
from rarecare.errors import ConfigurationError

GOOD_KEY = base64.b64encode(b"k" * 32).decode()


def test_it_refuses_to_start_outside_demo_mode_with_the_default_secret() -> None:
    with pytest.raises(ConfigurationError, match="RARECARE_SECRET_KEY"):
        Settings(demo=False, data_key=GOOD_KEY)


def test_it_refuses_to_start_outside_demo_mode_without_a_data_key() -> None:
    with pytest.raises(ConfigurationError, match="RARECARE_DATA_KEY"):
        Settings(demo=False, secret_key="a-long-random-production-secret")


def test_it_rejects_a_data_key_that_is_not_32_bytes() -> None:
    short = base64.b64encode(b"short").decode()
    with pytest.raises(ConfigurationError, match="32 bytes"):
        Settings(demo=False, secret_key="a-long-random-production-secret", data_key=short)


def test_it_reads_rarecare_variables_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RARECARE_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("RARECARE_DEMO", "true")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.demo is True
    assert not settings.is_sqlite


def test_it_generates_and_keeps_demo_keys_in_the_var_dir(tmp_path: object) -> None:
    first = Settings(demo=True, var_dir=tmp_path)
    second = Settings(demo=True, var_dir=tmp_path)
    assert len(first.identity_key) == 32
    assert first.identity_key == second.identity_key
    assert first.secret == second.secret


def test_it_uses_secure_cookies_outside_demo_mode() -> None:
    production = Settings(
        demo=False, secret_key="a-long-random-production-secret", data_key=GOOD_KEY
    )
    assert production.cookies_secure is True
    assert Settings(demo=True).cookies_secure is False
