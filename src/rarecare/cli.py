"""The ``rarecare`` command line: one sub-command group per package.

The packages' groups are loaded when they are run, not before: ``rarecare --help`` and
``rarecare db upgrade`` do not import the diagnosis engine, the PDF writer or the registry.
Their names and one-line help are listed in ``LAZY`` (a test keeps it in step with the groups'
own help)."""

from __future__ import annotations

import importlib
import sys
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
import typer._click as click  # Typer's own click (it vendors one since 0.2x)
from pydantic import ValidationError
from typer.core import TyperCommand, TyperGroup

from rarecare.access import SYSTEM, Role
from rarecare.clikit import OPERATOR, fail, knowledge, load_settings, session_scope

# name → (module, attribute: a Typer group or a command function, one-line help)
LAZY: dict[str, tuple[str, str, str]] = {
    "catalogue": (
        "rarecare.catalogue.cli",
        "catalogue_app",
        "The disease catalogue (ORPHA, OMIM, ICD-10, genes).",
    ),
    "hpo": ("rarecare.catalogue.cli", "hpo_app", "Human Phenotype Ontology terms."),
    "lists": (
        "rarecare.lists.cli",
        "lists_app",
        "The national rare disease list and the rare drug list.",
    ),
    "registry": ("rarecare.registry.cli", "registry_app", "The pseudonymised patient registry."),
    "care": ("rarecare.care.cli", "care_app", "Care: therapy plans, schedules, demand, travel."),
    "research": (
        "rarecare.research.cli",
        "research_app",
        "Research access: data access requests and the data access committee.",
    ),
    "network": (
        "rarecare.network.cli",
        "network_app",
        "The care network: referrals, laboratory samples, newborn screening.",
    ),
    "plan": (
        "rarecare.monitoring.cli",
        "plan_app",
        "The national action plan: workbook, status.",
    ),
    "report": ("rarecare.monitoring.cli", "report_app", "Reports of the steering committee."),
    "indicators": (
        "rarecare.monitoring.indicator_cli",
        "indicators_app",
        "National indicators: refresh, show, export.",
    ),
    "finance": ("rarecare.finance.cli", "finance_app", "Finance: coverage rules, budget impact."),
    "bench": (
        "rarecare.diagnosis.cli",
        "bench_app",
        "Benchmarks that belong to the product (accuracy on real cases).",
    ),
    "diagnose": (
        "rarecare.diagnosis.cli",
        "diagnose",
        "Rank rare diseases for a patient's phenotype (HPO terms in, diseases with reasons out).",
    ),
}


def load_lazy(name: str) -> click.Command:
    """The command or group ``name`` of ``LAZY``, imported now."""
    module, attribute, _help = LAZY[name]
    target = getattr(importlib.import_module(module), attribute)
    if isinstance(target, typer.Typer):
        command: click.Command = typer.main.get_group(target)
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root group: the packages' groups are imported when run; help lists them from
    ``LAZY`` without importing them."""

    listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY:
            return found
        if self.listing:  # the help page needs only the name and the line of help
            short = LAZY[cmd_name][2]
            return TyperCommand(cmd_name, help=short, short_help=short)
        return load_lazy(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    cls=LazyGroup,
    help="RareCare: national rare disease management. Settings come from RARECARE_* variables.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
demo_app = typer.Typer(help="Demonstration data.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes (PostgreSQL: one per core).")
    ] = 1,
) -> None:
    """Serve the web application and API."""
    import uvicorn

    from rarecare.app import create_app

    settings = load_settings()
    typer.echo(f"RareCare on http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)")
    if settings.demo:
        _print_demo_logins()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": settings.log_level,
        # forwarded headers only from the configured proxies: anyone else could spoof them
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
        # the app logs each request itself, without the query string (it may hold clinical
        # values: a name searched for, HPO terms)
        "access_log": False,
    }
    if workers == 1:
        uvicorn.run(create_app(settings), **options)
    else:
        _serve_workers(workers, options)


def _serve_workers(workers: int, options: dict[str, Any]) -> None:
    """Several server processes on one socket, each building its application from the same
    environment. The socket is bound here with its protocol named (IPPROTO_TCP): uvicorn's
    own leaves it 0, and asyncio then never sets TCP_NODELAY on the connections, which adds a
    delayed-ACK wait (~40 ms) to every response on a kept-alive connection."""
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "rarecare.app:app_from_environment", factory=True, workers=workers, **options
    )
    family = socket.AF_INET6 if ":" in str(options["host"]) else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((options["host"], options["port"]))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the database migrations (SQLite or PostgreSQL)."""
    from rarecare.storage import make_engine
    from rarecare.storage.migrate import current_revision, upgrade

    settings = load_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine, revision)
    typer.echo(f"database at revision {current_revision(engine)}")
    engine.dispose()


@db_app.command("backup")
def db_backup(
    out: Annotated[
        Path | None,
        typer.Option(help="Backup file (default: var/backups/rarecare-YYYYMMDD-HHMMSS.*)"),
    ] = None,
) -> None:
    """A consistent backup of the whole database (SQLite online backup, or pg_dump), readable
    by its owner only. It holds identities encrypted; the data key is never in it: keep the key
    apart (see docs/operations.md)."""
    from rarecare.errors import RareCareError
    from rarecare.storage import backup

    settings = load_settings()
    target = out or backup.default_name(settings.var_dir / "backups", settings.database_url)
    try:
        backup.backup(settings.database_url, target)
    except RareCareError as exc:
        fail(exc)
    typer.echo(f"backed up to {target} ({target.stat().st_size:,} bytes)")


@db_app.command("restore")
def db_restore(
    source: Annotated[Path, typer.Argument(help="A file written by `rarecare db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the whole database with a backup (stop the server first). The database must be
    used with the data key it was backed up with."""
    from rarecare.errors import RareCareError
    from rarecare.storage import backup, make_engine
    from rarecare.storage.migrate import current_revision

    settings = load_settings()
    if not yes:
        typer.confirm(f"Replace every record of {settings.database_url} with {source}?", abort=True)
    try:
        backup.restore(settings.database_url, source)
    except RareCareError as exc:
        fail(exc)
    engine = make_engine(settings.database_url)
    typer.echo(f"restored {source}: database at revision {current_revision(engine)}")
    engine.dispose()
    typer.echo("run `rarecare db upgrade` if the backup is older than this version")


@demo_app.command("load")
def demo_load(
    patients: Annotated[
        int, typer.Option(help="Synthetic patients to add when the registry is empty")
    ] = 500,
) -> None:
    """Load the demonstration centres, logins, lists and (into an empty registry) a synthetic
    patient population. Idempotent."""
    from rarecare.demo import care as demo_care
    from rarecare.demo import network as demo_network
    from rarecare.demo import service as demo
    from rarecare.monitoring import indicators
    from rarecare.registry import keys

    settings = load_settings()
    kb = knowledge(settings)
    with session_scope(settings) as session:
        added = demo.load(session=session, kb=kb)
        if patients and demo.registry_is_empty(session=session):
            generated = demo.generate_patients(
                session=session,
                kb=kb,
                vault=keys.vault_for(session=session, settings=settings),
                n=patients,
            )
            added["synthetic patients"] = generated["patients"]
        added |= demo_care.seed(
            session=session,
            kb=kb,
            vault=keys.vault_for(session=session, settings=settings),
            with_patients=patients > 0,
        )
        added |= demo_network.seed(
            session=session, kb=kb, vault=keys.vault_for(session=session, settings=settings)
        )
    with session_scope(settings) as session:  # the dashboards start with figures
        quarters = indicators.recent_quarters(date.today())
        for quarter in quarters:
            indicators.refresh(session=session, principal=SYSTEM, period=quarter)
        added["indicator periods"] = len(quarters)
    typer.echo("demo data: " + ", ".join(f"{v} {k} added" for k, v in added.items()))
    _print_demo_logins()


@demo_app.command("generate")
def demo_generate(
    patients: Annotated[int, typer.Option(help="How many synthetic patients to register")] = 500,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same population)")] = 2025,
) -> None:
    """Register a realistic synthetic patient population (after `demo load`)."""
    from rich.progress import Progress

    from rarecare.demo import service as demo
    from rarecare.registry import keys

    settings = load_settings()
    kb = knowledge(settings)
    with session_scope(settings) as session, Progress(transient=True) as bar:
        task = bar.add_task(f"registering {patients} synthetic patients", total=patients)
        counts = demo.generate_patients(
            session=session,
            kb=kb,
            vault=keys.vault_for(session=session, settings=settings),
            n=patients,
            seed=seed,
            progress=partial(bar.advance, task),
        )
    typer.echo(
        f"registered {counts['patients']} synthetic patients "
        f"({counts['duplicates']} skipped as duplicates)"
    )


def _print_demo_logins() -> None:
    from rarecare.demo.service import DEMO_LOGINS

    typer.echo("Demo logins (user name / password / role / centre):")
    for login in DEMO_LOGINS:
        typer.echo(
            f"  {login.username:<10} {login.password:<22} {login.role.value:<13} "
            f"{login.centre_code or '-'}"
        )


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="Lower-case login name.")],
    role: Annotated[Role, typer.Option(help="admin, ministry, clinician or data_manager.")],
    centre: Annotated[
        str | None, typer.Option(help="Centre code (clinician, data_manager).")
    ] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in the interface.")] = "",
    password: Annotated[
        str | None, typer.Option(help="Password (at least 10 characters); asked for if omitted.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the new user as JSON.")] = False,
) -> None:
    """Create a user account."""
    from rarecare.accounts import service as accounts
    from rarecare.accounts.schemas import UserIn, UserOut

    settings = load_settings()
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserIn(
            username=username,
            password=password,
            role=role,
            centre_code=centre,
            display_name=display_name,
        )
    except ValidationError as exc:
        fail(exc)
    with session_scope(settings) as session:
        user = accounts.create_user(session=session, principal=OPERATOR, data=data)
        out = UserOut.model_validate(user)
    if as_json:
        typer.echo(out.model_dump_json(indent=2))
    else:
        typer.echo(f"created user {out.username} ({out.role.value})")


def _user_id(session: Any, username: str) -> int:
    from rarecare.accounts import service as accounts
    from rarecare.errors import NotFound

    user = accounts.get_user_by_username(session=session, username=username)
    if user is None:
        raise NotFound(f"No user {username!r}.")
    return user.id


def _set_active(username: str, active: bool) -> None:
    from rarecare.accounts import service as accounts

    with session_scope(load_settings()) as session:
        uid = _user_id(session, username)
        accounts.set_active(session=session, principal=OPERATOR, user_id=uid, active=active)
    typer.echo(f"{'enabled' if active else 'disabled'} {username}")


@users_app.command("disable")
def users_disable(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Disable a user: no login, every session ends."""
    _set_active(username, False)


@users_app.command("enable")
def users_enable(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Enable a disabled user again."""
    _set_active(username, True)


@users_app.command("reset-password")
def users_reset_password(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Set a new password (asked for, never on the command line); every session ends."""
    from rarecare.accounts import service as accounts

    password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with session_scope(load_settings()) as session:
        uid = _user_id(session, username)
        accounts.reset_password(
            session=session, principal=OPERATOR, user_id=uid, new_password=password
        )
    typer.echo(f"new password set for {username}; their sessions have ended")


@users_app.command("revoke-sessions")
def users_revoke_sessions(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """End every login session of a user."""
    from rarecare.accounts import service as accounts

    with session_scope(load_settings()) as session:
        uid = _user_id(session, username)
        ended = accounts.revoke_sessions(session=session, principal=OPERATOR, user_id=uid)
    typer.echo(f"ended {ended} sessions of {username}")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
