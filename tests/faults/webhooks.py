"""The fault suite's webhook round: a real local receiver subscribed to the case events, DOWN for a
while in the middle of a burst of registrations (first refusing connections, then answering 503),
then up again. Judged by counting: every case event Kotopolku published on kotopolku.events (seen
by a witness queue of the suite's own) acknowledged by the receiver once — one `webhook-id` each,
each signature verified with the `standardwebhooks` package — and none twice.

The retry schedule is Kotopolku's own (KOTOPOLKU_WEBHOOK_FIRST_RETRY_SECONDS, doubling up to
KOTOPOLKU_WEBHOOK_MAX_RETRY_SECONDS). Its production cap (an hour) would leave the round waiting
up to an hour after the receiver is back; the round sets the cap to RETRY_CAP, as an operator who
wants a quicker recovery would (or sends the pending ones at once: `kotopolku webhooks replay`)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import aio_pika
import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from faults.servers import CannotProduce, Kotopolku, RabbitNode, wait_for
from faults.waiting import true_within
from shared.contracts import EVENTS_EXCHANGE, PUBLIC_EVENT_TYPES
from support import free_port

# The case events: what a municipality's case system subscribes to.
CASE_EVENTS = sorted(t for t in PUBLIC_EVENT_TYPES if t.startswith("fi.kotopolku.case."))
FIRST_RETRY = 1.0  # seconds; production: 10
RETRY_CAP = 15.0  # seconds; production: 3600 (see the module's docstring)


@dataclass
class Deliveries:
    """What the receiver and the witness counted."""

    expected: int = 0  # case events published on kotopolku.events
    delivered: int = 0  # of those, acknowledged by the receiver
    missing: int = 0
    doubled: int = 0  # webhook-ids acknowledged more than once, or an event under two webhook-ids
    refused_answers: int = 0  # attempts the receiver answered 503
    bad_signatures: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.doubled or self.bad_signatures)


class Receiver:
    """A case system's endpoint on 127.0.0.1: verifies each delivery's signature and counts what it
    acknowledged by `webhook-id`. `down()` stops it (connection refused); `answering(503)`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.secret = ""
        self.status = 200
        self.acknowledged: Counter[str] = Counter()  # webhook-id → times acknowledged
        self.events: dict[tuple[str, str], set[str]] = defaultdict(set)  # (source, id) → webhook-ids acknowledged
        self.refused_answers = 0
        self.bad_signatures = 0
        self.server: uvicorn.Server | None = None
        self.task: asyncio.Task | None = None

    async def app(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode(): value.decode() for name, value in scope["headers"]}
        status = self.status
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            self.bad_signatures += 1
            status = 400
        if status == 200:
            event = json.loads(body)
            self.acknowledged[headers["webhook-id"]] += 1
            self.events[(event["source"], event["id"])].add(headers["webhook-id"])
        elif status == 503:
            self.refused_answers += 1
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    async def up(self, status: int = 200) -> None:
        self.status = status
        if self.server is None:
            self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="error", lifespan="off", interface="asgi3"))
            self.task = asyncio.create_task(self.server.serve())
            await wait_for(lambda: self.server.started or self.task.done(), f"the webhook receiver listening on {self.port}", 30)
            if self.task.done():
                raise CannotProduce(f"the webhook receiver could not listen on {self.port}: {self.task.exception()}")

    async def down(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            await self.task
            self.server = self.task = None


class Witness:
    """The case events Kotopolku publishes, as a subscriber binding its own queue sees them."""

    def __init__(self, rabbit: RabbitNode) -> None:
        self.rabbit = rabbit
        self.events: set[tuple[str, str]] = set()
        self.connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self.connection = await aio_pika.connect_robust(self.rabbit.url)
        channel = await self.connection.channel()
        exchange = await channel.get_exchange(EVENTS_EXCHANGE)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        for event_type in CASE_EVENTS:
            await queue.bind(exchange, routing_key=event_type)

        async def seen(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                event = json.loads(message.body)
                self.events.add((event["source"], event["id"]))

        await queue.consume(seen)

    async def stop(self) -> None:
        if self.connection is not None:
            await self.connection.close()
            self.connection = None


class WebhookWatch:
    """Round 9's receiver and witness, and its fault: the receiver down for `outage` seconds."""

    def __init__(self, rabbit: RabbitNode, municipality: str, outage: float) -> None:
        self.municipality = municipality
        self.receiver = Receiver()
        self.witness = Witness(rabbit)
        self.outage = outage

    async def prepare(self, kotopolku: Kotopolku) -> None:
        """Before Kotopolku starts: the subscription (made as an operator makes it) and the retry schedule."""
        kotopolku.env["KOTOPOLKU_WEBHOOK_FIRST_RETRY_SECONDS"] = str(FIRST_RETRY)
        kotopolku.env["KOTOPOLKU_WEBHOOK_MAX_RETRY_SECONDS"] = str(RETRY_CAP)
        types = [option for event_type in CASE_EVENTS for option in ("--event-type", event_type)]
        self.receiver.secret = kotopolku.command("webhooks", "create", "--url", self.receiver.url, *types, "--municipality", self.municipality)
        await self.receiver.up()

    async def watch(self) -> None:
        """After Kotopolku has started (its exchanges exist), before the burst."""
        await self.witness.start()

    async def fault(self) -> None:
        refused = self.outage / 2
        await self.receiver.down()
        await asyncio.sleep(refused)
        await self.receiver.up(status=503)
        await asyncio.sleep(self.outage - refused)
        if not self.receiver.refused_answers:
            raise CannotProduce(f"no delivery was attempted during the {self.outage:g} s outage (the receiver answered no 503)")
        await self.receiver.up(status=200)

    async def judge(self, people: int, timeout: float) -> Deliveries:
        """Once every witnessed event is acknowledged (or the time is up), a moment more, then count."""
        def all_in() -> bool:
            return len(self.witness.events) >= people and self.witness.events <= set(self.receiver.events)

        started = time.monotonic()
        await true_within(all_in, timeout)
        await asyncio.sleep(3)  # a late second delivery would show up now
        counted = Deliveries(
            expected=len(self.witness.events),
            delivered=len(self.witness.events & set(self.receiver.events)),
            refused_answers=self.receiver.refused_answers,
            bad_signatures=self.receiver.bad_signatures,
        )
        counted.missing = counted.expected - counted.delivered
        twice = [webhook_id for webhook_id, times in self.receiver.acknowledged.items() if times > 1]
        split = [event for event, ids in self.receiver.events.items() if len(ids) > 1]
        counted.doubled = len(twice) + len(split)
        unexpected = set(self.receiver.events) - self.witness.events
        if len(self.witness.events) < people:
            counted.notes.append(f"only {len(self.witness.events)} case events published for {people} registrations")
            counted.missing = max(counted.missing, 1)
        if unexpected:
            counted.notes.append(f"{len(unexpected)} delivered events the witness queue never saw")
        counted.notes.append(f"receiver down {self.outage:g} s; webhooks settled {time.monotonic() - started:.1f} s after the cases")
        return counted

    async def stop(self) -> None:
        await self.witness.stop()
        await self.receiver.down()
