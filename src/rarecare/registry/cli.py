"""``rarecare registry ...``: bulk import and export."""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from rarecare.access import Principal, Role
from rarecare.centres import service as centres
from rarecare.clikit import OPERATOR, fail, knowledge, load_settings, session_scope
from rarecare.registry import bulk

registry_app = typer.Typer(help="The pseudonymised patient registry.", no_args_is_help=True)


@registry_app.command("template")
def template(
    fmt: Annotated[str, typer.Option("--format", help="csv or xlsx")] = "csv",
    out: Annotated[
        Path | None, typer.Option(help="File to write (default: standard output)")
    ] = None,
) -> None:
    """The import template with one example row."""
    data = bulk.template(fmt)
    if out is None:
        typer.echo(data.decode("utf-8-sig"), nl=False)
    else:
        out.write_bytes(data)
        typer.echo(f"wrote {out}")


@registry_app.command("import")
def import_(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV or XLSX following the template")
    ],
    centre: Annotated[str, typer.Option(help="Code of the centre the patients are registered at")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and report; write nothing")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            help="Processes that check and prepare large files (default: one per CPU; 0: none)"
        ),
    ] = os.cpu_count() or 1,
) -> None:
    """Register patients from a file: every row or none; each problem names its row and column."""
    settings = load_settings()
    kb = knowledge(settings)
    from rich.progress import Progress

    from rarecare.registry import keys

    with session_scope(settings) as session, Progress(transient=True) as bar:
        vault = keys.vault_for(session=session, settings=settings)
        centre_id = centres.get_centre_by_code(session=session, code=centre).id
        operator = Principal(user_id=0, username="cli", role=Role.DATA_MANAGER, centre_id=centre_id)
        task = bar.add_task(f"checking {path.name}", total=None)
        report = bulk.import_patients(
            session=session,
            principal=operator,
            kb=kb,
            vault=vault,
            content=path.read_bytes(),
            filename=path.name,
            dry_run=dry_run,
            workers=workers,
            progress=partial(bar.advance, task),
        )
        if dry_run:
            session.rollback()
    prefix = "dry run, nothing written: " if dry_run else ""
    typer.echo(
        f"{prefix}{report['rows']} rows checked, {report['written']} patients registered, "
        f"{report['possible_duplicates']} possible duplicates flagged"
    )


@registry_app.command("export")
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, phenopacket or fhir")] = "csv",
    out: Annotated[
        Path | None, typer.Option(help="File (folder for phenopackets) to write")
    ] = None,
) -> None:
    """Export the pseudonymised registry (no identities)."""
    settings = load_settings()
    kb = knowledge(settings)
    if fmt not in ("csv", "xlsx", "phenopacket", "fhir"):
        fail("--format must be csv, xlsx, phenopacket or fhir", code=2)
    with session_scope(settings) as session:
        if fmt == "phenopacket":
            folder = out or Path("rarecare-phenopackets")
            folder.mkdir(parents=True, exist_ok=True)
            written = 0
            for document in bulk.export_phenopackets(session=session, principal=OPERATOR, kb=kb):
                pseudonym = json.loads(document)["subject"]["id"]
                (folder / f"{pseudonym}.json").write_text(document, encoding="utf-8")
                written += 1
            typer.echo(f"wrote {written} phenopackets to {folder}")
            return
        target = out or Path(f"rarecare-registry.{'json' if fmt == 'fhir' else fmt}")
        if fmt == "fhir":
            bundle, problems = bulk.export_fhir(session=session, principal=OPERATOR, kb=kb)
            target.write_text(bundle, encoding="utf-8")
            for problem in problems:
                typer.echo(f"left out {problem}", err=True)
        else:
            with target.open("wb") as fh:
                count = bulk.export_table(session=session, principal=OPERATOR, fmt=fmt, target=fh)
            typer.echo(f"{count} records")
    typer.echo(f"wrote {target}")


@registry_app.command("reanalyze")
def reanalyze_command() -> None:
    """Re-rank every undiagnosed, suspected or probable patient with the current knowledge base and
    raise alerts where a new disease enters the top 5 or a probability jumps."""
    from rich.progress import Progress

    from rarecare.diagnosis import service as diagnosis
    from rarecare.registry import reanalysis

    settings = load_settings()
    kb = knowledge(settings)
    engine = diagnosis.engine_for(kb, settings.cache_dir)
    with session_scope(settings) as session, Progress(transient=True) as bar:
        task = bar.add_task("re-analysing open cases", total=None)
        counts = reanalysis.reanalyze(
            session=session, principal=OPERATOR, engine=engine, progress=partial(bar.advance, task)
        )
    typer.echo(
        f"re-analysed {counts['patients']} patients: {counts['alerts']} alerts, "
        f"{counts['skipped']} without observed phenotype, {counts['failed']} that could not "
        "be ranked (see the log)"
    )


@registry_app.command("rotate-key")
def rotate_key(
    new_key_file: Annotated[
        Path | None,
        typer.Option(
            help="File holding the new data key (base64); default: RARECARE_NEW_DATA_KEY",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Re-encrypt every identity under a new data key, in batches: resumable (run it again to go
    on) and naming any record it cannot decrypt. Pseudonyms do not change. RARECARE_DATA_KEY is
    the key in force; the new one comes from RARECARE_NEW_DATA_KEY or --new-key-file, never
    from the command line. Then run the server with RARECARE_DATA_KEY set to the new key."""
    from rich.progress import Progress

    from rarecare.config import decode_key, read_key_file
    from rarecare.errors import ConfigurationError
    from rarecare.registry import keys
    from rarecare.storage import make_engine, make_sessionmaker

    settings = load_settings()
    try:
        if new_key_file is not None:
            new_key = read_key_file(new_key_file, "--new-key-file")
        elif os.environ.get("RARECARE_NEW_DATA_KEY"):
            new_key = decode_key(os.environ["RARECARE_NEW_DATA_KEY"], "RARECARE_NEW_DATA_KEY")
        else:
            fail("give the new key in RARECARE_NEW_DATA_KEY or a --new-key-file", code=2)
    except ConfigurationError as exc:
        fail(exc, code=2)
    engine = make_engine(settings.database_url)
    try:
        with Progress(transient=True) as bar:
            task = bar.add_task("re-encrypting identities", total=None)
            result = keys.rotate(
                sessions=make_sessionmaker(engine),
                principal=OPERATOR,
                key=settings.identity_key,
                new_key=new_key,
                previous=settings.previous_identity_key,
                progress=partial(bar.advance, task),
            )
    except ConfigurationError as exc:
        fail(exc, code=2)
    finally:
        engine.dispose()
    typer.echo(f"key version {result.version}: {result.moved} identities re-encrypted")
    for pseudonym in result.unreadable:
        typer.echo(f"could not decrypt the identity of {pseudonym}", err=True)
    if result.finished:
        typer.echo(
            "done: set RARECARE_DATA_KEY to the new key (pseudonyms are unchanged) and keep "
            "the old key in the safe"
        )
    else:
        typer.echo(
            f"{result.remaining} identities are still under the old key: run the server with "
            "RARECARE_DATA_KEY=<new> and RARECARE_PREVIOUS_DATA_KEY=<old>, and run this again"
        )
        raise typer.Exit(1)


@registry_app.command("index-identities")
def index_identities_command() -> None:
    """Index the identities registered before the blind index existed, so that staff can find
    those people by national ID, insurance number or full name (resumable: records already
    indexed are skipped)."""
    from rich.progress import Progress

    from rarecare.registry import browse, keys

    settings = load_settings()
    with session_scope(settings) as session, Progress(transient=True) as bar:
        task = bar.add_task("indexing identities", total=None)
        vault = keys.vault_for(session=session, settings=settings)
        done = browse.index_identities(
            session=session,
            principal=OPERATOR,
            vault=vault,
            progress=lambda n: bar.update(task, completed=n),
        )
    typer.echo(f"indexed {done} identities")
