"""``rarecare research ...``: the register of data access requests, and the data access
committee (on a new install an operator names its first members here or on /research/committee)."""

from __future__ import annotations

from typing import Annotated

import typer

from rarecare.clikit import OPERATOR, load_settings, session_scope

research_app = typer.Typer(
    help="Research access: data access requests and the data access committee.",
    no_args_is_help=True,
)


@research_app.command("requests")
def requests(
    status: Annotated[
        str | None, typer.Option(help="Only this status (submitted, under_review, approved...)")
    ] = None,
) -> None:
    """The register of submitted requests: number, status, applicant, expiry, title."""
    from rarecare.research import service

    with session_scope(load_settings()) as session:
        for r in service.listing(session=session, principal=OPERATOR):
            if status is None or r.status.value == status:
                expires = r.expires_on.isoformat() if r.expires_on else "-"
                typer.echo(f"{r.id}\t{r.status.value}\t{r.applicant}\t{expires}\t{r.title}")


@research_app.command("committee-add")
def committee_add(
    username: Annotated[str, typer.Argument(help="A user who is not an applicant")],
    organisation: Annotated[str, typer.Argument(help="The organisation's code in the directory")],
) -> None:
    """Put a user on the data access committee, for an organisation of the directory."""
    from rarecare.research import committee
    from rarecare.research.schemas import MemberIn

    with session_scope(load_settings()) as session:
        committee.add_member(
            session=session,
            principal=OPERATOR,
            data=MemberIn(username=username, organisation_code=organisation),
        )
    typer.echo(f"{username} is on the data access committee for {organisation}")


@research_app.command("committee")
def committee_list() -> None:
    """The data access committee: member and organisation."""
    from rarecare.research import committee

    with session_scope(load_settings()) as session:
        for member, username, org in committee.members(session=session):
            typer.echo(f"{member.id}\t{username}\t{org.code}\t{org.name}")
