"""`kotopolku employers`: the employers of the recruitment-notice API and their keys
(docs/recruitment-notices.md). Added to the `kotopolku` command at the end of services/cli.py."""

from __future__ import annotations

import click

from services.cli import fail
from services.cli_database import run_in_service


@click.group()
def employers() -> None:
    """Employers and their API keys for the recruitment-notice API (only a hash of a key is kept)."""


def employer_work(work):
    """Run `work(session)` in the intake database; an EmployerError ends the command with its reason."""
    from services.intake.employers import service

    try:
        return run_in_service("intake", work)
    except service.EmployerError as error:
        fail(str(error))


def echo_new_key(key: str) -> None:
    # Scripts read the key from the last line of standard output.
    click.echo("The API key is shown only this once; only its hash is kept. The employer sends it in the X-API-Key header:")
    click.echo(key)


@employers.command("create")
@click.option("--business-id", required=True, help="Y-tunnus, e.g. 0112038-9")
@click.option("--name", required=True)
def employers_create(business_id: str, name: str) -> None:
    """Register an employer and print its new API key (on the last line)."""
    from services.intake.employers import service

    employer, key = employer_work(lambda session: service.create_employer(session, business_id=business_id, name=name))
    click.echo(f"Registered {employer.name} ({employer.business_id}).")
    echo_new_key(key)


@employers.command("rotate")
@click.option("--business-id", required=True)
def employers_rotate(business_id: str) -> None:
    """Give the employer a new API key (printed on the last line); the old key stops working at once.
    Also re-enables a revoked employer."""
    from services.intake.employers import service

    employer, key = employer_work(lambda session: service.rotate_employer_key(session, business_id=business_id))
    click.echo(f"New key for {employer.name} ({employer.business_id}); the old key no longer works.")
    echo_new_key(key)


@employers.command("revoke")
@click.option("--business-id", required=True)
def employers_revoke(business_id: str) -> None:
    """Stop accepting the employer's API key (`rotate` issues a new one)."""
    from services.intake.employers import service

    employer = employer_work(lambda session: service.revoke_employer(session, business_id=business_id))
    click.echo(f"Revoked the API key of {employer.name} ({employer.business_id}).")


@employers.command("list")
def employers_list() -> None:
    from services.intake.employers import service

    registered = employer_work(service.list_employers)
    if not registered:
        click.echo("No employers are registered.")
    for employer in registered:
        click.echo(f"{employer.business_id}\t{'active' if employer.active else 'revoked'}\t{employer.name}")
