"""The fault suite: Kotopolku keeps "nothing lost, nothing twice" while its parts fail.

    make faults        (or: .venv/bin/python tests/faults/run.py [--count 300] [--rounds 1,3])

Starts its OWN RabbitMQ node, PostgreSQL cluster and Temporal dev server on free ports, in a
temporary directory, so the machine's shared broker and database (which other test runs use at the
same time) are never touched; runs Kotopolku as `make run` does (`kotopolku run`, a producing source
registered with `kotopolku sources add`); and in separate rounds publishes a burst of distinct
resident registrations and, while they are being processed:

  1. kills Kotopolku (`run` and its worker process) with SIGKILL and starts it again;
  2. kills Kotopolku and its Temporal server with SIGKILL and starts both again;
  3. restarts RabbitMQ (stop_app, a pause, start_app);
  4. restarts PostgreSQL (services on PostgreSQL: KOTOPOLKU_DATABASE_URL);
  5. stops Temporal for longer than the whole consumer retry budget, then starts it;
  6. stops the whole RabbitMQ node for 15 s, then starts it;
  7. (on request: --rounds 7) freezes Temporal (SIGSTOP) for 20 s, then lets it go on;
  8. restarts Temporal with a rate limit so low that it answers RESOURCE_EXHAUSTED for 30 s (on
     until Kotopolku has met one, at most 2 min) mid-burst, then without it (the round fails if
     Kotopolku never met a RESOURCE_EXHAUSTED);
  9. takes a webhook receiver subscribed to the case events down mid-burst (connection refused
     for half of --webhook-outage seconds, then 503 for the other half), then up: every case event
     published on kotopolku.events is acknowledged once, none twice by webhook-id (faults/webhooks.py).
 10. kills `run`'s worker process alone with SIGKILL: `run` must end too, non-zero, and is started again.

Every round runs with a short retry budget (KOTOPOLKU_RETRY_DELAYS_SECONDS), so an outage that
spent the retries meant for bad data would show up as dead letters. After each round it waits for
the system to settle and checks through the staff API (`GET /api/v1/cases?q=…`, every page) that
every published client has exactly one case, in stage `assessment` with status
`awaiting_assessment`, that no message sits in a dead-letter queue and no queue holds messages
nobody consumes. One line per round; the exit status is non-zero on any loss, double, dead letter,
or a fault this machine cannot produce (it says which and why: it never passes silently).

`--webhook-outage` is 60 s by default (the issue's 5 minutes: `--webhook-outage 300`): long enough
for the burst to go on behind it and for the retry schedule to reach its cap several times, short
enough to keep the whole suite within a quarter of an hour.
"""

from __future__ import annotations

import argparse
import asyncio
from urllib.parse import urlsplit
import os
import shutil
import signal
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

from faults.servers import RETRY_DELAYS, CannotProduce, Kotopolku, Postgres, RabbitNode, TemporalServer, wait_for  # noqa: E402
from faults.webhooks import Deliveries, WebhookWatch  # noqa: E402
from support import PRODUCER, event, person, registration  # noqa: E402

ID_NAMESPACE = uuid.UUID("0f8c8f5e-51a4-4c84-9a7e-4b7d1c0f6b10")  # intake names clients by (source, external_ref)
EXPECTED = ("assessment", "awaiting_assessment")  # (stage, status) of a registered client's case
MUNICIPALITY = "109"


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
    webhooks: Deliveries | None = None  # round 9: what the webhook receiver got

    @property
    def ok(self) -> bool:
        webhooks_ok = self.webhooks is None or self.webhooks.ok
        return webhooks_ok and not (self.problem or self.lost or self.doubled or self.wrong_status or self.dead_lettered or self.stranded)


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
    webhooks: bool = False  # a webhook receiver subscribed to the case events (suite.watch)


class Suite:
    def __init__(self, workdir: Path, count: int, settle_timeout: float, webhook_outage: float = 60) -> None:
        self.workdir = workdir
        self.count = count
        self.settle_timeout = settle_timeout
        self.webhook_outage = webhook_outage
        self.watch: WebhookWatch | None = None  # the round's webhook receiver, when it has one
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
            if round.webhooks:
                self.watch = WebhookWatch(self.rabbit, MUNICIPALITY, self.webhook_outage)
                await self.watch.prepare(kotopolku)
            await kotopolku.start()
            if self.watch:
                await self.watch.watch()
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
            if self.watch:
                outcome.webhooks = await self.watch.judge(len(people), self.settle_timeout)
                outcome.notes += outcome.webhooks.notes
            outcome.seconds = time.monotonic() - started
        except CannotProduce as error:
            outcome.problem = f"could not produce the fault on this machine: {error}"
        except Exception as error:  # the round could not be judged: that fails it, it never passes
            outcome.problem = f"the round broke off: {type(error).__name__}: {error}"
        finally:
            if kotopolku is not None:
                kotopolku.stop()
            if self.watch:
                await self.watch.stop()
                self.watch = None
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


async def kill_worker_process(suite: Suite, kotopolku: Kotopolku) -> None:
    kotopolku.kill_worker_process()  # `run` ends on its own, non-zero
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


# Requests a second Temporal's frontend takes (for the namespace, and in all) while rate limited.
RATE_LIMITED = {"frontend.namespaceRPS": 1, "frontend.rps": 1, "frontend.globalNamespaceRPS": 1}
# How long the limit lasts: at least this long, and on until Kotopolku has met a refusal. The
# Temporal client retries a RESOURCE_EXHAUSTED itself for up to 10 s before Kotopolku sees it,
# so a refusal may take a while to surface (up to the longest).
RATE_LIMITED_SECONDS, RATE_LIMITED_AT_MOST_SECONDS = 30, 120


async def temporal_rate_limited(suite: Suite, kotopolku: Kotopolku) -> None:
    """Temporal answering RESOURCE_EXHAUSTED (a rate limit), not away: starts and signals are
    refused for a while and must be sent again, in order, none given up."""
    suite.temporal.kill(signal.SIGTERM)
    await suite.temporal.start(RATE_LIMITED)
    began, met = time.monotonic(), 0.0
    while time.monotonic() - began < RATE_LIMITED_AT_MOST_SECONDS:
        await asyncio.sleep(1)
        try:
            met = await refusals_met(kotopolku)
        except httpx.HTTPError:
            continue  # busy for a moment: look again
        if met and time.monotonic() - began >= RATE_LIMITED_SECONDS:
            break
    suite.temporal.kill(signal.SIGTERM)
    await suite.temporal.start()
    if not met:
        raise CannotProduce(f"Temporal never answered RESOURCE_EXHAUSTED with {RATE_LIMITED} (kotopolku_workflow_commands_retried_total)")


async def webhook_receiver_down(suite: Suite, kotopolku: Kotopolku) -> None:
    await suite.watch.fault()


async def refusals_met(kotopolku: Kotopolku) -> float:
    """How many workflow commands Kotopolku sent again after a RESOURCE_EXHAUSTED (its /metrics)."""
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(f"{kotopolku.base}/metrics")).text
    return sum(
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
        if line.startswith("kotopolku_workflow_commands_retried_total") and 'status="RESOURCE_EXHAUSTED"' in line
    )


ROUNDS = [
    Round(1, "kill -9 Kotopolku", kill_kotopolku),
    Round(2, "kill -9 Kotopolku and Temporal", kill_kotopolku_and_temporal),
    Round(3, "restart RabbitMQ", restart_rabbitmq),
    Round(4, "restart PostgreSQL", restart_postgres, postgres=True),
    Round(5, "Temporal away past the retry budget", temporal_away),
    Round(6, "RabbitMQ node down for 15 s", restart_rabbitmq_node),
    Round(7, "Temporal frozen for 20 s", temporal_frozen, by_default=False),
    Round(8, "Temporal answering RESOURCE_EXHAUSTED for 30 s", temporal_rate_limited),
    Round(9, "webhook receiver down", webhook_receiver_down, webhooks=True),
    Round(10, "kill -9 Kotopolku's worker process", kill_worker_process),
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
    if (webhooks := outcome.webhooks) is not None:
        text += (
            f"; webhooks: events {webhooks.expected}, delivered {webhooks.delivered}, missing {webhooks.missing}, "
            f"doubled {webhooks.doubled}, answered 503 {webhooks.refused_answers}"
        )
        if webhooks.bad_signatures:
            text += f", bad signatures {webhooks.bad_signatures}"
    return text + ("" if outcome.ok else "  <-- FAILED")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="registrations published in each round")
    parser.add_argument("--rounds", default=",".join(str(r.number) for r in ROUNDS if r.by_default), help="which rounds, e.g. 1,3,7 (default: all but 7)")
    parser.add_argument("--settle-timeout", type=float, default=150, help="seconds a round may take to settle after its fault")
    parser.add_argument(
        "--webhook-outage", type=float, default=60,
        help="seconds round 9's webhook receiver is down (half refusing connections, half answering 503); the issue's 5 minutes: 300",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, data) even when all rounds pass")
    args = parser.parse_args()
    chosen = [r for r in ROUNDS if str(r.number) in args.rounds.split(",")]

    workdir = Path(tempfile.mkdtemp(prefix="kotopolku-faults-"))
    os.chmod(workdir, 0o755)  # PostgreSQL runs as its own user below it
    suite = Suite(workdir, args.count, args.settle_timeout, args.webhook_outage)
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
