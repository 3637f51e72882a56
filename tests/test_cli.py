from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarecare.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RARECARE_DEMO", "true")
    monkeypatch.setenv("RARECARE_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("RARECARE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    return tmp_path


def test_db_upgrade_then_demo_load_is_idempotent(cli_env: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["demo", "load", "--patients", "25"])
    assert first.exit_code == 0, first.output
    assert "9 centres added" in first.output
    assert "25 synthetic patients added" in first.output
    assert "dr.an" in first.output
    second = runner.invoke(app, ["demo", "load", "--patients", "25"])
    assert "0 centres added, 0 users added, 0 list versions added" in second.output
    assert "synthetic" not in second.output


def test_users_create_scopes_a_clinician_to_a_centre(cli_env: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["demo", "load", "--patients", "0"])
    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "dr.hue",
            "--role",
            "clinician",
            "--centre",
            "HUECH",
            "--password",
            "a-long-password",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert '"role": "clinician"' in result.output


def test_users_create_explains_a_missing_centre(cli_env: Path) -> None:
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(
        app, ["users", "create", "dr.x", "--role", "clinician", "--password", "a-long-password"]
    )
    assert result.exit_code == 1
    assert "centre_code" in result.output


def test_it_refuses_to_run_without_secrets_outside_demo_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RARECARE_DEMO", raising=False)
    monkeypatch.delenv("RARECARE_SECRET_KEY", raising=False)
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "RARECARE_SECRET_KEY" in result.output


def test_every_command_has_help() -> None:
    for args in (
        ["--help"],
        ["db", "--help"],
        ["demo", "--help"],
        ["users", "create", "--help"],
        ["serve", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0
        assert "Usage" in result.output


def test_users_disable_enable_and_reset_a_password_without_it_on_the_command_line(
    cli_env: Path,
) -> None:
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["demo", "load", "--patients", "0"])
    disabled = runner.invoke(app, ["users", "disable", "dr.an"])
    assert disabled.exit_code == 0 and "disabled dr.an" in disabled.output
    assert runner.invoke(app, ["users", "enable", "dr.an"]).exit_code == 0
    reset = runner.invoke(
        app, ["users", "reset-password", "dr.an"], input="amber-lantern-orchard-9\n" * 2
    )
    assert reset.exit_code == 0, reset.output
    weak = runner.invoke(app, ["users", "reset-password", "dr.an"], input="1234567890\n" * 2)
    assert weak.exit_code == 1 and "password" in weak.output
    unknown = runner.invoke(app, ["users", "disable", "nobody"])
    assert unknown.exit_code == 1 and "nobody" in unknown.output


def test_the_help_lists_every_group_without_importing_them() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, rarecare.cli as c; "
        "from typer.testing import CliRunner; "
        "r = CliRunner().invoke(c.app, ['--help']); "
        "heavy = [m for m in ('sqlalchemy.orm', 'rarecare.diagnosis.engine', 'fpdf', "
        "'rarecare.registry.service', 'numpy') if m in sys.modules]; "
        "print(r.exit_code, heavy, 'registry' in r.output, 'diagnose' in r.output)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split("\n")[-2]
    assert out == "0 [] True True", out


def test_the_lazy_groups_help_matches_their_own() -> None:
    from rarecare.cli import LAZY, load_lazy

    for name, (_module, _attribute, short) in LAZY.items():
        command = load_lazy(name)
        assert command.name == name
        assert (command.help or "").strip().split("\n")[0] == short, name


def test_a_database_without_tables_says_how_to_create_them(cli_env: Path) -> None:
    result = runner.invoke(app, ["indicators", "show", "--period", "2026Q1"])
    assert result.exit_code == 1
    assert "run `rarecare db upgrade`" in result.output
    assert "Traceback" not in result.output
