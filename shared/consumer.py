"""Events in over RabbitMQ, with nothing lost and nothing done twice.

A `Consumer` acknowledges a message only after the handler's transaction committed, together
with an inbox row for the event's `(source, id)`, so a redelivered duplicate has no second effect.
A message that can never be processed goes to the dead-letter queue with the reason in the
`x-kotopolku-error` header; an error that may pass is retried later through a delay queue, with
backoff, and dead-lettered when retries run out; while the handler's database is away the
consumer waits instead of spending those retries.

Messages run in parallel lanes: each event goes to the lane of the person it is about (a hash of
the identity it names them by: `external_ref` with its source, the identity code, or `client_id`),
and a lane handles its messages one at a time, in the order they came. So one client's events
never overtake each other while different clients' events are handled at once; events naming no
person share one lane. At most `in_flight` messages are taken from the broker at a time (the
channel's prefetch), so the lanes hold a bounded number of messages. Events naming one person in
different ways (a registration by `external_ref`, a move by identity code) may land in different
lanes; a handler that finds no client yet retries later, as it did when the registration was
still on its way.

A lane with messages waiting may handle up to `together` of them in one transaction (SQLite's
one writer then takes one turn and one commit for them all): consecutive events of different
people, as independent as the events other lanes handle at the same moment. If that transaction
fails, nothing of it is kept and each of its messages is handled alone, with its own outcome.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from typing import Awaitable, Callable

import aio_pika
import structlog
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractIncomingMessage
from sqlalchemy import bindparam, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import metrics
from shared.db import Database
from shared.envelope import Envelope, InvalidEvent, parse_amqp
from shared.messaging import ProcessedEvent, declare_exchanges, describe_error, utcnow
from shared.subscription import Handler, Rejected, Subscription, lane_of, person_of
from shared.tracing import SpanKind, span

log = structlog.get_logger(__name__)

# The inbox's statements, built once: asked and written for every event (an ORM `get` and `add`
# cost half as much again, docs/benchmarks.md).
_INBOX = ProcessedEvent.__table__
SEEN = select(literal(1)).where(_INBOX.c.source == bindparam("source"), _INBOX.c.event_id == bindparam("event_id"))
RECORD = insert(_INBOX)

ERROR_HEADER = "x-kotopolku-error"
ATTEMPT_HEADER = "x-kotopolku-attempt"


# What became of an event (the log's message).
PROCESSED = "event processed"
NOTHING_TO_RECORD = "event processed, nothing to record"
DUPLICATE = "duplicate event ignored"


class WroteForDuplicate(Exception):
    """The handler wrote for an event processed before: what it wrote must be rolled back."""


class Consumer:
    def __init__(
        self,
        subscription: Subscription,
        database: Database,
        connection: AbstractConnection | str,
        *,
        secret: bytes | None = None,
        ready: Callable[[], Awaitable[None]] | None = None,
        lanes: int = 8,
        in_flight: int = 32,
        together: int = 1,
    ) -> None:
        self.subscription = subscription
        self.database = database
        self.connection = connection
        # Signs the attempt count Kotopolku puts on a retried message: a count a producer set
        # (or one from a message it copied) never steers the retries.
        self.secret = secret or secrets.token_bytes(32)
        # What a handler needs beyond the message itself; while it fails, the consumer waits.
        self.ready = ready or database.ping
        self.lanes = lanes
        self.in_flight = in_flight
        self.together = together
        # Cleared while a dependency is away: every lane waits, not only the one that noticed.
        self._resumed = asyncio.Event()
        self._resumed.set()
        self.channel: AbstractChannel | None = None
        self._own_connection: AbstractConnection | None = None
        # When each message taken and not finished yet was taken (by delivery tag): the lag gauge.
        self._in_hand: dict[int, float] = {}

    def oldest_in_hand_seconds(self) -> float:
        """How long the oldest message taken and not yet finished has been in hand (0 when none)."""
        return time.monotonic() - min(self._in_hand.values()) if self._in_hand else 0.0

    async def declare(self) -> aio_pika.abc.AbstractQueue:
        """The queues, bindings, dead-letter and retry queues, on a fresh channel. Given a URL, the
        consumer has a plain connection of its own: when the broker goes away it ends, and the
        supervisor starts a new consumer — a robust connection would instead restore the old
        consumer behind the iterator's back, holding its prefetched messages where nobody reads them."""
        sub = self.subscription
        await self._close_own_connection()
        if isinstance(self.connection, str):
            self._own_connection = await aio_pika.connect(self.connection)
        self.channel = await (self._own_connection or self.connection).channel(publisher_confirms=True)
        await self.channel.set_qos(prefetch_count=self.in_flight)
        await declare_exchanges(self.channel)
        queue = await self.channel.declare_queue(sub.queue, durable=True)
        for exchange, key in sub.bindings:
            await queue.bind(exchange, routing_key=key)
        await self.channel.declare_queue(sub.dead_letter_queue, durable=True)
        # Messages wait in these for their delay, then expire back into the main queue.
        for delay in sorted(set(sub.retry_delays)):
            await self.channel.declare_queue(
                sub.retry_queue(delay),
                durable=True,
                arguments={
                    "x-message-ttl": round(delay * 1000),
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": sub.queue,
                },
            )
        return queue

    async def run(self) -> None:
        """Consume until the channel closes; then raise, so the supervisor starts a fresh consumer
        on a fresh channel (a consumer restored by a reconnect has been seen to receive nothing)."""
        queue = await self.declare()
        lanes: list[asyncio.Queue[tuple[AbstractIncomingMessage, Envelope | InvalidEvent]]] = [asyncio.Queue() for _ in range(self.lanes)]
        workers = [asyncio.create_task(self._work(lane)) for lane in lanes]
        reading = asyncio.create_task(self._deal(queue, lanes))
        try:
            # Ends when the channel closes (reading ends) or a lane fails (e.g. an ack on a dead channel).
            done, _ = await asyncio.wait([reading, *workers], return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()
        finally:
            # Messages taken but not acked go back to the queue with the channel: redelivered, and
            # the inbox makes a redelivery of one already committed a no-op.
            for task in (reading, *workers):
                task.cancel()
            await asyncio.gather(reading, *workers, return_exceptions=True)
            self._in_hand.clear()
            await self._close_own_connection()
        raise ConnectionError(f"the channel of {self.subscription.queue} closed")

    async def _deal(self, queue: aio_pika.abc.AbstractQueue, lanes: list[asyncio.Queue]) -> None:
        async with queue.iterator() as messages:
            async for message in messages:
                self._in_hand[message.delivery_tag] = time.monotonic()
                event = _parse(message)
                lanes[lane_of(event, len(lanes))].put_nowait((message, event))

    async def _work(self, lane: asyncio.Queue[tuple[AbstractIncomingMessage, Envelope | InvalidEvent]]) -> None:
        """One lane: its messages in order, one at a time or, while more wait, several together."""
        held: tuple[AbstractIncomingMessage, Envelope | InvalidEvent] | None = None
        while True:
            batch = [held or await lane.get()]
            held = None
            people = {self._together_as(batch[0][1])}
            while len(batch) < self.together and None not in people and not lane.empty():
                item = lane.get_nowait()
                person = self._together_as(item[1])
                if person is None or person in people:
                    held = item  # first in the next turn: its person's events keep their order
                    break
                people.add(person)
                batch.append(item)
            await self._resumed.wait()
            try:
                if len(batch) == 1:
                    await self._handle(*batch[0])
                else:
                    await self._handle_together(batch)
            finally:
                for message, _ in batch:
                    self._in_hand.pop(message.delivery_tag, None)

    def _together_as(self, event: Envelope | InvalidEvent) -> str | None:
        """Who the event is about, when it may share a transaction with other people's events:
        None for an unreadable event, one of an unknown type, or one naming no person."""
        if not isinstance(event, Envelope) or self.subscription.handlers.get(event.type) is None:
            return None
        return person_of(event) or None

    async def _handle_together(self, batch: list[tuple[AbstractIncomingMessage, Envelope | InvalidEvent]]) -> None:
        """Several events of different people in one transaction; if it fails, each alone."""
        events = [event for _, event in batch]
        assert all(isinstance(event, Envelope) for event in events)  # only envelopes are batched (_together_as)
        try:
            outcomes = await self._process_together(events)
        except Exception as error:
            log.info("events handled one at a time", queue=self.subscription.queue, count=len(batch), error=describe_error(error))
            for message, event in batch:
                await self._handle(message, event)
            return
        for (message, _), envelope, outcome in zip(batch, events, outcomes):
            if outcome != DUPLICATE:
                await self._committed(envelope)
            await self._finish(message, envelope, outcome)

    async def _process_together(self, events: list[Envelope]) -> list[str]:
        """As `_process`, for several events in one transaction (all of them or nothing): each
        one's outcome."""
        outcomes: list[str] = []
        async with self.database.session() as session:
            for envelope in events:
                with self._span(envelope):
                    outcomes.append(await self._apply(session, self.subscription.handlers[envelope.type], envelope))
            await session.commit()
        return outcomes

    async def _close_own_connection(self) -> None:
        if self._own_connection is not None and not self._own_connection.is_closed:
            try:
                await self._own_connection.close()
            except Exception:  # already gone with the broker
                pass
        self._own_connection = None

    async def handle(self, message: AbstractIncomingMessage) -> None:
        await self._handle(message, _parse(message))

    async def _handle(self, message: AbstractIncomingMessage, envelope: Envelope | InvalidEvent) -> None:
        sub = self.subscription
        if isinstance(envelope, InvalidEvent):
            return await self._dead_letter(message, str(envelope), event_type="(invalid)")
        handler = sub.handlers.get(envelope.type)
        if handler is None:
            return await self._dead_letter(message, f"unknown event type {envelope.type!r}", UNKNOWN_TYPE)
        with self._span(envelope):
            await self._handle_known(message, envelope, handler)

    def _span(self, envelope: Envelope):
        """The producer's trace goes on here: what the handler writes (events, workflow commands) carries it."""
        return span(f"consume {envelope.type}", traceparent=envelope.trace_parent(), kind=SpanKind.CONSUMER,
                    messaging_destination_name=self.subscription.queue, messaging_message_id=envelope.id)

    async def _handle_known(self, message: AbstractIncomingMessage, envelope: Envelope, handler: Handler) -> None:
        while True:
            try:
                outcome = await self._process(handler, envelope)
            except Rejected as error:
                return await self._dead_letter(message, str(error), envelope.type)
            except Exception as error:
                if await self._wait_while_not_ready(error):
                    continue  # it was the database (or Temporal) away: the same message again
                return await self._retry(message, envelope.type, error)
            break
        await self._finish(message, envelope, outcome)

    async def _finish(self, message: AbstractIncomingMessage, envelope: Envelope, outcome: str) -> None:
        log.info(outcome, event_id=envelope.id, event_type=envelope.type, source=envelope.source, queue=self.subscription.queue)
        await message.ack()

    async def _process(self, handler: Handler, envelope: Envelope) -> str:
        """The handler's effect and the inbox row, committed together (or nothing)."""
        try:
            async with self.database.session() as session:
                outcome = await self._apply(session, handler, envelope)
                if outcome == PROCESSED:
                    await session.commit()
        except WroteForDuplicate:
            return DUPLICATE  # what the handler wrote is rolled back
        except IntegrityError:
            if not await self._already_processed(envelope):
                raise
            return DUPLICATE  # a concurrent delivery of the same event committed first
        if outcome != DUPLICATE:
            await self._committed(envelope)
        return outcome

    async def _apply(self, session: AsyncSession, handler: Handler, envelope: Envelope) -> str:
        """The handler's effect and the event's inbox row, in `session` (the caller commits): the
        outcome. WroteForDuplicate when the handler wrote for an event processed before."""
        sub = self.subscription
        # A subscription that records only what it writes asks its inbox only then: most of its
        # events write nothing, and a statement less each is felt in a burst.
        if not sub.inbox_only_when_written and await self._seen(session, envelope):
            return DUPLICATE
        wrote = await handler(session, envelope)
        if sub.inbox_only_when_written and not wrote:
            return NOTHING_TO_RECORD
        if sub.inbox_only_when_written and await self._seen(session, envelope):
            raise WroteForDuplicate(envelope.id)
        source, event_id = self._inbox_key(envelope)
        await session.exec(RECORD, params={"source": source, "event_id": event_id, "event_type": envelope.type, "processed_at": utcnow()})
        return PROCESSED

    async def _committed(self, envelope: Envelope) -> None:
        """After the commit of an event that was not a duplicate."""
        metrics.events_processed.labels(self.subscription.queue, envelope.type).inc()
        if self.subscription.on_committed is not None:
            await self.subscription.on_committed(envelope)

    async def _wait_while_not_ready(self, error: Exception) -> bool:
        """True when what the handler needs is away (the error was not the message's fault): the
        consumer has waited until it is back, without spending the message's attempts. While one
        lane waits, the others take no new message either."""
        pause = 0.5
        waited = False
        try:
            while True:
                try:
                    await self.ready()
                    return waited
                except Exception as down:
                    if not waited:
                        log.warning("consumer paused: a dependency is away", queue=self.subscription.queue, error=describe_error(down))
                        metrics.consumer_pauses.labels(self.subscription.queue).inc()
                        self._resumed.clear()
                    waited = True
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 15.0)
        finally:
            if waited:
                self._resumed.set()

    async def _already_processed(self, envelope: Envelope) -> bool:
        async with self.database.session() as session:
            return await self._seen(session, envelope)

    async def _seen(self, session: AsyncSession, envelope: Envelope) -> bool:
        source, event_id = self._inbox_key(envelope)
        return (await session.exec(SEEN, params={"source": source, "event_id": event_id})).first() is not None

    def _inbox_key(self, envelope: Envelope) -> tuple[str, str]:
        scope = self.subscription.inbox_scope
        return (f"{scope} {envelope.source}" if scope else envelope.source), envelope.id

    async def _dead_letter(self, message: AbstractIncomingMessage, reason: str, event_type: str) -> None:
        headers = own_headers(message)
        headers[ERROR_HEADER] = reason[:1000]
        headers["x-kotopolku-queue"] = self.subscription.queue
        headers["x-kotopolku-routing-key"] = message.routing_key or ""
        await self.channel.default_exchange.publish(_copy(message, headers), routing_key=self.subscription.dead_letter_queue)
        await message.ack()
        metrics.events_dead_lettered.labels(self.subscription.queue, event_type).inc()
        log.warning("event dead-lettered", queue=self.subscription.queue, reason=reason, message_id=message.message_id)

    def _attempt(self, message: AbstractIncomingMessage) -> int:
        """Which attempt this is: 1 unless Kotopolku itself counted earlier ones."""
        value = (message.headers or {}).get(ATTEMPT_HEADER)
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value or "")
        number, _, signature = text.partition(":")
        if not number.isdigit() or not hmac.compare_digest(signature, self._sign(message, number)):
            return 1
        return int(number)

    def _sign(self, message: AbstractIncomingMessage, number: str) -> str:
        digest = hmac.new(self.secret, f"{self.subscription.queue}|{number}|".encode() + message.body, hashlib.sha256)
        return digest.hexdigest()

    async def _retry(self, message: AbstractIncomingMessage, event_type: str, error: Exception) -> None:
        sub = self.subscription
        attempt = self._attempt(message)
        reason = describe_error(error)
        if attempt >= sub.max_attempts:
            return await self._dead_letter(message, f"gave up after {attempt} attempts: {reason}", event_type)
        delay = sub.retry_delays[min(attempt - 1, len(sub.retry_delays) - 1)]
        headers = own_headers(message)
        headers[ATTEMPT_HEADER] = f"{attempt + 1}:{self._sign(message, str(attempt + 1))}"
        headers["x-kotopolku-last-error"] = reason[:1000]
        await self.channel.default_exchange.publish(_copy(message, headers), routing_key=sub.retry_queue(delay))
        await message.ack()
        metrics.events_retried.labels(sub.queue, event_type).inc()
        log.warning("event will be retried", queue=sub.queue, attempt=attempt, delay_seconds=delay, error=reason)


UNKNOWN_TYPE = "(unknown)"  # one metrics label for every unknown type: producers can't grow the label set


def _parse(message: AbstractIncomingMessage) -> Envelope | InvalidEvent:
    try:
        event = parse_amqp(message.body, message.content_type, message.headers)
    except InvalidEvent as error:
        return error
    object.__setattr__(event, "_broker_user", message.user_id)  # the broker-validated login (never the event's own attribute)
    return event


def own_headers(message: AbstractIncomingMessage) -> dict:
    """The message's headers without those Kotopolku sets itself (a producer can't pre-set them)."""
    return {name: value for name, value in (message.headers or {}).items() if not str(name).lower().startswith("x-kotopolku-")}


def _copy(message: AbstractIncomingMessage, headers: dict) -> aio_pika.Message:
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        message_id=message.message_id,
        type=message.type,
        timestamp=message.timestamp,
        user_id=message.user_id,  # who published it stays known on a retry (Kotopolku's broker user is an impersonator)
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )
