"""The operators' command groups of `kotopolku`: the Koto-AJ hand-over (`export`), what could not be
processed (`dead-letters`) and what Temporal refused (`workflow-commands`). Added to the `kotopolku`
command at the end of services/cli.py."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from services.cli import fail, get_settings
from services.cli_database import with_database
from services.runner import Runtime
from shared.settings import Settings


@click.group()
def export() -> None:
    """Hand-over data sets for the national registers."""


@export.command("koto-aj")
@click.option("--from", "period_from", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="first day (YYYY-MM-DD)")
@click.option("--to", "period_to", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), help="last day (YYYY-MM-DD)")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="directory for the data set")
@click.option("--municipality", "municipalities", multiple=True, help="only these municipalities' clients (repeatable; default all)")
def export_koto_aj(period_from, period_to, out: Path, municipalities: tuple[str, ...]) -> None:
    """The assessments, plans, measures, reviews, extensions and closures of clients the
    municipality leads, recorded in the period and not handed over before (docs/koto-aj.md). Prints DIR."""
    import getpass

    from services.export import ExportRefused, export_koto_aj as run_export

    settings = get_settings()
    try:
        done = asyncio.run(run_export(
            settings, period_from=period_from.date(), period_to=period_to.date(), out=out,
            municipalities=list(municipalities), operator=getpass.getuser(),
        ))
    except ExportRefused as refused:
        fail(str(refused))
    if done.export_id is None:
        click.echo("nothing new or changed since the last export: nothing written")
    else:
        click.echo(f"{done.export_id}: " + ", ".join(f"{kind} {count}" for kind, count in done.counts.items()))
    click.echo(str(out))


@click.group("dead-letters")
def dead_letters() -> None:
    """What could not be processed: look at it, and send it back once the cause is fixed."""


def dead_letter_queues(settings: Settings) -> list[str]:
    runtime = Runtime(settings)
    return sorted({sub.dead_letter_queue for parts in runtime.parts.values() for sub in parts.subscriptions})


@dead_letters.command("list")
def dead_letters_list() -> None:
    """Each dead-letter queue: how many messages, and their reasons."""
    from shared.dead_letters import summarise

    settings = get_settings()
    for queue in dead_letter_queues(settings):
        summary = asyncio.run(summarise(settings.amqp_url, queue))
        click.echo(f"{queue}: {summary.count}")
        for reason, count in summary.reasons.most_common(10):
            click.echo(f"  {count} × {reason}")


@dead_letters.command("replay")
@click.argument("queue")
@click.option("--limit", type=click.IntRange(min=1), help="at most this many messages")
def dead_letters_replay(queue: str, limit: int | None) -> None:
    """Send the messages of QUEUE (e.g. kotopolku.inbound.dead) back where they came from."""
    from shared.dead_letters import replay

    settings = get_settings()
    if queue not in dead_letter_queues(settings):
        fail(f"{queue} is not a dead-letter queue of Kotopolku ({', '.join(dead_letter_queues(settings))})")
    sent = asyncio.run(replay(settings.amqp_url, queue, limit=limit))
    click.echo(f"{sent} messages sent back from {queue}")


@click.group("workflow-commands")
def workflow_commands() -> None:
    """Workflow starts and signals Temporal refused: look at them, and send them again once the cause is fixed."""


def command_services(settings: Settings) -> list[str]:
    """The services that send workflow commands (each has its own table of them)."""
    return [name for name, parts in Runtime(settings).parts.items() if parts.sends_workflow_commands]


@workflow_commands.command("list")
def workflow_commands_list() -> None:
    """Each service's given-up commands, with Temporal's answer."""
    from shared.workflow_commands import given_up

    settings = get_settings()
    for service in command_services(settings):
        rows = asyncio.run(with_database(settings, service, given_up))
        click.echo(f"{service}: {len(rows)}")
        for row in rows:
            what = row.workflow_type if row.kind == "start" else row.signal
            click.echo(f"  {row.id}\t{row.kind} {what}\t{row.workflow_id}\t{row.last_error}")


@workflow_commands.command("replay")
@click.argument("service")
@click.option("--id", "ids", type=int, multiple=True, help="only this command (repeatable)")
def workflow_commands_replay(service: str, ids: tuple[int, ...]) -> None:
    """Send SERVICE's given-up commands (e.g. intake) again; a running relay sends them within its poll interval (a second)."""
    from shared.workflow_commands import replay_given_up

    settings = get_settings()
    services = command_services(settings)
    if service not in services:
        fail(f"{service} sends no workflow commands ({', '.join(services)})")
    replayed = asyncio.run(with_database(settings, service, lambda database: replay_given_up(database, list(ids) or None)))
    click.echo(f"{replayed} workflow commands of {service} will be sent again")
